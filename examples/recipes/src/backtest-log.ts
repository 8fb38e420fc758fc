// Backtest a decision log on the embedded real prices, with costs on and SPY beside it.
import { alignPriceSeries, parseDecisionLogCsv, runBacktest } from '@trade-r1/backtest';
import { loadEmbeddedBars } from '@trade-r1/data';

const panel = alignPriceSeries({
  series: { MSFT: await loadEmbeddedBars('MSFT'), SPY: await loadEmbeddedBars('SPY') },
});
const decisions = parseDecisionLogCsv(`date,ticker,decision
2024-06-03,MSFT,BUY
2024-06-10,MSFT,STRONG_BUY
2024-06-17,MSFT,HOLD
2024-06-24,MSFT,SELL
2024-07-01,MSFT,BUY`);

const result = await runBacktest({
  panel,
  decisions,
  strategy: { type: 'decisions', holdingPeriod: 5 }, // a decision dated t trades at t+1's open, held a week
  benchmark: 'SPY',
  end: '2024-07-31',
  metrics: { riskFree: 0.04 }, // Trading-R1's 4 % p.a.
});
const { cumulativeReturn, sharpeRatio, maxDrawdown, hitRate } = result.metrics;
console.log({ cumulativeReturn, sharpeRatio, maxDrawdown, hitRate, spy: result.benchmark?.metrics.cumulativeReturn });
