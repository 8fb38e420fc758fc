import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder } from '../embedders/static/default-embedder.ts';
import type { Embedder } from '../embedders/types.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import type { EvidenceStore } from '../store/types.ts';
import { createVerifier } from './verifier.ts';

/** Query-parser syntax, markup the verifier reads, and ordinary finance words, to be mixed at random. */
const SYNTAX = [
  '"',
  "'",
  'AND',
  'OR',
  'NOT',
  ':',
  'text:',
  '+',
  '-',
  '~',
  '~2',
  '^3',
  '*',
  '?',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '\\',
  '/',
  '|',
  '\n',
  '\t',
  'revenue',
  'rose',
  '8%',
  '$12.4 billion',
  'Q2 2024',
  '[[BUY]]',
  '[[[STRONG SELL]]]',
  '<think>',
  '</think>',
  '<conclusion>',
  '</conclusion>',
  '- ',
  '**',
  '`src`',
  'SOURCES:',
  '— doc_id_20240101',
  '| a | 1 |',
  '亿元',
  '同比增长',
  '\u0000',
  '\uD800',
  '🙂',
];

const syntaxHeavy = fc
  .array(fc.constantFrom(...SYNTAX), { minLength: 1, maxLength: 40 })
  .map((parts) => parts.join(' '));
const arbitraryText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 400 }) },
  { weight: 4, arbitrary: syntaxHeavy },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  // Very long tokens and very long texts.
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 2000, maxLength: 12_000 }) },
);

let directory: string;
let embedder: Embedder;
let store: EvidenceStore;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'verifier-fuzz-'));
  embedder = await createDefaultEmbedder();
  store = await openEvidenceStore({ uri: directory, embedder });
  await store.add([
    {
      id: 'release',
      tickers: ['ACME'],
      publishedAt: '2024-08-01T20:00:00Z',
      sourceKind: 'filing',
      title: 'Acme reports second quarter 2024 results',
      text: 'Acme reported second-quarter revenue of $12.4 billion, up 8% year over year. "Demand was strong," the CEO said (AND NOT a forecast).\n| Metric | Q2 2024 |\n|---|---|\n| Revenue | $12.4 billion |',
    },
  ]);
});

afterAll(async () => {
  await store.close();
  await embedder.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('untrusted text never crashes a call nor acts as query syntax (fast-check, 10,000 strings)', () => {
  it('store.search: 4,000 arbitrary queries return hits or a typed INVALID_INPUT for a blank query', async () => {
    const queries = fc.sample(arbitraryText, { seed: 4242, numRuns: 4000 });
    let typed = 0;
    for (const query of queries) {
      for (const mode of ['text', 'hybrid'] as const) {
        if (mode === 'hybrid' && queries.indexOf(query) % 8 !== 0) continue;
        try {
          const hits = await store.search({ query, mode, tickers: ['ACME'], asOf: '2024-09-01', k: 3 });
          expect(Array.isArray(hits)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(TradeR1Error);
          expect((error as TradeR1Error).code).toBe('INVALID_INPUT');
          expect(query.trim()).toBe('');
          typed += 1;
        }
      }
    }
    expect(typed).toBeLessThan(queries.length / 10);
  }, 240_000);

  it('verifyBatch: 6,000 arbitrary reasonings give finite scores in [0, 1], never an exception', async () => {
    const verifier = createVerifier({ store, embedder });
    const reasonings = fc.sample(arbitraryText, { seed: 777, numRuns: 6000 });
    // A reasoning that is one double-quoted passage (an answer quoting a filing) once reached the query parser.
    reasonings.push('"Acme reported second-quarter revenue of $12.4 billion, up 8% year over year."');
    for (let start = 0; start < reasonings.length; start += 500) {
      const batch = reasonings.slice(start, start + 500).map((reasoning) => ({
        ticker: 'ACME',
        asOf: '2024-09-01',
        reasoning,
        decision: 'BUY' as const,
      }));
      const reports = await verifier.verifyBatch(batch);
      for (const report of reports) {
        for (const value of [...Object.values(report.scores), report.hallucinationRate]) {
          expect(Number.isFinite(value) && value >= 0 && value <= 1).toBe(true);
        }
        expect(() => JSON.stringify(report)).not.toThrow();
      }
    }
    const quoted = await verifier.verify({
      ticker: 'ACME',
      asOf: '2024-09-01',
      reasoning: reasonings.at(-1) as string,
      decision: 'BUY',
    });
    expect(quoted.claims.some((claim) => claim.verdict === 'supported')).toBe(true);
  }, 600_000);
});
