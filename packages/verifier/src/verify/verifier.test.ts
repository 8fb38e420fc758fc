import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EvidenceDocumentInput } from '@trade-r1/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder } from '../embedders/static/default-embedder.ts';
import type { Embedder } from '../embedders/types.ts';
import { createEntailmentModel } from '../judges/entailment.ts';
import type { EntailmentModel, PairJudge } from '../judges/types.ts';
import { decisionLines } from '../page/evidence-lines.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import type { EvidenceStore } from '../store/types.ts';
import { buildEncoderModel } from '../testing/encoder-model.ts';
import { createVerifier, verify } from './verifier.ts';

const DOCUMENTS: EvidenceDocumentInput[] = [
  {
    id: 'release',
    tickers: ['ACME'],
    publishedAt: '2024-08-01T20:00:00Z',
    sourceKind: 'filing',
    title: 'Acme reports second quarter 2024 results',
    text:
      'Acme reported second-quarter revenue of $12.4 billion, up 8% year over year. Cloud revenue grew 21% to ' +
      '$4.1 billion. Gross margin was 61.5%, compared with 59.0% a year ago. The company raised its full-year ' +
      'revenue outlook to $50 billion and announced a $10 billion share buyback.',
  },
  {
    id: 'analyst',
    tickers: ['ACME'],
    publishedAt: '2024-08-03T12:00:00Z',
    sourceKind: 'analyst',
    title: 'Broker upgrades Acme to buy',
    text: 'Northgate Securities upgraded Acme to buy with a price target of $240, citing strong cloud demand and margin expansion.',
  },
  {
    id: 'future-charge',
    tickers: ['ACME'],
    publishedAt: '2024-10-30T20:00:00Z',
    sourceKind: 'news',
    title: 'Acme takes $2.3 billion restructuring charge',
    text: 'Acme booked a $2.3 billion restructuring charge and said it will close its hardware division.',
  },
  {
    id: 'fed-july',
    tickers: [],
    publishedAt: '2024-07-31T18:00:00Z',
    sourceKind: 'macro',
    title: 'Fed holds rates steady',
    text: 'The Federal Reserve held its benchmark rate in a range of 5.25% to 5.50% and signalled a cut could come in September.',
  },
  {
    id: 'other-company',
    tickers: ['BETA'],
    publishedAt: '2024-08-01T20:00:00Z',
    sourceKind: 'filing',
    title: 'Beta results',
    text: 'Beta reported revenue of $3.0 billion, down 4%, and cut its dividend.',
  },
];

const FAITHFUL = `<fundamentals>
- Acme's second-quarter revenue rose 8% to $12.4 billion. *revenue of $12.4 billion, up 8% year over year* \`Q2 release\`
- Cloud revenue grew 21% to $4.1 billion. \`Q2 release\`
- Gross margin expanded to 61.5% from 59.0%. \`Q2 release\`
- The company raised its revenue outlook to $50 billion and announced a $10 billion buyback. \`Q2 release\`
</fundamentals>
<analyst_coverage>
- Northgate Securities upgraded Acme to buy with a $240 price target. \`Broker note\`
</analyst_coverage>
<conclusion>
Strong cloud demand and expanding margins support a bullish view. [[BUY]]
</conclusion>`;

let directory: string;
let embedder: Embedder;
let store: EvidenceStore;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'verifier-test-'));
  embedder = await createDefaultEmbedder();
  store = await openEvidenceStore({ uri: directory, embedder });
  await store.add(DOCUMENTS);
});

afterAll(async () => {
  await store.close();
  await embedder.close();
  rmSync(directory, { recursive: true, force: true });
});

const ASOF = '2024-08-10';

