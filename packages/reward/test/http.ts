import { request } from 'node:http';

/** A raw HTTP response for assertions. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => unknown;
}

/**
 * Send one request with node:http (no keep-alive) so tests control bodies byte for byte: chunked uploads,
 * lying Content-Length headers, malformed JSON.
 */
export function send(
  url: string,
  options: { method?: string; path: string; body?: string | Buffer | string[]; headers?: Record<string, string> },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(options.path, url);
    const chunks: Buffer[] = [];
    const bodyParts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      Connection: 'close',
      ...options.headers,
    };
    if (!Array.isArray(options.body) && options.body !== undefined && headers['Content-Length'] === undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    const req = request(target, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const part of bodyParts) req.write(part);
    req.end();
  });
}

/** POST a JSON value. */
export function postJson(
  url: string,
  path: string,
  value: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return send(url, { path, body: JSON.stringify(value), headers });
}

/** A promise with its resolver, to hold a reward open until a test releases it. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
