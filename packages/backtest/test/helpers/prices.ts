import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One daily bar read from the shared sample data. */
export interface CsvBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Path of a file under ../shared/data/prices/us, resolved relative to this repository (CI clones ../shared beside it). */
export function sharedPricePath(file: string): string {
  return fileURLToPath(new URL(`../../../../../shared/data/prices/us/${file}`, import.meta.url));
}

/**
 * True when the shared price file exists. Outside CI a missing file lets its tests skip; under `CI=true` it throws,
 * because CI always has `../shared` beside the clone and a silent skip would hide that the paper reproduction never ran.
 */
export function hasSharedPrices(file: string): boolean {
  const present = existsSync(sharedPricePath(file));
  if (!present && process.env.CI === 'true') {
    throw new Error(`../shared/data/prices/us/${file} is missing: CI must run with ../shared beside the clone`);
  }
  return present;
}

/**
 * Minimal reader of the shared Yahoo CSVs: columns are found by header name (the files differ in order), the
 * date is the first 10 characters (the trading date in the exchange's zone, e.g. `2015-01-02 00:00:00-05:00`).
 */
export function readSharedPrices(file: string): CsvBar[] {
  const text = readFileSync(sharedPricePath(file), 'utf8');
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((name) => name.trim().toLowerCase());
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${file}: no ${name} column in ${header.join(',')}`);
    return index;
  };
  const [date, open, high, low, close, volume] = ['date', 'open', 'high', 'low', 'close', 'volume'].map(column) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return {
      date: (cells[date] ?? '').slice(0, 10),
      open: Number(cells[open]),
      high: Number(cells[high]),
      low: Number(cells[low]),
      close: Number(cells[close]),
      volume: Number(cells[volume]),
    };
  });
}

/** Path of a file under ../shared/data/cn (China A-share daily bars, `date,open,high,low,close,volume`). */
export function sharedChinaPath(file: string): string {
  return fileURLToPath(new URL(`../../../../../shared/data/cn/${file}`, import.meta.url));
}

/** True when the shared China file exists (under `CI=true` a missing file throws, as {@link hasSharedPrices}). */
export function hasSharedChina(file: string): boolean {
  const present = existsSync(sharedChinaPath(file));
  if (!present && process.env.CI === 'true') {
    throw new Error(`../shared/data/cn/${file} is missing: CI must run with ../shared beside the clone`);
  }
  return present;
}

/** Reader of the shared China CSVs (header `date,open,high,low,close,volume`). */
export function readSharedChina(file: string): CsvBar[] {
  const lines = readFileSync(sharedChinaPath(file), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  return lines.slice(1).map((line) => {
    const [date, open, high, low, close, volume] = line.split(',');
    return {
      date: date as string,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
  });
}
