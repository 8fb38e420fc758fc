import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAICompatiblePolicy } from '../src/text/openai-policy.ts';
import type { GenerationEvent, GenerationProgress } from '../src/text/types.ts';

type Handler = (body: Record<string, unknown>, request: IncomingMessage, response: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const requests: Array<{ path: string; at: number; body: Record<string, unknown>; authorization?: string }> = [];

function json(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
}

function sse(response: ServerResponse, chunks: unknown[]): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const chunk of chunks) response.write(`data: ${typeof chunk === 'string' ? chunk : JSON.stringify(chunk)}\n\n`);
  response.end('data: [DONE]\n\n');
}

const promptOf = (body: Record<string, unknown>): string =>
  typeof body.prompt === 'string' ? body.prompt : JSON.stringify(body.prompt ?? body.messages);

// A vLLM-shaped server (response fields as vLLM 0.11 sends them). Like vLLM V1, a request with n > 1 and a seed runs
// n children with seeds seed, seed + 1, …; a child's text depends only on its prompt and its seed. With
// return_token_ids it adds token_ids (EOS included) and prompt_token_ids.
const vllmLike: Handler = (body, request, response) => {
  const n = Number(body.n ?? 1);
  const seed = Number(body.seed ?? 0);
  const chat = request.url?.endsWith('/chat/completions') ?? false;
  const ids = body.return_token_ids === true;
  const prompt = promptOf(body);
  const textOf = (index: number) => `${prompt.slice(0, 12)}|${seed + index}`;
  if (body.stream === true) {
    const chunks: unknown[] = [];
    if (chat && ids) chunks.push({ object: 'chat.completion.chunk', choices: [], prompt_token_ids: [1, 2, 3, 4] });
    for (const [position, piece] of ['Hel', 'lo ', `${seed}`].entries()) {
      for (let index = 0; index < n; index += 1) {
        chunks.push({
          object: chat ? 'chat.completion.chunk' : 'text_completion',
          choices: [
            chat
              ? {
                  index,
                  delta: { content: piece },
                  logprobs: { content: [{ token: piece, logprob: -0.25, bytes: [], top_logprobs: [] }] },
                  finish_reason: null,
                  ...(ids && { token_ids: [100 + position] }),
                }
              : {
                  index,
                  text: piece,
                  logprobs: { tokens: [piece], token_logprobs: [-0.5], top_logprobs: null, text_offset: [0] },
                  finish_reason: null,
                  stop_reason: null,
                  ...(ids && {
                    token_ids: [100 + position],
                    ...(position === 0 && { prompt_token_ids: [1, 2, 3, 4] }),
                  }),
                },
          ],
        });
      }
    }
    for (let index = 0; index < n; index += 1)
      chunks.push({ choices: [{ index, text: '', delta: {}, finish_reason: index === 0 ? 'length' : 'stop' }] });
    chunks.push({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 3 * n, total_tokens: 4 + 3 * n } });
    sse(response, chunks);
    return;
  }
  if (chat) {
    json(response, 200, {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        message: { role: 'assistant', content: `${textOf(index)} [[BUY]]`, reasoning_content: null, tool_calls: [] },
        finish_reason: 'stop',
        stop_reason: null,
        logprobs: {
          content: [
            { token: 'chat', logprob: -0.5, bytes: [], top_logprobs: [] },
            { token: ' x', logprob: -1.5, bytes: [], top_logprobs: [] },
          ],
        },
        token_ids: ids ? [7, 8] : null,
      })),
      usage: { prompt_tokens: 7, completion_tokens: 2 * n, total_tokens: 7 + 2 * n },
      prompt_token_ids: ids ? [1, 2, 3, 4, 5, 6, 7] : null,
    });
    return;
  }
  json(response, 200, {
    id: 'cmpl-1',
    object: 'text_completion',
    // choices out of order: the client must sort them by index
    choices: Array.from({ length: n }, (_, index) => ({
      index,
      text: textOf(index),
      finish_reason: index === 0 ? 'length' : 'stop',
      stop_reason: null,
      logprobs: {
        tokens: ['a', 'b', 'c'],
        token_logprobs: [-0.1, -0.2, -0.3],
        top_logprobs: null,
        text_offset: [0, 1, 2],
      },
      token_ids: ids ? [11, 12, 13] : null,
      prompt_token_ids: ids ? [1, 2, 3, 4, 5] : null,
    })).reverse(),
    usage: { prompt_tokens: 5, completion_tokens: 3 * n, total_tokens: 5 + 3 * n },
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
      requests.push({
        path: request.url ?? '',
        at: performance.now(),
        body,
        authorization: request.headers.authorization,
      });
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

async function consume(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('createOpenAICompatiblePolicy', () => {
  it('asks /completions for n samples with a per-prompt seed, logprobs and sampling settings', async () => {
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
        stop: ['\n\n'],
        logprobs: 1,
        top_k: 5,
      },
    });
    expect(requests[0]?.body).not.toHaveProperty('return_token_ids');
    const seeds = requests.map((request) => request.body.seed);
    expect(new Set(seeds).size).toBe(2);
    expect(requests.map((request) => request.body.prompt).sort()).toEqual(['Hello', 'World']);
    const first = result.completions[0]?.[0];
    expect(first).toMatchObject({
      promptIndex: 0,
      sampleIndex: 0,
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

  it('gives a prompt repeated in one call distinct samples, the same with and without n', async () => {
    const texts = async (useN: boolean, prompts: string[]) => {
      const result = await createOpenAICompatiblePolicy({ baseUrl, model: 'm', useN }).generate({
        prompts,
        numSamples: 3,
        seed: 9,
      });
      return result.completions.map((group) => group.map((completion) => completion.text));
    };
    const [once, twice] = await texts(true, ['Same prompt', 'Same prompt']);
    expect(new Set([...(once ?? []), ...(twice ?? [])]).size).toBe(6);
    // Without n, sample g is requested with seed promptSeed + g: vLLM's seeds for the children of one n request.
    expect(await texts(false, ['Same prompt', 'Same prompt'])).toEqual([once, twice]);
    // A prompt's samples do not depend on the other prompts of the call.
    expect((await texts(true, ['Other', 'Same prompt']))[1]).toEqual(once);
  });

  it('returns vLLM token ids and prompt token counts with returnTokenIds', async () => {
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'm', returnTokenIds: true, logprobs: false });
    const result = await policy.generate({ prompts: ['x'], numSamples: 2 });
    expect(requests[0]?.body).toMatchObject({ return_token_ids: true });
    expect(requests[0]?.body).not.toHaveProperty('logprobs');
    expect(result.completions[0]?.[1]).toMatchObject({ tokenIds: [11, 12, 13], completionTokenCount: 3 });
    const chat = await policy.generate({ prompts: [[{ role: 'user', content: 'Decide' }]] });
    expect(chat.completions[0]?.[0]).toMatchObject({ tokenIds: [7, 8], promptTokenCount: 7 });
  });

  it('uses /chat/completions for messages with chat-template kwargs, and one request per sample without n', async () => {
    const policy = createOpenAICompatiblePolicy({
      baseUrl,
      model: 'smol',
      useN: false,
      logprobsMode: 'processed',
      chatTemplateKwargs: { enable_thinking: false },
    });
    const result = await policy.generate({ prompts: [[{ role: 'user', content: 'Decide' }]], numSamples: 2, seed: 1 });
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request).toMatchObject({
        path: '/v1/chat/completions',
        body: { n: 1, logprobs: true, chat_template_kwargs: { enable_thinking: false } },
      });
    }
    expect(requests.map((request) => Number(request.body.seed)).sort()).toEqual([
      Number(requests[0]?.body.seed),
      Number(requests[0]?.body.seed) + 1,
    ]);
    expect(result.completions[0]?.map((completion) => completion.sampleIndex)).toEqual([0, 1]);
    expect(result.completions[0]?.[0]?.logprobs).toEqual([-0.5, -1.5]);
    expect(result.completions[0]?.[0]?.completionTokenCount).toBe(2);
    // chat_template_kwargs is a chat field: completions requests do not get it.
    await policy.generate({ prompts: ['plain'] });
    expect(requests.at(-1)?.body).not.toHaveProperty('chat_template_kwargs');
  });

  it('puts server-split reasoning back in front of the answer, or omits it', async () => {
    handler = (_body, _request, response) =>
      json(response, 200, {
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Final Decision: [[[SELL]]]', reasoning_content: 'Margins fell.' },
            finish_reason: 'stop',
          },
        ],
      });
    const prompts = [[{ role: 'user' as const, content: 'q' }]];
    const inline = await createOpenAICompatiblePolicy({ baseUrl, model: 'm' }).generate({ prompts });
    expect(inline.completions[0]?.[0]?.text).toBe('<think>\nMargins fell.\n</think>\n\nFinal Decision: [[[SELL]]]');
    const omitted = await createOpenAICompatiblePolicy({ baseUrl, model: 'm', reasoning: 'omit' }).generate({
      prompts,
    });
    expect(omitted.completions[0]?.[0]?.text).toBe('Final Decision: [[[SELL]]]');
  });

  it('retries 5xx and 429 as long as Retry-After says, then maps errors to typed codes', async () => {
    let calls = 0;
    handler = (body, request, response) => {
      calls += 1;
      if (calls === 1) json(response, 503, { error: 'busy' }, { 'retry-after-ms': '300' });
      else if (calls === 2) json(response, 429, { error: 'slow down' });
      else vllmLike(body, request, response);
    };
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'm', retryDelayMs: 1 });
    const result = await policy.generate({ prompts: ['x'] });
    expect(calls).toBe(3);
    expect(result.completions[0]?.[0]?.text).toMatch(/^x\|/);
    expect((requests[1]?.at ?? 0) - (requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(290);

    handler = (_body, _request, response) => json(response, 401, { error: 'no key' });
    await expect(policy.generate({ prompts: ['x'] })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    handler = (_body, _request, response) => json(response, 429, { error: 'slow down' }, { 'retry-after': '120' });
    await expect(policy.generate({ prompts: ['x'] })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterMs: 120_000, attempts: 1 },
    });
    handler = (_body, _request, response) => json(response, 400, { error: 'bad' });
    await expect(policy.generate({ prompts: ['x'] })).rejects.toMatchObject({
      code: 'HTTP_ERROR',
      details: { status: 400, attempts: 1 },
    });
  });

  it('reports progress as each request finishes, in generate() and stream()', async () => {
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'm', useN: false, concurrency: 2 });
    const seen: Array<[number, number, string]> = [];
    const onProgress = (progress: GenerationProgress) =>
      seen.push([progress.completed, progress.total, progress.completion.text]);
    const result = await policy.generate({ prompts: ['a', 'b'], numSamples: 2, onProgress });
    expect(seen.map(([completed, total]) => [completed, total])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    expect(seen.map(([, , text]) => text).sort()).toEqual(
      result.completions
        .flat()
        .map((item) => item.text)
        .sort(),
    );
    seen.length = 0;
    await consume(policy.stream({ prompts: ['a'], numSamples: 2, onProgress }));
    expect(seen.map(([completed]) => completed)).toEqual([1, 2]);
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

  it('keeps one deadline over all attempts, aborts and closes', async () => {
    handler = () => {
      // never answers
    };
    const started = performance.now();
    const slow = createOpenAICompatiblePolicy({
      baseUrl,
      model: 'm',
      timeoutMs: 1_000,
      maxRetries: 2,
      retryDelayMs: 1,
    });
    await expect(slow.generate({ prompts: ['x'] })).rejects.toMatchObject({
      code: 'TIMEOUT',
      details: { attempts: 1, timeoutMs: 1_000 },
    });
    // The old client restarted the timeout per attempt: 1,000 ms took 3.3 s.
    expect(performance.now() - started).toBeLessThan(1_600);
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
    expect(() => createOpenAICompatiblePolicy({ baseUrl, model: 'm', timeoutMS: 5 } as never)).toThrow(
      /Unrecognized key/,
    );
  });

  it('streams server-sent events into token, finish and done events whose texts add up', async () => {
    const events = await consume(
      createOpenAICompatiblePolicy({ baseUrl, model: 'm', returnTokenIds: true }).stream({
        prompts: ['x', 'y'],
        numSamples: 2,
        seed: 6,
      }),
    );
    expect(requests).toHaveLength(2);
    expect(requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true }, n: 2 });
    const done = events.at(-1);
    if (done?.type !== 'done') throw new Error('no done event');
    for (const group of done.result.completions) {
      for (const completion of group) {
        const streamed = events
          .filter(
            (event) =>
              event.type === 'token' &&
              event.promptIndex === completion.promptIndex &&
              event.sampleIndex === completion.sampleIndex,
          )
          .map((event) => (event.type === 'token' ? event.text : ''))
          .join('');
        expect(streamed).toBe(completion.text);
      }
    }
    const first = done.result.completions[0]?.[0];
    expect(first).toMatchObject({
      text: `Hello ${requests[0]?.body.seed}`,
      finishReason: 'length',
      completionTokenCount: 3,
      promptTokenCount: 4,
      tokenIds: [100, 101, 102],
      modelLogprobs: [-0.5, -0.5, -0.5],
    });
    const tokens = events.filter(
      (event) => event.type === 'token' && event.promptIndex === 0 && event.sampleIndex === 0,
    );
    expect(tokens.map((event) => (event.type === 'token' ? event.tokenId : 0))).toEqual([100, 101, 102]);
    expect(done.result.completions[0]?.[1]?.finishReason).toBe('stop');
    expect(events.filter((event) => event.type === 'finish')).toHaveLength(4);

    const chat = await consume(
      createOpenAICompatiblePolicy({ baseUrl, model: 'm', useN: false }).stream({
        prompts: [[{ role: 'user', content: 'q' }]],
        numSamples: 2,
      }),
    );
    const chatDone = chat.at(-1);
    expect(
      chatDone?.type === 'done' && chatDone.result.completions[0]?.map((completion) => completion.modelLogprobs),
    ).toEqual([
      [-0.25, -0.25, -0.25],
      [-0.25, -0.25, -0.25],
    ]);
  });

  it('streams server-split reasoning inline, with the same text as generate()', async () => {
    handler = (body, _request, response) => {
      const deltas = [
        { reasoning_content: 'Margins ' },
        { reasoning_content: 'fell.' },
        { content: 'Decision: ' },
        { content: 'SELL' },
      ];
      if (body.stream !== true) {
        json(response, 200, {
          choices: [
            {
              index: 0,
              message: { content: 'Decision: SELL', reasoning_content: 'Margins fell.' },
              finish_reason: 'stop',
            },
          ],
        });
        return;
      }
      sse(response, [
        ...deltas.map((delta) => ({ choices: [{ index: 0, delta, finish_reason: null }] })),
        { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      ]);
    };
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'm' });
    const prompts = [[{ role: 'user' as const, content: 'q' }]];
    const events = await consume(policy.stream({ prompts }));
    const streamed = events.map((event) => (event.type === 'token' ? event.text : '')).join('');
    const generated = (await policy.generate({ prompts })).completions[0]?.[0]?.text;
    expect(streamed).toBe(generated);
    expect(streamed).toBe('<think>\nMargins fell.\n</think>\n\nDecision: SELL');
  });

  it('fails typed on malformed and stalled streams and ends aborted streams with abort', async () => {
    handler = (_body, _request, response) => sse(response, ['{broken']);
    const policy = createOpenAICompatiblePolicy({ baseUrl, model: 'm', maxRetries: 0 });
    await expect(consume(policy.stream({ prompts: ['x'] }))).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    handler = (_body, _request, response) => sse(response, [{ choices: 'nope' }]);
    await expect(consume(policy.stream({ prompts: ['x'] }))).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    handler = (_body, _request, response) => json(response, 500, { error: 'down' });
    await expect(consume(policy.stream({ prompts: ['x'] }))).rejects.toMatchObject({ code: 'HTTP_ERROR' });

    handler = (_body, _request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`data: ${JSON.stringify({ choices: [{ index: 0, text: 'partial' }] })}\n\n`);
      // never ends
    };
    // A stalled stream is a timeout, not an HTTP error.
    await expect(
      consume(createOpenAICompatiblePolicy({ baseUrl, model: 'm', timeoutMs: 300 }).stream({ prompts: ['x'] })),
    ).rejects.toMatchObject({ code: 'TIMEOUT' });
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
