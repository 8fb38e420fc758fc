import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serverSentData } from './sse.ts';

function bodyOf(parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

async function all(parts: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const data of serverSentData(bodyOf(parts))) out.push(data);
  return out;
}

describe('serverSentData', () => {
  it('joins multi-line data, skips comments and other fields, accepts CRLF, LF and CR', async () => {
    expect(
      await all([': keep-alive\n\nevent: x\nid: 1\ndata: a\ndata:b\n\n', 'data: c\r\n\r\ndata: d\r\rdata: e']),
    ).toEqual(['a\nb', 'c', 'd', 'e']);
  });

  it('gives the same events however the body is cut into chunks, multi-byte characters included (property)', async () => {
    const events = ['{"text":"买入 🚀"}', '{"a":1}', '[DONE]'];
    const text = events.map((event) => `data: ${event}\r\n\r\n`).join('');
    const bytes = new TextEncoder().encode(text);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((left, right) => left - right), bytes.length];
          const chunks = points.slice(1).map((end, index) => bytes.slice(points[index], end));
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              for (const chunk of chunks) controller.enqueue(chunk);
              controller.close();
            },
          });
          const out: string[] = [];
          for await (const data of serverSentData(body)) out.push(data);
          expect(out).toEqual(events);
        },
      ),
      { seed: 15, numRuns: 150 },
    );
  });

  it('cancels the body when the consumer stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const data of serverSentData(body)) {
      expect(data).toBe('x');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
