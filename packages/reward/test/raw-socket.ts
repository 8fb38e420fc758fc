import { connect, type Socket } from 'node:net';

/** A raw TCP client, to play slow or misbehaving HTTP clients byte by byte. */
export interface RawClient {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with everything received once the server closes the connection. */
  closed: Promise<string>;
}

/** Open a connection to `url` and write `text` (e.g. headers without the body). */
export function openRaw(url: string, text = ''): Promise<RawClient> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      if (text) socket.write(text);
      resolve({ socket, received: () => data, closed });
    });
    const closed = new Promise<string>((done) => {
      socket.on('close', () => done(data));
    });
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

/** The request line and headers of a POST whose body is `length` bytes (none of it sent). */
export function postHead(path: string, length: number, headers: Record<string, string> = {}): string {
  const lines = [
    `POST ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    `Content-Length: ${length}`,
  ];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Poll until `condition` holds (a bounded wait, no assertion on speed). */
export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
