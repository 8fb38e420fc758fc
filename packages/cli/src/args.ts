import { type ParseArgsConfig, parseArgs } from 'node:util';
import { TradeR1Error } from '@trade-r1/core';

/** Parse one subcommand's arguments strictly: unknown options and missing required ones are `INVALID_INPUT`. */
export function parseCommand<const Options extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: Options,
  required: readonly (keyof Options & string)[],
) {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: Options; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new TradeR1Error('INVALID_INPUT', `trade-r1 ${command}: ${(cause as Error).message}`, {
      cause,
      details: { command },
    });
  }
  for (const name of required) {
    if ((parsed.values as Record<string, unknown>)[name] === undefined) {
      throw new TradeR1Error('INVALID_INPUT', `trade-r1 ${command}: --${name} is required`, {
        details: { command, field: name },
      });
    }
  }
  return parsed;
}
