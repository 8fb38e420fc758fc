import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtmlReport, runBacktestSync, toReportJson } from '../src/index.ts';
import { decodePng } from './helpers/png.ts';
import { syntheticPanel } from './helpers/synthetic.ts';

const panel = syntheticPanel({ assets: 3, days: 260, seed: 17, missing: 0.01 });
const decisions = panel.dates
  .filter((_, index) => index % 7 === 0)
  .flatMap((date, index) => [
    { date, ticker: 'A000', decision: (['STRONG_BUY', 'BUY', 'HOLD', 'SELL', 'STRONG_SELL'] as const)[index % 5] },
    { date, ticker: 'A001', decision: (['BUY', 'STRONG_BUY', 'HOLD'] as const)[index % 3] },
  ]);
const result = runBacktestSync({
  panel,
  decisions,
  strategy: { type: 'decisions' },
  benchmark: 'A002',
  metrics: { bootstrap: { samples: 200 } },
});

describe('JSON report', () => {
  it('is JSON-safe and complete', () => {
    const report = toReportJson(result);
    const text = JSON.stringify(report);
    const parsed = JSON.parse(text) as typeof report;
    expect(parsed.version).toBe(1);
    expect(parsed.dates).toHaveLength(result.equity.length);
    expect(parsed.strategy.equity).toHaveLength(result.equity.length);
    expect(parsed.strategy.returns).toHaveLength(result.returns.length);
    expect(parsed.benchmark?.name).toBe('A002');
    expect(Object.keys(parsed.strategy.positions).sort()).toEqual(['A000', 'A001']);
    expect(parsed.strategy.trades.length).toBe(result.trades.length);
    expect(parsed.strategy.metrics.sharpeRatio).toBeCloseTo(result.metrics.sharpeRatio, 12);
    expect(parsed.decisions.length).toBe(decisions.length);
    expect(text).not.toMatch(/NaN|Infinity/);
  });

  it('turns NaN metrics into null', () => {
    const flat = runBacktestSync({
      panel,
      decisions: [{ date: panel.dates[0] as string, ticker: 'A000', decision: 'HOLD' }],
      strategy: { type: 'decisions' },
      metrics: { bootstrap: false },
    });
    expect(Number.isNaN(flat.metrics.sharpeRatio)).toBe(true);
    expect(toReportJson(flat).strategy.metrics.sharpeRatio).toBeNull();
  });
});

describe('HTML report', () => {
  const html = renderHtmlReport(result, { title: 'Demo <script>alert("x")</script> & "quotes"' });

  it('is self-contained: inline SVG charts, no scripts, no external resources, escaped text', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Demo &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;');
    const urls = html.match(/(?:https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(urls.every((url) => url === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)=/);
    for (const label of [
      'Equity (growth of 1)',
      'Drawdown',
      'Positions (weight of equity)',
      'Sharpe ratio',
      'Max drawdown',
    ]) {
      expect(html).toContain(label);
    }
  });

  it('summarises many assets as gross/net exposure and lists at most maxTrades trades', () => {
    const many = renderHtmlReport(result, { maxPositionLines: 1, maxTrades: 3 });
    expect(many).toContain('Exposure (fraction of equity)');
    expect(many).toContain(`Trades (first 3 of ${result.trades.length})`);
    expect(many).toContain(`Decisions (first 3 of ${result.decisions.length})`);
    expect(html).not.toContain('<h2>Rebalances');
  });

  it('lists top-k rebalances with their holdings', () => {
    const scores = panel.dates.flatMap((date, day) =>
      panel.tickers.map((ticker, asset) => ({ date, ticker, score: Math.sin(day * 0.3 + asset) })),
    );
    const topK = runBacktestSync({
      panel,
      decisions: scores,
      strategy: { type: 'top-k', k: 2, rebalance: 'weekly' },
      metrics: { bootstrap: false },
    });
    const page = renderHtmlReport(topK, { maxTrades: 5 });
    expect(page).toContain(`Rebalances (first 5 of ${topK.rebalances.length})`);
    expect(page).toContain('top-2 selection, equal weights, rebalance weekly');
    expect(page).not.toContain('<h2>Decisions');
  });

  const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find(
    (binary) => spawnSync(binary, ['--version'], { encoding: 'utf8' }).status === 0,
  );
  const inCi = process.env.CI === 'true';
  if (!chromium && !inCi) console.warn('chromium not found: skipping the headless render test (it is required in CI)');
  const workspace = mkdtempSync(join(tmpdir(), 'trade-r1-report-'));
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it.skipIf(!chromium && !inCi)('renders in headless Chromium to a non-blank screenshot', () => {
    if (!chromium) throw new Error('chromium is not installed but CI=true requires it (apt-get install chromium)');
    const page = join(workspace, 'report.html');
    const screenshot = join(workspace, 'report.png');
    writeFileSync(page, html);
    const run = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(workspace, 'profile')}`,
        `--screenshot=${screenshot}`,
        '--window-size=1200,900',
        pathToFileURL(page).href,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    expect(existsSync(screenshot), `chromium wrote no screenshot: ${run.stderr}`).toBe(true);
    expect(statSync(screenshot).size).toBeGreaterThan(20_000);
    const png = decodePng(readFileSync(screenshot));
    expect([png.width, png.height]).toEqual([1200, 900]);
    const colours = new Set<number>();
    let nonBackground = 0;
    for (let index = 0; index < png.pixels.length; index += png.channels) {
      const red = png.pixels[index] as number;
      const green = png.pixels[index + 1] as number;
      const blue = png.pixels[index + 2] as number;
      colours.add((red << 16) | (green << 8) | blue);
      if (red < 235 || green < 235 || blue < 235) nonBackground += 1;
    }
    expect(colours.size).toBeGreaterThan(50);
    // The blue strategy line must be drawn.
    let strategyPixels = 0;
    for (let index = 0; index < png.pixels.length; index += png.channels) {
      const red = png.pixels[index] as number;
      const green = png.pixels[index + 1] as number;
      const blue = png.pixels[index + 2] as number;
      if (blue > 180 && red < 100 && green > 60 && green < 140) strategyPixels += 1;
    }
    expect(strategyPixels).toBeGreaterThan(200);
    expect(nonBackground / (png.width * png.height)).toBeGreaterThan(0.03);
  });
});
