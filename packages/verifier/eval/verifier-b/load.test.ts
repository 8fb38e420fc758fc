import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evidenceDocumentSchema, TradeR1Error } from '@trade-r1/core';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatOf, loadVerifierB, parseJsonl, sourceKindOf, VERIFIER_B_DIR } from './load.ts';

const directory = mkdtempSync(join(tmpdir(), 'verifier-b-load-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const corpusLines = [
  {
    id: 'mac_cpi',
    ticker: 'MACRO',
    publishedAt: '2024-03-12',
    source: 'Bureau of Labor Statistics release (summary)',
    title: 'CPI',
    text: 'CPI rose 0.4% in February.',
  },
  {
    id: 'acme_pr',
    ticker: 'ACME',
    publishedAt: '2024-03-01',
    source: 'Acme press release',
    title: 'Q4',
    text: 'Revenue rose 5% to $1.2 billion.',
  },
  {
    id: 'acme_note',
    ticker: 'ACME',
    publishedAt: '2024-03-02',
    source: 'Harborview Securities equity research (note)',
    title: 'Note',
    text: 'We rate Acme a buy.',
  },
  {
    id: 'acme_news',
    ticker: 'ACME',
    publishedAt: '2024-03-03',
    source: 'Pacific Market Wire',
    title: 'News',
    text: 'Acme shares rose.',
  },
];
const caseLines = [
  {
    id: 'DB-1',
    ticker: 'ACME',
    asOf: '2024-03-20',
    reasoning: '- Revenue rose 5% to $1.2 billion.\n**Conclusion:** BUY.',
    decision: 'BUY',
    perturbation: 'none',
    labels: { factual: true, deductive: true, consistent: true },
    note: 'secret note',
    scenario: 'ACME-1',
  },
  {
    id: 'DB-2',
    ticker: 'ACME',
    asOf: '2024-03-20',
    reasoning: 'Revenue rose 5% to $1.2 million. BUY.',
    decision: 'BUY',
    perturbation: 'unit_or_period_swap',
    labels: { factual: false, deductive: true, consistent: true },
    note: 'billion -> million',
    scenario: 'ACME-1',
  },
];
const caseSchema = z.object({ id: z.string(), decision: z.enum(['BUY', 'SELL', 'HOLD', 'STRONG_BUY', 'STRONG_SELL']) });
const jsonl = (rows: readonly unknown[]) => `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;

describe('verifier-b loader', () => {
  it('keeps labels, notes and scenario out of what the verifier sees', () => {
    writeFileSync(join(directory, 'corpus.jsonl'), jsonl(corpusLines));
    writeFileSync(join(directory, 'cases.jsonl'), jsonl(caseLines));
    const set = loadVerifierB(directory);
    expect(set).not.toBeNull();
    const [first, second] = set?.cases ?? [];
    expect(Object.keys(first?.input ?? {}).sort()).toEqual(['asOf', 'decision', 'reasoning', 'ticker']);
    expect(JSON.stringify(set?.cases.map((item) => item.input))).not.toMatch(/secret|perturbation|scenario|labels/);
    expect(first?.truth).toEqual({
      perturbation: 'none',
      labels: { factual: true, deductive: true, consistent: true },
      scenario: 'ACME-1',
      format: 'bullets',
    });
    // A perturbed case takes the format of its scenario's faithful reasoning (this one reads as prose).
    expect(second?.truth.format).toBe('bullets');
    expect(formatOf(second?.input.reasoning ?? '')).toBe('prose');
  });

  it('makes MACRO documents market-wide (source kind macro) and valid evidence', () => {
    const set = loadVerifierB(directory);
    const kinds = Object.fromEntries((set?.documents ?? []).map((document) => [document.id, document.sourceKind]));
    expect(kinds).toEqual({ mac_cpi: 'macro', acme_pr: 'filing', acme_note: 'analyst', acme_news: 'news' });
    for (const document of set?.documents ?? []) expect(() => evidenceDocumentSchema.parse(document)).not.toThrow();
    expect(sourceKindOf({ ticker: 'MACRO', source: 'Pacific Market Wire' })).toBe('macro');
  });

  it('rejects a malformed line with its file, line and field', () => {
    const bad = jsonl([caseLines[0], { ...caseLines[1], decision: 'MAYBE' }]);
    expect(() => parseJsonl(bad, caseSchema, 'cases.jsonl')).toThrow(TradeR1Error);
    expect(() => parseJsonl(bad, caseSchema, 'cases.jsonl')).toThrow(/cases\.jsonl:2: decision/);
    expect(() => parseJsonl('{not json', caseSchema, 'x.jsonl')).toThrow(/x\.jsonl:1: not JSON/);
  });

  it('returns null when the set is absent', () => {
    expect(loadVerifierB(join(directory, 'missing'))).toBeNull();
  });

  it('reads the shared set (331 cases, 119 documents, 10 market-wide, three formats)', () => {
    const set = loadVerifierB(VERIFIER_B_DIR);
    expect(set?.cases).toHaveLength(331);
    expect(set?.documents).toHaveLength(119);
    expect(set?.documents.filter((document) => document.sourceKind === 'macro')).toHaveLength(10);
    const formats = new Map<string, string>();
    for (const item of set?.cases ?? []) formats.set(item.truth.scenario, item.truth.format);
    const counts = [...formats.values()].reduce<Record<string, number>>(
      (sum, format) => Object.assign(sum, { [format]: (sum[format] ?? 0) + 1 }),
      {},
    );
    // The set's README: bullets 11, prose 12, structured 12 scenarios.
    expect(counts).toEqual({ bullets: 11, prose: 12, structured: 12 });
  });
});
