import { describe, expect, it } from 'vitest';
import { MUST_BE_ABSENT, offlineInstall } from './offline-install.mjs';

// Real npm, real tarballs, a fresh project outside the monorepo: the installs run with `npm --offline`, so any
// package missing from the cache or any install script reaching for the network fails it (see offline-install.mjs
// for the three installs and what each one shows).
describe('published tarballs install offline with plain npm', () => {
  it('installs @trade-r1/core + @trade-r1/verifier offline and verifies in the consumer project', async ({
    annotate,
  }) => {
    const report = offlineInstall();
    await annotate(`offline install: ${JSON.stringify(report)}`);
    expect(MUST_BE_ABSENT.length).toBe(3);
    for (const consumer of [report.consumer, report.lean.consumer]) {
      expect(consumer.verdicts).toEqual(['supported', 'contradicted']);
      expect(consumer.faithful).toBeGreaterThan(0.8);
      expect(consumer.wrong).toBe(0);
    }
    // The lean recipe keeps the optional peers out whatever the network allows; what it weighs is LanceDB's native
    // binary (186 MB) and little else: a guard against pulling in more, not the 120 MB goal (not met).
    expect(report.lean.present).toEqual([]);
    expect(report.lean.nodeModulesMegabytes).toBeLessThan(240);
    // LanceDB's optional @huggingface/transformers brings the whole tree when onnxruntime-node's install script
    // succeeds (as it does online): the documented reason for the lean recipe. When this changes, update the docs.
    expect(report.withOptionalTree.present).toEqual(expect.arrayContaining(['@huggingface/transformers']));
    expect(report.withOptionalTree.nodeModulesMegabytes).toBeGreaterThan(report.lean.nodeModulesMegabytes);
  }, 600_000);
});
