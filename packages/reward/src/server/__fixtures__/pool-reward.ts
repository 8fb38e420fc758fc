// A reward module for the worker-pool tests, imported once per worker thread. The label says what to do:
// `spinMs` busy-waits (synchronous CPU work no signal can interrupt), `forever` spins until the thread is
// terminated, `waitMs` waits asynchronously and honours the abort signal, `untilFile` waits (asynchronously,
// honouring the signal) until that file exists, `crash` ends the thread, `stray` leaves an unhandled rejection behind. Details report the thread and how many samples this thread has started.
import { existsSync } from 'node:fs';
import { threadId, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { defineReward, dsrReward, rewardSampleSchema } from '../../index.ts';

const data = (workerData ?? {}) as { bonus?: number };
let started = 0;

export default defineReward({
  name: 'pool_dsr',
  input: rewardSampleSchema.extend({
    label: z
      .object({
        r: z.number(),
        s: z.number(),
        spinMs: z.number().optional(),
        forever: z.boolean().optional(),
        waitMs: z.number().optional(),
        untilFile: z.string().optional(),
        crash: z.boolean().optional(),
        stray: z.boolean().optional(),
        fail: z.boolean().optional(),
      })
      .strict(),
  }),
  compute: async ({ label }, { signal }) => {
    started += 1;
    if (label.crash) process.exit(3);
    if (label.stray) void Promise.reject(new Error('nobody awaits this'));
    if (label.fail) throw new Error('reward code failed');
    if (label.forever) for (;;) {}
    if (label.spinMs !== undefined) {
      const until = performance.now() + label.spinMs;
      while (performance.now() < until) {}
    }
    if (label.waitMs !== undefined) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, label.waitMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
    }
    if (label.untilFile !== undefined) {
      const path = label.untilFile;
      await new Promise<void>((resolve, reject) => {
        const poll = setInterval(() => {
          if (!existsSync(path)) return;
          clearInterval(poll);
          resolve();
        }, 10);
        signal.addEventListener('abort', () => {
          clearInterval(poll);
          reject(signal.reason);
        });
      });
    }
    return {
      value: dsrReward({ r: label.r, s: label.s }) + (data.bonus ?? 0),
      details: { thread: threadId, started },
    };
  },
});

export const plain = (sample: { response: string }) => sample.response.length;
export const notAReward = 42;
