/**
 * @trade-r1/core — schemas (zod, the single source of truth), typed errors, seeded randomness and
 * point-in-time date helpers shared by every Trade-R1 package.
 * @packageDocumentation
 */
export {
  addCalendarDays,
  assertAvailableAt,
  calendarDaysBetween,
  isAvailableAt,
  isIsoDate,
  type ParsedTimestamp,
  parseTimestamp,
  type TimeInput,
  type TimestampOptions,
  toInstant,
  toIsoInstant,
  toTradingDate,
} from './dates.ts';
export {
  type CutoffAt,
  type DecisionCutoffOptions,
  type DecisionInstantOptions,
  type DecisionTiming,
  decisionCutoff,
  decisionInstant,
  decisionTiming,
  firstOpenAfter,
  isAdmissible,
  publicationInstant,
} from './decision-clock.ts';
export {
  ERROR_CODES,
  type ErrorCode,
  errorMessage,
  isTradeR1Error,
  type ParseWithOptions,
  parseWith,
  TradeR1Error,
  type TradeR1ErrorOptions,
  throwIfAborted,
  toTradeR1Error,
  toValidationIssues,
  type ValidationIssue,
} from './errors.ts';
export {
  barCloseInstant,
  EXCHANGE_IDS,
  type ExchangeCalendar,
  type ExchangeId,
  type ExchangeInput,
  exchangeDateOf,
  exchangeForTicker,
  exchangeSchema,
  getExchangeCalendar,
  isTradingDay,
  type LocalTime,
  nextTradingDate,
  previousTradingDate,
  type SessionInterval,
  type TradingSession,
  toExchangeId,
  tradingDatesBetween,
  tradingSession,
} from './exchange-calendar.ts';
export { escapeHtml } from './html.ts';
export * from './openai/index.ts';
export {
  parseBar,
  parseDecision,
  parseEvidenceDocument,
  parsePriceSeries,
  parseRollout,
  parseSelectionDecision,
  type SchemaInput,
} from './parse.ts';
export * from './parsing/index.ts';
export { createRng, deriveSeed, type Rng } from './random.ts';
export { type Bar, barSchema, barTimestampSchema, type PriceSeries, priceSeriesSchema } from './schemas/bar.ts';
export { finiteNumberSchema, instantSchema, isoDateSchema, type Ticker, tickerSchema } from './schemas/common.ts';
export {
  DECISIONS,
  DEFAULT_EXPOSURE,
  type Decision,
  decisionDirection,
  decisionRank,
  decisionSchema,
  decisionSignal,
  decisionToExposure,
  type ExposureMapping,
  LONG_ONLY_EXPOSURE,
} from './schemas/decision.ts';
export {
  type EvidenceDocument,
  type EvidenceDocumentInput,
  evidenceDocumentSchema,
  SOURCE_KINDS,
  type SourceKind,
  sourceKindSchema,
} from './schemas/evidence.ts';
export { type Rollout, rolloutSchema } from './schemas/rollout.ts';
export {
  type SelectionDecision,
  type SelectionItem,
  selectionDecisionSchema,
  selectionItemSchema,
} from './schemas/selection.ts';
export { dateInZone, isTimeZone, zonedTimeToInstant, zoneOffsetMinutes } from './time-zones.ts';
