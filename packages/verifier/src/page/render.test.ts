import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDefaultEmbedder,
  createVerifier,
  openEvidenceStore,
  perturb,
  type VerificationReport,
} from '../index.ts';
import { renderVerificationPage, type VerificationPageEntry } from './render.ts';

const here = dirname(fileURLToPath(import.meta.url));
// Screenshots are test artefacts (gitignored), kept for a look after the run.
const artefacts = join(here, '../../.generated/page');
const workspace = mkdtempSync(join(tmpdir(), 'trade-r1-page-'));

const documents = [
  {
    id: 'MSFT-008',
    tickers: ['MSFT'],
    publishedAt: '2025-04-30T20:05:00Z',
    sourceKind: 'filing' as const,
    title: 'Microsoft fiscal third quarter results <b>',
    text: 'Microsoft reported revenue of $70.1 billion, up 13 percent. Microsoft Cloud revenue was $42.4 billion, up 20 percent.',
  },
];
const faithful =
  'Microsoft Cloud revenue was $42.4 billion, up 20 percent. Revenue rose 13% to $70.1 billion. I think the <script>alert(1)</script> risk is small. [[BUY]]';

let entries: VerificationPageEntry[] = [];

beforeAll(async () => {
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({ uri: join(workspace, 'evidence'), embedder });
  await store.add(documents);
  const verifier = createVerifier({ store, embedder });
  const wrong = perturb({ reasoning: faithful, decision: 'BUY', type: 'number', seed: 7, ticker: 'MSFT' });
  const reasonings = [faithful, wrong?.reasoning ?? ''];
  const reports = await verifier.verifyBatch(
    reasonings.map((reasoning) => ({ ticker: 'MSFT', asOf: '2025-05-02', reasoning, decision: 'BUY' as const })),
  );
  entries = reasonings.map((reasoning, index) => ({
    reasoning,
    report: reports[index] as VerificationReport,
    reward: (reports[index] as VerificationReport).scores.s,
    advantage: index === 0 ? Math.SQRT1_2 : -Math.SQRT1_2, // ±1/√2: a group of two after std normalisation
  }));
  await store.close();
  await embedder.close();
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function chromium(): string {
  const binary = ['chromium', 'chromium-browser', 'google-chrome'].find(
    (name) => spawnSync(name, ['--version'], { encoding: 'utf8' }).status === 0,
  );
  if (!binary) throw new Error('chromium is not installed (apt-get install chromium); the page test needs it');
  return binary;
}

function headless(page: string, extra: string[]): ReturnType<typeof spawnSync> {
  return spawnSync(
    chromium(),
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(workspace, 'profile')}`,
      ...extra,
      pathToFileURL(page).href,
    ],
    { encoding: 'utf8', timeout: 90_000 },
  );
}

describe('renderVerificationPage', () => {
  it('highlights every claim by verdict, with the check and evidence date that decided it', () => {
    const [first, second] = entries as [VerificationPageEntry, VerificationPageEntry];
    expect(first.report.counts.supported).toBeGreaterThan(0);
    expect(second.report.counts.contradicted).toBe(1);
    const html = renderVerificationPage(first);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const claim of first.report.claims) {
      const mark = claim.opinion ? 'opinion' : claim.verdict;
      expect(html).toContain(`<mark class="mark-${mark}" data-claim="${claim.id}"`);
    }
    expect(html).toContain('$42.4 billion matched in MSFT-008 · 2025-04-30');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Microsoft fiscal third quarter results &lt;b&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=|https?:\/\//);
  });

  it('renders a GRPO group side by side in headless Chromium (DOM and screenshot)', () => {
    const html = renderVerificationPage(entries, { title: 'MSFT group <i>', layout: 'group' });
    const page = join(workspace, 'group.html');
    writeFileSync(page, html);
    const dom = headless(page, ['--dump-dom']);
    const text = String(dom.stdout);
    expect(text, String(dom.stderr)).toContain('<main class="layout-group"');
    expect(text.match(/<section class="entry"/g)).toHaveLength(2);
    expect(text.match(/data-field="advantage" class="pos">advantage \+0\.707/g)).toHaveLength(1);
    expect(text.match(/data-field="advantage" class="neg">advantage -0\.707/g)).toHaveLength(1);
    expect(text).toContain('<mark class="mark-contradicted"');
    expect(text).toContain('<title>MSFT group &lt;i&gt;</title>');
    expect(text).not.toContain('<script');
    mkdirSync(artefacts, { recursive: true });
    const screenshot = join(artefacts, 'group.png');
    rmSync(screenshot, { force: true });
    const shot = headless(page, [`--screenshot=${screenshot}`, '--window-size=1400,1000']);
    const png = readFileSync(screenshot);
    expect(png.subarray(1, 4).toString('latin1'), String(shot.stderr)).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1400, 1000]);
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('never throws on arbitrary reasoning text or spans, and always escapes it', () => {
    const base = entries[0] as VerificationPageEntry;
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: -5, max: 400 }), (text, shift) => {
        const claims = base.report.claims.map((claim) => ({
          ...claim,
          start: claim.start + shift,
          end: claim.end + shift,
        }));
        const html = renderVerificationPage({ reasoning: `${text}<img src=x>`, report: { ...base.report, claims } });
        expect(html).not.toContain('<img');
      }),
      { seed: 16, numRuns: 200 },
    );
  });

  it('rejects malformed entries and misspelled options with the field', () => {
    const base = entries[0] as VerificationPageEntry;
    expect(() => renderVerificationPage(undefined as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    try {
      renderVerificationPage(base, { layuot: 'group' } as never);
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'INVALID_INPUT') && error.message.includes('layuot')).toBe(true);
    }
    try {
      renderVerificationPage({ ...base, report: { ...base.report, claims: 'x' } } as never);
      expect.unreachable();
    } catch (error) {
      expect(
        isTradeR1Error(error, 'INVALID_INPUT') && error.issues.some((issue) => issue.path.includes('claims')),
      ).toBe(true);
    }
  });
});
