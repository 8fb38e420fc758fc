import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cudaProviderStatus } from './cuda.ts';

/**
 * ONNX Runtime prints a failed CUDA provider load through its process-wide logger (stderr), not through the session
 * options' log level. The policies check for the provider library first, so without it neither `device: 'auto'`
 * nor `device: 'cuda'` makes the attempt: 'auto' falls back quietly (the reason in `info()`), 'cuda' fails with a
 * typed error that carries the reason. Run in a child process so that its stderr is seen whole.
 */
const script = `
import { createOnnxActionPolicy, createOnnxPolicy } from './src/index.ts';
import { buildActionHeadModel, writeLlamaTestModel } from './src/testing/index.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const dir = await mkdtemp(join(tmpdir(), 'trade-r1-cuda-log-'));
try {
  const written = await writeLlamaTestModel({ dir: join(dir, 'tiny'), seed: 1 });
  const outcome = async (create) => {
    try {
      const policy = await create();
      const info = policy.info();
      await policy.close?.();
      return { provider: info.executionProvider, fallbackReason: info.fallbackReason };
    } catch (error) {
      return { code: error.code, message: error.message };
    }
  };
  const model = buildActionHeadModel({});
  console.log(JSON.stringify({
    actionAuto: await outcome(() => createOnnxActionPolicy({ model, device: 'auto' })),
    actionCuda: await outcome(() => createOnnxActionPolicy({ model, device: 'cuda' })),
    textAuto: await outcome(() => createOnnxPolicy({ model: written.dir, device: 'auto' })),
    textCuda: await outcome(() => createOnnxPolicy({ model: written.dir, device: 'cuda' })),
  }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
`;

describe.runIf(!cudaProviderStatus().installed)('without the CUDA provider library', () => {
  it("'auto' and 'cuda' print nothing on stderr: 'auto' falls back with the reason, 'cuda' fails UNSUPPORTED", () => {
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    const packageRoot = fileURLToPath(new URL('..', import.meta.url));
    const child = spawnSync(
      process.execPath,
      [tsx, '--conditions=@trade-r1/source', '--input-type=module', '-e', script],
      {
        cwd: packageRoot,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(child.status, child.stderr).toBe(0);
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
    for (const auto of [result.actionAuto, result.textAuto]) {
      expect(auto.provider).toBe('cpu');
      expect(auto.fallbackReason).toMatch(/CUDA provider library is not installed/);
    }
    for (const cuda of [result.actionCuda, result.textCuda]) {
      expect(cuda.code).toBe('UNSUPPORTED');
      expect(cuda.message).toMatch(/CUDA provider library is not installed/);
    }
  });
});
