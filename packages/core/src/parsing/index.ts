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
} from './decision.ts';
export { type ReasoningSplit, splitReasoning } from './reasoning.ts';
export {
  parseSelectionText,
  parseSelectionTextOrThrow,
  type SelectionParseFailure,
  type SelectionParseFailureReason,
  type SelectionParseOptions,
  type SelectionParseResult,
  type SelectionParseSuccess,
  selectionParseOptionsSchema,
} from './selection.ts';
