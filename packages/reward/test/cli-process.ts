import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (the CLI runs with it as working directory). */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A `trade-r1-reward-server` child process, its URL and what it wrote on stderr so far. */
export interface CliProcess {
  child: ChildProcess;
  url: string;
  stderr(): string;
}

/**
 * Start `trade-r1-reward-server` from the TypeScript source (as `bin/` would run the build) and resolve once it
 * prints its URL. Pass the child to {@link stopAll} (or kill it) when done.
 */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  children: ChildProcess[] = [],
): Promise<CliProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@trade-r1/source', join(PACKAGE_ROOT, 'src', 'cli.ts'), ...args],
    {
      cwd: PACKAGE_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRADE_R1_REWARD_TOKEN: '', ...env },
    },
  );
  children.push(child);
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve({ child, url: out.trim().split('\n')[0] as string, stderr: () => err });
    });
    child.once('exit', (code) => reject(new Error(`cli exited with ${code}: ${err}`)));
  });
}

/** Kill the children still running (SIGKILL) and empty the list. */
export function stopAll(children: ChildProcess[]): void {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}
