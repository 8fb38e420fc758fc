import { readFile, writeFile } from 'node:fs/promises';
import { parseDecision, TradeR1Error } from '@trade-r1/core';
import { createDefaultEmbedder, createVerifier, openEvidenceStore, renderVerificationPage } from '@trade-r1/verifier';
import { parseCommand } from './args.ts';

export const VERIFY_USAGE = `Usage: trade-r1 verify <reasoning.md> --store <dir> --ticker <T> --as-of <date> --decision <D> [--format json|html] [--out <file>]

  Verifies the reasoning against the evidence store at the decision time. Prints the VerificationReport as JSON
  (default) or the HTML verification page; --out writes it to a file instead of stdout.`;

/** `trade-r1 verify`. */
export async function verifyCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    'verify',
    argv,
    {
      store: { type: 'string' },
      ticker: { type: 'string' },
      'as-of': { type: 'string' },
      decision: { type: 'string' },
      format: { type: 'string', default: 'json' },
      out: { type: 'string' },
    },
    ['store', 'ticker', 'as-of', 'decision'],
  );
  if (positionals.length !== 1) {
    throw new TradeR1Error('INVALID_INPUT', 'trade-r1 verify: give exactly one reasoning file', {
      details: { field: 'reasoning' },
    });
  }
  if (values.format !== 'json' && values.format !== 'html') {
    throw new TradeR1Error('INVALID_INPUT', `trade-r1 verify: --format must be json or html, got ${values.format}`, {
      details: { field: 'format' },
    });
  }
  const reasoning = await readFile(positionals[0] as string, 'utf8');
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({ uri: values.store as string, embedder });
  try {
    const verifier = createVerifier({ store, embedder });
    const report = await verifier.verify({
      ticker: values.ticker as string,
      asOf: values['as-of'] as string,
      reasoning,
      decision: parseDecision(values.decision as string),
    });
    const output =
      values.format === 'html' ? renderVerificationPage({ reasoning, report }) : `${JSON.stringify(report, null, 2)}\n`;
    if (values.out !== undefined) await writeFile(values.out, output);
    else process.stdout.write(output);
  } finally {
    await store.close();
    await embedder.close();
  }
}
