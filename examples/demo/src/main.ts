// `pnpm demo`: runs the Trade-R1 loop on the embedded dataset and prints what happened.
import { resolve } from 'node:path';
import { runDemo } from './demo.ts';

const outputDir = resolve(process.argv[2] ?? 'output');
const summary = await runDemo({ outputDir, log: (line) => console.log(line) });

const pct = (value: number) => `${value >= 0 ? ' ' : ''}${value.toFixed(2)}`;
console.log('\nSemantic score s and GRPO advantage by completion type (mean over groups):');
console.log('variant    count   s      adv(market only)  adv(DSR)');
for (const [variant, row] of Object.entries(summary.byVariant)) {
  console.log(
    `${variant.padEnd(10)} ${String(row.count).padStart(5)}  ${row.s.toFixed(3)}  ${pct(row.advantageMarketOnly).padStart(16)}  ${pct(row.advantageDsr).padStart(8)}`,
  );
}
console.log('\nBacktest of the template decisions, Trading-R1 metrics (CR% / SR / HR% / MDD%), window', summary.window);
for (const [ticker, { strategy, buyAndHold }] of Object.entries(summary.backtest)) {
  const cell = (m: typeof strategy) =>
    `${m.cumulativeReturnPct.toFixed(2)} / ${m.sharpeRatio.toFixed(2)} / ${m.hitRatePct === null ? '—' : m.hitRatePct.toFixed(1)} / ${m.maxDrawdownPct.toFixed(2)}`;
  console.log(`${ticker.padEnd(5)} template ${cell(strategy).padEnd(28)} buy&hold ${cell(buyAndHold)}`);
}
console.log('\nWhat each reward would reinforce (top GRPO advantage per group; ties share the top):');
console.log('reward       groups  mean s  halluc.  backtest CR% / SR per ticker (buy&hold CR% beside)');
for (const [reward, row] of Object.entries(summary.reinforced)) {
  const cells = Object.entries(row.backtest)
    .map(
      ([ticker, { strategy, buyAndHold }]) =>
        `${ticker} ${strategy.cumulativeReturnPct.toFixed(1)}/${strategy.sharpeRatio.toFixed(2)} (${buyAndHold.cumulativeReturnPct.toFixed(1)})`,
    )
    .join('  ');
  console.log(
    `${reward.padEnd(12)} ${String(row.groups).padStart(6)}  ${row.meanS.toFixed(3)}   ${row.hallucinationRate.toFixed(3)}   ${cells}`,
  );
}
console.log(
  'These choices use the realised 10-day returns inside the rewards: their backtests are in-sample hindsight (what\n' +
    'training would push towards), not a tradable strategy. Compare mean s and hallucination rate across rewards.',
);
console.log(`\nReport: ${summary.files.reportHtml}\nSummary: ${summary.files.summaryJson}`);
for (const [ticker, page] of Object.entries(summary.files.pages)) console.log(`Verification page ${ticker}: ${page}`);
console.log('The analyst template is a deterministic rule-based baseline, not a language model.');
