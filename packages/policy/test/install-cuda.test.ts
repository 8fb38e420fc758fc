import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cudaProviderStatus } from '../src/cuda.ts';
import { temporaryDirectory } from './helpers.ts';

// No network here, so NuGet is played by a local HTTPS server behind a local CONNECT proxy: onnxruntime-node's install
// script honours GLOBAL_AGENT_HTTP_PROXY, and NODE_TLS_REJECT_UNAUTHORIZED=0 lets it accept a self-signed certificate
// for api.nuget.org. The server answers the NuGet v3 protocol up to the package file and refuses that (404), so nothing
// is downloaded or written into node_modules.
const BIN = fileURLToPath(new URL('../bin/install-cuda.js', import.meta.url));

let workspace: { dir: string; cleanup: () => Promise<void> };
let proxy: Server;
let nuget: HttpsServer;
let proxyUrl: string;
const tunnels: string[] = [];
const gets: string[] = [];

beforeAll(async () => {
  workspace = await temporaryDirectory('trade-r1-cuda-');
  const key = join(workspace.dir, 'key.pem');
  const cert = join(workspace.dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=api.nuget.org',
    ],
    { stdio: 'ignore' },
  );
  nuget = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (request, response) => {
    const path = request.url ?? '';
    gets.push(`${request.headers.host}${path}`);
    const json = (payload: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    if (path === '/v3/index.json') {
      json({
        version: '3.0.0',
        resources: [{ '@id': 'https://api.nuget.org/v3-flatcontainer/', '@type': 'PackageBaseAddress/3.0.0' }],
      });
    } else if (path.endsWith('/index.json')) {
      json({ versions: ['1.29.0', '1.30.0'] });
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  proxy = createHttpServer();
  proxy.on('connect', (request, socket) => {
    tunnels.push(request.url ?? '');
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    nuget.emit('connection', socket);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await workspace?.cleanup();
});

function run(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

// How the command is started changes onnxruntime-node's script: npm and npx set these two variables, and with them the
// script (which drops the flag value `cuda12`) takes its "local install" shortcut and exits 0 having done nothing.
const NPM_UNSET = { npm_config_local_prefix: '', npm_package_json: '' };
const AS_NPX = { npm_config_local_prefix: process.cwd(), npm_package_json: join(process.cwd(), 'package.json') };

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('trade-r1-install-cuda', () => {
  it.each([
    ['from a shell', NPM_UNSET],
    ['from npx or an npm script', AS_NPX],
  ])(
    "reaches onnxruntime-node's install script, which asks NuGet for the CUDA 12 provider package (%s)",
    async (_how, npm) => {
      tunnels.length = 0;
      gets.length = 0;
      const { code, output } = await run({
        ...npm,
        GLOBAL_AGENT_HTTP_PROXY: proxyUrl,
        NODE_TLS_REJECT_UNAUTHORIZED: '0',
      });
      expect(output).toMatch(/Installing the cuda12 execution provider into .*onnxruntime-node/);
      expect(tunnels.length).toBeGreaterThan(0);
      expect(tunnels.every((target) => target === 'api.nuget.org:443')).toBe(true);
      expect(gets).toEqual([
        'api.nuget.org/v3/index.json',
        'api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/index.json',
        'api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/1.30.0/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg',
      ]);
      expect(output).toContain(
        'Downloading https://api.nuget.org/v3-flatcontainer/microsoft.ml.onnxruntime.gpu.linux/1.30.0/',
      );
      // The refused download fails the command, and nothing was installed.
      expect(code).not.toBe(0);
      expect(cudaProviderStatus().installed).toBe(false);
    },
    90_000,
  );
});
