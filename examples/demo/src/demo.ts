// The main demo: one end-to-end pass of the Trade-R1 loop on the embedded dataset, composed from the packages.
//
//   real daily bars ─▶ point-in-time evidence store (LanceDB, default embedder)
//        │
//        └▶ analyst-template policy writes a Trading-R1 thesis + decision per (ticker, week)
//                │
//                ├▶ verifier: factuality, deduction, consistency → s   (faithful thesis and perturbed copies)
//                ├▶ reward: 10-day excess return r, DSR/FSR(r, s), GRPO advantages per group
//                └▶ backtest: the decisions vs SPY, Trading-R1 metrics, HTML report
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  alignPriceSeries,
  type PerformanceMetrics,
  renderHtmlReport,
  runBacktest,
  toReportJson,
} from '@trade-r1/backtest';
import { type Bar, type Decision, decisionToExposure } from '@trade-r1/core';
import { forwardExcessReturns, loadEmbeddedBars, marketDataDocuments } from '@trade-r1/data';
import { createAnalystTemplatePolicy } from '@trade-r1/policy';
import { dsrReward, fsrReward, groupAdvantages, marketReward, TRADE_R1_ONE_WAY_COST } from '@trade-r1/reward';
import {
  createDefaultEmbedder,
  createVerifier,
  openEvidenceStore,
  perturb,
  renderVerificationPage,
  type VerificationReport,
} from '@trade-r1/verifier';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where the evidence table and the reports go. */
  outputDir: string;
  /** Tickers to decide on. @default the five Trading-R1 equities */
  tickers?: string[];
  /** Benchmark for excess returns and the backtest. @default 'SPY' */
  benchmark?: string;
  /** First and last decision dates (Trading-R1's held-out window by default). */
  start?: string;
  end?: string;
  /** Trading days between decisions. @default 5 (weekly) */
  every?: number;
  /** Seed for the perturbations. @default 7 */
  seed?: number;
  /** Where progress lines go. @default no output */
  log?: (line: string) => void;
}

/** Trading-R1's table metrics (CR%, SR with r_f = 4 % p.a., HR%, MDD%). */
export interface PaperMetrics {
  cumulativeReturnPct: number;
  sharpeRatio: number;
  hitRatePct: number | null;
  maxDrawdownPct: number;
}

/** One completion of a GRPO-style group: the faithful thesis or a perturbed copy. */
export interface DemoCompletion {
  ticker: string;
  asOf: string;
  variant: (typeof VARIANTS)[number];
  decision: Decision;
  s: number;
  factuality: number;
  deduction: number;
  consistency: number;
  hallucinationRate: number;
  marketReward: number;
  dsr: number;
  fsr: number;
  advantageMarketOnly: number;
  advantageDsr: number;
}

/** What {@link runDemo} returns (and writes to `outputDir/summary.json`). */
export interface DemoSummary {
  window: { start: string; end: string };
  evidenceChunks: number;
  completions: DemoCompletion[];
  byVariant: Record<
    DemoCompletion['variant'],
    { count: number; s: number; advantageMarketOnly: number; advantageDsr: number }
  >;
  backtest: Record<string, { strategy: PaperMetrics; buyAndHold: PaperMetrics }>;
  /**
   * The Trade-R1 argument: per reward (market-only, FSR, DSR), the completions it would reinforce (the top GRPO
   * advantage of each group; ties share the top), their mean `s` and hallucination rate, and the backtest of
   * their decisions per ticker beside buy-and-hold. The rewards read the realised forward returns, so these
   * backtests are in-sample hindsight (what training would push towards), not a tradable strategy.
   */
  reinforced: Record<
    RewardName,
    {
      groups: number;
      meanS: number;
      hallucinationRate: number;
      backtest: Record<string, { strategy: PaperMetrics; buyAndHold: PaperMetrics }>;
    }
  >;
  files: {
    reportHtml: string;
    reportJson: string;
    summaryJson: string;
    /** One verification page per ticker: its first thesis and the perturbed copies side by side (DSR rewards). */
    pages: Record<string, string>;
  };
}

const VARIANTS = ['faithful', 'number', 'invented', 'flip'] as const;
const REWARDS = ['marketOnly', 'fsr', 'dsr'] as const;
/** The rewards compared in {@link DemoSummary.reinforced}. */
export type RewardName = (typeof REWARDS)[number];

/** The Trading-R1 table's metrics, in percent. */
function paperMetrics(metrics: PerformanceMetrics | undefined): PaperMetrics {
  return {
    cumulativeReturnPct: 100 * (metrics?.cumulativeReturn ?? 0),
    sharpeRatio: metrics?.sharpeRatio ?? 0,
    hitRatePct: metrics?.hitRate === null || metrics?.hitRate === undefined ? null : 100 * metrics.hitRate,
    maxDrawdownPct: 100 * (metrics?.maxDrawdown ?? 0),
  };
}

