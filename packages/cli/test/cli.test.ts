/** Runs the real `trade-r1` binary (bin/trade-r1.js) as a child process for each subcommand. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/trade-r1.js', import.meta.url));
const prices = fileURLToPath(new URL('../../../../shared/data/prices/us', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'trade-r1-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: work, timeout: 120_000 });
}

const store = join(work, 'store');
const documents = [
  {
    id: 'MSFT-008',
    tickers: ['MSFT'],
    publishedAt: '2025-04-30T20:05:00Z',
    sourceKind: 'filing',
    title: 'Microsoft fiscal third quarter results',
    text: 'Microsoft reported revenue of $70.1 billion, up 13 percent. Microsoft Cloud revenue was $42.4 billion, up 20 percent.',
  },
  {
    id: 'MSFT-009',
    tickers: ['MSFT'],
    publishedAt: '2025-05-01T12:00:00Z',
    sourceKind: 'news',
    title: 'Azure growth beats estimates',
    text: 'Azure and other cloud services revenue grew 33 percent, ahead of analyst estimates.',
  },
];

describe('trade-r1', () => {
  it('prints usage, and rejects an unknown command or option with status 2', () => {
    const help = cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('ingest <jsonl|csv|dir> --store <dir>');
    expect(cli('frobnicate').status).toBe(2);
    const typo = cli('ingest', 'x.jsonl', '--stroe', store);
    expect(typo.status).toBe(2);
    expect(JSON.parse(typo.stderr.trim()).code).toBe('INVALID_INPUT');
  });

  it('every subcommand exits with status 2 (usage) on an unknown flag and names it on stderr', () => {
    for (const command of ['ingest', 'verify', 'backtest', 'serve-rewards', 'eval']) {
      const run = cli(command, '--no-such-flag');
      expect(run.status, `${command}: ${run.stderr}`).toBe(2);
      expect(run.stderr, command).toContain('--no-such-flag');
      expect(run.stdout, command).toBe('');
    }
  });

  it('ingest: adds JSON-lines documents, progress as JSON lines when not on a TTY', () => {
    const file = join(work, 'docs.jsonl');
    writeFileSync(file, `${documents.map((document) => JSON.stringify(document)).join('\n')}\n`);
    const run = cli('ingest', file, '--store', store);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ documents: 2, insertedDocuments: 2 });
    const events = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(events[0]?.type).toBe('planned');
    expect(events.some((event) => event.type === 'written')).toBe(true);
  });

  it('verify: the report as JSON, and the verification page as HTML', () => {
    const reasoning = join(work, 'reasoning.md');
    writeFileSync(
      reasoning,
      'Microsoft Cloud revenue was $42.4 billion, up 20 percent. Revenue rose 9% to $70.1 billion. [[BUY]]',
    );
    const args = [
      'verify',
      reasoning,
      '--store',
      store,
      '--ticker',
      'MSFT',
      '--as-of',
      '2025-05-02',
      '--decision',
      'BUY',
    ];
    const json = cli(...args);
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.counts).toMatchObject({ supported: 1, contradicted: 1 });
    const page = join(work, 'page.html');
    const html = cli(...args, '--format', 'html', '--out', page);
    expect(html.status, html.stderr).toBe(0);
    const text = readFileSync(page, 'utf8');
    expect(text).toContain('$42.4 billion matched in MSFT-008 · 2025-04-30');
    expect(text).toContain('<mark class="mark-contradicted"');
    const bad = cli(...args.slice(0, -1), 'MAYBE');
    expect(bad.status).toBe(1);
    expect(JSON.parse(bad.stderr.trim()).code).toBe('INVALID_DECISION');
  });

  it('backtest: metrics as JSON and the HTML report, on the real MSFT closes', () => {
    const log = join(work, 'decisions.csv');
    writeFileSync(log, 'date,ticker,decision\n2024-01-02,MSFT,BUY\n2024-03-01,MSFT,SELL\n2024-05-01,MSFT,STRONG_BUY\n');
    const report = join(work, 'backtest.html');
    const run = cli('backtest', log, '--prices', prices, '--report', report);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(Number.isFinite(result.strategy.totalReturn ?? result.strategy.sharpeRatio)).toBe(true);
    expect(result.benchmark.name).toBe('MSFT');
    expect(readFileSync(report, 'utf8').startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('serve-rewards: the reward server answers over HTTP', async () => {
    const reward = join(work, 'reward.mjs');
    writeFileSync(reward, 'export default (sample) => (sample.response.includes("[[BUY]]") ? 1 : 0);\n');
    const child = spawn(process.execPath, [bin, 'serve-rewards', '--reward', reward, '--port', '0'], { cwd: work });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
          if (match) resolve(match[0]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      // OpenRLHF's remote reward client shape (spec/trainers.md): query = prompt + response.
      const response = await fetch(`${url}/get_reward`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: ['Q: MSFT? A: up. [[BUY]]', 'Q: MSFT? A: down.'],
          prompts: ['Q: MSFT?', 'Q: MSFT?'],
          labels: [null, null],
        }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { rewards: number[] }).rewards).toEqual([1, 0]);
      // SIGTERM reaches the server through both launchers: the command exits and the port closes.
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/health`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('eval: delegates to the verifier evaluation (its own usage errors come back)', () => {
    const run = cli('eval', '--no-such-option');
    expect(run.status).toBe(2);
    expect(`${run.stdout}${run.stderr}`).toContain('unknown flag "--no-such-option"');
    expect(`${run.stdout}${run.stderr}`).toContain('--splits=a,b');
    expect(existsSync(fileURLToPath(new URL('../../verifier/eval/run.ts', import.meta.url)))).toBe(true);
  });
});
