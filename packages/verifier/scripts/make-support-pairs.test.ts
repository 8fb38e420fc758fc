import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TradeR1Error } from '@trade-r1/core';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from './make-support-pairs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'support-pairs-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('make-support-pairs', () => {
  it('parses its flags and rejects unknown ones', () => {
    expect(parseArgs(['--', '--seed=7', '--limit=10', '--sources=tatqa,market', '--out=/x.jsonl'])).toEqual({
      options: { seed: 7, limit: 10, sources: ['tatqa', 'market'] },
      out: '/x.jsonl',
    });
    expect(() => parseArgs(['--sed=7'])).toThrow(TradeR1Error);
    expect(() => parseArgs(['seed'])).toThrow(/unknown argument/);
  });

  it('writes JSONL pairs and a notes file with the sources and licences', () => {
    const out = join(directory, 'pairs.jsonl');
    const tsx = join(here, '../../../node_modules/.bin/tsx');
    const stdout = execFileSync(
      tsx,
      [
        '--conditions=@trade-r1/source',
        join(here, 'make-support-pairs.ts'),
        '--seed=3',
        '--limit=40',
        '--sources=tatqa',
        `--out=${out}`,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(stdout)).toMatchObject({ file: out, pairs: 40 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(40);
    for (const line of lines) {
      const pair = JSON.parse(line);
      expect(Object.keys(pair).sort()).toEqual(['claim', 'evidenceDocuments', 'group', 'label', 'rewrite', 'source']);
      expect(['supported', 'contradicted', 'unsupported']).toContain(pair.label);
      expect(pair.evidenceDocuments.length).toBeGreaterThan(0);
    }
    expect(readFileSync(`${out}.md`, 'utf8')).toMatch(/TAT-QA \(CC BY 4\.0\): Zhu et al\./);
  });
});
