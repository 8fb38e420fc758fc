import { parseWith } from '@trade-r1/core';
import { z } from 'zod';
import type { BacktestResult, SimulatedRun } from '../engine.ts';
import { assertBacktestResult } from '../validate.ts';
import { type ChartSeries, escapeHtml, lineChart } from './svg.ts';

/** Options of {@link renderHtmlReport}. */
export const htmlReportOptionsSchema = z.strictObject({
  /** Page title. @default 'Backtest report' */
  title: z.string().default('Backtest report'),
  /** Most rows listed in each of the trade, decision and rebalance tables (the JSON report has all). @default 200 */
  maxTrades: z.number().int().min(0).default(200),
  /** Tickers drawn individually in the positions chart (more are summarised by gross/net exposure). @default 8 */
  maxPositionLines: z.number().int().min(0).default(8),
});
/** Options of {@link renderHtmlReport}. */
export type HtmlReportOptions = z.input<typeof htmlReportOptionsSchema>;

const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#be123c', '#4d7c0f', '#a16207'];
const STRATEGY = '#2563eb';
const BENCHMARK = '#6b7280';

/** `-0%` reads badly on an axis: round first, then drop the sign of zero. */
const axisPercent = (value: number): string => {
  const rounded = Math.round(value * 100);
  return `${rounded === 0 ? 0 : rounded}%`;
};

const percent = (value: number | null, digits = 2): string =>
  value === null || !Number.isFinite(value) ? '—' : `${(value * 100).toFixed(digits)}%`;
const decimal = (value: number | null, digits = 3): string =>
  value === null || !Number.isFinite(value) ? (value === Number.POSITIVE_INFINITY ? '∞' : '—') : value.toFixed(digits);

function normalised(equity: Float64Array): Float64Array {
  const first = equity[0] as number;
  return equity.map((value) => value / first);
}

function drawdownPercent(equity: Float64Array): Float64Array {
  const result = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < equity.length; index += 1) {
    const value = equity[index] as number;
    if (value > peak) peak = value;
    result[index] = peak > 0 ? -(1 - value / peak) : 0;
  }
  return result;
}

/** Exposures are per period; pad a leading 0 so that they line up with the N + 1 equity dates. */
function perDate(values: Float64Array): Float64Array {
  const result = new Float64Array(values.length + 1);
  result.set(values, 1);
  return result;
}

function metricRows(strategy: SimulatedRun, benchmark: SimulatedRun | null): string {
  const rows: [string, (run: SimulatedRun) => string, string][] = [
    [
      'Cumulative return (compounded)',
      (run) => percent(run.metrics.cumulativeReturn),
      'Π(1 + r_t) − 1 (Trading-R1 CR)',
    ],
    ['Cumulative log return', (run) => percent(run.metrics.cumulativeLogReturn), 'Σ log(1 + r_t) (FLAG-Trader CR)'],
    ['Annualised return (CAGR)', (run) => percent(run.metrics.annualizedReturn), '(Π(1 + r_t))^(K/N) − 1'],
    ['Annualised volatility', (run) => percent(run.metrics.annualizedVolatility), '√K · std(r_t)'],
    ['Sharpe ratio', (run) => decimal(run.metrics.sharpeRatio, 3), '√K · mean(r − r_f) / std(r − r_f)'],
    [
      'Sharpe 95% bootstrap CI',
      (run) =>
        run.metrics.sharpeInterval
          ? `${decimal(run.metrics.sharpeInterval.lower, 2)} … ${decimal(run.metrics.sharpeInterval.upper, 2)}`
          : '—',
      'seeded percentile bootstrap',
    ],
    ['Sortino ratio', (run) => decimal(run.metrics.sortinoRatio, 3), '√K · mean(r − r_f) / downside deviation'],
    ['Calmar ratio', (run) => decimal(run.metrics.calmarRatio, 3), 'CAGR / MDD'],
    ['Max drawdown', (run) => percent(run.metrics.maxDrawdown), 'max (1 − V_t / max V_u)'],
    ['Longest drawdown (bars)', (run) => String(run.metrics.maxDrawdownDuration), 'peak to recovery'],
    ['Hit rate', (run) => percent(run.metrics.hitRate, 1), 'share of decisions with sign(a) = sign(r)'],
    ['Win rate', (run) => percent(run.metrics.winRate, 1), 'share of in-market bars with r > 0'],
    ['Annualised turnover', (run) => decimal(run.metrics.annualizedTurnover, 2), 'K · mean(traded / equity)'],
    ['Average gross exposure', (run) => percent(run.metrics.averageGrossExposure, 1), 'mean Σ|w|'],
    ['Time in market', (run) => percent(run.metrics.timeInMarket, 1), 'share of bars with exposure'],
    ['Trades', (run) => String(run.trades.length), 'fills'],
    ['Costs paid', (run) => run.costs.reduce((sum, value) => sum + value, 0).toFixed(2), 'fees + slippage'],
  ];
  return rows
    .map(
      ([label, format, definition]) =>
        `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(format(strategy))}</td>${benchmark ? `<td>${escapeHtml(format(benchmark))}</td>` : ''}<td class="note">${escapeHtml(definition)}</td></tr>`,
    )
    .join('\n');
}

