// Test helper: a real HTTP server on 127.0.0.1 (ephemeral port) that replays vendor fixtures.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The text of a fixture file, relative to this folder. */
export function fixtureText(relative: string): string {
  return readFileSync(join(here, relative), 'utf8');
}

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A reply: status, headers and body text, or `hang` to never answer. */
export interface FixtureReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  hang?: boolean;
}

export type FixtureStep = FixtureReply | ((request: RecordedRequest) => FixtureReply);

/** A fixture file served as JSON. */
export function jsonFixture(relative: string, status = 200, headers: Record<string, string> = {}): FixtureReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: fixtureText(relative) };
}

/** A JSON reply from a value. */
export function jsonReply(value: unknown, status = 200, headers: Record<string, string> = {}): FixtureReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** A reply that echoes everything the client sent (URL, headers, body): used to prove secrets are redacted. */
export function echoReply(status: number): (request: RecordedRequest) => FixtureReply {
  return (request) =>
    jsonReply(
      { error: `rejected body=${request.body} ${request.method} ${request.url} headers=${JSON.stringify(request.headers)}` },
      status,
    );
}

export interface FixtureServer {
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Replies for a path, consumed in order; the last one repeats. Replaces earlier steps for that path. */
  route(path: string, ...steps: FixtureStep[]): void;
  /** Requests received for a path (all paths when omitted). */
  count(path?: string): number;
  /** Forget recorded requests and routes. */
  reset(): void;
  /** Called when a request arrives (before replying). */
  onRequest: ((request: RecordedRequest) => void) | undefined;
  close(): Promise<void>;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, FixtureStep[]>();
  const served = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const handle: { onRequest: ((request: RecordedRequest) => void) | undefined } = { onRequest: undefined };
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
      const recorded: RecordedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      handle.onRequest?.(recorded);
      const steps = routes.get(url.pathname);
      const used = served.get(url.pathname) ?? 0;
      served.set(url.pathname, used + 1);
      const step = steps?.[Math.min(used, steps.length - 1)];
      const reply: FixtureReply = step === undefined ? jsonReply({ error: `no fixture for ${url.pathname}` }, 404) : typeof step === 'function' ? step(recorded) : step;
      if (reply.hang) return;
      outgoing.writeHead(reply.status ?? 200, reply.headers ?? {});
      outgoing.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    route(path, ...steps) {
      routes.set(path, steps);
      served.set(path, 0);
    },
    count(path) {
      return path === undefined ? requests.length : requests.filter((request) => request.path === path).length;
    },
    reset() {
      routes.clear();
      served.clear();
      requests.length = 0;
      handle.onRequest = undefined;
    },
    get onRequest() {
      return handle.onRequest;
    },
    set onRequest(callback) {
      handle.onRequest = callback;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
