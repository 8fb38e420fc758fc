import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createRewardServer, type RewardServer, type RewardServerOptions } from '../src/index.ts';
import { deferred, postJson } from './http.ts';
import { openRaw, postHead, waitFor } from './raw-socket.ts';

const servers: RewardServer[] = [];
async function start(options: Partial<RewardServerOptions> = {}): Promise<{ server: RewardServer; url: string }> {
  const server = createRewardServer({ rewardFn: (sample) => sample.response.length, ...options });
  servers.push(server);
  return { server, url: await server.listen({ port: 0, host: '127.0.0.1' }) };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const gauge = (server: RewardServer, name: string) =>
  Number(new RegExp(`^trade_r1_reward_${name} (\\d+)$`, 'm').exec(server.metrics())?.[1]);

describe('slow and misbehaving clients', () => {
  it('cuts off a client that never finishes its headers (headersTimeoutMs)', async () => {
    const { url } = await start({ headersTimeoutMs: 200 });
    const raw = await openRaw(url, 'POST /slime HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl');
    expect(await raw.closed).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a body that trickles in past requestTimeoutMs with 408 and closes the connection', async () => {
    const { url, server } = await start({ requestTimeoutMs: 300 });
    const raw = await openRaw(url, `${postHead('/slime', 1000)}{"prompt":"p",`);
    const answer = await raw.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toMatch(/Connection: close/i);
    expect(gauge(server, 'in_flight')).toBe(0);
  });

  it('answers an early error without reading the body, and closes the connection', async () => {
    const { url } = await start({ token: 'secret' });
    // 1 MB announced, nothing sent: the 401 comes at once (the server does not wait to drain the body).
    const unauthorized = await openRaw(url, postHead('/slime', 1_000_000));
    const answer = await unauthorized.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).toMatch(/Connection: close/i);
    const notFound = await openRaw(url, postHead('/nope', 1_000_000, { Authorization: 'Bearer secret' }));
    expect(await notFound.closed).toMatch(/^HTTP\/1\.1 404/);
  });

  it('keeps connections alive for 30 s by default (longer than aiohttp’s 15 s pool) and reuses them', async () => {
    const { url } = await start();
    // slime's client: one shared aiohttp session with a pool of 64 keep-alive connections.
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const ports = new Set<number>();
    let keepAlive: string | undefined;
    try {
      for (let round = 0; round < 4; round += 1) {
        await Promise.all(
          Array.from(
            { length: 64 },
            (_, index) =>
              new Promise<void>((resolve, reject) => {
                const body = JSON.stringify({ prompt: 'p', response: 'x'.repeat(index) });
                const call = request(
                  `${url}/slime`,
                  { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
                  (response) => {
                    keepAlive = String(response.headers['keep-alive']);
                    ports.add(response.socket.localPort as number);
                    let text = '';
                    response.on('data', (chunk: Buffer) => {
                      text += chunk.toString();
                    });
                    response.on('end', () => {
                      try {
                        expect(JSON.parse(text)).toMatchObject({ score: index });
                        resolve();
                      } catch (error) {
                        reject(error);
                      }
                    });
                  },
                );
                call.on('error', reject);
                call.end(body);
              }),
          ),
        );
      }
    } finally {
      agent.destroy();
    }
    expect(keepAlive).toBe('timeout=30');
    // 256 requests over at most 64 pooled connections.
    expect(ports.size).toBeLessThanOrEqual(64);
  });

  it('caps open connections and counts the ones it drops', async () => {
    const { url, server } = await start({ maxConnections: 2 });
    const first = await openRaw(url);
    const second = await openRaw(url);
    await waitFor(() => gauge(server, 'connections') === 2);
    const third = await openRaw(url);
    await third.closed;
    expect(server.metrics()).toContain('trade_r1_reward_rejected_total{reason="connections"} 1');
    first.socket.destroy();
    second.socket.destroy();
    await waitFor(() => gauge(server, 'connections') === 0);
    expect((await postJson(url, '/slime', { prompt: 'p', response: 'abc' })).json()).toMatchObject({ score: 3 });
  });

  it('does not let six slow uploaders hold graceful shutdown', async () => {
    const hold = deferred();
    const { url, server } = await start({
      // If shutdown waited for the uploaders it would take a minute; the test's own limit is 10 s.
      shutdownTimeoutMs: 60_000,
      requestTimeoutMs: 120_000,
      rewardFn: async () => {
        await hold.promise;
        return 1;
      },
    });
    const scoring = postJson(url, '/slime', { prompt: 'p', response: 'r' });
    await waitFor(() => gauge(server, 'active_samples') === 1);
    const uploaders = await Promise.all(
      Array.from({ length: 6 }, () => openRaw(url, `${postHead('/slime', 10_000)}{"prompt":"`)),
    );
    await waitFor(() => gauge(server, 'in_flight') === 7);
    const closing = server.close();
    const answers = await Promise.all(uploaders.map((uploader) => uploader.closed));
    for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 503[\s\S]*"code":"CLOSED"/);
    // The request being scored still finishes normally.
    hold.resolve();
    expect((await scoring).json()).toMatchObject({ score: 1 });
    await closing;
  }, 10_000);
});
