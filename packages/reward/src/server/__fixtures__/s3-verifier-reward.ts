// The reward module each server process of the object-storage cluster test imports: it opens its own embedder and
// its own handle on the evidence store at $TRADE_R1_TEST_STORE (an s3:// URI) with the LanceDB storage options in
// $TRADE_R1_TEST_STORAGE_OPTIONS (JSON) — once per worker thread with --workers — and adds the serving process and
// thread ids to each sample's details.
import { threadId } from 'node:worker_threads';
import { createDefaultEmbedder, openEvidenceStore } from '@trade-r1/verifier';
import { defineReward } from '../../index.ts';
import { verifierDsrReward } from './verifier-dsr.ts';

const uri = process.env.TRADE_R1_TEST_STORE;
if (!uri) throw new Error('set TRADE_R1_TEST_STORE to the evidence store URI');
const storageOptions = JSON.parse(process.env.TRADE_R1_TEST_STORAGE_OPTIONS ?? '{}') as Record<string, string>;

const embedder = await createDefaultEmbedder();
const store = await openEvidenceStore({ uri, embedder, storageOptions });
const reward = verifierDsrReward(store, embedder);

export default defineReward({
  name: 'verifier_dsr',
  input: reward.input,
  compute: async (sample, { signal }) => {
    const result = await reward.evaluate(sample, { signal });
    return { value: result.value, details: { ...result.details, pid: process.pid, thread: threadId } };
  },
});
