import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TradeR1Error } from '@trade-r1/core';

const require = createRequire(import.meta.url);

function packageRoot(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Run a script in a child node process with this process' stdio, and exit with its status. */
function run(args: string[]): Promise<never> {
  return new Promise((_, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
    child.on('error', reject);
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  });
}

/** The evaluation is TypeScript run with tsx and the workspace source condition (as `pnpm eval:verifier` does). */
function tsxArgs(entry: string): string[] {
  return ['--conditions=@trade-r1/source', '--import', import.meta.resolve('tsx'), entry];
}

/** `trade-r1 serve-rewards …`: the reward package's own server command (`trade-r1-reward-server`), same options. */
export function serveRewardsCommand(argv: string[]): Promise<never> {
  const root = packageRoot('@trade-r1/reward');
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  return run([join(root, manifest.bin['trade-r1-reward-server'] as string), ...argv]);
}

/**
 * `trade-r1 eval …`: the verifier's evaluation on the labelled sets (`eval/run.ts` of @trade-r1/verifier, the script
 * behind `pnpm eval:verifier`; same options). It needs the monorepo checkout (the sets live in ../shared).
 */
export function evalCommand(argv: string[]): Promise<never> {
  const entry = join(packageRoot('@trade-r1/verifier'), 'eval/run.ts');
  if (!existsSync(entry)) {
    throw new TradeR1Error(
      'NOT_FOUND',
      'trade-r1 eval needs the Trade-R1 source checkout (the verifier evaluation and its labelled sets are not published)',
      { details: { entry } },
    );
  }
  return run([...tsxArgs(entry), ...argv]);
}
