import type { z } from 'zod';

/**
 * Every error code a Trade-R1 package can raise. Codes are stable API: match on `error.code`, never on messages.
 * New codes are appended here (one table for the whole project), never renamed.
 */
export const ERROR_CODES = {
  /** A value failed validation at a public boundary (see `issues`). */
  INVALID_INPUT: 'INVALID_INPUT',
  /** An OHLCV bar violates price/volume invariants. */
  INVALID_BAR: 'INVALID_BAR',
  /** A price series is unsorted, has duplicate timestamps or mixed formats. */
  INVALID_SERIES: 'INVALID_SERIES',
  /** A date or timestamp could not be parsed. */
  INVALID_DATE: 'INVALID_DATE',
  /** An evidence document is malformed (empty text, missing date, …). */
  INVALID_DOCUMENT: 'INVALID_DOCUMENT',
  /** A trading decision is not one of the five levels. */
  INVALID_DECISION: 'INVALID_DECISION',
  /** A configuration option is invalid or inconsistent. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** Model text or a file could not be parsed into the expected structure. */
  PARSE_FAILED: 'PARSE_FAILED',
  /** Data published after the decision time reached a point-in-time computation. */
  LOOKAHEAD: 'LOOKAHEAD',
  /** Not enough history to compute a value (e.g. an indicator warm-up). */
  INSUFFICIENT_DATA: 'INSUFFICIENT_DATA',
  /** A requested entity (ticker, file, series, table) does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** An upstream HTTP service answered with an error status. */
  HTTP_ERROR: 'HTTP_ERROR',
  /** An upstream service answered with a payload that does not match its documented schema. */
  BAD_RESPONSE: 'BAD_RESPONSE',
  /** An upstream service refused the request because of rate limits. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** Authentication failed or a required API key is missing. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** An operation did not finish within its time limit. */
  TIMEOUT: 'TIMEOUT',
  /** An operation was cancelled through an `AbortSignal`. */
  ABORTED: 'ABORTED',
  /** A request or input exceeds a configured size limit. */
  TOO_LARGE: 'TOO_LARGE',
  /** A model (ONNX graph, tokenizer, embedding table) could not be loaded. */
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  /** Running a loaded model failed. */
  INFERENCE_FAILED: 'INFERENCE_FAILED',
  /** Vectors of different dimensions were mixed (e.g. a table built with another embedder). */
  DIMENSION_MISMATCH: 'DIMENSION_MISMATCH',
  /** A stored artifact was built with a different model than the one in use. */
  MODEL_MISMATCH: 'MODEL_MISMATCH',
  /** The evidence store failed to read or write. */
  STORE_ERROR: 'STORE_ERROR',
  /** A resource was used after `close()`. */
  CLOSED: 'CLOSED',
  /** A feature is not available in this environment (e.g. CUDA without its libraries). */
  UNSUPPORTED: 'UNSUPPORTED',
  /** A bug or an unexpected failure; the cause is attached. */
  INTERNAL: 'INTERNAL',
  /** Every vendor of a fallback chain failed; the per-vendor failures are in `details.failures`. */
  ALL_VENDORS_FAILED: 'ALL_VENDORS_FAILED',
  /** A configured budget (tokens, calls, cost) is used up; raise the budget or start a new handle. */
  BUDGET_EXCEEDED: 'BUDGET_EXCEEDED',
  /** The newest data a source has is too old for the decision time (e.g. prices weeks before the cutoff). */
  STALE_DATA: 'STALE_DATA',
} as const;

/** Union of all error codes. */
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** One validation problem, flattened from zod for logging and display. */
export interface ValidationIssue {
  /** Dotted path of the offending field (`''` for the root). */
  path: string;
  /** What was wrong. */
  message: string;
  /** zod's issue code. */
  code: string;
}

