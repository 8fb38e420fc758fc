import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, isTradeR1Error, parseWith, TradeR1Error, throwIfAborted, toTradeR1Error } from './errors.ts';

describe('TradeR1Error', () => {
  it('carries a stable code, details and a JSON view', () => {
    const error = new TradeR1Error('INVALID_BAR', 'bad bar', { details: { line: 3 } });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(ERROR_CODES.INVALID_BAR);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: 'INVALID_BAR', details: { line: 3 } });
    expect(isTradeR1Error(error, 'INVALID_BAR')).toBe(true);
    expect(isTradeR1Error(error, 'LOOKAHEAD')).toBe(false);
  });

  it('normalises unknown throws', () => {
    const abort = new DOMException('stop', 'AbortError');
    expect(toTradeR1Error(abort).code).toBe('ABORTED');
    expect(toTradeR1Error(new Error('boom'), 'STORE_ERROR').code).toBe('STORE_ERROR');
    expect(toTradeR1Error('plain string').message).toContain('plain string');
    const original = new TradeR1Error('TIMEOUT', 't');
    expect(toTradeR1Error(original)).toBe(original);
  });

  it('parseWith lists every issue with its path', () => {
    const schema = z.object({ a: z.number(), b: z.object({ c: z.string() }) });
    try {
      parseWith(schema, { a: 'x', b: { c: 1 } }, { label: 'options', details: { file: 'f.csv' } });
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'INVALID_INPUT')).toBe(true);
      const typed = error as TradeR1Error;
      expect(typed.issues.map((issue) => issue.path)).toEqual(['a', 'b.c']);
      expect(typed.message).toMatch(/^Invalid options: a: .*; b\.c: /);
      expect(typed.details).toEqual({ file: 'f.csv' });
    }
  });

  it('throwIfAborted throws ABORTED only once aborted', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    controller.abort();
    expect(() => throwIfAborted(controller.signal)).toThrowError(expect.objectContaining({ code: 'ABORTED' }));
  });
});
