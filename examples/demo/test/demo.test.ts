import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo.ts';

describe('main demo', () => {
  let outputDir = '';
  afterAll(async () => {
    if (outputDir) await rm(outputDir, { recursive: true, force: true });
  });

  it('runs the loop end to end on the embedded data and writes its reports', async () => {
    outputDir = await mkdtemp(join(tmpdir(), 'trade-r1-demo-'));
    const summary = await runDemo({ outputDir, tickers: ['NVDA', 'MSFT'], start: '2024-06-03', end: '2024-07-31' });

    expect(summary.evidenceChunks).toBeGreaterThan(100);
    expect(summary.completions.length).toBeGreaterThan(0);
    for (const row of summary.completions) {
      for (const value of [row.s, row.factuality, row.deduction, row.consistency, row.hallucinationRate]) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
      expect(Number.isFinite(row.dsr) && Number.isFinite(row.advantageDsr)).toBe(true);
    }
    // A decision flipped against its own reasoning must lose semantic score.
    expect(summary.byVariant.flip.s).toBeLessThan(summary.byVariant.faithful.s - 0.1);
    // GRPO advantages are centred within each group.
    const total = summary.completions.reduce((sum, row) => sum + row.advantageDsr, 0);
    expect(Math.abs(total)).toBeLessThan(1e-6);

    for (const ticker of ['NVDA', 'MSFT']) {
      const metrics = summary.backtest[ticker];
      expect(Number.isFinite(metrics?.strategy.sharpeRatio)).toBe(true);
      expect(metrics?.buyAndHold.maxDrawdownPct).toBeGreaterThanOrEqual(0);
    }
    // Trade-R1's argument: the market-only reward also reinforces defective copies that keep the decision; the
    // semantic gate (DSR) reinforces completions with higher s and fewer hallucinated claims.
    const { marketOnly, fsr, dsr } = summary.reinforced;
    expect(marketOnly.groups).toBe(dsr.groups);
    expect(dsr.meanS).toBeGreaterThan(marketOnly.meanS);
    expect(dsr.hallucinationRate).toBeLessThan(marketOnly.hallucinationRate);
    expect(Number.isFinite(fsr.meanS)).toBe(true);
    for (const reward of [marketOnly, fsr, dsr]) {
      expect(Number.isFinite(reward.backtest.MSFT?.strategy.sharpeRatio)).toBe(true);
      expect(reward.backtest.MSFT?.buyAndHold).toEqual(summary.backtest.MSFT?.buyAndHold);
    }
    const html = await readFile(summary.files.reportHtml, 'utf8');
    expect(html).toContain('<svg');
    for (const ticker of ['NVDA', 'MSFT']) {
      const page = await readFile(summary.files.pages[ticker] as string, 'utf8');
      expect(page.match(/<section class="entry"/g)?.length).toBeGreaterThanOrEqual(3);
      expect(page).toContain('<main class="layout-group"');
      expect(page).toMatch(/data-field="advantage"/);
    }
    const saved = JSON.parse(await readFile(summary.files.summaryJson, 'utf8'));
    expect(saved.completions).toHaveLength(summary.completions.length);
  });
});