/**
 * Render a backtest as one self-contained HTML page: a settings summary, a metrics table (strategy and
 * benchmark), inline SVG charts of the equity curves, drawdowns and positions, and the first trades. No scripts,
 * no external resources; every text is escaped. Open it from disk in any browser.
 */
export function renderHtmlReport(result: BacktestResult, options: HtmlReportOptions = {}): string {
  assertBacktestResult(result, 'renderHtmlReport');
  const { title, maxTrades, maxPositionLines } = parseWith(htmlReportOptionsSchema, options ?? {}, {
    code: 'INVALID_CONFIG',
    label: 'renderHtmlReport() options',
  });
  const { settings, dates } = result;
  const benchmark = result.benchmark;
  const equitySeries: ChartSeries[] = [{ label: 'Strategy', values: normalised(result.equity), color: STRATEGY }];
  if (benchmark) {
    equitySeries.push({
      label: `Benchmark (${benchmark.name})`,
      values: normalised(benchmark.equity),
      color: BENCHMARK,
      dashed: true,
    });
  }
  const drawdownSeries: ChartSeries[] = [
    { label: 'Strategy', values: drawdownPercent(result.equity), color: '#dc2626', area: true },
  ];
  if (benchmark) {
    drawdownSeries.push({
      label: `Benchmark (${benchmark.name})`,
      values: drawdownPercent(benchmark.equity),
      color: BENCHMARK,
      dashed: true,
    });
  }
  const held = Object.entries(result.weights);
  const positionSeries: ChartSeries[] =
    held.length > 0 && held.length <= maxPositionLines
      ? held.map(([ticker, weights], index) => ({
          label: ticker,
          values: weights,
          color: PALETTE[index % PALETTE.length] as string,
        }))
      : [
          { label: 'Gross exposure', values: perDate(result.grossExposure), color: '#7c3aed' },
          { label: 'Net exposure', values: perDate(result.netExposure), color: '#0d9488' },
        ];
  const strategy = settings.strategy;
  const strategyText =
    strategy.type === 'decisions'
      ? `five-level decisions, exposure ${typeof strategy.exposure === 'string' ? strategy.exposure : JSON.stringify(strategy.exposure)}${strategy.holdingPeriod ? `, held ${strategy.holdingPeriod} bars` : ', held until the next decision'}`
      : `top-${strategy.k} selection, ${strategy.weighting} weights, rebalance ${typeof strategy.rebalance === 'string' ? strategy.rebalance : `every ${strategy.rebalance.everyBars} bars`}`;
  const facts: [string, string][] = [
    ['Period', `${settings.start} → ${settings.end} (${result.returns.length} bars)`],
    ['Strategy', strategyText],
    ['Execution', `${settings.execution} (a decision dated t trades on the first bar after t)`],
    ['Costs', `fees ${settings.feeBps} bps one-way, slippage ${settings.slippageBps} bps`],
    [
      'Capital',
      `${settings.initialCapital} (${settings.sizing} sizing), cash rate ${settings.cashRate}, borrow rate ${settings.borrowRate}`,
    ],
    [
      'Metrics',
      `K = ${settings.periodsPerYear}, r_f = ${settings.riskFree} p.a. (${settings.riskFreeConversion} conversion)`,
    ],
    ['Benchmark', benchmark ? `${benchmark.name}, bought with the start bar's information and held` : 'none'],
  ];
  if (result.ruinedAt) facts.push(['Ruin', `equity reached zero on ${result.ruinedAt}`]);
  const trades = result.trades.slice(0, maxTrades);
  const tradeRows = trades
    .map(
      (trade) =>
        `<tr><td>${escapeHtml(trade.date)}</td><td>${escapeHtml(trade.decidedAt)}</td><td>${escapeHtml(trade.ticker)}</td><td>${trade.quantity > 0 ? 'buy' : 'sell'}</td><td>${Math.abs(trade.quantity).toFixed(2)}</td><td>${trade.fillPrice.toFixed(4)}</td><td>${trade.notional.toFixed(2)}</td><td>${(trade.fee + trade.slippage).toFixed(2)}</td><td>${escapeHtml(trade.reason)}</td></tr>`,
    )
    .join('\n');
  const decisionRecords = result.decisions.slice(0, maxTrades);
  const decisionSection =
    result.decisions.length === 0
      ? ''
      : `<h2>Decisions${result.decisions.length > decisionRecords.length ? ` (first ${decisionRecords.length} of ${result.decisions.length})` : ''}</h2>
<div class="card"><table>
<thead><tr><th>Date</th><th>Ticker</th><th>Decision</th><th>Target weight</th><th>Status</th><th>Executes</th><th>Asset return</th><th>Hit</th></tr></thead>
<tbody>
${decisionRecords
  .map((record) => {
    const hit = record.assetReturn === null ? '—' : Math.sign(record.assetReturn) === record.action ? 'yes' : 'no';
    return `<tr><td>${escapeHtml(record.date)}</td><td>${escapeHtml(record.ticker)}</td><td>${escapeHtml(record.decision)}</td><td>${percent(record.targetWeight, 1)}</td><td>${escapeHtml(record.status)}</td><td>${escapeHtml(record.executionDate ?? '—')}</td><td>${percent(record.assetReturn)}</td><td>${hit}</td></tr>`;
  })
  .join('\n')}
</tbody></table></div>`;
  const rebalanceRecords = result.rebalances.slice(0, maxTrades);
  const rebalanceSection =
    result.rebalances.length === 0
      ? ''
      : `<h2>Rebalances${result.rebalances.length > rebalanceRecords.length ? ` (first ${rebalanceRecords.length} of ${result.rebalances.length})` : ''}</h2>
<div class="card"><table>
<thead><tr><th>Decided</th><th>Executes</th><th>Holdings</th><th class="note">Selected (weight)</th></tr></thead>
<tbody>
${rebalanceRecords
  .map((record) => {
    const shown = record.selected
      .slice(0, 12)
      .map((item) => `${item.ticker} ${(item.weight * 100).toFixed(1)}%`)
      .join(', ');
    const more = record.selected.length > 12 ? `, … ${record.selected.length - 12} more` : '';
    return `<tr><td>${escapeHtml(record.date)}</td><td>${escapeHtml(record.executionDate)}</td><td>${record.selected.length}</td><td class="note">${escapeHtml(shown + more)}</td></tr>`;
  })
  .join('\n')}
</tbody></table></div>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #111827; background: #f9fafb; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; max-width: 1112px; overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #f3f4f6; text-align: right; }
th[scope=row], td.note, dl { text-align: left; }
td.note { color: #6b7280; }
thead th { text-align: right; color: #374151; border-bottom: 1px solid #d1d5db; }
dl { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; font-size: 13px; margin: 0; }
dt { color: #6b7280; }
dd { margin: 0; }
svg { display: block; max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="card"><dl>${facts.map(([term, text]) => `<dt>${escapeHtml(term)}</dt><dd>${escapeHtml(text)}</dd>`).join('')}</dl></div>
<div class="card">${lineChart({ title: 'Equity (growth of 1)', dates, series: equitySeries, format: (value) => value.toFixed(2) })}</div>
<div class="card">${lineChart({ title: 'Drawdown', dates, series: drawdownSeries, format: axisPercent, includeZero: true })}</div>
<div class="card">${lineChart({ title: positionSeries.length > 0 && positionSeries[0]?.label === 'Gross exposure' ? 'Exposure (fraction of equity)' : 'Positions (weight of equity)', dates, series: positionSeries, format: axisPercent, includeZero: true })}</div>
<h2>Metrics</h2>
<div class="card"><table>
<thead><tr><th></th><th>Strategy</th>${benchmark ? `<th>${escapeHtml(benchmark.name)}</th>` : ''}<th class="note">Definition</th></tr></thead>
<tbody>
${metricRows(result, benchmark)}
</tbody></table></div>
${decisionSection}
${rebalanceSection}
<h2>Trades${result.trades.length > trades.length ? ` (first ${trades.length} of ${result.trades.length})` : ''}</h2>
<div class="card"><table>
<thead><tr><th>Date</th><th>Decided</th><th>Ticker</th><th>Side</th><th>Quantity</th><th>Fill price</th><th>Notional</th><th>Costs</th><th>Reason</th></tr></thead>
<tbody>
${tradeRows}
</tbody></table></div>
<p style="font-size:12px;color:#6b7280">Generated by @trade-r1/backtest. Past performance in a backtest is not a forecast; see the package README for every assumption.</p>
</body>
</html>
`;
}
