import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { parseArgument } from '../validate.ts';

/** One parsed CSV record with the physical line it started on (1-based, counting the header). */
export interface CsvRecord {
  /** Field values, unquoted. */
  fields: string[];
  /** 1-based line number in the file where the record starts. */
  line: number;
}

/** Options for {@link parseCsv}. */
export interface ParseCsvOptions {
  /** Field delimiter. `'auto'` picks the most frequent of `,`, `;`, tab and `|` in the first line. @default 'auto' */
  delimiter?: string;
  /** Name of the input (a file path) used in error messages. @default '<csv>' */
  source?: string;
  /** Line number of the text's first line (for a chunk of a longer file). @default 1 */
  firstLine?: number;
}

const parseCsvOptionsSchema = z.strictObject({
  delimiter: z.string().min(1).optional(),
  source: z.string().optional(),
  firstLine: z.number().int().min(1).optional(),
});

const QUOTE = 34; // "
const CR = 13;
const LF = 10;

/** Remove a leading UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Guess the delimiter from the first line (outside quotes). */
export function detectDelimiter(text: string): string {
  const candidates = [',', ';', '\t', '|'];
  const counts = new Map<string, number>(candidates.map((candidate) => [candidate, 0]));
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [candidate, count] of counts) {
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Parse CSV text (RFC 4180): quoted fields with `""` escapes and embedded delimiters or line breaks, LF, CRLF or
 * CR line endings, and a leading byte-order mark. Blank lines are skipped. Records keep the line they start on so
 * errors can point at the file position.
 * @throws {TradeR1Error} `PARSE_FAILED` for an unterminated quoted field or text after a closing quote.
 */
export function parseCsv(text: string, options: ParseCsvOptions = {}): CsvRecord[] {
  parseArgument(z.string(), text, { fn: 'parseCsv()', field: 'text' });
  parseArgument(parseCsvOptionsSchema, options, { fn: 'parseCsv()', field: 'options', code: 'INVALID_CONFIG' });
  let input = stripBom(text);
  const source = options.source ?? '<csv>';
  // Excel's `sep=;` first line names the delimiter; it is not a record.
  const excelHint = /^sep=(.)\r?\n/i.exec(input);
  let lineOffset = 0;
  if (excelHint) {
    input = input.slice(excelHint[0].length);
    lineOffset = 1;
  }
  const delimiterText =
    options.delimiter !== undefined && options.delimiter !== 'auto'
      ? options.delimiter
      : (excelHint?.[1] ?? detectDelimiter(input));
  if (delimiterText.length !== 1) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `CSV delimiter must be one character, got ${JSON.stringify(delimiterText)}`,
      {
        details: { delimiter: delimiterText },
      },
    );
  }
  const delimiter = delimiterText.charCodeAt(0);
  const records: CsvRecord[] = [];
  const length = input.length;
  let position = 0;
  let line = (options.firstLine ?? 1) + lineOffset;
  while (position < length) {
    const startLine = line;
    const fields: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      if (input.charCodeAt(position) === QUOTE) {
        // Quoted field: read to the closing quote, unescaping "".
        let value = '';
        let chunkStart = position + 1;
        let cursor = chunkStart;
        for (;;) {
          if (cursor >= length) {
            throw new TradeR1Error('PARSE_FAILED', `${source}:${startLine}: unterminated quoted field`, {
              details: { file: source, line: startLine },
            });
          }
          const code = input.charCodeAt(cursor);
          if (code === QUOTE) {
            if (input.charCodeAt(cursor + 1) === QUOTE) {
              value += input.slice(chunkStart, cursor + 1);
              cursor += 2;
              chunkStart = cursor;
              continue;
            }
            value += input.slice(chunkStart, cursor);
            cursor += 1;
            break;
          }
          if (code === LF || (code === CR && input.charCodeAt(cursor + 1) !== LF)) line += 1;
          cursor += 1;
        }
        fields.push(value);
        position = cursor;
        const next = position < length ? input.charCodeAt(position) : LF;
        if (next === delimiter) {
          position += 1;
        } else if (next === LF || next === CR) {
          position += next === CR && input.charCodeAt(position + 1) === LF ? 2 : 1;
          line += 1;
          endOfRecord = true;
        } else {
          throw new TradeR1Error('PARSE_FAILED', `${source}:${line}: unexpected text after a closing quote`, {
            details: { file: source, line },
          });
        }
        if (position >= length) endOfRecord = true;
        continue;
      }
      // Unquoted field: up to the next delimiter or line break.
      let cursor = position;
      let code = 0;
      while (cursor < length) {
        code = input.charCodeAt(cursor);
        if (code === delimiter || code === LF || code === CR) break;
        cursor += 1;
      }
      fields.push(input.slice(position, cursor));
      if (cursor >= length) {
        position = length;
        endOfRecord = true;
      } else if (code === delimiter) {
        position = cursor + 1;
        // A trailing delimiter at the end of input still ends with one empty field.
        if (position >= length) {
          fields.push('');
          endOfRecord = true;
        }
      } else {
        position = cursor + (code === CR && input.charCodeAt(cursor + 1) === LF ? 2 : 1);
        line += 1;
        endOfRecord = true;
      }
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    records.push({ fields, line: startLine });
  }
  return records;
}
