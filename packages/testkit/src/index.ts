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
