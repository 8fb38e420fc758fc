import { z } from 'zod';
import { isIsoDate } from '../dates.ts';
import { finiteNumberSchema } from './common.ts';

const BAR_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z)?$/;

/**
 * A bar's timestamp: the trading date `YYYY-MM-DD` for daily bars, or a UTC date-time
 * (`2024-01-05T14:30:00Z`) for intraday bars. One series uses one form, so timestamps sort as strings.
 */
export const barTimestampSchema = z
  .string()
  .refine(
    (value) => BAR_TIMESTAMP.test(value) && isIsoDate(value.slice(0, 10)),
    'expected a trading date YYYY-MM-DD or a UTC date-time YYYY-MM-DDTHH:mm[:ss[.sss]]Z',
  );

const priceSchema = finiteNumberSchema.refine((value) => value > 0, 'price must be positive');

/**
 * One OHLCV bar. Prices are finite and positive, `high >= max(open, close)`, `low <= min(open, close)`
 * (so also `high >= low`), and volume is finite and >= 0.
 */
export const barSchema = z
  .object({
    timestamp: barTimestampSchema,
    open: priceSchema,
    high: priceSchema,
    low: priceSchema,
    close: priceSchema,
    volume: finiteNumberSchema.refine((value) => value >= 0, 'volume must be >= 0'),
  })
  .superRefine((bar, context) => {
    if (bar.high < Math.max(bar.open, bar.close)) {
      context.addIssue({ code: 'custom', path: ['high'], message: `high ${bar.high} is below max(open, close)` });
    }
    if (bar.low > Math.min(bar.open, bar.close)) {
      context.addIssue({ code: 'custom', path: ['low'], message: `low ${bar.low} is above min(open, close)` });
    }
  });
/** One OHLCV bar (see {@link barSchema}). */
export type Bar = z.infer<typeof barSchema>;

/**
 * A price series: bars in strictly increasing timestamp order, no duplicates, one timestamp form.
 */
export const priceSeriesSchema = z.array(barSchema).superRefine((bars, context) => {
  for (let index = 1; index < bars.length; index += 1) {
    const previous = bars[index - 1] as Bar;
    const current = bars[index] as Bar;
    if (previous.timestamp.length !== current.timestamp.length) {
      context.addIssue({
        code: 'custom',
        path: [index, 'timestamp'],
        message: `mixed timestamp forms: ${previous.timestamp} then ${current.timestamp}`,
      });
      return;
    }
    if (current.timestamp <= previous.timestamp) {
      context.addIssue({
        code: 'custom',
        path: [index, 'timestamp'],
        message:
          current.timestamp === previous.timestamp
            ? `duplicate timestamp ${current.timestamp}`
            : `timestamp ${current.timestamp} is not after ${previous.timestamp}`,
      });
      return;
    }
  }
});
/** A validated price series (see {@link priceSeriesSchema}). */
export type PriceSeries = z.infer<typeof priceSeriesSchema>;
