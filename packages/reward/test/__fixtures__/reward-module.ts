// A reward module for the CLI test: the DSR of the label's { r, s }, and a group reward ranking by length.
import { z } from 'zod';
import { defineReward, dsrReward, rewardSampleSchema } from '../../src/index.ts';

export default defineReward({
  name: 'dsr',
  input: rewardSampleSchema.extend({ label: z.object({ r: z.number(), s: z.number() }) }),
  compute: ({ label }) => dsrReward(label),
});

export const groupReward = (samples: { response: string }[]) => samples.map((sample) => sample.response.length);
