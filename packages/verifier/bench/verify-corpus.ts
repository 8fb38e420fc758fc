/**
 * The synthetic evidence corpus and 8-claim reasonings shared by the verification benchmarks (verify.bench.ts,
 * cold-verify.bench.ts): 100 tickers × 20 dated documents (filings, news, analyst notes) with figures, and
 * reasonings of 7 sentences drawn from a ticker's documents (20% with an altered figure), a conclusion and a
 * decision tag. Deterministic for a seed.
 */
import { createRng, type Decision, type EvidenceDocumentInput, type Rng } from '@trade-r1/core';

export const TICKERS = 100;
export const DOCS_PER_TICKER = 20;

const SEGMENTS = ['cloud', 'advertising', 'services', 'devices', 'payments', 'gaming', 'automotive', 'data center'];
const BROKERS = ['Northgate Securities', 'Harbor Capital', 'Summit Partners', 'Crescent Research'];
const DECISIONS: Decision[] = ['BUY', 'SELL', 'HOLD', 'STRONG_BUY'];

function money(value: number): string {
  return `$${value.toFixed(1)} billion`;
}

function documentFor(rng: Rng, ticker: string, index: number): EvidenceDocumentInput {
  const day = 1 + index;
  const quarter = 1 + (index % 4);
  const revenue = 5 + rng.next() * 80;
  const growth = Math.round(-5 + rng.next() * 30);
  const segment = SEGMENTS[index % SEGMENTS.length] ?? 'cloud';
  const margin = (35 + rng.next() * 30).toFixed(1);
  const broker = BROKERS[index % BROKERS.length] ?? 'Northgate Securities';
  return {
    id: `${ticker}-${index}`,
    tickers: [ticker],
    publishedAt: `2024-${String(1 + Math.floor(day / 28)).padStart(2, '0')}-${String(1 + (day % 28)).padStart(2, '0')}T20:00:00Z`,
    sourceKind: index % 3 === 0 ? 'filing' : index % 3 === 1 ? 'news' : 'analyst',
    title: `${ticker} quarter ${quarter} update ${index}`,
    text:
      `${ticker} reported quarterly revenue of ${money(revenue)}, ${growth >= 0 ? 'up' : 'down'} ${Math.abs(growth)}% year over year. ` +
      `${segment.charAt(0).toUpperCase()}${segment.slice(1)} revenue grew ${Math.round(rng.next() * 40)}% to ${money(revenue / 4)}. ` +
      `Gross margin was ${margin}%, and the company ${rng.next() < 0.5 ? 'raised' : 'cut'} its full-year outlook. ` +
      `${broker} set a price target of $${Math.round(50 + rng.next() * 400)} with a ${rng.next() < 0.6 ? 'buy' : 'hold'} rating. ` +
      'Management said demand remained strong in most regions while costs rose modestly.',
  };
}

function sentences(text: string): string[] {
  return text.split(/(?<=\.)\s+/).filter((sentence) => sentence.length > 20);
}

/** A verification input of the benchmarks. */
export interface BenchItem {
  ticker: string;
  asOf: string;
  decision: Decision;
  reasoning: string;
}

/** The corpus: tickers `T000`…`T099`, their documents, and each ticker's documents. */
export function benchCorpus(seed = 2024): {
  rng: Rng;
  tickers: string[];
  documents: EvidenceDocumentInput[];
  byTicker: Map<string, EvidenceDocumentInput[]>;
} {
  const rng = createRng(seed);
  const tickers = Array.from({ length: TICKERS }, (_, index) => `T${String(index).padStart(3, '0')}`);
  const documents = tickers.flatMap((ticker) =>
    Array.from({ length: DOCS_PER_TICKER }, (_, index) => documentFor(rng, ticker, index)),
  );
  const byTicker = new Map<string, EvidenceDocumentInput[]>();
  for (const document of documents) {
    const ticker = document.tickers?.[0] ?? '';
    byTicker.set(ticker, [...(byTicker.get(ticker) ?? []), document]);
  }
  return { rng, tickers, documents, byTicker };
}

/** An 8-claim reasoning about `ticker`: 7 of its document sentences (20% with an altered figure) and a conclusion. */
export function benchReasoning(
  rng: Rng,
  byTicker: ReadonlyMap<string, readonly EvidenceDocumentInput[]>,
  ticker: string,
  asOf: string,
  decisionIndex: number,
  alter = true,
): BenchItem {
  const pool = (byTicker.get(ticker) ?? []).flatMap((document) => sentences(document.text));
  const claims = rng
    .sample(pool, 7)
    .map((sentence) => (alter && rng.next() < 0.2 ? sentence.replace(/\d+\.\d/, '99.9') : sentence));
  const decision = DECISIONS[decisionIndex % DECISIONS.length] as Decision;
  return {
    ticker,
    asOf,
    decision,
    reasoning: `${claims.map((claim) => `- ${claim}`).join('\n')}\n\nOverall the evidence supports a ${decision.toLowerCase().replace('_', ' ')}. [[${decision.replace('_', ' ')}]]`,
  };
}
