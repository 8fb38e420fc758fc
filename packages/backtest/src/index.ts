/**
 * @trade-r1/backtest — an honest backtest engine for LLM decision logs: five-level and top-k strategies over
 * aligned price panels, next-bar execution with costs on by default, the metrics of Trading-R1 and FLAG-Trader,
 * and a self-contained HTML report.
 * @packageDocumentation
 */
export { type AdjustPricesInput, adjustPrices } from './adjust.ts';
export {
  DecisionLog,
  type DecisionLogRow,
  type DecisionLogRowInput,
  decisionLabelSchema,
  decisionLogRowSchema,
  parseCsvRecords,
  parseDecisionLog,
  parseDecisionLogCsv,
  parseDecisionLogJson,
} from './decision-log.ts';
export {
  type BacktestEvent,
  type BacktestOptions,
  type BacktestProgress,
  type BacktestResult,
  type BacktestSettings,
  backtestOptionsSchema,
  decisionsStrategySchema,
  runBacktest,
  runBacktestSync,
  type SimulatedRun,
  streamBacktest,
  topKStrategySchema,
} from './engine.ts';
export {
  type AShareProfile,
  type AShareProfileOptions,
  aShareCosts,
  aShareProfileSchema,
  CHINEXT_20_PERCENT_FROM,
  type ChinaBoard,
  chinaBoard,
  isLimitLocked,
  limitPrices,
  priceLimitFraction,
  STAMP_DUTY_HALVED_FROM,
  stampDutyRate,
} from './market-rules.ts';
export { annualizedTurnover, averageExposure, type TurnoverOptions, timeInMarket } from './metrics/activity.ts';
export {
  type BootstrapSharpeOptions,
  bootstrapSharpeInterval,
  type ConfidenceInterval,
} from './metrics/bootstrap.ts';
export { type CalmarOptions, calmarRatio } from './metrics/calmar.ts';
export { type NumericSeries, type RiskFreeConversion, standardDeviation } from './metrics/common.ts';
export { drawdownSeries, equityFromReturns, type MaxDrawdown, maxDrawdown } from './metrics/drawdown.ts';
export { type HitRateOptions, hitRate, type WinRateOptions, winRate } from './metrics/hit-rate.ts';
export {
  type FlagTraderMetrics,
  type FlagTraderOptions,
  flagTraderMetrics,
  type TradingR1Metrics,
  type TradingR1Options,
  tradingR1Metrics,
} from './metrics/presets.ts';
export {
  type AnnualizedReturnOptions,
  type AnnualizedVolatilityOptions,
  annualizedReturn,
  annualizedVolatility,
  cumulativeLogReturn,
  cumulativeReturn,
  returnsFromEquity,
  toLogReturns,
} from './metrics/returns.ts';
export {
  type PerPeriodRiskFreeOptions,
  perPeriodRiskFree,
  type SharpeOptions,
  sharpeRatio,
  sortinoRatio,
} from './metrics/sharpe.ts';
export {
  computeMetrics,
  type MetricsInput,
  type MetricsOptions,
  metricsOptionsSchema,
  type PerformanceMetrics,
} from './metrics/summary.ts';
export {
  type AlignPriceSeriesOptions,
  alignPriceSeries,
  createPricePanel,
  type PricePanel,
  type PricePanelInput,
  type TickerBars,
} from './panel.ts';
export type { DecisionRecord, RebalanceRecord } from './planners.ts';
export { type HtmlReportOptions, htmlReportOptionsSchema, renderHtmlReport } from './report/html.ts';
export { type BacktestReportJson, type JsonNumber, type RunReport, toReportJson } from './report/json.ts';
export { escapeHtml } from './report/svg.ts';
export type { BlockedOrder, OrderReason, Trade } from './simulate.ts';
