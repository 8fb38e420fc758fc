import { describe, expect, it } from 'vitest';
import { createTokenBucket } from './rate-limiter.ts';

function fakeTime() {
  const state = { now: 0, waits: [] as number[] };
  return {
    state,
    now: () => state.now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw new Error('aborted');
      state.waits.push(ms);
      state.now += ms;
    },
  };
}

describe('createTokenBucket', () => {
  it('allows a burst of `capacity`, then paces at `refillPerSecond`', async () => {
    const time = fakeTime();
    const bucket = createTokenBucket({ capacity: 3, refillPerSecond: 2, now: time.now, sleep: time.sleep });
    for (let index = 0; index < 3; index += 1) await bucket.acquire();
    expect(time.state.waits).toEqual([]);
    await bucket.acquire();
    await bucket.acquire();
    expect(time.state.waits).toEqual([500, 500]);
    expect(time.state.now).toBe(1000);
  });

  it('refills while idle, up to capacity', async () => {
    const time = fakeTime();
    const bucket = createTokenBucket({ capacity: 2, refillPerSecond: 1, now: time.now, sleep: time.sleep });
    await bucket.acquire();
    await bucket.acquire();
    expect(bucket.available()).toBe(0);
    time.state.now += 10_000;
    expect(bucket.available()).toBe(2);
    await bucket.acquire();
    await bucket.acquire();
    expect(time.state.waits).toEqual([]);
  });

  it('serves concurrent waiters in order and stays within the rate', async () => {
    const time = fakeTime();
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 4, now: time.now, sleep: time.sleep });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((index) => bucket.acquire().then(() => order.push(index))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(time.state.now).toBe(750);
  });

  it('rejects a waiter whose signal fired, and lets the next one through', async () => {
    const time = fakeTime();
    const bucket = createTokenBucket({ capacity: 1, refillPerSecond: 1, now: time.now, sleep: time.sleep });
    await bucket.acquire();
    const controller = new AbortController();
    controller.abort();
    await expect(bucket.acquire(controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(bucket.acquire()).resolves.toBeUndefined();
  });

  it('validates its settings', () => {
    expect(() => createTokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(/capacity/);
    expect(() => createTokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow(/refillPerSecond/);
  });
});
