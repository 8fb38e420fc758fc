import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, RewardServerMetrics } from './metrics.ts';

/** The `le` → count pairs of one series of the latency histogram, in the order rendered. */
function buckets(text: string, route: string): [string, number][] {
  const pattern = new RegExp(
    `^trade_r1_reward_request_duration_seconds_bucket\\{route="${route}",le="([^"]+)"\\} (\\d+)$`,
  );
  return text
    .split('\n')
    .map((line) => pattern.exec(line))
    .filter((match) => match !== null)
    .map((match) => [match[1] as string, Number(match[2])]);
}

describe('RewardServerMetrics latency histogram', () => {
  it('renders cumulative Prometheus buckets: le=b counts every observation <= b, +Inf counts all', () => {
    const value = fc.oneof(
      fc.constantFrom(...LATENCY_BUCKETS, 0, 61, Number.POSITIVE_INFINITY),
      fc.double({ min: 0, max: 100, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), fc.array(value, { maxLength: 10 }), (slime, health) => {
        const metrics = new RewardServerMetrics();
        for (const seconds of slime) metrics.duration.observe({ route: '/slime' }, seconds);
        for (const seconds of health) metrics.duration.observe({ route: '/health' }, seconds);
        const text = metrics.render();
        for (const [route, values] of [
          ['/slime', slime],
          ['/health', health],
        ] as const) {
          if (values.length === 0) {
            expect(buckets(text, route)).toEqual([]);
            continue;
          }
          const expected: [string, number][] = LATENCY_BUCKETS.map((bound) => [
            String(bound),
            values.filter((seconds) => seconds <= bound).length,
          ]);
          expected.push(['+Inf', values.length]);
          expect(buckets(text, route)).toEqual(expected);
          expect(text).toContain(`trade_r1_reward_request_duration_seconds_count{route="${route}"} ${values.length}`);
        }
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('escapes label values that need it and leaves the others as they are', () => {
    const metrics = new RewardServerMetrics();
    metrics.errors.inc({ code: 'a"b\\c\nd' });
    metrics.errors.inc({ code: 'PLAIN' });
    const text = metrics.render();
    expect(text).toContain('trade_r1_reward_errors_total{code="a\\"b\\\\c\\nd"} 1');
    expect(text).toContain('trade_r1_reward_errors_total{code="PLAIN"} 1');
  });
});
