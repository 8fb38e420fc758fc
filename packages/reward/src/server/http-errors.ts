import { TradeR1Error, toTradeR1Error } from '@trade-r1/core';

/** An error answer: status, typed error and extra headers. */
export interface HttpError {
  status: number;
  error: TradeR1Error;
  headers?: Record<string, string>;
}

/** Attach an HTTP status (and headers) to an error thrown inside a handler. */
export function httpError(status: number, error: TradeR1Error, headers?: Record<string, string>): TradeR1Error {
  Object.defineProperty(error, 'httpStatus', { value: status, enumerable: false });
  if (headers) Object.defineProperty(error, 'httpHeaders', { value: headers, enumerable: false });
  return error;
}

/** Map a thrown value to the HTTP answer. */
export function toHttpError(thrown: unknown, signal: AbortSignal): HttpError {
  // When the request's own signal fired, report why it fired (timeout or shutdown), not the echo in a sample.
  const source = signal.aborted && signal.reason instanceof TradeR1Error ? signal.reason : thrown;
  const error = toTradeR1Error(source, 'INTERNAL');
  const carried = thrown as { httpStatus?: number; httpHeaders?: Record<string, string> };
  if (carried && typeof carried === 'object' && typeof carried.httpStatus === 'number') {
    return { status: carried.httpStatus, error, ...(carried.httpHeaders && { headers: carried.httpHeaders }) };
  }
  const status =
    error.code === 'INVALID_INPUT' || error.code === 'PARSE_FAILED' || error.code === 'INVALID_DECISION'
      ? 400
      : error.code === 'TOO_LARGE'
        ? 413
        : error.code === 'TIMEOUT'
          ? 504
          : error.code === 'CLOSED'
            ? 503
            : error.code === 'ABORTED'
              ? 499
              : 500;
  return { status, error };
}

/** `TOO_LARGE` when a request holds more samples than allowed. */
export function assertBatch(size: number, limit: number): void {
  if (size > limit) {
    throw new TradeR1Error('TOO_LARGE', `${size} samples exceed the limit of ${limit} per request`, {
      details: { size, limit },
    });
  }
}
