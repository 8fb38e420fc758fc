import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTradeR1Error, type TradeR1Error } from './errors.ts';
import {
  parseBar,
  parseDecision,
  parseEvidenceDocument,
  parsePriceSeries,
  parseRollout,
  parseSelectionDecision,
} from './parse.ts';
import { type Bar, barSchema } from './schemas/bar.ts';
import {
  DECISIONS,
  decisionDirection,
  decisionSignal,
  decisionToExposure,
  LONG_ONLY_EXPOSURE,
} from './schemas/decision.ts';

fc.configureGlobal({ seed: 20260121, numRuns: 200 });

function thrown(fn: () => unknown): TradeR1Error {
  try {
    fn();
  } catch (error) {
    if (isTradeR1Error(error)) return error;
    throw error;
  }
  throw new Error('expected a TradeR1Error');
}

const isoDay = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));
const price = fc.double({ min: 0.01, max: 1e6, noNaN: true, noDefaultInfinity: true });

const validBar = fc
  .record({
    timestamp: isoDay,
    a: price,
    b: price,
    up: fc.double({ min: 0, max: 0.5, noNaN: true }),
    down: fc.double({ min: 0, max: 0.5, noNaN: true }),
    volume: fc.double({ min: 0, max: 1e12, noNaN: true }),
  })
  .map(({ timestamp, a, b, up, down, volume }): Bar => {
    const high = Math.max(a, b) * (1 + up);
    const low = Math.min(a, b) * (1 - down) || Math.min(a, b);
    return { timestamp, open: a, high, low: Math.max(low, 1e-9), close: b, volume };
  });

describe('barSchema', () => {
  it('round-trips valid bars unchanged', () => {
    fc.assert(
      fc.property(validBar, (bar) => {
        expect(parseBar(bar)).toEqual(bar);
        expect(parseBar(JSON.parse(JSON.stringify(bar)))).toEqual(bar);
      }),
    );
  });

  it('rejects non-finite, non-positive and inconsistent prices with INVALID_BAR', () => {
    const bad = fc.oneof(
      validBar.map((bar) => ({ ...bar, close: Number.NaN })),
      validBar.map((bar) => ({ ...bar, open: -bar.open })),
      validBar.map((bar) => ({ ...bar, high: Math.min(bar.open, bar.close) * 0.5 })),
      validBar.map((bar) => ({ ...bar, low: Math.max(bar.open, bar.close) * 2 })),
      validBar.map((bar) => ({ ...bar, volume: -1 })),
      validBar.map((bar) => ({ ...bar, volume: Number.POSITIVE_INFINITY })),
      validBar.map((bar) => ({ ...bar, timestamp: '2024-02-30' })),
      validBar.map(({ close: _close, ...rest }) => rest),
    );
    fc.assert(
      fc.property(bad, (bar) => {
        const error = thrown(() => parseBar(bar));
        expect(error.code).toBe('INVALID_BAR');
        expect(error.issues.length).toBeGreaterThan(0);
      }),
    );
  });

  it('names the offending field', () => {
    const error = thrown(() => parseBar({ timestamp: '2024-01-02', open: 10, high: 9, low: 8, close: 9.5, volume: 1 }));
    expect(error.issues.map((issue) => issue.path)).toContain('high');
    expect(error.message).toContain('high');
  });

  it('accepts intraday UTC timestamps', () => {
    expect(
      barSchema.safeParse({ timestamp: '2024-01-02T14:30:00Z', open: 1, high: 1, low: 1, close: 1, volume: 0 }).success,
    ).toBe(true);
    expect(
      barSchema.safeParse({ timestamp: '2024-01-02T14:30:00-05:00', open: 1, high: 1, low: 1, close: 1, volume: 0 })
        .success,
    ).toBe(false);
  });
});

describe('priceSeriesSchema', () => {
  it('accepts strictly increasing series and rejects any out-of-order or duplicate pair', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(validBar, { selector: (bar) => bar.timestamp, minLength: 2, maxLength: 30 }),
        (bars) => {
          const sorted = [...bars].sort((left, right) => left.timestamp.localeCompare(right.timestamp));
          expect(parsePriceSeries(sorted)).toHaveLength(sorted.length);
          const reversed = [...sorted].reverse();
          expect(thrown(() => parsePriceSeries(reversed)).code).toBe('INVALID_SERIES');
          const duplicated = [...sorted, { ...(sorted.at(-1) as Bar) }];
          expect(thrown(() => parsePriceSeries(duplicated)).message).toContain('duplicate');
        },
      ),
    );
  });
});

