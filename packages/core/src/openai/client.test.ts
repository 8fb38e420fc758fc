import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TradeR1Error } from '../errors.ts';
import { createOpenAIClient } from './client.ts';
import type { OpenAIStreamEvent } from './schemas.ts';

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

type Handler = (request: IncomingMessage, response: ServerResponse, body: Record<string, unknown>) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const requests: Array<{
  path: string;
  at: number;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}> = [];

function reply(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

function replySse(response: ServerResponse, body: string): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.end(body);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      requests.push({ path: request.url ?? '', at: performance.now(), body, headers: request.headers });
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
  handler = (_request, response) => reply(response, 500, '{"error":"no handler"}');
});

async function collect(events: AsyncIterable<OpenAIStreamEvent>): Promise<OpenAIStreamEvent[]> {
  const out: OpenAIStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<TradeR1Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TradeR1Error);
    return error as TradeR1Error;
  }
  throw new Error('expected a rejection');
}

describe('createOpenAIClient: recorded response shapes', () => {
  it('reads vLLM /completions with n = 2, log-probs, token ids and prompt token ids (choices sorted by index)', async () => {
    handler = (_request, response) => reply(response, 200, fixture('vllm-completions-token-ids.json'));
    const client = createOpenAIClient({ baseUrl, apiKey: 'secret', headers: { 'x-team': 'r1' } });
    const result = await client.complete('completions', { model: 'm', prompt: 'x', n: 2, return_token_ids: true });
    expect(requests[0]).toMatchObject({ path: '/v1/completions', body: { n: 2, return_token_ids: true } });
    expect(requests[0]?.headers).toMatchObject({ authorization: 'Bearer secret', 'x-team': 'r1' });
    expect(result.url).toBe(`${baseUrl.replace(/\/$/, '')}/completions`);
    expect(result.attempts).toBe(1);
    expect(result.choices.map((choice) => choice.text)).toEqual([' Buy, on', ' Hold.']);
    expect(result.choices[0]).toMatchObject({
      index: 0,
      finishReason: 'length',
      tokenIds: [11470, 11, 389],
      logprobs: [-0.5108, -1.204, -2.3],
      reasoning: null,
    });
    // The EOS token is in token_ids and has a log-prob entry; the text leaves it out.
    expect(result.choices[1]).toMatchObject({ tokenIds: [22749, 13, 151643], logprobs: [-0.9162, -0.0031, -0.0005] });
    expect(result.promptTokenIds).toEqual([785, 5480, 315, 24311, 25]);
    expect(result.usage).toEqual({ promptTokens: 5, completionTokens: 6, totalTokens: 11 });
  });

  it('reads vLLM nulls, token_id:N log-prob tokens, chat reasoning_content, OpenAI and Ollama replies', async () => {
    const client = createOpenAIClient({ baseUrl });
    handler = (_request, response) => reply(response, 200, fixture('vllm-completions-plain.json'));
    const plain = await client.complete('completions', { model: 'm', prompt: 'x' });
    expect(plain.choices[0]).toMatchObject({ tokenIds: null, logprobs: null, finishReason: 'length' });
    expect(plain.promptTokenIds).toBeNull();

    handler = (_request, response) => reply(response, 200, fixture('vllm-completions-token-strings.json'));
    const strings = await client.complete('completions', { model: 'm', prompt: 'x' });
    expect(strings.choices[0]?.tokenIds).toEqual([42405, 151643]);

    handler = (_request, response) => reply(response, 200, fixture('vllm-chat-reasoning.json'));
    const chat = await client.complete('chat', { model: 'm', messages: [] });
    expect(requests.at(-1)?.path).toBe('/v1/chat/completions');
    expect(chat.choices[0]).toMatchObject({
      text: '\n\nFinal Decision: [[[BUY]]]',
      reasoning: 'Revenue grew 12% year over year.',
      tokenIds: [19357, 40425, 151645],
      logprobs: [-0.11, -0.02],
    });
    expect(chat.promptTokenIds).toHaveLength(9);

    handler = (_request, response) => reply(response, 200, fixture('openai-chat-logprobs.json'));
    const openai = await client.complete('chat', { model: 'm', messages: [] });
    expect(openai.choices[0]).toMatchObject({ text: 'HOLD', tokenIds: null, logprobs: [-0.0009] });
    expect(openai.usage.totalTokens).toBe(22);

    handler = (_request, response) => reply(response, 200, fixture('ollama-chat.json'));
    const ollama = await client.complete('chat', { model: 'm', messages: [] });
    expect(ollama.choices[0]).toMatchObject({
      text: 'Decision: SELL',
      reasoning: 'The guidance was cut.',
      logprobs: null,
    });
  });

  it('streams OpenAI /completions chunks with log-probs and a usage chunk', async () => {
    handler = (_request, response) => replySse(response, fixture('openai-completions-stream.sse'));
    const events = await collect(createOpenAIClient({ baseUrl }).stream('completions', { model: 'm', stream: true }));
    expect(requests[0]?.headers.accept).toBe('text/event-stream');
    const deltas = events.filter((event) => event.type === 'delta');
    expect(deltas.map((event) => event.text).join('')).toBe('\n\nI am');
    expect(deltas.flatMap((event) => event.logprobs ?? [])).toEqual([-0.16865084, -0.50947005, -1.1034]);
    expect(deltas.at(-1)?.finishReason).toBe('length');
    expect(events.at(-1)).toEqual({ type: 'usage', promptTokens: 10, completionTokens: 3, totalTokens: 13 });
  });

  it('streams vLLM chat chunks with prompt token ids first and token ids per delta', async () => {
    handler = (_request, response) => replySse(response, fixture('vllm-chat-stream-token-ids.sse'));
    const events = await collect(createOpenAIClient({ baseUrl }).stream('chat', { model: 'm', stream: true }));
    expect(events[0]).toEqual({ type: 'prompt', tokenIds: [151644, 872, 198, 35, 151645] });
    const deltas = events.filter((event) => event.type === 'delta');
    expect(deltas.map((event) => event.text).join('')).toBe('Decision: HOLD');
    expect(deltas.flatMap((event) => event.tokenIds ?? [])).toEqual([74846, 25, 65419, 151645]);
    expect(deltas.flatMap((event) => event.logprobs ?? [])).toEqual([-0.3, -0.01, -0.7]);
    expect(deltas.at(-1)?.finishReason).toBe('stop');
  });

  it('fails typed on malformed replies and on an error sent inside a stream', async () => {
    const client = createOpenAIClient({ baseUrl, maxRetries: 0 });
    handler = (_request, response) => reply(response, 200, '<html>proxy</html>');
    expect((await rejection(client.complete('chat', {}))).code).toBe('BAD_RESPONSE');
    handler = (_request, response) => reply(response, 200, '{"choices":[{"text":3}]}');
    expect((await rejection(client.complete('completions', {}))).code).toBe('BAD_RESPONSE');
    handler = (_request, response) => replySse(response, fixture('vllm-stream-error.sse'));
    const streamed = await rejection(collect(client.stream('completions', { stream: true })));
    expect(streamed.code).toBe('HTTP_ERROR');
    expect(streamed.message).toMatch(/engine is dead/);
    handler = (_request, response) => replySse(response, 'data: {broken\n\n');
    expect((await rejection(collect(client.stream('completions', { stream: true })))).code).toBe('BAD_RESPONSE');
  });
});