/** Options accepted by {@link TradeR1Error}. */
export interface TradeR1ErrorOptions {
  /** The offending values and any context that helps to fix the problem. Must be JSON-serialisable. */
  details?: Record<string, unknown>;
  /** Validation issues, when the error comes from a schema. */
  issues?: ValidationIssue[];
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The one error class of Trade-R1. Every package throws it (or a subclass) with a stable `code` from
 * {@link ERROR_CODES}; the offending values are in `details`, schema problems in `issues`.
 *
 * @example
 * try { parseBar(row) } catch (error) {
 *   if (isTradeR1Error(error, 'INVALID_BAR')) console.log(error.details);
 * }
 */
export class TradeR1Error extends Error {
  override readonly name: string = 'TradeR1Error';
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Offending values and context. */
  readonly details: Record<string, unknown>;
  /** Validation issues (empty unless the error comes from a schema). */
  readonly issues: ValidationIssue[];

  constructor(code: ErrorCode, message: string, options: TradeR1ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.issues = options.issues ?? [];
  }

  /** A plain, JSON-serialisable view of the error (for logs and HTTP responses). */
  toJSON(): {
    name: string;
    code: ErrorCode;
    message: string;
    details: Record<string, unknown>;
    issues: ValidationIssue[];
  } {
    return { name: this.name, code: this.code, message: this.message, details: this.details, issues: this.issues };
  }
}

/** True when `value` is a {@link TradeR1Error}, optionally with the given code. */
export function isTradeR1Error(value: unknown, code?: ErrorCode): value is TradeR1Error {
  return value instanceof TradeR1Error && (code === undefined || value.code === code);
}

/**
 * Normalise anything thrown into a {@link TradeR1Error}. Trade-R1 errors pass through unchanged; an `AbortError`
 * becomes `ABORTED`, a `TimeoutError` becomes `TIMEOUT`, and anything else becomes `fallbackCode` with the
 * original attached as `cause`.
 */
export function toTradeR1Error(value: unknown, fallbackCode: ErrorCode = 'INTERNAL'): TradeR1Error {
  if (value instanceof TradeR1Error) return value;
  if (value instanceof Error) {
    if (value.name === 'AbortError')
      return new TradeR1Error('ABORTED', value.message || 'Operation aborted', { cause: value });
    if (value.name === 'TimeoutError')
      return new TradeR1Error('TIMEOUT', value.message || 'Operation timed out', { cause: value });
    return new TradeR1Error(fallbackCode, value.message, { cause: value });
  }
  return new TradeR1Error(fallbackCode, `Non-error value thrown: ${describeValue(value)}`, {
    details: { thrown: describeValue(value) },
  });
}

/** The message of anything thrown, for logs. */
export function errorMessage(value: unknown): string {
  return value instanceof Error ? value.message : describeValue(value);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Flatten zod issues into {@link ValidationIssue}s. */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  if (!error || typeof error !== 'object' || !Array.isArray((error as { issues?: unknown }).issues)) {
    throw new TradeR1Error('INVALID_INPUT', 'toValidationIssues needs a ZodError', { details: { field: 'error' } });
  }
  return error.issues.map((issue) => ({
    path: issue.path.map((segment) => String(segment)).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

/** Options for {@link parseWith}. */
export interface ParseWithOptions {
  /** The code to throw with. @default 'INVALID_INPUT' */
  code?: ErrorCode;
  /** What was being parsed, used as the message prefix (e.g. `'verify() options'`). @default 'input' */
  label?: string;
  /** Extra details attached to the error (file name, line, row index…). */
  details?: Record<string, unknown>;
}

/**
 * Validate `value` with a zod schema at a public boundary. Returns the parsed output or throws a
 * {@link TradeR1Error} whose message lists every problem and whose `issues` hold them structured.
 */
export function parseWith<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  options: ParseWithOptions = {},
): z.output<Schema> {
  if (!schema || typeof (schema as { safeParse?: unknown }).safeParse !== 'function') {
    throw new TradeR1Error('INVALID_INPUT', 'parseWith needs a zod schema', { details: { field: 'schema' } });
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TradeR1Error('INVALID_INPUT', 'parseWith options must be an object', { details: { field: 'options' } });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error);
  const label = options.label ?? 'input';
  const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; ');
  throw new TradeR1Error(options.code ?? 'INVALID_INPUT', `Invalid ${label}: ${summary}`, {
    issues,
    details: { ...options.details },
  });
}

/** Throw `ABORTED` when the signal has fired. Call between units of long-running work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new TradeR1Error('ABORTED', 'Operation aborted', { cause: signal.reason });
  }
}
