import { TradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactError, redactSecrets, redactValue } from './redact.ts';

describe('redaction', () => {
  const secret = 'k3y/with+special=chars';

  it('replaces raw and URL-encoded secrets', () => {
    const text = `raw ${secret} encoded ${encodeURIComponent(secret)}`;
    expect(redactSecrets(text, [secret])).toBe(`raw ${REDACTED} encoded ${REDACTED}`);
    expect(redactSecrets('nothing here', [secret, ''])).toBe('nothing here');
  });

  it('walks nested values, keys included', () => {
    expect(redactValue({ url: `?token=${secret}`, list: [secret, 3], [secret]: true }, [secret])).toEqual({
      url: `?token=${REDACTED}`,
      list: [REDACTED, 3],
      [REDACTED]: true,
    });
  });

  it('returns a clean error unchanged and rebuilds a leaking one without its cause', () => {
    const clean = new TradeR1Error('HTTP_ERROR', 'fine', { details: { a: 1 } });
    expect(redactError(clean, [secret])).toBe(clean);
    const leaking = new TradeR1Error('HTTP_ERROR', `failed ${secret}`, {
      details: { url: `https://x?apikey=${secret}` },
      issues: [{ path: 'a', message: secret, code: 'custom' }],
      cause: new Error(`inner ${secret}`),
    });
    const redacted = redactError(leaking, [secret]);
    expect(redacted.code).toBe('HTTP_ERROR');
    expect(JSON.stringify(redacted.toJSON())).not.toContain(secret);
    expect(String(redacted.stack)).not.toContain(secret);
    expect(redacted.cause).toBeUndefined();
    const causeOnly = new TradeR1Error('HTTP_ERROR', 'clean message', { cause: new Error(`inner ${secret}`) });
    expect(redactError(causeOnly, [secret]).cause).toBeUndefined();
  });
});
