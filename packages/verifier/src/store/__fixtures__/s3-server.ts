/**
 * A real S3-compatible server on 127.0.0.1 for tests: moto's `moto_server` (Debian `python3-moto` where the release
 * has it, or `pip install 'moto[server]'`), started on a free port in its own process and stopped by `close()`.
 * `.ci/run` installs it; under CI=true a test that needs it fails when it is missing instead of skipping.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

/** How to start the server here, or undefined when it is not installed. */
export function findS3Server(): { command: string; args: string[] } | undefined {
  if (spawnSync('moto_server', ['--help'], { encoding: 'utf8', timeout: 30_000 }).status === 0) {
    return { command: 'moto_server', args: [] };
  }
  for (const python of ['python3', '/usr/bin/python3']) {
    if (spawnSync(python, ['-c', 'import moto.server'], { encoding: 'utf8', timeout: 30_000 }).status === 0) {
      return { command: python, args: ['-m', 'moto.server'] };
    }
  }
  return undefined;
}

/** A running S3-compatible server. */
export interface S3TestServer {
  /** `http://127.0.0.1:PORT`. */
  endpoint: string;
  /** LanceDB storage options for this endpoint (path-style, plain HTTP, static test credentials). */
  storageOptions: Record<string, string>;
  /** Create a bucket (PUT /bucket). */
  createBucket(name: string): Promise<void>;
  /** Stop the server process. */
  close(): Promise<void>;
}

/** Start the server and wait until it answers. */
export async function startS3Server(found = findS3Server()): Promise<S3TestServer> {
  if (!found) throw new Error('no S3-compatible test server: install python3-moto or moto[server] (.ci/run does)');
  const child: ChildProcess = spawn(found.command, [...found.args, '-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`moto_server did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with ${code}: ${output}`));
    });
  });
  // Keep draining its request log so the pipe never fills.
  child.stdout?.resume();
  child.stderr?.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    storageOptions: {
      endpoint,
      region: 'us-east-1',
      aws_access_key_id: 'test-access-key',
      aws_secret_access_key: 'test-secret-key',
      allow_http: 'true',
      virtual_hosted_style_request: 'false',
    },
    async createBucket(name) {
      const response = await fetch(`${endpoint}/${name}`, { method: 'PUT' });
      if (!response.ok) throw new Error(`cannot create bucket ${name}: HTTP ${response.status}`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
