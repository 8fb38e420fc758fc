import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alignPriceSeries, parseDecisionLogCsv, renderHtmlReport, runBacktest, toReportJson } from '@trade-r1/backtest';
import { TradeR1Error } from '@trade-r1/core';
import { readBarsFile } from '@trade-r1/data';
import { parseCommand } from './args.ts';

export const BACKTEST_USAGE = `Usage: trade-r1 backtest <decision-log.csv> --prices <dir> [--report <out.html>] [--benchmark <name>]

  Runs the decision log (date,ticker,decision) on daily bars read from <dir>/<TICKER>.csv (any layout
  @trade-r1/data's readBarsFile reads). Prints the strategy's and the benchmark's metrics as JSON;
  --report writes the self-contained HTML report. --benchmark: a ticker, 'buy-and-hold', or 'none'.`;

/** `trade-r1 backtest`. */
export async function backtestCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    'backtest',
    argv,
    { prices: { type: 'string' }, report: { type: 'string' }, benchmark: { type: 'string' } },
    ['prices'],
  );
  if (positionals.length !== 1) {
    throw new TradeR1Error('INVALID_INPUT', 'trade-r1 backtest: give exactly one decision log', {
      details: { field: 'decisionLog' },
    });
  }
  const log = parseDecisionLogCsv(await readFile(positionals[0] as string, 'utf8'));
  const series: Record<string, Awaited<ReturnType<typeof readBarsFile>>['bars']> = {};
  for (const ticker of log.tickers()) {
    series[ticker] = (await readBarsFile(join(values.prices as string, `${ticker}.csv`))).bars;
  }
  const benchmark = values.benchmark === 'none' ? null : values.benchmark;
  const result = await runBacktest({
    panel: alignPriceSeries({ series }),
    decisions: log,
    strategy: { type: 'decisions' },
    ...(benchmark !== undefined && { benchmark }),
  });
  if (values.report !== undefined) await writeFile(values.report, renderHtmlReport(result));
  const json = toReportJson(result);
  process.stdout.write(
    `${JSON.stringify({ strategy: json.strategy.metrics, benchmark: json.benchmark ? { name: json.benchmark.name, metrics: json.benchmark.metrics } : null })}\n`,
  );
}