describe('createOpenAIClient: retries and one deadline', () => {
  it('waits as long as Retry-After says (seconds, then retry-after-ms)', async () => {
    let calls = 0;
    handler = (_request, response) => {
      calls += 1;
      if (calls === 1) reply(response, 429, '{"error":"slow down"}', { 'retry-after': '1' });
      else if (calls === 2) reply(response, 503, '{"error":"busy"}', { 'retry-after-ms': '300', 'retry-after': '9' });
      else reply(response, 200, fixture('vllm-completions-plain.json'));
    };
    const client = createOpenAIClient({ baseUrl, retryDelayMs: 1 });
    const result = await client.complete('completions', {});
    expect(result.attempts).toBe(3);
    const [first, second, third] = requests.map((request) => request.at) as [number, number, number];
    // The old client retried after 105 ms against `Retry-After: 2`; these gaps are the server's, not the backoff's.
    expect(second - first).toBeGreaterThanOrEqual(990);
    expect(third - second).toBeGreaterThanOrEqual(290);
    expect(third - second).toBeLessThan(2000);
  });

  it('reads an HTTP-date Retry-After against the injected clock', async () => {
    let calls = 0;
    const now = Date.parse('2026-01-05T10:00:00Z');
    handler = (_request, response) => {
      calls += 1;
      if (calls === 1) reply(response, 429, '{}', { 'retry-after': 'Mon, 05 Jan 2026 10:00:00 GMT' });
      else reply(response, 200, fixture('vllm-completions-plain.json'));
    };
    const client = createOpenAIClient({ baseUrl, retryDelayMs: 5_000, now: () => now });
    // A date equal to "now" means retry at once, not the 5 s backoff.
    const started = performance.now();
    await client.complete('completions', {});
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('fails at once when Retry-After would pass the deadline or the longest accepted wait', async () => {
    handler = (_request, response) => reply(response, 429, '{"error":"quota"}', { 'retry-after': '30' });
    const started = performance.now();
    const error = await rejection(createOpenAIClient({ baseUrl, timeoutMs: 5_000 }).complete('chat', {}));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toMatchObject({ status: 429, attempts: 1, retryAfterMs: 30_000, waitMs: 30_000 });
    const capped = await rejection(
      createOpenAIClient({ baseUrl, timeoutMs: 60_000, maxRetryDelayMs: 10_000 }).complete('chat', {}),
    );
    expect(capped.details).toMatchObject({ retryAfterMs: 30_000 });
    expect(requests).toHaveLength(2);
  });

  it('bounds all attempts and waits by one deadline', async () => {
    handler = (_request, response) => reply(response, 503, '{"error":"busy"}');
    const started = performance.now();
    const error = await rejection(
      createOpenAIClient({ baseUrl, timeoutMs: 1_000, maxRetries: 10, retryDelayMs: 200 }).complete('chat', {}),
    );
    const elapsed = performance.now() - started;
    // 200 + 400 ms of backoff fit; the 800 ms one would pass the deadline, so the call ends with the last status.
    expect(elapsed).toBeLessThan(1_300);
    expect(error).toMatchObject({ code: 'HTTP_ERROR', details: { status: 503, attempts: 3 } });

    handler = () => {
      // never answers
    };
    const hung = performance.now();
    const timeout = await rejection(
      createOpenAIClient({ baseUrl, timeoutMs: 300, maxRetries: 5, retryDelayMs: 1 }).complete('chat', {}),
    );
    expect(performance.now() - hung).toBeLessThan(1_000);
    expect(timeout).toMatchObject({ code: 'TIMEOUT', details: { attempts: 1, timeoutMs: 300 } });
  });

  it('times a stalled stream out with TIMEOUT, and a caller abort with ABORTED', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'partial' }] })}\n\n`);
      // never ends
    };
    const client = createOpenAIClient({ baseUrl, timeoutMs: 300 });
    const seen: OpenAIStreamEvent[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of client.stream('completions', { stream: true })) seen.push(event);
      })(),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(seen).toHaveLength(1);

    const controller = new AbortController();
    const aborted = await rejection(
      (async () => {
        for await (const _event of createOpenAIClient({ baseUrl }).stream(
          'completions',
          { stream: true },
          { signal: controller.signal },
        )) {
          controller.abort();
        }
      })(),
    );
    expect(aborted.code).toBe('ABORTED');
    const before = await rejection(
      createOpenAIClient({ baseUrl }).complete('chat', {}, { signal: AbortSignal.abort() }),
    );
    expect(before.code).toBe('ABORTED');
  });

  it('maps a dropped stream to HTTP_ERROR and a per-call timeout override to TIMEOUT', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'a' }] })}\n\n`);
      setTimeout(() => response.socket?.destroy(), 20);
    };
    const dropped = await rejection(collect(createOpenAIClient({ baseUrl }).stream('completions', { stream: true })));
    expect(dropped.code).toBe('HTTP_ERROR');
    handler = () => {
      // never answers
    };
    const override = await rejection(createOpenAIClient({ baseUrl }).complete('chat', {}, { timeoutMs: 100 }));
    expect(override.code).toBe('TIMEOUT');
  });

  it('maps statuses, honours x-should-retry and retries network errors', async () => {
    const client = createOpenAIClient({ baseUrl, retryDelayMs: 1 });
    handler = (_request, response) => reply(response, 401, '{"error":"key"}');
    expect(await rejection(client.complete('chat', {}))).toMatchObject({
      code: 'UNAUTHORIZED',
      details: { attempts: 1 },
    });
    handler = (_request, response) => reply(response, 400, '{"error":"bad"}');
    expect(await rejection(client.complete('chat', {}))).toMatchObject({
      code: 'HTTP_ERROR',
      details: { status: 400 },
    });
    requests.length = 0;
    handler = (_request, response) => reply(response, 503, '{}', { 'x-should-retry': 'false' });
    await rejection(client.complete('chat', {}));
    expect(requests).toHaveLength(1);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await rejection(
      createOpenAIClient({ baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 2, retryDelayMs: 1 }).complete(
        'chat',
        {},
      ),
    );
    expect(refused).toMatchObject({ code: 'HTTP_ERROR', details: { attempts: 3 } });
  });

  it('rejects bad and misspelled options and arguments with INVALID_INPUT', async () => {
    expect(() => createOpenAIClient({ baseUrl: 'not a url' })).toThrow(/baseUrl/);
    expect(() => createOpenAIClient({ baseUrl, timeoutMS: 5 } as never)).toThrow(TradeR1Error);
    expect(() => createOpenAIClient(undefined as never)).toThrow(TradeR1Error);
    const client = createOpenAIClient({ baseUrl });
    expect((await rejection(client.complete('embeddings' as never, {}))).code).toBe('INVALID_INPUT');
    expect((await rejection(client.complete('chat', [] as never))).code).toBe('INVALID_INPUT');
    expect((await rejection(client.complete('chat', {}, { timeoutMs: 0 }))).code).toBe('INVALID_INPUT');
  });
});
