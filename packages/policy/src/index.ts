/**
 * @trade-r1/policy — policies that produce trading decisions: an ONNX text policy (CUDA when present) with
 * G samples per prompt and log-probabilities, a FLAG-Trader action policy, an OpenAI-compatible backend, an
 * analyst-template baseline that needs no model, the Trading-R1 / FLAG-Trader / selection prompts and robust
 * decision parsers.
 * @packageDocumentation
 */

export {
  type DecisionMatch,
  type DecisionMatchKind,
  type DecisionParseFailure,
  type DecisionParseFailureReason,
  type DecisionParseOptions,
  type DecisionParseResult,
  type DecisionParseSuccess,
  decisionParseOptionsSchema,
  normalizeDecisionWord,
  parseDecisionText,
  parseDecisionTextOrThrow,
  parseSelectionText,
  parseSelectionTextOrThrow,
  type SelectionParseFailure,
  type SelectionParseFailureReason,
  type SelectionParseOptions,
  type SelectionParseResult,
  type SelectionParseSuccess,
  selectionParseOptionsSchema,
} from '@trade-r1/core';
export { type ActionDistribution, type ActionMask, actionMask, maskedActionDistribution } from './action/masking.ts';
export {
  type ActionDecision,
  type ActionPolicyInfo,
  type ActionRequest,
  type ActOptions,
  actionRequestSchema,
  actOptionsSchema,
  createOnnxActionPolicy,
  OnnxActionPolicy,
  type OnnxActionPolicyOptions,
  onnxActionPolicyOptionsSchema,
} from './action/onnx-action-policy.ts';
export {
  type CompletionScorer,
  FLAG_TRADER_ACTION_TEXTS,
  type TextModelAction,
  type TextModelActionOptions,
  textModelAction,
  textModelActionOptionsSchema,
} from './action/text-action.ts';
export { mostPolarSentence, splitSentences, type TextPolarity, textPolarity } from './analyst/sentiment.ts';
export {
  type AnalystTemplateOptions,
  type AnalystThesis,
  analystTemplateOptionsSchema,
  createAnalystTemplatePolicy,
  decisionFromScore,
  type ThesisBullet,
  type ThesisSectionContent,
  technicalScore,
} from './analyst/template-policy.ts';
export {
  type ContextEvidence,
  type ContextEvidenceInput,
  contextEvidenceSchema,
  type DecisionContext,
  type DecisionContextInput,
  decisionContextSchema,
  parseDecisionContext,
} from './context.ts';
export { type CudaProviderStatus, cudaProviderStatus } from './cuda.ts';
export {
  computePromptIndicators,
  ema,
  macdRatio,
  PROMPT_INDICATOR_NAMES,
  type PromptIndicatorName,
  realizedVolatility,
  rsi,
  sma,
  trailingReturn,
} from './indicators.ts';
export {
  buildFlagTraderPrompt,
  FLAG_TRADER_TASK,
  type FlagTraderPromptOptions,
  type FlagTraderStateInput,
  flagTraderPromptOptionsSchema,
  flagTraderStateSchema,
  parseTradeActionText,
  TRADE_ACTIONS,
  type TradeAction,
  type TradeActionParseResult,
  truncateNumber,
} from './prompts/flag-trader.ts';
export {
  buildSelectionPrompt,
  SELECTION_SYSTEM_PROMPT,
  type SelectionPromptInput,
  selectionPromptInputSchema,
} from './prompts/selection.ts';
export {
  buildTradingR1Prompt,
  renderEvidence,
  renderMarketData,
  THESIS_SECTIONS,
  type ThesisSection,
  TRADING_R1_SYSTEM_PROMPT,
  type TradingR1PromptOptions,
  tradingR1PromptOptionsSchema,
} from './prompts/trading-r1.ts';
export type { ChatMessage, PromptParts } from './prompts/types.ts';
export { type GenerateRolloutsOptions, generateRollouts, type RolloutParser, type RolloutPrompt } from './rollouts.ts';
export {
  createOnnxPolicy,
  ONNX_DTYPES,
  type OnnxPolicyOptions,
  OnnxTextPolicy,
  onnxPolicyOptionsSchema,
  type ScoredCompletion,
  type ScoreOptions,
  type ScoreResult,
  scoreOptionsSchema,
} from './text/onnx-policy.ts';
export {
  createOpenAICompatiblePolicy,
  OpenAICompatiblePolicy,
  type OpenAICompatiblePolicyOptions,
  openAICompatiblePolicyOptionsSchema,
} from './text/openai-policy.ts';
export {
  type HalfData,
  halfBits,
  halfToFloat32,
  logSumExp,
  type SampledToken,
  type SamplingSettings,
  sampleToken,
} from './text/sampling.ts';
export {
  type Completion,
  chatMessageSchema,
  collectStream,
  type FinishReason,
  type GenerateOptions,
  type GenerateResult,
  type GenerationEvent,
  type GenerationProgress,
  generateOptionsSchema,
  type PolicyInfo,
  type Prompt,
  promptSchema,
  type ResolvedGenerateOptions,
  reportProgress,
  type TextPolicy,
} from './text/types.ts';
