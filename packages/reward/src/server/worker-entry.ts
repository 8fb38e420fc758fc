/**
 * Worker-thread side of {@link createRewardWorkerPool}: imports the reward module (its top-level code — opening an
 * evidence store, building a verifier — runs once in this thread), then evaluates samples on request. Not a public
 * module; the pool starts it.
 */
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { errorMessage, TradeR1Error, toTradeR1Error } from '@trade-r1/core';
import { createReward, normalizeOutput, type Reward } from '../define-reward.ts';
import { type RewardSample, rewardSampleSchema } from './schemas.ts';
import type { WorkerError, WorkerReply, WorkerRequest } from './worker-protocol.ts';

const began = performance.now();
const port = parentPort;
if (!port) throw new Error('worker-entry must run in a worker thread');

const serialise = (error: unknown): WorkerError => {
  const typed = toTradeR1Error(error, 'INTERNAL');
  return { code: typed.code, message: typed.message, details: typed.details, issues: typed.issues };
};
const send = (reply: WorkerReply) => port.postMessage(reply);

// A stray rejection in reward code (a promise nobody awaited) must not end the thread and the samples it holds.
process.on('unhandledRejection', (reason) => send({ type: 'stray', message: errorMessage(reason) }));

async function load(module: string, exportName: string): Promise<Reward<unknown>> {
  const url = /^[a-z]+:/i.test(module) && !/^[a-z]:[\\/]/i.test(module) ? module : pathToFileURL(module).href;
  const loaded = (await import(url)) as Record<string, unknown>;
  const exported = loaded[exportName];
  if (exported && typeof (exported as Reward).evaluate === 'function') return exported as Reward<unknown>;
  if (typeof exported === 'function') {
    const fn = exported as (sample: RewardSample, context: { signal: AbortSignal }) => unknown;
    const name = fn.name || 'reward';
    return createReward<RewardSample>({
      name,
      input: rewardSampleSchema,
      run: async (sample, context) =>
        normalizeOutput(name, (await fn(sample, { signal: context.signal })) as Parameters<typeof normalizeOutput>[1]),
    }) as Reward<unknown>;
  }
  throw new TradeR1Error(
    'INVALID_CONFIG',
    `${module} has no export "${exportName}" that is a reward (defineReward/composeRewards) or a function`,
    { details: { module, export: exportName } },
  );
}

let reward: Reward<unknown> | undefined;
const running = new Map<number, AbortController>();

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'init') {
    load(message.module, message.exportName).then(
      (loaded) => {
        reward = loaded;
        send({ type: 'ready', rewardName: loaded.name, ms: Math.round(performance.now() - began) });
      },
      (error: unknown) => send({ type: 'failed', error: serialise(error) }),
    );
    return;
  }
  if (message.type === 'abort') {
    running.get(message.id)?.abort(new TradeR1Error('ABORTED', 'the pool cancelled this sample'));
    return;
  }
  const { id } = message;
  const controller = new AbortController();
  running.set(id, controller);
  Promise.resolve()
    .then(() =>
      (reward as Reward<unknown>).evaluate(message.sample, {
        signal: controller.signal,
        ...(message.timeoutMs !== undefined && { timeoutMs: message.timeoutMs }),
        ...(message.fallback !== undefined && { fallback: message.fallback }),
      }),
    )
    .then(
      (result) => send({ type: 'result', id, result }),
      (error: unknown) => send({ type: 'error', id, error: serialise(error) }),
    )
    .finally(() => running.delete(id));
});