describe('evidenceDocumentSchema', () => {
  const base = {
    id: 'doc-1',
    tickers: ['aapl'],
    publishedAt: '2024-01-25 03:33:00-05:00',
    sourceKind: 'news',
    title: 'Apple beats',
    text: 'Apple reported revenue of $119.6 billion.',
  };

  it('normalises tickers and publication time', () => {
    const document = parseEvidenceDocument(base);
    expect(document.tickers).toEqual(['AAPL']);
    expect(document.publishedAt).toBe('2024-01-25T08:33:00.000Z');
    expect(parseEvidenceDocument({ ...base, publishedAt: '2024-01-25' }).publishedAt).toBe('2024-01-25T23:59:59.999Z');
  });

  it('round-trips: parsing a parsed document is the identity', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc
            .string({ minLength: 1, maxLength: 20 })
            .filter((value) => value.trim().length > 0 && value.trim() === value),
          tickers: fc.array(fc.constantFrom('AAPL', 'NVDA', 'BRK.B', '600519.SH'), { maxLength: 3 }),
          publishedAt: fc
            .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
            .map((date) => date.toISOString()),
          sourceKind: fc.constantFrom('news', 'filing', 'macro'),
          title: fc.string(),
          text: fc.string({ minLength: 1 }).filter((value) => value.trim().length > 0),
        }),
        (input) => {
          const once = parseEvidenceDocument(input);
          expect(parseEvidenceDocument(once)).toEqual(once);
          expect(once.publishedAt).toBe(input.publishedAt);
        },
      ),
    );
  });

  it.each([
    ['empty text', { text: '   ' }],
    ['missing date', { publishedAt: undefined }],
    ['unparseable date', { publishedAt: 'yesterday' }],
    ['wrong type', { tickers: 'AAPL' }],
    ['unknown source kind', { sourceKind: 'tweet' }],
    ['bad url', { url: 'not a url' }],
  ])('rejects %s with INVALID_DOCUMENT', (_name, patch) => {
    expect(thrown(() => parseEvidenceDocument({ ...base, ...patch })).code).toBe('INVALID_DOCUMENT');
  });
});

describe('decisions', () => {
  it('maps the five levels to exposure, direction and signal monotonically', () => {
    const exposures = DECISIONS.map((decision) => decisionToExposure(decision));
    expect(exposures).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(DECISIONS.map(decisionDirection)).toEqual([-1, -1, 0, 1, 1]);
    expect(DECISIONS.map(decisionSignal)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(
      DECISIONS.map((decision) => decisionToExposure(decision, LONG_ONLY_EXPOSURE)).every((value) => value >= 0),
    ).toBe(true);
  });

  it('rejects values outside the scale', () => {
    expect(parseDecision('STRONG_BUY')).toBe('STRONG_BUY');
    expect(thrown(() => parseDecision('Buy')).code).toBe('INVALID_DECISION');
  });
});

describe('selection decisions and rollouts', () => {
  it('accepts unique tickers with weights summing to at most 1', () => {
    const parsed = parseSelectionDecision({
      selections: [
        { ticker: 'nvda', weight: 0.5 },
        { ticker: 'AAPL', score: 2 },
      ],
    });
    expect(parsed.selections[0]?.ticker).toBe('NVDA');
    expect(thrown(() => parseSelectionDecision({ selections: [{ ticker: 'A' }, { ticker: 'a' }] })).code).toBe(
      'INVALID_DECISION',
    );
    expect(
      thrown(() =>
        parseSelectionDecision({
          selections: [
            { ticker: 'A', weight: 0.7 },
            { ticker: 'B', weight: 0.7 },
          ],
        }),
      ).message,
    ).toContain('sum');
  });

  it('validates rollouts and defaults metadata', () => {
    const rollout = parseRollout({ prompt: 'p', completion: 'c [[BUY]]', decision: 'BUY' });
    expect(rollout.metadata).toEqual({});
    expect(parseRollout({ prompt: 'p', completion: 'c', decision: null }).decision).toBeNull();
    expect(thrown(() => parseRollout({ prompt: 'p', completion: 3, decision: null })).code).toBe('INVALID_INPUT');
  });
});