describe('createVerifier (real LanceDB table, default embedder)', () => {
  it('scores faithful reasoning high, with citations no later than asOf', async () => {
    const verifier = createVerifier({ store, embedder });
    const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' });
    expect(report.counts.contradicted).toBe(0);
    expect(report.hallucinationRate).toBeLessThanOrEqual(0.2);
    expect(report.scores.factuality).toBeGreaterThan(0.7);
    expect(report.scores.deduction).toBeGreaterThan(0.6);
    expect(report.scores.s).toBeCloseTo(
      (report.scores.factuality + report.scores.deduction + report.scores.consistency) / 3,
      5,
    );
    expect(report.decisionTag).toBe('BUY');
    // 2024-08-10 is a Saturday: a date-only asOf on a day without a session is the end of that day in New York.
    expect(report.asOf).toBe('2024-08-11T03:59:59.999Z');
    for (const claim of report.claims) {
      for (const citation of claim.citations) {
        expect(citation.documentId).not.toBe('future-charge');
        expect(citation.documentId).not.toBe('other-company');
        expect(Date.parse(citation.publishedAt)).toBeLessThanOrEqual(Date.parse(report.asOf));
      }
    }
    expect(report.models.embedder).toBe(embedder.modelId);
    expect(report.configHash).toBe(verifier.configHash);
  });

  it('contradicts an altered figure and a flipped direction', async () => {
    const verifier = createVerifier({ store, embedder });
    const altered = FAITHFUL.replace(
      'Cloud revenue grew 21% to $4.1 billion',
      'Cloud revenue grew 21% to $5.6 billion',
    );
    const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: altered, decision: 'BUY' });
    const claim = report.claims.find((item) => item.text.includes('$5.6 billion'));
    expect(claim?.verdict).toBe('contradicted');
    expect(claim?.checks.numbers.find((number) => number.claimed === '$5.6 billion')?.evidence).toBe('$4.1 billion');
    const flipped = FAITHFUL.replace('Gross margin expanded to 61.5%', 'Gross margin contracted to 61.5%');
    const second = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: flipped, decision: 'BUY' });
    expect(second.claims.find((item) => item.text.includes('contracted'))?.verdict).toBe('contradicted');
    expect(second.scores.factuality).toBeLessThan(
      (await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' })).scores.factuality,
    );
  });

  it('judges every claim: a false claim after many faithful ones is caught, and a hard limit counts against the score', async () => {
    const verifier = createVerifier({ store, embedder });
    const faithful = Array.from({ length: 70 }, () => 'Cloud revenue grew 21% to $4.1 billion.').join(' ');
    const reasoning = `${faithful} Cloud revenue grew 21% to $6.3 billion.`;
    const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning, decision: 'BUY' });
    expect(report.counts.claims).toBe(71);
    expect(report.counts.unjudged).toBe(0);
    expect(report.claims.at(-1)?.verdict).toBe('contradicted');
    expect(report.flags).toContain('contradicted-claim');
    expect(report.scores.factuality).toBeLessThan(0.5);

    const limited = createVerifier({ store, embedder, options: { maxClaims: 10 } });
    const capped = await limited.verify({ ticker: 'ACME', asOf: ASOF, reasoning, decision: 'BUY' });
    expect(capped.counts.unjudged).toBe(61);
    expect(capped.reasons).toContain('CLAIM_LIMIT');
    expect(capped.flags).toContain('claim-limit');
    expect(capped.scores.factuality).toBeLessThan(0.5);
  });

  it('does not support a statement moved onto a party no admissible evidence names', async () => {
    const verifier = createVerifier({ store, embedder });
    const line = '- Northgate Securities upgraded Acme to buy with a $240 price target.';
    const swapped = FAITHFUL.replace(line, '- Eastbrook Capital upgraded Acme to buy with a $240 price target.');
    const faithful = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' });
    const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: swapped, decision: 'BUY' });
    expect(faithful.claims.find((item) => item.text.includes('Northgate'))?.verdict).toBe('supported');
    const claim = report.claims.find((item) => item.text.includes('Eastbrook'));
    expect(claim?.verdict).toBe('unsupported');
    expect(claim?.checks.entities.find((entity) => entity.name.includes('Eastbrook'))?.absent).toBe(true);
    expect(report.scores.factuality).toBeLessThan(faithful.scores.factuality);
  });

  it('does not support a corporate event of a type no admissible evidence mentions, and names it on the page', async () => {
    const verifier = createVerifier({ store, embedder });
    // Phrased like the faithful bullets around it, with the release's own figures: only the event is invented.
    const invented =
      '- The company raised its revenue outlook to $50 billion and announced a $10 billion acquisition. `Q2 release`';
    const report = await verifier.verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning: FAITHFUL.replace(
        '- The company raised its revenue outlook to $50 billion and announced a $10 billion buyback. `Q2 release`',
        invented,
      ),
      decision: 'BUY',
    });
    const claim = report.claims.find((item) => item.text.includes('acquisition'));
    expect(claim?.checks.events).toEqual([{ event: 'acquisition', status: 'missing' }]);
    expect(claim?.verdict).toBe('unsupported');
    expect(claim?.support).toBeLessThanOrEqual(0.2);
    expect(claim && decisionLines(claim).map((line) => line.text)).toContain(
      'reports an event (acquisition) no admissible document mentions',
    );
    // An event the evidence reports, in other words (buyback / share repurchase), is matched, not capped.
    const faithful = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' });
    const buyback = faithful.claims.find((item) => item.text.includes('buyback'));
    expect(buyback?.checks.events).toEqual([{ event: 'buyback', status: 'matched' }]);
    expect(buyback?.verdict).toBe('supported');
    const repurchase = await verifier.verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning: '- Acme announced a $10 billion share repurchase.',
      decision: 'BUY',
    });
    expect(repurchase.claims[0]?.checks.events).toEqual([{ event: 'buyback', status: 'matched' }]);
  });

  it('treats a fact only published after asOf as unsupported, and supported once it is public', async () => {
    const verifier = createVerifier({ store, embedder });
    const reasoning = `${FAITHFUL.split('<conclusion>')[0]}\nAcme booked a $2.3 billion restructuring charge and will close its hardware division.`;
    const before = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning, decision: 'BUY' });
    const early = before.claims.find((item) => item.text.includes('restructuring'));
    expect(early?.verdict).not.toBe('supported');
    expect(early?.citations.every((citation) => citation.documentId !== 'future-charge')).toBe(true);
    const after = await verifier.verify({ ticker: 'ACME', asOf: '2024-11-01', reasoning, decision: 'BUY' });
    expect(after.claims.find((item) => item.text.includes('restructuring'))?.verdict).toBe('supported');
  });

  it('lowers deduction when the decision is flipped against the reasoning', async () => {
    const verifier = createVerifier({ store, embedder });
    const buy = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' });
    const sell = await verifier.verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning: FAITHFUL.replace('[[BUY]]', '[[STRONG SELL]]'),
      decision: 'STRONG_SELL',
    });
    expect(sell.scores.deduction).toBeLessThan(0.5);
    expect(sell.scores.deduction).toBeLessThan(buy.scores.deduction);
    expect(sell.flags).toContain('low-deduction');
  });

  it('does not support keyword stuffing or fluent irrelevant text', async () => {
    const verifier = createVerifier({ store, embedder });
    const stuffed = `${FAITHFUL}\nAcme cloud revenue margin buyback outlook upgrade target demand expansion quarter billion`;
    const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: stuffed, decision: 'BUY' });
    expect(report.claims.find((item) => item.text.startsWith('Acme cloud revenue margin'))?.verdict).not.toBe(
      'supported',
    );
    const fluent = 'Many travellers prefer quiet coastal towns in the off season, when hotels are cheaper.';
    const second = await verifier.verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning: `${fluent} [[BUY]]`,
      decision: 'BUY',
    });
    expect(second.claims[0]?.verdict).toBe('unsupported');
    expect(second.scores.factuality).toBeLessThan(0.2);
    // The same inside a faithful thesis: off-topic text gains nothing from the evidence around it.
    const inside = await verifier.verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning: FAITHFUL.replace('</fundamentals>', `- ${fluent}\n</fundamentals>`),
      decision: 'BUY',
    });
    const claim = inside.claims.find((item) => item.text.includes('coastal towns'));
    expect(claim?.verdict).toBe('unsupported');
    expect(claim?.support).toBeLessThanOrEqual(0.2);
  });

  it('checks keyword stuffing hidden after the decision tag or inside a quote, and lowers factuality', async () => {
    const verifier = createVerifier({ store, embedder });
    const faithful = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' });
    const words = 'cloud margin buyback outlook upgrade target demand expansion quarter';
    const afterTag = FAITHFUL.replace('[[BUY]]', `[[BUY]] Acme ${words}.`);
    const inQuote = FAITHFUL.replace('up 8% year over year*', `up 8% year over year ${words}*`);
    for (const reasoning of [afterTag, inQuote]) {
      const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning, decision: 'BUY' });
      const stuffed = report.claims.find((item) => item.text.includes('upgrade target demand'));
      expect(stuffed?.category).toBe('factual');
      expect(stuffed?.features.keywordList).toBe(1);
      expect(stuffed?.verdict).not.toBe('supported');
      // One claim of seven that states nothing: factuality drops by more than its share of the mean credit.
      expect(report.scores.factuality).toBeLessThan(faithful.scores.factuality - 0.08);
    }
  });

  it('verifies a batch in input order, deterministically, with JSON-serialisable reports', async () => {
    const verifier = createVerifier({ store, embedder });
    const items = [
      { ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' as const },
      { ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'STRONG_SELL' as const },
      {
        ticker: 'BETA',
        asOf: ASOF,
        reasoning: 'Beta revenue fell 4% to $3.0 billion and it cut its dividend.',
        decision: 'SELL' as const,
      },
    ];
    const batch = await verifier.verifyBatch(items, { concurrency: 2 });
    expect(batch.map((report) => report.decision)).toEqual(['BUY', 'STRONG_SELL', 'SELL']);
    const single = await verifier.verify(items[2] as (typeof items)[number]);
    expect(JSON.parse(JSON.stringify(batch[2]))).toEqual(single);
    expect(batch[2]?.claims[0]?.citations[0]?.documentId).toBe('other-company');
    const again = await createVerifier({ store, embedder }).verifyBatch(items);
    expect(JSON.stringify(again)).toBe(JSON.stringify(batch));
  });

  it('computes factuality over factual claims only, with a multiplicative penalty per contradiction', async () => {
    const verifier = createVerifier({ store, embedder });
    const run = (reasoning: string) => verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning, decision: 'BUY' });
    const faithful = await run(FAITHFUL);
    // Statements about the analysis itself (scores, defaults, absent inputs) are not checked.
    const withMeta = await run(
      FAITHFUL.replace(
        '<conclusion>',
        '<news>\n**No news about ACME was available at the decision time.**\n**Technical score: 0.84 on a scale from -1 to 1.**\n</news>\n<conclusion>',
      ),
    );
    expect(withMeta.claims.filter((claim) => claim.category === 'meta')).toHaveLength(2);
    expect(withMeta.scores.factuality).toBeCloseTo(faithful.scores.factuality, 6);
    // One contradicted figure: at most contradictionPenalty (0.35) times the faithful score.
    const altered = await run(FAITHFUL.replace('$4.1 billion', '$5.6 billion'));
    expect(altered.counts.contradicted).toBe(1);
    expect(altered.scores.factuality).toBeLessThanOrEqual(faithful.scores.factuality * 0.35 + 1e-9);
    expect(altered.scores.factuality).toBeGreaterThan(0);
    // Nothing checkable: neither confirmed nor refuted.
    const opinions = await run('We believe the outlook is attractive. Momentum looks strong and we stay constructive.');
    expect(opinions.scores.factuality).toBe(0.5);
    expect(opinions.reasons).toContain('NO_FACTUAL_CLAIMS');
    expect(opinions.hallucinationRate).toBe(0);
  });

  it('reuses the candidate pool per (ticker, asOf) with poolCacheSize, until clearCache()', async () => {
    let searches = 0;
    const counting = {
      search: (request: Parameters<EvidenceStore['search']>[0]) => {
        searches += 1;
        return store.search(request);
      },
    };
    const input = { ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' } as const;
    const cached = createVerifier({ store: counting, embedder, options: { poolCacheSize: 8 } });
    const first = await cached.verify(input);
    const afterFirst = searches;
    expect(afterFirst).toBeGreaterThan(0);
    const second = await cached.verify({ ...input, reasoning: FAITHFUL.replace('$4.1 billion', '$5.6 billion') });
    expect(searches).toBe(afterFirst);
    expect(second.counts.contradicted).toBe(1);
    // Another asOf is another pool.
    await cached.verify({ ...input, asOf: '2024-08-20' });
    expect(searches).toBe(2 * afterFirst);
    cached.clearCache();
    const again = await cached.verify(input);
    expect(searches).toBe(3 * afterFirst);
    expect(again.scores).toEqual(first.scores);
    // Off by default: every call retrieves.
    const uncached = createVerifier({ store: counting, embedder });
    await uncached.verify(input);
    await uncached.verify(input);
    expect(searches).toBe(5 * afterFirst);
  });

  it('caches search results by store version: identical reports, no stale pool after the store changes', async () => {
    let searches = 0;
    const counting = {
      search: (request: Parameters<EvidenceStore['search']>[0]) => {
        searches += 1;
        return store.search(request);
      },
      version: () => store.version(),
    };
    const input = {
      ticker: 'GAMMA',
      asOf: ASOF,
      reasoning: 'Gamma Robotics booked an order for 40 welding robots from a carmaker in July.',
      decision: 'BUY',
    } as const;
    const verifier = createVerifier({ store: counting, embedder });
    const first = await verifier.verify(input);
    expect(first.reasons).toContain('NO_EVIDENCE');
    const afterFirst = searches;
    expect(afterFirst).toBeGreaterThan(0);
    expect(await verifier.verify(input)).toEqual(first);
    expect(searches).toBe(afterFirst);
    // New evidence: a new store version, so the cached result is not used.
    await store.add([
      {
        id: 'gamma-order',
        tickers: ['GAMMA'],
        publishedAt: '2024-07-20T12:00:00Z',
        sourceKind: 'news',
        title: 'Gamma wins robot order',
        text: 'Gamma Robotics booked an order for 40 welding robots from a carmaker in July. Gamma shares fell nearly 14% last year and missed a broader sector-wide rebound in robotics shares.',
      },
    ]);
    const updated = await verifier.verify(input);
    expect(searches).toBe(2 * afterFirst);
    expect(updated.claims[0]?.verdict).toBe('supported');
    // A store without version(): the search cache is off.
    const bare = createVerifier({ store: { search: counting.search }, embedder });
    await bare.verify(input);
    await bare.verify(input);
    expect(searches).toBe(4 * afterFirst);
  });

  it('does not hand one verification the abort of another that started the same cached search', async () => {
    // Verification A starts a search and is aborted while it runs (its sample timed out); verification B of the
    // same reasoning arrives meanwhile and finds A's search pending in the cache. B must get its report, not A's
    // ABORTED: it searches again under its own signal.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let searches = 0;
    let searchStarted: () => void = () => {};
    const firstSearch = new Promise<void>((resolve) => {
      searchStarted = resolve;
    });
    let versions = 0;
    let secondAtSearch: () => void = () => {};
    const secondArrived = new Promise<void>((resolve) => {
      secondAtSearch = resolve;
    });
    const gated = {
      search: async (request: Parameters<EvidenceStore['search']>[0]) => {
        searches += 1;
        searchStarted();
        await gate;
        return store.search(request);
      },
      version: async () => {
        versions += 1;
        const version = await store.version();
        // B goes from its version read to the cache lookup without leaving the microtask queue.
        if (versions === 2) setImmediate(secondAtSearch);
        return version;
      },
    };
    const input = { ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' } as const;
    const expected = await createVerifier({ store, embedder }).verify(input);
    const verifier = createVerifier({ store: gated, embedder });
    const controller = new AbortController();
    const first = verifier.verify(input, { signal: controller.signal });
    const firstOutcome = first.then(
      () => 'resolved',
      (error: { code?: string }) => error.code,
    );
    await firstSearch;
    const second = verifier.verify(input);
    await secondArrived;
    expect(searches).toBe(1);
    controller.abort();
    release();
    expect(await firstOutcome).toBe('ABORTED');
    expect(await second).toEqual(expected);
    expect(searches).toBe(2);
    // The new search took the aborted one's place in the cache.
    expect(await verifier.verify(input)).toEqual(expected);
    expect(searches).toBe(2);
  });

  it('supports a verbatim quotation of admissible evidence, not an altered one', async () => {
    const verifier = createVerifier({ store, embedder });
    const quote = 'Gamma shares fell nearly 14% last year and missed a broader sector-wide rebound in robotics shares.';
    const input = { ticker: 'GAMMA', asOf: ASOF, reasoning: `- ${quote}`, decision: 'SELL' } as const;
    const quoted = await verifier.verify(input);
    expect(quoted.claims[0]?.verdict).toBe('supported');
    expect(quoted.claims[0]?.checks.conflicts).toEqual([]);
    const altered = await verifier.verify({ ...input, reasoning: `- ${quote.replace('14%', '31%')}` });
    expect(altered.claims[0]?.verdict).toBe('contradicted');
  });

  it('checks a Trading-R1 bullet quotation word for word: found is supported, an edited or later one is not', async () => {
    const verifier = createVerifier({ store, embedder });
    const bullet = (quote: string): string =>
      `<fundamentals>\n- Cloud is the engine of growth — *"${quote}"* — release\n</fundamentals>\n<conclusion>Buy. [[BUY]]</conclusion>`;
    const verify = async (quote: string) => {
      const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: bullet(quote), decision: 'BUY' });
      const claim = report.claims.find((candidate) => candidate.kind === 'quote');
      if (!claim) throw new Error('no quotation claim');
      return claim;
    };
    // As printed, and with case, quote marks, punctuation and an ellipsis that differ.
    for (const quote of [
      'Cloud revenue grew 21% to $4.1 billion.',
      'cloud revenue grew 21% to $4.1 billion',
      'Acme reported second-quarter revenue of $12.4 billion ... Cloud revenue grew 21%',
    ]) {
      const claim = await verify(quote);
      expect(claim.quoteFound, quote).toBe(true);
      expect(claim.verdict, quote).toBe('supported');
    }
    // An edited figure, a reversed verb, a sentence no document printed, one only a later document printed.
    for (const quote of [
      'Cloud revenue grew 21% to $4.6 billion.',
      'Cloud revenue fell 21% to $4.1 billion.',
      'Cloud revenue grew 21% to $4.1 billion on a new sovereign contract.',
      'Acme booked a $2.3 billion restructuring charge.',
      // A private-use character is not a gap: text cannot forge an ellipsis between two printed fragments.
      'Acme reported second-quarter revenue of $12.4 billion \uE000 Cloud revenue grew 21%',
    ]) {
      const claim = await verify(quote);
      expect(claim.quoteFound, quote).toBe(false);
      expect(claim.verdict, quote).not.toBe('supported');
      expect(claim.support, quote).toBeLessThan(0.23);
    }
    // Too short to judge as a quotation: left to the support model.
    expect((await verify('grew 21%')).quoteFound).toBe(null);
  });

  it('retrieves per reasoning (one query per 12 claims): a report does not depend on the rest of the batch', async () => {
    let searches = 0;
    const counting = {
      search: (request: Parameters<EvidenceStore['search']>[0]) => {
        searches += 1;
        return store.search(request);
      },
    };
    const verifier = createVerifier({ store: counting, embedder });
    const sentences = Array.from({ length: 30 }, (_, index) => `Acme shipped ${index + 1} new cloud regions.`);
    await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: sentences.join(' '), decision: 'BUY' });
    expect(searches).toBe(3);
    searches = 0;
    const items = [
      { ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' as const },
      { ticker: 'ACME', asOf: ASOF, reasoning: sentences.slice(0, 10).join(' '), decision: 'BUY' as const },
      {
        ticker: 'ACME',
        asOf: ASOF,
        reasoning: 'Beta reported revenue of $3.0 billion and cut its dividend.',
        decision: 'SELL' as const,
      },
    ];
    const batch = await verifier.verifyBatch(items);
    expect(searches).toBe(3);
    for (const [index, item] of items.entries()) expect(batch[index]).toEqual(await verifier.verify(item));
  });

  it('counts an off-topic claim with polarity words as factual, a labelled conclusion as an opinion', async () => {
    const verifier = createVerifier({ store, embedder });
    const report = await verifier.verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning:
        'Cloud revenue grew 21% to $4.1 billion. Regulators opened a formal investigation into its licensing business. Conclusion: a mixed picture; hold.',
      decision: 'HOLD',
    });
    const [, invented, conclusion] = report.claims;
    expect(invented?.category).toBe('factual');
    expect(invented?.verdict).not.toBe('supported');
    expect(conclusion?.category).toBe('opinion');
    expect(report.hallucinationRate).toBeCloseTo(0.5, 6);
  });

  it('gives explicit zero scores with a reason instead of NaN', async () => {
    const verifier = createVerifier({ store, embedder });
    const empty = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: '   ', decision: 'HOLD' });
    expect(empty.reasons).toContain('EMPTY_REASONING');
    expect(empty.scores).toEqual({ factuality: 0, deduction: 0, consistency: 0, s: 0 });
    const unknown = await verifier.verify({ ticker: 'ZZZZ', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' });
    expect(unknown.reasons).toContain('NO_EVIDENCE');
    expect(unknown.scores.factuality).toBe(0);
    expect(unknown.scores.consistency).toBe(0);
    const tooEarly = await verifier.verify({
      ticker: 'ACME',
      asOf: '2020-01-01',
      reasoning: FAITHFUL,
      decision: 'BUY',
    });
    expect(tooEarly.reasons).toContain('NO_EVIDENCE');
    for (const report of [empty, unknown, tooEarly]) {
      for (const value of Object.values(report.scores)) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
    }
  });

  it('keeps every score finite and in [0, 1] for arbitrary text (property)', async () => {
    const verifier = createVerifier({ store, embedder });
    const pieces = [
      'Acme',
      'revenue',
      'rose',
      'fell',
      '$12.4 billion',
      '8%',
      'Q2 2024',
      'not',
      '[[BUY]]',
      '<conclusion>',
      '- ',
      '\n',
      '*',
      '`x`',
      '1e308',
      '−∞',
      'é',
      '.',
      '|',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 12 })), { maxLength: 60 }),
        fc.constantFrom('STRONG_SELL', 'SELL', 'HOLD', 'BUY', 'STRONG_BUY' as const),
        async (parts, decision) => {
          const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: parts.join(' '), decision });
          for (const value of [...Object.values(report.scores), report.hallucinationRate]) {
            expect(Number.isFinite(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(1);
          }
          for (const claim of report.claims) expect(claim.support).toBeGreaterThanOrEqual(0);
          expect(() => JSON.stringify(report)).not.toThrow();
        },
      ),
      { seed: 17, numRuns: 40 },
    );
  });

  it('rejects bad input with typed errors', async () => {
    const verifier = createVerifier({ store, embedder, options: { maxReasoningChars: 100 } });
    await expect(
      verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' }),
    ).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
    await expect(
      verifier.verify({ ticker: 'ACME', asOf: 'yesterday', reasoning: 'x', decision: 'BUY' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: 'x', decision: 'MAYBE' as never }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const lenient = await createVerifier({ store, embedder }).verify({
      ticker: 'acme',
      asOf: new Date('2024-08-10T12:00:00Z'),
      reasoning: 'Acme reported revenue of $12.4 billion.',
      decision: 'strong buy' as never,
    });
    expect(lenient).toMatchObject({ ticker: 'ACME', decision: 'STRONG_BUY', asOf: '2024-08-10T12:00:00.000Z' });
    expect(() => createVerifier({ store, embedder, options: { k: 0 } })).toThrow(/Invalid createVerifier options/);
    // Misspelled options are rejected, not silently replaced by defaults.
    expect(() => createVerifier({ store, embedder, options: { supportTreshold: 0.4 } as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => createVerifier({ store, embedder, options: { thresholds: { factualty: 0.4 } } as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => createVerifier({ store, embedder, option: { k: 3 } } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', details: { field: 'option' } }),
    );
    expect(() => createVerifier({ store, embedder, judges: { nli: {} } } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    await verifier.close();
    await verifier.close();
    await expect(
      verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: 'x', decision: 'BUY' }),
    ).rejects.toMatchObject({
      code: 'CLOSED',
    });
    const controller = new AbortController();
    controller.abort();
    await expect(
      createVerifier({ store, embedder }).verify(
        { ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' },
        { signal: controller.signal },
      ),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('blends plugged-in judges and records their model ids', async () => {
    const judge: PairJudge = {
      modelId: 'llm:test',
      judge: async () => ({ factuality: 0, deduction: 0, consistency: 0, rationale: 'all wrong' }),
    };
    const entailment: EntailmentModel = {
      modelId: 'nli:test',
      classify: async (pairs) =>
        pairs.map((pair) =>
          pair.hypothesis.includes('Northgate')
            ? { entailment: 0.05, neutral: 0.05, contradiction: 0.9 }
            : { entailment: 0.9, neutral: 0.05, contradiction: 0.05 },
        ),
      close: async () => {},
    };
    const base = await createVerifier({ store, embedder }).verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning: FAITHFUL,
      decision: 'BUY',
    });
    const verifier = createVerifier({
      store,
      embedder,
      judges: { llm: judge, entailment },
      options: { judgeWeight: 0.5 },
    });
    const report = await verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' });
    expect(report.models).toEqual({ embedder: embedder.modelId, entailment: 'nli:test', llm: 'llm:test' });
    expect(report.judges.llm?.rationale).toBe('all wrong');
    expect(report.scores.deduction).toBeCloseTo(base.scores.deduction / 2, 5);
    expect(report.claims.find((claim) => claim.text.includes('Northgate'))?.verdict).toBe('contradicted');
    expect(report.claims[0]?.entailment?.entailment).toBeCloseTo(0.9);
    expect(report.configHash).not.toBe(base.configHash);
  });

  it('runs a real transformers.js NLI cross-encoder (tiny local model) end to end', async () => {
    const modelDir = join(directory, 'tiny-nli');
    await buildEncoderModel({
      dir: modelDir,
      hidden: 16,
      seed: 1,
      head: { numLabels: 3, id2label: { 0: 'entailment', 1: 'neutral', 2: 'contradiction' } },
    });
    const entailment = await createEntailmentModel({ model: modelDir });
    const report = await createVerifier({ store, embedder, judges: { entailment } }).verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning: FAITHFUL,
      decision: 'BUY',
    });
    expect(report.models.entailment).toBe('nli:local:tiny-nli');
    const scored = report.claims.filter((claim) => claim.entailment !== null);
    expect(scored.length).toBeGreaterThan(3);
    for (const claim of scored) {
      const sum =
        (claim.entailment?.entailment ?? 0) + (claim.entailment?.neutral ?? 0) + (claim.entailment?.contradiction ?? 0);
      expect(sum).toBeCloseTo(1, 4);
      expect(claim.support).toBeGreaterThanOrEqual(0);
      expect(claim.support).toBeLessThanOrEqual(1);
    }
    await entailment.close();
  });

  it('admits market-wide (macro) evidence for claims about the economy', async () => {
    const reasoning = `${FAITHFUL.split('<conclusion>')[0]}\nThe Federal Reserve held rates at 5.25% to 5.50%, which supports valuations.`;
    const auto = await createVerifier({ store, embedder }).verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning,
      decision: 'BUY',
    });
    const claim = auto.claims.find((item) => item.text.includes('Federal Reserve'));
    expect(claim?.verdict).toBe('supported');
    expect(claim?.citations[0]?.documentId).toBe('fed-july');
    const never = await createVerifier({ store, embedder, options: { marketWide: 'never' } }).verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning,
      decision: 'BUY',
    });
    expect(never.claims.find((item) => item.text.includes('Federal Reserve'))?.verdict).not.toBe('supported');
    // Company-only reasoning never pulls macro documents in.
    const plain = await createVerifier({ store, embedder }).verify({
      ticker: 'ACME',
      asOf: ASOF,
      reasoning: FAITHFUL,
      decision: 'BUY',
    });
    expect(plain.claims.flatMap((item) => item.citations).some((citation) => citation.documentId === 'fed-july')).toBe(
      false,
    );
  });

  it('offers a one-shot verify()', async () => {
    const report = await verify({ store, embedder, ticker: 'ACME', asOf: ASOF, reasoning: FAITHFUL, decision: 'BUY' });
    expect(report.counts.claims).toBeGreaterThan(4);
  });
});
