import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryableStatus, retryAfterMs } from './retry.ts';

const NOW = Date.parse('2026-01-05T10:00:00Z');
const headers = (entries: Record<string, string>) => new Headers(entries);

describe('retryAfterMs', () => {
  it('reads retry-after-ms, delay-seconds and HTTP dates', () => {
    expect(retryAfterMs(headers({ 'retry-after': '2' }), NOW)).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after': '1.5' }), NOW)).toBe(1500);
    expect(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), NOW)).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': 'Mon, 05 Jan 2026 10:00:03 GMT' }), NOW)).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after': 'Mon, 05 Jan 2026 09:00:00 GMT' }), NOW)).toBe(0);
  });

  it('ignores missing, negative and unparseable values', () => {
    expect(retryAfterMs(headers({}), NOW)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after': '-1' }), NOW)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), NOW)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after-ms': 'x', 'retry-after': '1' }), NOW)).toBe(1000);
    expect(() => retryAfterMs({} as never, NOW)).toThrow(/Headers/);
  });
});

describe('backoffMs and isRetryableStatus', () => {
  it('doubles from the base up to the cap', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffMs(attempt, 500, 3000))).toEqual([500, 1000, 2000, 3000]);
    expect(() => backoffMs(-1, 1, 1)).toThrow(/attempt/);
  });

  it('retries 408, 409, 429 and 5xx only', () => {
    expect([400, 401, 404, 408, 409, 422, 429, 500, 503].filter(isRetryableStatus)).toEqual([408, 409, 429, 500, 503]);
  });
});
