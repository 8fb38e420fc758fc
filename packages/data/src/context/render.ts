import { z } from 'zod';
import type { IndicatorName } from '../indicators/indicators.ts';
import { parseArgument } from '../validate.ts';
import { formatCompactNumber, formatPrice } from './format.ts';
import type { ContextSection, PointInTimeContext } from './types.ts';

type ContextBody = Omit<PointInTimeContext, 'prompt' | 'tokens' | 'trimmed'>;

interface RenderOptions {
  maxTokens: number;
  countTokens: (text: string) => number;
  maxSummaryChars: number;
}

interface Rendered {
  context: ContextBody;
  prompt: string;
  tokens: number;
  trimmed: PointInTimeContext['trimmed'];
}

/**
 * Token compression for free text (Trading-R1 strips markdown and noise): markdown links keep their text, bare URLs,
 * images, HTML tags and emphasis/heading markers are dropped, whitespace is collapsed.
 */
export function compactText(text: string): string {
  parseArgument(z.string(), text, { fn: 'compactText()', field: 'text' });
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]+)\]\((?:https?:\/\/|www\.)[^)]*\)/g, '$1')
    .replace(/<\/?[a-zA-Z][^>]*>/g, ' ')
    .replace(/\bhttps?:\/\/\S+/g, ' ')
    .replace(/(^|\s)#{1,6}\s+/g, '$1')
    .replace(/(\*\*|__|~~|`)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function escapeText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function truncate(text: string, limit: number): string {
  const clean = escapeText(text);
  return clean.length <= limit ? clean : `${clean.slice(0, Math.max(0, limit - 1)).trimEnd()}…`;
}

function formatInstant(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function renderNews(context: ContextBody, options: RenderOptions): string {
  if (context.news.every((bucket) => bucket.items.length === 0)) return '';
  const lines = ['<news>'];
  for (const bucket of context.news) {
    if (bucket.items.length === 0) continue;
    const label =
      bucket.minDaysAgo === 0 ? `t-${bucket.maxDaysAgo}..t` : `t-${bucket.maxDaysAgo}..t-${bucket.minDaysAgo}`;
    lines.push(`## ${label} (${bucket.items.length} of ${bucket.available})`);
    for (const item of bucket.items) {
      const summaryText = compactText(item.summary);
      const summary = summaryText ? ` — ${truncate(summaryText, options.maxSummaryChars)}` : '';
      lines.push(
        `- [${formatInstant(item.publishedAt)}] ${truncate(compactText(item.headline), 300)}${summary} (${escapeText(item.source)})`,
      );
    }
  }
  lines.push('</news>');
  return lines.join('\n');
}

function renderTechnicals(context: ContextBody): string {
  const technicals = context.technicals;
  if (!technicals || technicals.bars.length === 0) return '';
  const lines = [`<technicals window="${technicals.bars.length}">`, '<ohlcv>', 'date,open,high,low,close,volume'];
  for (const bar of technicals.bars) {
    lines.push(
      [
        bar.timestamp,
        formatPrice(bar.open),
        formatPrice(bar.high),
        formatPrice(bar.low),
        formatPrice(bar.close),
        formatCompactNumber(bar.volume),
      ].join(','),
    );
  }
  lines.push('</ohlcv>');
  for (const [name, values] of Object.entries(technicals.indicators) as Array<[IndicatorName, Array<number | null>]>) {
    if (values.every((value) => value === null)) continue;
    lines.push(`<${name}>${values.map((value) => formatCompactNumber(value, 4)).join(', ')}</${name}>`);
  }
  lines.push('</technicals>');
  return lines.join('\n');
}

function renderFundamentals(context: ContextBody): string {
  if (context.fundamentals.length === 0) return '';
  const lines = ['<fundamentals>', 'metric (unit): newest first, period [form, filed]'];
  for (const metric of context.fundamentals) {
    const cells = metric.facts.map((fact) => {
      const end = fact.periodEnd ?? [fact.fiscalYear, fact.fiscalPeriod].filter(Boolean).join(' ');
      const kind =
        fact.periodKind && fact.periodKind !== 'instant' && fact.periodKind !== 'other' ? ` ${fact.periodKind}` : '';
      const period = fact.periodStart && fact.periodEnd ? `${fact.periodStart}..${fact.periodEnd}${kind}` : end;
      const form = fact.form ? `${fact.form}, ` : '';
      return `${formatCompactNumber(fact.value, 4)} @ ${period || 'n/a'} [${form}filed ${fact.publishedAt.slice(0, 10)}]`;
    });
    const ttm = metric.ttm
      ? `TTM ${formatCompactNumber(metric.ttm.value, 4)} @ ${metric.ttm.periodStart}..${metric.ttm.periodEnd}; `
      : '';
    lines.push(`- ${metric.metric} (${metric.unit}): ${ttm}${cells.join('; ')}`);
  }
  lines.push('</fundamentals>');
  return lines.join('\n');
}

function renderInsider(context: ContextBody): string {
  const { sentiment, transactions } = context.insider;
  if (sentiment.length === 0 && transactions.length === 0) return '';
  const lines = ['<insider>'];
  if (sentiment.length > 0) {
    lines.push('## monthly sentiment (mspr in [-100, 100]; change = net shares)');
    for (const item of sentiment) {
      lines.push(
        `- ${item.year}-${String(item.month).padStart(2, '0')}: mspr ${formatCompactNumber(item.mspr, 3)}, change ${formatCompactNumber(item.change)}`,
      );
    }
  }
  if (transactions.length > 0) {
    lines.push('## transactions (newest filing first)');
    for (const item of transactions) {
      const price = item.transactionPrice === undefined ? '' : ` @ ${formatPrice(item.transactionPrice)}`;
      const code = item.transactionCode ? ` [${item.transactionCode}]` : '';
      lines.push(
        `- ${item.transactionDate} ${escapeText(item.name)}: ${formatCompactNumber(item.change)} shares${price}${code}, holds ${formatCompactNumber(item.share)} (filed ${item.publishedAt.slice(0, 10)})`,
      );
    }
  }
  lines.push('</insider>');
  return lines.join('\n');
}

function renderMacro(context: ContextBody): string {
  const series = context.macro.filter((entry) => entry.observations.length > 0);
  if (series.length === 0) return '';
  const lines = ['<macro>', 'first-of-month values, oldest first'];
  for (const entry of series) {
    lines.push(
      `- ${entry.seriesId}: ${entry.observations.map((observation) => `${observation.date.slice(0, 7)} ${formatCompactNumber(observation.value, 4)}`).join(', ')}`,
    );
  }
  lines.push('</macro>');
  return lines.join('\n');
}

function assemble(context: ContextBody, options: RenderOptions): string {
  const renderers: Record<ContextSection, () => string> = {
    technicals: () => renderTechnicals(context),
    news: () => renderNews(context, options),
    fundamentals: () => renderFundamentals(context),
    insider: () => renderInsider(context),
    macro: () => renderMacro(context),
  };
  const sections = context.sections.map((section) => renderers[section]()).filter((section) => section !== '');
  return [`<context ticker="${context.ticker}" as_of="${context.asOf}">`, ...sections, '</context>'].join('\n');
}

function clone(context: ContextBody): ContextBody {
  return {
    ...context,
    sections: [...context.sections],
    news: context.news.map((bucket) => ({ ...bucket, items: [...bucket.items] })),
    technicals: context.technicals ? { ...context.technicals, indicators: { ...context.technicals.indicators } } : null,
    fundamentals: context.fundamentals.map((metric) => ({ ...metric, facts: [...metric.facts] })),
    insider: { sentiment: [...context.insider.sentiment], transactions: [...context.insider.transactions] },
    macro: context.macro.map((entry) => ({ ...entry, observations: [...entry.observations] })),
  };
}

/**
 * Render the prompt text and trim it to the token budget. Cuts, in order, until it fits: news items from the
 * oldest bucket (t−30..t−11, then t−10..t−4, then t−3..t; the oldest item of a bucket first), insider transactions
 * (oldest first), macro observations (oldest month of the longest series first), fundamental periods (oldest of the
 * metric with most periods first, then whole metrics), indicators (last in the list first); and as a last resort
 * the text is cut at the budget. The returned context holds exactly what the prompt shows.
 */
export function renderContextPrompt(body: ContextBody, options: RenderOptions): Rendered {
  const context = clone(body);
  const trimmed: PointInTimeContext['trimmed'] = {
    newsItems: 0,
    insiderTransactions: 0,
    macroObservations: 0,
    fundamentalFacts: 0,
    indicators: 0,
    truncated: false,
  };
  let prompt = assemble(context, options);
  let tokens = options.countTokens(prompt);
  // Each pass removes a batch sized to the overshoot, so large contexts converge in a few renders.
  while (tokens > options.maxTokens) {
    const overshoot = tokens - options.maxTokens;
    let removed = false;
    const batch = (unit: number): number => Math.max(1, Math.ceil(overshoot / Math.max(1, unit)));
    const bucketsByAge = [...context.news].sort((left, right) => right.maxDaysAgo - left.maxDaysAgo);
    const newsBucket = bucketsByAge.find((bucket) => bucket.items.length > 0);
    if (newsBucket) {
      const count = Math.min(newsBucket.items.length, batch(200));
      newsBucket.items.splice(newsBucket.items.length - count, count);
      trimmed.newsItems += count;
      removed = true;
    } else if (context.insider.transactions.length > 0) {
      const count = Math.min(context.insider.transactions.length, batch(40));
      context.insider.transactions.splice(context.insider.transactions.length - count, count);
      trimmed.insiderTransactions += count;
      removed = true;
    } else if (context.macro.some((entry) => entry.observations.length > 0)) {
      const longest = context.macro.reduce((best, entry) =>
        entry.observations.length > best.observations.length ? entry : best,
      );
      const count = Math.min(longest.observations.length, batch(10));
      longest.observations.splice(0, count);
      trimmed.macroObservations += count;
      removed = true;
    } else if (context.fundamentals.length > 0) {
      const widest = context.fundamentals.reduce((best, metric) =>
        metric.facts.length > best.facts.length ? metric : best,
      );
      if (widest.facts.length > 1) {
        widest.facts.pop();
      } else {
        context.fundamentals.pop();
      }
      trimmed.fundamentalFacts += 1;
      removed = true;
    } else if (context.technicals && Object.keys(context.technicals.indicators).length > 0) {
      const names = Object.keys(context.technicals.indicators) as IndicatorName[];
      delete context.technicals.indicators[names[names.length - 1] as IndicatorName];
      trimmed.indicators += 1;
      removed = true;
    }
    if (!removed) {
      // Only the header and OHLCV rows remain: cut the text itself.
      let low = 0;
      let high = prompt.length;
      while (low < high) {
        const middle = (low + high + 1) >>> 1;
        if (options.countTokens(prompt.slice(0, middle)) <= options.maxTokens) low = middle;
        else high = middle - 1;
      }
      prompt = prompt.slice(0, low);
      tokens = options.countTokens(prompt);
      trimmed.truncated = true;
      break;
    }
    prompt = assemble(context, options);
    tokens = options.countTokens(prompt);
  }
  return { context, prompt, tokens, trimmed };
}
