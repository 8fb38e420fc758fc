/**
 * `trade-r1`: a command line over the Trade-R1 libraries. Each subcommand parses its arguments and calls the
 * libraries; errors are printed as `TradeR1Error` JSON on stderr with exit status 1 (2 for usage errors).
 */
import { errorMessage, isTradeR1Error } from '@trade-r1/core';
import { BACKTEST_USAGE, backtestCommand } from './backtest.ts';
import { evalCommand, serveRewardsCommand } from './delegate.ts';
import { INGEST_USAGE, ingestCommand } from './ingest.ts';
import { VERIFY_USAGE, verifyCommand } from './verify.ts';

const USAGE = `Usage: trade-r1 <command> [options]

Commands:
  ingest <jsonl|csv|dir> --store <dir>            add evidence documents to a store
  verify <reasoning.md> --store … --ticker … --as-of … --decision …   verify a reasoning (JSON or --format html)
  backtest <decision-log.csv> --prices <dir> [--report out.html]     backtest a decision log
  serve-rewards --reward <module> [options]       serve a reward over HTTP (trade-r1-reward-server)
  eval [options]                                  the verifier evaluation on the labelled sets

Run trade-r1 <command> --help for a command's options.`;

const commands: Record<string, { usage?: string; run: (argv: string[]) => Promise<unknown> }> = {
  ingest: { usage: INGEST_USAGE, run: ingestCommand },
  verify: { usage: VERIFY_USAGE, run: verifyCommand },
  backtest: { usage: BACKTEST_USAGE, run: backtestCommand },
  'serve-rewards': { run: serveRewardsCommand },
  eval: { run: evalCommand },
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`trade-r1: unknown command '${name}'\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (command.usage && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${command.usage}\n`);
    return;
  }
  await command.run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const payload = isTradeR1Error(error) ? error.toJSON() : { name: 'Error', message: errorMessage(error) };
  process.stderr.write(`${JSON.stringify(payload)}\n`);
  process.exitCode = isTradeR1Error(error, 'INVALID_INPUT') ? 2 : 1;
});
