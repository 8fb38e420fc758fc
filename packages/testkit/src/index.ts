export {
  type AnyFunction,
  describeExportProperty,
  type ExportPropertyOptions,
  expectTypedOutcome,
  junkValues,
  offendingField,
  publicFunctions,
  settle,
} from './export-property.ts';
export { findNode24, NODE24_PACKAGES, type Node24Lookup } from './node24.ts';
