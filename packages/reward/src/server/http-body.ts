import type { IncomingMessage } from 'node:http';
import { TradeR1Error } from '@trade-r1/core';

/** Parse a request body as JSON (`PARSE_FAILED` otherwise). */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new TradeR1Error('PARSE_FAILED', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Settle with `work`, or reject as soon as `signal` aborts. */
export function withAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Read a request body up to `limit` bytes (`TOO_LARGE` beyond it). */
export function readBody(request: IncomingMessage, limit: number, signal: AbortSignal): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(
      new TradeR1Error('TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${limit}`, {
        details: { bytes: declared, limit },
      }),
    );
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        request.pause();
        reject(
          new TradeR1Error('TOO_LARGE', `request body exceeds the limit of ${limit} bytes`, {
            details: { limit },
          }),
        );
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new TradeR1Error('ABORTED', `request stream failed: ${error.message}`, { cause: error }));
    };
    const onAbort = () => {
      cleanup();
      reject(signal.reason);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
