/**
 * @trade-r1/reward — reward shaping for LLM trading RL: market rewards, Trade-R1's DSR (and an FSR
 * interpretation), Trading-R1's structure/evidence/decision rewards, FLAG-Trader's Sharpe-delta reward, a custom
 * reward API with timeouts and flagged fallbacks, GRPO advantages, and an HTTP reward server for TRL, OpenRLHF,
 * veRL and slime.
 * @packageDocumentation
 */
export {
  type AdvantageEstimator,
  type AdvantageScale,
  type GroupAdvantageOptions,
  type GroupAdvantageResult,
  groupAdvantages,
  OPENRLHF_GROUP_NORM_DEFAULTS,
  type RewardArray,
  TRL_GRPO_DEFAULTS,
} from './advantages.ts';
export { type ComposeRewardsOptions, composeRewards, type RewardComponent } from './compose.ts';
export { type ParseDecisionTagOptions, parseDecisionTag } from './decision-tag.ts';
export {
  type ComponentResult,
  type DefineRewardOptions,
  defineReward,
  type EvaluateOptions,
  type Reward,
  type RewardContext,
  type RewardFallback,
  type RewardOutput,
  type RewardResult,
  type RewardValue,
} from './define-reward.ts';
export { type FormatPattern, type FormatRewardOptions, type FormatRewardResult, formatReward } from './format.ts';
export {
  horizonReturn,
  type MarketRewardOptions,
  type MarketRewardResult,
  marketReward,
  simpleReturn,
  TRADE_R1_ONE_WAY_COST,
} from './market.ts';
export {
  DEFAULT_FSR_LAMBDA,
  dsrReward,
  type FsrRewardInput,
  fsrReward,
  resolveSemanticGate,
  type SemanticGate,
  type SemanticGateInput,
  type SemanticGateSpec,
} from './semantic-gate.ts';
export {
  type SemanticGatedRewardOptions,
  type SemanticScorer,
  scorerFromVerifier,
  scoreWith,
  semanticGatedReward,
  type VerifierLike,
} from './semantic-scorer.ts';
export { type RewardCluster, type RewardClusterOptions, startRewardCluster } from './server/cluster.ts';
export { LATENCY_BUCKETS, RewardServerMetrics } from './server/metrics.ts';
export {
  DEFAULT_ASSISTANT_MARKERS,
  type ResponseBoundary,
  type SplitQuery,
  splitQuery,
} from './server/response-boundary.ts';
export {
  type GetRewardRequest,
  type GroupRequest,
  getRewardRequestSchema,
  groupRequestSchema,
  type RewardSample,
  rewardSampleSchema,
  type SlimeRequest,
  slimeRequestSchema,
} from './server/schemas.ts';
export { type SampleScorer, type ScoreSampleOptions, scoreSample } from './server/score-sample.ts';
export {
  createRewardServer,
  type GroupRewardFunction,
  type ListenOptions,
  type RewardFunction,
  type RewardServer,
  type RewardServerOptions,
  type RewardServerWarning,
} from './server/server.ts';
export {
  createRewardWorkerPool,
  type RewardWorkerPool,
  type RewardWorkerPoolOptions,
  type RewardWorkerPoolStats,
} from './server/worker-pool.ts';
export {
  createSharpeDeltaTracker,
  portfolioPnl,
  runningSharpe,
  type SharpeDeltaTracker,
  type SharpeOptions,
  sharpeDeltaReward,
} from './sharpe-delta.ts';
export {
  type DecisionMatrix,
  type DecisionRewardOptions,
  type DecisionRewardResult,
  decisionReward,
  type MatrixOrientation,
  TRADING_R1_DECISION_MATRIX,
  UNPARSEABLE_DECISION_REWARD,
} from './trading-r1/decision.ts';
export {
  bulletCountScore,
  bulletScore,
  type EvidenceBullet,
  type EvidenceRewardOptions,
  type EvidenceRewardResult,
  evidenceReward,
  evidenceSectionScore,
  flooredHarmonicMean,
  HARMONIC_FLOOR,
  OPINION_WORDS_RANGE,
  opinionScore,
} from './trading-r1/evidence.ts';
export {
  type InvestmentRewardOptions,
  type InvestmentRewardResult,
  type InvestmentRewardWeights,
  investmentReward,
} from './trading-r1/investment.ts';
export {
  analyzeBullet,
  type BulletAnalysisOptions,
  type BulletEvidence,
  countWords,
  extractBullets,
  extractSections,
  type ThesisSection,
} from './trading-r1/markdown.ts';
export {
  MIN_SECTION_WORDS,
  type SectionFeatures,
  SHORT_SECTION_SCORE,
  type StructureRewardOptions,
  type StructureRewardResult,
  sectionCountScore,
  sectionFeatures,
  sectionStructureScore,
  structureReward,
} from './trading-r1/structure.ts';
