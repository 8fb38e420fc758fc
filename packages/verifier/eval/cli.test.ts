import { TradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { ALL_SPLITS, parseEvalArgs } from './cli.ts';

describe('parseEvalArgs', () => {
  it('runs every split by default and writes to a temporary folder', () => {
    const args = parseEvalArgs([]);
    expect(args.splits).toEqual([...ALL_SPLITS]);
    expect(args.write).toBe(false);
  });

  it('selects splits and groups', () => {
    expect(parseEvalArgs(['--splits=verifier-b,tatqa']).splits).toEqual(['verifier-b', 'tatqa-dev', 'tatqa-test']);
    expect(parseEvalArgs(['--', '--splits=train,dev', '--no-test']).splits).toEqual(['train', 'dev']);
    expect(parseEvalArgs(['--no-test']).splits).not.toContain('verifier-b');
  });

  it('rejects unknown flags and splits, naming them', () => {
    expect(() => parseEvalArgs(['--split=test'])).toThrow(TradeR1Error);
    expect(() => parseEvalArgs(['--split=test'])).toThrow(/unknown flag "--split=test"/);
    expect(() => parseEvalArgs(['--splits=verifierb'])).toThrow(/unknown split "verifierb"/);
    expect(() => parseEvalArgs(['--tatqa-limit=0'])).toThrow(/positive integer/);
    expect(() => parseEvalArgs(['--options', '[1]'])).toThrow(/JSON object/);
  });

  it('never lists validation cases one by one', () => {
    expect(() => parseEvalArgs(['--misses=verifier-b'])).toThrow(/only its aggregate numbers/);
    expect(() => parseEvalArgs(['--why=tatqa-test'])).toThrow(/only its aggregate numbers/);
    expect(parseEvalArgs(['--misses=train']).misses).toBe('train');
  });

  it('records only a full default run with --write', () => {
    expect(parseEvalArgs(['--write']).write).toBe(true);
    expect(() => parseEvalArgs(['--write', '--splits=verifier-b'])).toThrow(/full default run/);
    expect(() => parseEvalArgs(['--write', '--options', '{"retrieval":"text"}'])).toThrow(/full default run/);
    expect(parseEvalArgs(['--options', '{"retrieval":"text"}']).options).toEqual({ retrieval: 'text' });
  });
});
