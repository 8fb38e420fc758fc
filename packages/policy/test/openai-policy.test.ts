import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAICompatiblePolicy } from '../src/text/openai-policy.ts';
import type { GenerationEvent } from '../src/text/types.ts';

type Handler = (body: Record<string, unknown>, request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const requests: Array<{ path: string; body: Record<string, unknown>; authorization?: string }> = [];

function json(response: ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
}

function sse(response: ServerResponse, chunks: unknown[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const chunk of chunks) response.write(`data: ${typeof chunk === 'string' ? chunk : JSON.stringify(chunk)}\n\n`);
  response.end('data: [DONE]\n\n');
}

// A small vLLM-like server: deterministic in (prompt, seed, index); streams when asked to.
const vllmLike: Handler = (body, request, response) => {
  const n = Number(body.n ?? 1);
  const seed = Number(body.seed ?? 0);
  const chat = request.url?.endsWith('/chat/completions') ?? false;
  if (body.stream === true) {
    const chunks: unknown[] = [];
    for (const piece of ['Hel', 'lo ', `${seed}`]) {
      for (let index = 0; index < n; index += 1) {
        chunks.push({
          choices: [
            chat
              ? { index, delta: { content: `${piece}` }, logprobs: { content: [{ token: piece, logprob: -0.25 }] } }
              : { index, text: `${piece}`, logprobs: { tokens: [piece], token_logprobs: [-0.5] } },
          ],
        });
      }
    }
    for (let index = 0; index < n; index += 1)
      chunks.push({ choices: [{ index, text: '', delta: {}, finish_reason: index === 0 ? 'length' : 'stop' }] });
    chunks.push({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 3 * n } });
    sse(response, chunks);
    return;
  }
  if (request.url?.endsWith('/chat/completions')) {
    json(response, 200, {
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        message: { role: 'assistant', content: `chat ${seed}-${index} [[BUY]]` },
        finish_reason: 'stop',
        logprobs: {
          content: [
            { token: 'chat', logprob: -0.5 },
            { token: ' x', logprob: -1.5 },
          ],
        },
      })),
      usage: { prompt_tokens: 7, completion_tokens: 2 * n },
    });
    return;
  }
  json(response, 200, {
    // choices out of order: the client must sort them by index
    choices: Array.from({ length: n }, (_, index) => ({
      index,
      text: `text ${seed}-${index}`,
      finish_reason: index === 0 ? 'length' : 'stop',
      logprobs: { tokens: ['a', 'b', 'c'], token_logprobs: [-0.1, -0.2, -0.3] },
    })).reverse(),
    usage: { prompt_tokens: 5, completion_tokens: 3 * n },
  });
};

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      requests.push({ path: request.url ?? '', body, authorization: request.headers.authorization });
      handler(body, request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests.length = 0;
  handler = vllmLike;
});

