import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { type EvidenceDocumentInput, TradeR1Error } from '@trade-r1/core';
import { readNewsCsvFile } from '@trade-r1/data';
import { createDefaultEmbedder, type IngestProgressEvent, openEvidenceStore } from '@trade-r1/verifier';
import { parseCommand } from './args.ts';
import { progressWriter } from './progress.ts';

export const INGEST_USAGE = `Usage: trade-r1 ingest <file.jsonl|file.csv|dir> --store <dir>

  Evidence documents as JSON lines ({ id, tickers, publishedAt, sourceKind, title, text }), a news CSV
  (read by @trade-r1/data's readNewsCsvFile), or a folder of such files. Progress: a bar on a TTY,
  JSON lines on stderr otherwise; the store's add() result is printed as JSON on stdout.`;

async function filesOf(input: string): Promise<string[]> {
  const info = await stat(input).catch((cause) => {
    throw new TradeR1Error('NOT_FOUND', `trade-r1 ingest: ${input} does not exist`, { cause, details: { input } });
  });
  if (!info.isDirectory()) return [input];
  const names = (await readdir(input)).filter((name) => ['.jsonl', '.ndjson', '.csv'].includes(extname(name)));
  return names.sort().map((name) => join(input, name));
}

async function documentsOf(file: string): Promise<EvidenceDocumentInput[]> {
  if (extname(file) === '.csv') {
    const { items } = await readNewsCsvFile(file);
    return items.map((item) => ({
      id: item.id,
      tickers: item.tickers,
      publishedAt: item.publishedAt,
      sourceKind: 'news' as const,
      title: item.headline,
      text: item.summary ? `${item.headline}. ${item.summary}` : item.headline,
      ...(item.url !== undefined && { url: item.url }),
    }));
  }
  const lines = (await readFile(file, 'utf8')).split('\n');
  return lines.flatMap((line, index) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as EvidenceDocumentInput];
    } catch (cause) {
      throw new TradeR1Error('PARSE_FAILED', `${file}:${index + 1} is not a JSON line`, {
        cause,
        details: { file, line: index + 1 },
      });
    }
  });
}

/** `trade-r1 ingest`. */
export async function ingestCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand('ingest', argv, { store: { type: 'string' } }, ['store']);
  if (positionals.length !== 1) {
    throw new TradeR1Error('INVALID_INPUT', 'trade-r1 ingest: give exactly one input file or folder', {
      details: { field: 'input' },
    });
  }
  const documents: EvidenceDocumentInput[] = [];
  for (const file of await filesOf(positionals[0] as string)) documents.push(...(await documentsOf(file)));
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({ uri: values.store as string, embedder });
  const progress = progressWriter(process.stderr);
  try {
    const result = await store.add(documents, {
      onProgress: (event: IngestProgressEvent) => progress(event),
    });
    progress.done();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await store.close();
    await embedder.close();
  }
}
