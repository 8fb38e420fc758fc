// A reward module for the cluster tests: the DSR of the label's { r, s }, with the serving process and thread.
import { threadId } from 'node:worker_threads';
import { z } from 'zod';
import { defineReward, dsrReward, rewardSampleSchema } from '../../index.ts';

export default defineReward({
  name: 'dsr',
  input: rewardSampleSchema.extend({ label: z.object({ r: z.number(), s: z.number() }) }),
  compute: ({ label }) => ({ value: dsrReward(label), details: { pid: process.pid, thread: threadId } }),
});