describe('createOpenAICompatiblePolicy', () => {
  it('asks /completions for n samples with seed, logprobs and sampling settings', async () => {
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'smol', apiKey: 'secret' });
    const result = await policy.generate({
      prompts: ['Hello', 'World'],
      numSamples: 3,
      temperature: 0.6,
      topP: 0.9,
      maxNewTokens: 32,
      seed: 4,
      stop: ['\n\n'],
      topK: 5,
    });
    expect(requests).toHaveLength(2);
    expect(requests[0]).toMatchObject({
      path: '/v1/completions',
      authorization: 'Bearer secret',
      body: {
        model: 'smol',
        n: 3,
        temperature: 0.6,
        top_p: 0.9,
        max_tokens: 32,
        seed: 4,
        stop: ['\n\n'],
        logprobs: 1,
        top_k: 5,
      },
    });
    expect(requests.map((request) => request.body.prompt).sort()).toEqual(['Hello', 'World']);
    expect(result.completions).toHaveLength(2);
    const first = result.completions[0]?.[0];
    expect(first).toMatchObject({
      promptIndex: 0,
      sampleIndex: 0,
      text: 'text 4-0',
      finishReason: 'length',
      completionTokenCount: 3,
      promptTokenCount: 5,
      tokenIds: [],
    });
    expect(first?.modelLogprobs).toEqual([-0.1, -0.2, -0.3]);
    expect(first?.logprobs).toEqual([null, null, null]);
    expect(result.completions[1]?.[2]?.finishReason).toBe('stop');
    expect(result.usage).toEqual({ promptTokens: 30, completionTokens: 18 });
    expect(policy.info()).toMatchObject({ backend: 'openai-compatible', executionProvider: 'remote' });
  });

  it('uses /chat/completions for messages, and one request per sample without n', async () => {
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'smol', useN: false, logprobsMode: 'processed' });
    const result = await policy.generate({ prompts: [[{ role: 'user', content: 'Decide' }]], numSamples: 2, seed: 1 });
    expect(requests).toHaveLength(2);
    expect(
      requests.every(
        (request) => request.path === '/v1/chat/completions' && request.body.n === 1 && request.body.logprobs === true,
      ),
    ).toBe(true);
    expect(new Set(requests.map((request) => request.body.seed)).size).toBe(2);
    expect(result.completions[0]?.map((completion) => completion.sampleIndex)).toEqual([0, 1]);
    expect(result.completions[0]?.[0]?.logprobs).toEqual([-0.5, -1.5]);
    expect(result.completions[0]?.[0]?.completionTokenCount).toBe(2);
  });

  it('retries 5xx and 429, then maps errors to typed codes', async () => {
    let calls = 0;
    handler = (body, request, response) => {
      calls += 1;
      if (calls < 3) json(response, calls === 1 ? 503 : 429, { error: 'busy' });
      else vllmLike(body, request, response);
    };
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'm', retryDelayMs: 1 });
    const result = await policy.generate({ prompts: ['x'] });
    expect(calls).toBe(3);
    expect(result.completions[0]?.[0]?.text).toBe('text 0-0');

    handler = (_body, _request, response) => json(response, 401, { error: 'no key' });
    await expect(policy.generate({ prompts: ['x'] })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    handler = (_body, _request, response) => json(response, 429, { error: 'slow down' });
    await expect(
      createOpenAICompatiblePolicy({ baseUrl, model: 'm', maxRetries: 0 }).generate({ prompts: ['x'] }),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    handler = (_body, _request, response) => json(response, 400, { error: 'bad' });
    await expect(policy.generate({ prompts: ['x'] })).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      details: { status: 400, attempts: 1 },
    });
  });

  it('rejects malformed responses and too few choices with BAD_RESPONSE', async () => {
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'm', maxRetries: 0 });
    handler = (_body, _request, response) => json(response, 200, '{not json');
    await expect(policy.generate({ prompts: ['x'] })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    handler = (_body, _request, response) => json(response, 200, { choices: [{ nope: 1 }] });
    await expect(policy.generate({ prompts: ['x'] })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    handler = (_body, _request, response) =>
      json(response, 200, { choices: [{ text: 'only one', finish_reason: 'stop' }] });
    await expect(policy.generate({ prompts: ['x'], numSamples: 2 })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('tolerates missing logprobs and usage', async () => {
    handler = (_body, _request, response) =>
      json(response, 200, { choices: [{ text: 'plain', finish_reason: null }, { text: 'two' }] });
    const result = await createOpenAICompatiblePolicy({ baseUrl, model: 'm' }).generate({
      prompts: ['x'],
      numSamples: 2,
    });
    expect(result.completions[0]?.[0]).toMatchObject({
      text: 'plain',
      logprobs: [],
      modelLogprobs: [],
      completionTokenCount: -1,
      promptTokenCount: -1,
      finishReason: 'stop',
    });
  });

  it('times out, aborts and closes', async () => {
    handler = () => {
      // never answers
    };
    const slow = createOpenAICompatiblePolicy({ baseUrl, model: 'm', timeoutMs: 100, maxRetries: 1, retryDelayMs: 1 });
    await expect(slow.generate({ prompts: ['x'] })).rejects.toMatchObject({
      code: 'TIMEOUT',
      details: { attempts: 2 },
    });
    const controller = new AbortController();
    const patient = createOpenAICompatiblePolicy({ baseUrl, model: 'm', timeoutMs: 10_000 });
    const pending = patient.generate({ prompts: ['x', 'y'], numSamples: 2, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const aborted = await pending;
    expect(aborted.completions.flat().map((completion) => completion.finishReason)).toEqual([
      'abort',
      'abort',
      'abort',
      'abort',
    ]);
    await patient.close();
    await patient.close();
    await expect(patient.generate({ prompts: ['x'] })).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(
      createOpenAICompatiblePolicy({ baseUrl, model: 'm', endpoint: 'completions' }).generate({
        prompts: [[{ role: 'user', content: 'x' }]],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => createOpenAICompatiblePolicy({ baseUrl: 'not a url', model: 'm' })).toThrow(/baseUrl/);
  });

  it('streams server-sent events into token, finish and done events', async () => {
    const events: GenerationEvent[] = [];
    for await (const event of createOpenAICompatiblePolicy({ baseUrl, model: 'm' }).stream({
      prompts: ['x', 'y'],
      numSamples: 2,
      seed: 6,
    })) {
      events.push(event);
    }
    expect(requests).toHaveLength(2);
    expect(requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true }, n: 2, seed: 6 });
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.result.completions.map((group) => group.map((completion) => completion.text))).toEqual([
      ['Hello 6', 'Hello 6'],
      ['Hello 6', 'Hello 6'],
    ]);
    const first = done.result.completions[0]?.[0];
    expect(first).toMatchObject({
      finishReason: 'length',
      completionTokenCount: 3,
      promptTokenCount: 4,
      modelLogprobs: [-0.5, -0.5, -0.5],
    });
    expect(done.result.completions[0]?.[1]?.finishReason).toBe('stop');
    const tokens = events.filter(
      (event) => event.type === 'token' && event.promptIndex === 1 && event.sampleIndex === 1,
    );
    expect(tokens.map((event) => (event.type === 'token' ? event.text : '')).join('')).toBe('Hello 6');
    expect(events.filter((event) => event.type === 'finish')).toHaveLength(4);

    const chat: GenerationEvent[] = [];
    for await (const event of createOpenAICompatiblePolicy({ baseUrl, model: 'm', useN: false }).stream({
      prompts: [[{ role: 'user', content: 'q' }]],
      numSamples: 2,
    })) {
      chat.push(event);
    }
    const chatDone = chat.at(-1);
    expect(
      chatDone?.type === 'done' && chatDone.result.completions[0]?.map((completion) => completion.modelLogprobs),
    ).toEqual([
      [-0.25, -0.25, -0.25],
      [-0.25, -0.25, -0.25],
    ]);
  });

  it('fails typed on malformed streams and ends aborted streams with abort', async () => {
    handler = (_body, _request, response) => sse(response, ['{broken']);
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'm', maxRetries: 0 });
    const consume = async (options: Parameters<typeof policy.stream>[0]) => {
      const events: GenerationEvent[] = [];
      for await (const event of policy.stream(options)) events.push(event);
      return events;
    };
    await expect(consume({ prompts: ['x'] })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    handler = (_body, _request, response) => sse(response, [{ choices: 'nope' }]);
    await expect(consume({ prompts: ['x'] })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    handler = (_body, _request, response) => json(response, 500, { error: 'down' });
    await expect(consume({ prompts: ['x'] })).rejects.toMatchObject({ code: 'HTTP_ERROR' });

    handler = (_body, _request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'partial' }] })}\n\n`);
      // never ends
    };
    const controller = new AbortController();
    const events: GenerationEvent[] = [];
    for await (const event of policy.stream({ prompts: ['x'], signal: controller.signal })) {
      events.push(event);
      if (event.type === 'token') controller.abort();
    }
    const done = events.at(-1);
    expect(done?.type === 'done' && done.result.completions[0]?.[0]).toMatchObject({
      text: 'partial',
      finishReason: 'abort',
    });
  });
});