/** Run the demo end to end. Deterministic for a given seed. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const tickers = options.tickers ?? ['NVDA', 'AAPL', 'MSFT', 'AMZN', 'META'];
  const benchmark = options.benchmark ?? 'SPY';
  const start = options.start ?? '2024-06-03';
  const end = options.end ?? '2024-08-30';
  const every = options.every ?? 5;
  const seed = options.seed ?? 7;
  const log = options.log ?? (() => {});
  await mkdir(options.outputDir, { recursive: true });

  // 1. Real bars, and dated evidence derived from them (each document public at the end of its trading day).
  const bars: Record<string, Bar[]> = {};
  for (const ticker of [...tickers, benchmark]) bars[ticker] = await loadEmbeddedBars(ticker);
  const documents = tickers.flatMap((ticker) =>
    marketDataDocuments({ ticker, bars: bars[ticker] ?? [], start: '2024-04-01', end: '2024-12-31' }),
  );

  // 2. A point-in-time evidence store on disk, with the offline default embedder.
  const storeDir = join(options.outputDir, 'evidence.lance');
  await rm(storeDir, { recursive: true, force: true });
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({ uri: storeDir, embedder });
  const added = await store.add(documents);
  const evidenceChunks = added.chunksInserted + added.chunksUpdated;
  log(`evidence: ${documents.length} documents → ${evidenceChunks} chunks in ${storeDir}`);

  // 3. Decisions: the analyst template (a deterministic rule-based baseline, not an LLM) writes a thesis per week.
  const policy = createAnalystTemplatePolicy();
  const benchmarkBars = bars[benchmark] ?? [];
  const decisionDates = benchmarkBars
    .map((bar) => bar.timestamp)
    .filter((date) => date >= start && date <= end)
    .filter((_, index) => index % every === 0);
  const verifier = createVerifier({ store, embedder });
  const completions: DemoCompletion[] = [];
  const decisionRows: Array<{ date: string; ticker: string; decision: Decision }> = [];
  const pages: Record<string, string> = {};
  const picks: Record<RewardName, Array<{ date: string; ticker: string; decision: Decision; s: number; h: number }>> = {
    marketOnly: [],
    fsr: [],
    dsr: [],
  };

  for (const ticker of tickers) {
    const tickerBars = bars[ticker] ?? [];
    const outcomes = new Map(
      forwardExcessReturns({ bars: tickerBars, benchmark: benchmarkBars, horizon: 10 }).map((point) => [
        point.date,
        point,
      ]),
    );
    for (const asOf of decisionDates) {
      const thesis = policy.analyze({ ticker, asOf, bars: tickerBars.filter((bar) => bar.timestamp <= asOf) });
      decisionRows.push({ date: asOf, ticker, decision: thesis.decision });
      const outcome = outcomes.get(asOf);
      const assetReturn = outcome?.assetReturn ?? null;
      const benchmarkReturn = outcome?.benchmarkReturn ?? null;
      if (assetReturn === null || benchmarkReturn === null) continue;

      // A GRPO-style group: the faithful thesis and three defective copies of it.
      const group = VARIANTS.map((variant) => {
        if (variant === 'faithful') return { variant, reasoning: thesis.thesis, decision: thesis.decision };
        const broken = perturb({ reasoning: thesis.thesis, decision: thesis.decision, type: variant, seed });
        return broken ? { variant, reasoning: broken.reasoning, decision: broken.decision } : null;
      }).filter((item) => item !== null);
      const reports = await verifier.verifyBatch(
        group.map((item) => ({ ticker, asOf, reasoning: item.reasoning, decision: item.decision })),
      );
      const rows = group.map((item, index) => {
        const report = reports[index];
        const s = report?.scores.s ?? 0;
        const r = marketReward({
          assetReturn,
          benchmarkReturn,
          exposure: decisionToExposure(item.decision),
          oneWayCost: TRADE_R1_ONE_WAY_COST,
        }).reward;
        return {
          ticker,
          asOf,
          variant: item.variant,
          decision: item.decision,
          s,
          factuality: report?.scores.factuality ?? 0,
          deduction: report?.scores.deduction ?? 0,
          consistency: report?.scores.consistency ?? 0,
          hallucinationRate: report?.hallucinationRate ?? 1,
          marketReward: r,
          dsr: dsrReward({ r, s }),
          fsr: fsrReward({ r, s }),
        };
      });
      const marketOnly = groupAdvantages({ rewards: rows.map((row) => row.marketReward), groupSize: rows.length });
      const gated = groupAdvantages({ rewards: rows.map((row) => row.dsr), groupSize: rows.length });
      const fsrAdvantages = groupAdvantages({ rewards: rows.map((row) => row.fsr), groupSize: rows.length });
      const byReward = { marketOnly: marketOnly.advantages, fsr: fsrAdvantages.advantages, dsr: gated.advantages };
      for (const name of REWARDS) {
        const advantages = Array.from(byReward[name]);
        const top = Math.max(...advantages);
        const chosen = rows.filter((_, index) => (advantages[index] ?? 0) >= top - 1e-12);
        const first = chosen[0] as (typeof rows)[number];
        const mean = (pick: (row: (typeof rows)[number]) => number) =>
          chosen.reduce((sum, row) => sum + pick(row), 0) / chosen.length;
        picks[name].push({
          date: asOf,
          ticker,
          decision: first.decision,
          s: mean((row) => row.s),
          h: mean((row) => row.hallucinationRate),
        });
      }
      if (pages[ticker] === undefined) {
        pages[ticker] = join(options.outputDir, `verification-${ticker}.html`);
        const entries = group.map((item, index) => ({
          reasoning: item.reasoning,
          report: reports[index] as VerificationReport,
          label: `${item.variant} · ${item.decision}`,
          reward: rows[index]?.dsr ?? 0,
          advantage: gated.advantages[index] ?? 0,
        }));
        const title = `${ticker} ${asOf}: a thesis and its perturbed copies (DSR rewards, GRPO advantages)`;
        await writeFile(pages[ticker], renderVerificationPage(entries, { title, layout: 'group' }));
      }
      rows.forEach((row, index) => {
        completions.push({
          ...row,
          advantageMarketOnly: marketOnly.advantages[index] ?? 0,
          advantageDsr: gated.advantages[index] ?? 0,
        });
      });
    }
    log(`${ticker}: ${decisionDates.length} weekly theses verified with 3 perturbed copies each`);
  }
  await verifier.close();
  await store.close();
  await embedder.close();

  // 4. Backtest the faithful decisions per ticker against buy-and-hold, Trading-R1 metrics (r_f = 4 % p.a.).
  const backtest: DemoSummary['backtest'] = {};
  let reportResult: Awaited<ReturnType<typeof runBacktest>> | undefined;
  for (const ticker of tickers) {
    const panel = alignPriceSeries({ series: { [ticker]: bars[ticker] ?? [], [benchmark]: benchmarkBars } });
    const result = await runBacktest({
      panel,
      decisions: decisionRows.filter((row) => row.ticker === ticker),
      strategy: { type: 'decisions', holdingPeriod: every },
      benchmark: ticker,
      end,
      metrics: { riskFree: 0.04 },
    });
    backtest[ticker] = { strategy: paperMetrics(result.metrics), buyAndHold: paperMetrics(result.benchmark?.metrics) };
    reportResult ??= result;
  }

  const reinforced = {} as DemoSummary['reinforced'];
  for (const name of REWARDS) {
    const rows = picks[name];
    const perTicker: DemoSummary['backtest'] = {};
    for (const ticker of tickers) {
      const decisions = rows.filter((row) => row.ticker === ticker);
      if (decisions.length === 0) continue;
      const result = await runBacktest({
        panel: alignPriceSeries({ series: { [ticker]: bars[ticker] ?? [], [benchmark]: benchmarkBars } }),
        decisions: decisions.map(({ date, decision }) => ({ date, ticker, decision })),
        strategy: { type: 'decisions', holdingPeriod: every },
        benchmark: ticker,
        end,
        metrics: { riskFree: 0.04 },
      });
      perTicker[ticker] = {
        strategy: paperMetrics(result.metrics),
        buyAndHold: paperMetrics(result.benchmark?.metrics),
      };
    }
    const mean = (pick: (row: (typeof rows)[number]) => number) =>
      rows.length === 0 ? 0 : rows.reduce((sum, row) => sum + pick(row), 0) / rows.length;
    reinforced[name] = {
      groups: rows.length,
      meanS: mean((row) => row.s),
      hallucinationRate: mean((row) => row.h),
      backtest: perTicker,
    };
    log(
      `${name}: reinforces completions with mean s ${reinforced[name].meanS.toFixed(3)}, hallucination rate ${reinforced[name].hallucinationRate.toFixed(3)} over ${rows.length} groups`,
    );
  }

  const files = {
    reportHtml: join(options.outputDir, 'report.html'),
    reportJson: join(options.outputDir, 'report.json'),
    summaryJson: join(options.outputDir, 'summary.json'),
    pages,
  };
  if (reportResult) {
    await writeFile(
      files.reportHtml,
      renderHtmlReport(reportResult, { title: `${tickers[0]} — analyst template, weekly` }),
    );
    await writeFile(files.reportJson, JSON.stringify(toReportJson(reportResult), null, 2));
  }
  const byVariant = Object.fromEntries(
    VARIANTS.map((variant) => {
      const rows = completions.filter((row) => row.variant === variant);
      const mean = (pick: (row: DemoCompletion) => number) =>
        rows.length === 0 ? 0 : rows.reduce((sum, row) => sum + pick(row), 0) / rows.length;
      return [
        variant,
        {
          count: rows.length,
          s: mean((row) => row.s),
          advantageMarketOnly: mean((row) => row.advantageMarketOnly),
          advantageDsr: mean((row) => row.advantageDsr),
        },
      ];
    }),
  ) as DemoSummary['byVariant'];
  const summary: DemoSummary = {
    window: { start, end },
    evidenceChunks,
    completions,
    byVariant,
    backtest,
    reinforced,
    files,
  };
  await writeFile(files.summaryJson, JSON.stringify(summary, null, 2));
  return summary;
}
