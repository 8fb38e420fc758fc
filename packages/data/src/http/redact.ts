import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { parseArgument, safeString } from '../validate.ts';

const secretsSchema = z.array(z.string());

/** What a secret is replaced with in messages, details and logs. */
export const REDACTED = '[REDACTED]';

/**
 * Replace every occurrence of each secret (and its URL-encoded form) in `text` with {@link REDACTED}.
 * Empty secrets are ignored.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  parseArgument(z.string(), text, { fn: 'redactSecrets()', field: 'text' });
  parseArgument(secretsSchema, secrets, { fn: 'redactSecrets()', field: 'secrets' });
  let result = text;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    result = result.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) result = result.split(encoded).join(REDACTED);
  }
  return result;
}

/** Deep copy of a JSON-like value with every string passed through {@link redactSecrets}. */
export function redactValue(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[redactSecrets(key, secrets)] = redactValue(item, secrets);
    return copy;
  }
  return value;
}

function containsSecret(text: string, secrets: readonly string[]): boolean {
  return secrets.some(
    (secret) => secret.length > 0 && (text.includes(secret) || text.includes(encodeURIComponent(secret))),
  );
}

/**
 * Return `error` unchanged when no secret appears in its message, details, issues or cause chain; otherwise a
 * copy (same code) with every secret redacted and the cause dropped (a cause can carry a request URL with a key).
 */
export function redactError(error: TradeR1Error, secrets: readonly string[]): TradeR1Error {
  parseArgument(z.instanceof(TradeR1Error), error, { fn: 'redactError()', field: 'error' });
  parseArgument(secretsSchema, secrets, { fn: 'redactError()', field: 'secrets' });
  const active = secrets.filter((secret) => secret.length > 0);
  if (active.length === 0) return error;
  let serialised: string;
  try {
    serialised = JSON.stringify(error.toJSON());
  } catch {
    serialised = error.message;
  }
  let causeText = '';
  let cause: unknown = error.cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth += 1) {
    causeText += cause instanceof Error ? `${cause.message}\n${cause.stack ?? ''}` : safeString(cause);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  if (!containsSecret(serialised, active) && !containsSecret(causeText, active)) return error;
  return new TradeR1Error(error.code, redactSecrets(error.message, active), {
    details: redactValue(error.details, active) as Record<string, unknown>,
    issues: error.issues.map((issue) => ({
      ...issue,
      path: redactSecrets(issue.path, active),
      message: redactSecrets(issue.message, active),
    })),
  });
}
