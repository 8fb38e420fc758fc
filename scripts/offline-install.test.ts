import { describe, expect, it } from 'vitest';
import { MUST_BE_ABSENT, offlineInstall } from './offline-install.mjs';

// Real npm, real tarballs, a fresh project outside the monorepo: the second install runs with `npm --offline`, so
// any package missing from the cache or any install script reaching for the network fails it.
describe('published tarballs install offline with plain npm', () => {
  it('installs @trade-r1/core + @trade-r1/verifier offline and verifies in the consumer project', () => {
    const report = offlineInstall();
    console.log(`offline install: ${JSON.stringify(report)}`);
    expect(report.present).toEqual([]);
    expect(MUST_BE_ABSENT.length).toBe(3);
    expect(report.consumer.verdicts).toEqual(['supported', 'contradicted']);
    expect(report.consumer.faithful).toBeGreaterThan(0.8);
    expect(report.consumer.wrong).toBe(0);
    // What it weighs (LanceDB's native binary is most of it): a guard against pulling in more, not the 120 MB goal.
    expect(report.nodeModulesMegabytes).toBeLessThan(260);
  }, 600_000);
});
