// Two reward-server processes behind one address (startRewardCluster) sharing one evidence store on object storage:
// a real S3-compatible server (moto) on 127.0.0.1, started by this test; each process scores in a worker thread
// (`--workers 1`) that opens its own handle on the s3:// store, serving a verifier-based DSR reward to trainer-shaped
// clients. Required under CI=true (.ci/run
// installs moto).
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createDefaultEmbedder, type DefaultEmbedder, type EvidenceStore, openEvidenceStore } from '@trade-r1/verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchCorpus, benchReasoning } from '../../../verifier/bench/verify-corpus.ts';
import { findS3Server, type S3TestServer, startS3Server } from '../../../verifier/src/store/__fixtures__/s3-server.ts';
import { openrlhfCollateInfo, openrlhfScoreSample } from '../../test/trainer-clients.ts';
import { verifierDsrReward } from './__fixtures__/verifier-dsr.ts';
import { type RewardCluster, startRewardCluster } from './cluster.ts';

const MODULE = fileURLToPath(new URL('./__fixtures__/s3-verifier-reward.ts', import.meta.url));
const STORE = 's3://evidence/stores/cluster';

const server = findS3Server();
const inCi = process.env.CI === 'true';
if (!server && !inCi) console.warn('moto_server not found: skipping the S3 reward-cluster test (required in CI)');

interface Sample {
  prompt: string;
  response: string;
  label: {
    ticker: string;
    asOf: string;
    decision: string;
    entryPrice: number;
    exitPrice: number;
    benchmarkReturn: number;
  };
}

/** 4 tickers × 20 documents of the verifier benchmarks' corpus, and 8-claim reasonings about them (20% altered). */
function corpus() {
  const { rng, tickers, documents, byTicker } = benchCorpus(2024);
  const used = tickers.slice(0, 4);
  const samples: Sample[] = [];
  for (let round = 0; round < 6; round += 1) {
    used.forEach((ticker, index) => {
      const item = benchReasoning(rng, byTicker, ticker, '2024-12-31', index + round);
      const entryPrice = 100 + index;
      samples.push({
        prompt: `Analyse ${ticker} as of ${item.asOf}.\n`,
        response: item.reasoning,
        label: {
          ticker,
          asOf: item.asOf,
          decision: item.decision,
          entryPrice,
          exitPrice: entryPrice * (1 + (((round * 3 + index) % 9) - 4) / 100),
          benchmarkReturn: 0.004,
        },
      });
    });
  }
  return { documents: documents.filter((document) => used.includes(document.tickers?.[0] ?? '')), samples };
}

/** slime's remote_rm: one shared keep-alive session, `{ prompt, response, label }` per sample, JSON `score` back. */
function slimePost(
  url: string,
  sample: Sample,
  agent: Agent,
): Promise<{ status: number; json: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(sample);
    const req = request(
      new URL('/slime', url),
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Run `total` calls with at most `concurrency` in flight. */
async function inParallel<T>(total: number, concurrency: number, call: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const index = next++;
        results[index] = await call(index);
      }
    }),
  );
  return results;
}

describe.skipIf(!server && !inCi)('two reward-server processes sharing one evidence store on S3 (moto)', () => {
  const { documents, samples } = corpus();
  let s3: S3TestServer | undefined;
  let embedder: DefaultEmbedder | undefined;
  let store: EvidenceStore | undefined;
  let serving: RewardCluster | undefined;
  /** The reference: the same reward with one in-process verifier on the same store. */
  let expected: Array<{ value: number; r: number; s: number }> = [];

  beforeAll(async () => {
    if (!server) throw new Error('moto_server is not installed but CI=true requires it (.ci/run installs it)');
    s3 = await startS3Server(server);
    await s3.createBucket('evidence');
    embedder = await createDefaultEmbedder();
    store = await openEvidenceStore({ uri: STORE, embedder, storageOptions: s3.storageOptions });
    expect(await store.add(documents)).toMatchObject({ documents: documents.length });
    const reward = verifierDsrReward(store, embedder);
    expected = [];
    for (const sample of samples) {
      const result = await reward.evaluate(sample);
      expect(result).toMatchObject({ status: 'ok', flagged: false });
      expected.push({ value: result.value as number, r: result.details.r as number, s: result.details.s as number });
    }
    serving = await startRewardCluster({
      processes: 2,
      args: ['--reward', MODULE, '--workers', '1', '--extra-log-keys', 'pid,thread,r,s'],
      env: { TRADE_R1_TEST_STORE: STORE, TRADE_R1_TEST_STORAGE_OPTIONS: JSON.stringify(s3.storageOptions) },
      stderr: () => {},
      shutdownTimeoutMs: 10_000,
    });
  }, 180_000);

  afterAll(async () => {
    await serving?.close();
    await store?.close();
    await embedder?.close();
    await s3?.close();
  }, 60_000);

  it('the reference scores are not degenerate: the verifier separates faithful from altered reasonings', () => {
    expect(expected).toHaveLength(samples.length);
    const supports = new Set(expected.map((reference) => reference.s));
    expect(supports.size).toBeGreaterThan(3);
    expect(Math.max(...expected.map((reference) => reference.s))).toBeGreaterThan(0.5);
  });

  it('serves an OpenRLHF-shaped client on one URL from both processes, with the in-process rewards', async () => {
    expect(serving?.pids()).toHaveLength(2);
    const endpoint = `${serving?.url}/get_reward`;
    const outputs = await inParallel(samples.length, 8, (index) => {
      const sample = samples[index] as Sample;
      return openrlhfScoreSample([endpoint], sample.prompt + sample.response, sample.prompt, sample.label);
    });
    const info = openrlhfCollateInfo(outputs);
    expect(outputs.map((output) => (output.reward as number[])[0])).toEqual(expected.map((item) => item.value));
    expect(info.r).toEqual(expected.map((item) => item.r));
    expect(info.s).toEqual(expected.map((item) => item.s));
    expect(info.flagged).toEqual(samples.map(() => 0));
    // Both processes served (each reports its pid in the sample's details), and only they did, each scoring in its
    // worker thread (threadId > 0), which opened its own handle on the store.
    expect([...new Set(info.pid)].sort()).toEqual([...(serving?.pids() ?? [])].sort());
    for (const thread of info.thread ?? []) expect(thread).toBeGreaterThan(0);
  }, 120_000);

  it('serves a slime-shaped pooled keep-alive client from both processes, with the in-process rewards', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    try {
      const answers = await inParallel(samples.length, 16, (index) =>
        slimePost(serving?.url as string, samples[index] as Sample, agent),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.json.thread).toBeGreaterThan(0);
      }
      expect(answers.map((answer) => answer.json.score)).toEqual(expected.map((item) => item.value));
      expect([...new Set(answers.map((answer) => answer.json.pid))].sort()).toEqual(
        [...(serving?.pids() ?? [])].sort(),
      );
    } finally {
      agent.destroy();
    }
  }, 120_000);
});
