/**
 * Seeded perturbations of a faithful reasoning, for evaluating a verifier on your own data: each perturbation
 * introduces one known defect (an altered figure, a wrong company or period, a flipped direction, an invented or
 * future fact, a decision flipped against the reasoning, irrelevant text, keyword stuffing) and records where.
 */
import {
  createRng,
  type Decision,
  decisionSchema,
  deriveSeed,
  parseWith,
  type Rng,
  TradeR1Error,
} from '@trade-r1/core';
import { z } from 'zod';
import { analyzeText } from '../checks/facts.ts';
import { COMPANY_ALIASES } from '../checks/lexicon.ts';
import { extractPeriods } from '../checks/periods.ts';
import { extractClaims } from '../claims/extract.ts';
import { scoreReasoningStance } from '../stance/stance.ts';

/** The kinds of defect {@link perturb} can introduce. */
export const PERTURBATION_TYPES = [
  'number',
  'entity',
  'period',
  'negation',
  'invented',
  'future',
  'flip',
  'irrelevant',
  'stuffing',
] as const;
/** A kind of defect. */
export type PerturbationType = (typeof PERTURBATION_TYPES)[number];

/** Options of {@link perturb}. */
export const perturbOptionsSchema = z.object({
  /** The faithful reasoning. */
  reasoning: z.string().min(1),
  /** Its decision. */
  decision: decisionSchema,
  /** Which defect to introduce. */
  type: z.enum(PERTURBATION_TYPES),
  /** Seed: the same inputs and seed give the same perturbation. @default 0 */
  seed: z.number().int().default(0),
  /** The ticker the reasoning is about (its company is never used as the wrong entity). */
  ticker: z.string().optional(),
  /**
   * Sentences stating facts published only after the decision time (for `future`). Without them, `future`
   * returns `null`.
   */
  futureFacts: z.array(z.string().min(1)).default([]),
  /** Words typical of the evidence (for `stuffing`); defaults to the reasoning's own content words. */
  keywords: z.array(z.string().min(1)).optional(),
});
/** Options of {@link perturb}. */
export type PerturbOptions = z.input<typeof perturbOptionsSchema>;

/** A perturbed reasoning. */
export interface Perturbation {
  /** The defect introduced. */
  type: PerturbationType;
  /** The perturbed reasoning. */
  reasoning: string;
  /** The decision to verify with (flipped for `flip`, else unchanged). */
  decision: Decision;
  /** Span of the changed or inserted text in the perturbed reasoning (`null` for `flip`). */
  span: { start: number; end: number } | null;
  /** The text that was replaced (empty for insertions). */
  original: string;
  /** The replacement or inserted text. */
  replacement: string;
}

const ANTONYMS: Record<string, string> = {
  rose: 'fell',
  fell: 'rose',
  rise: 'fall',
  rises: 'falls',
  grew: 'shrank',
  grow: 'shrink',
  increased: 'decreased',
  decreased: 'increased',
  increase: 'decrease',
  climbed: 'dropped',
  jumped: 'slumped',
  surged: 'plunged',
  gained: 'lost',
  expanded: 'contracted',
  improved: 'deteriorated',
  up: 'down',
  down: 'up',
  higher: 'lower',
  lower: 'higher',
  declined: 'rose',
  dropped: 'climbed',
  beat: 'missed',
  beats: 'misses',
  topped: 'missed',
  exceeded: 'missed',
  missed: 'beat',
  raised: 'cut',
  lifted: 'lowered',
  boosted: 'cut',
  cut: 'raised',
  lowered: 'raised',
  upgraded: 'downgraded',
  downgraded: 'upgraded',
  accelerated: 'slowed',
  slowed: 'accelerated',
  strengthened: 'weakened',
  weakened: 'strengthened',
};

const INVENTED_TEMPLATES = [
  '{company} also agreed to acquire a {adjective} software maker for {dollars} billion in cash.',
  '{company} disclosed that regulators opened a formal investigation into its {segment} business in {month}.',
  '{company} announced a {ratio}-for-1 stock split that takes effect next month.',
  '{company} said it will cut {count},000 jobs, about {percent}% of its workforce, by year end.',
  '{company} signed a {dollars} billion supply agreement with a {adjective} automaker.',
  '{company} named a new chief financial officer after the previous one resigned unexpectedly in {month}.',
  '{company} won a {dollars} billion government contract for its {segment} unit.',
  '{company} plans to list its {segment} division separately in a spin-off valued at {dollars} billion.',
];
const IRRELEVANT_SENTENCES = [
  'Many travellers prefer quiet coastal towns in the off season, when hotels are cheaper and beaches are empty.',
  'The company continues to navigate a dynamic landscape, balancing innovation with disciplined execution across its global footprint.',
  'Good leadership is about listening carefully, setting clear goals and empowering teams to do their best work.',
  'Coffee consumption tends to rise in colder months as people spend more time indoors with friends and family.',
  'Stakeholders across the ecosystem remain focused on long-term value creation in an evolving environment.',
  'Learning a new language takes patience, daily practice and a willingness to make mistakes in conversation.',
];
const ADJECTIVES = ['European', 'Israeli', 'Canadian', 'Japanese', 'Swiss', 'Korean', 'Brazilian'];
const SEGMENTS = ['cloud', 'advertising', 'payments', 'devices', 'consumer', 'enterprise', 'licensing'];
const MONTHS = ['January', 'March', 'April', 'June', 'September', 'November'];
const NUMBER_WORDS = /(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?/;

function pick<T>(rng: Rng, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[rng.int(0, items.length - 1)];
}

function companyName(ticker: string | undefined, reasoning: string): string {
  if (ticker && COMPANY_ALIASES[ticker.toUpperCase()]) {
    const alias = COMPANY_ALIASES[ticker.toUpperCase()]?.[0] ?? ticker;
    return alias.replace(/\b[a-z]/g, (letter) => letter.toUpperCase());
  }
  const named = analyzeText(reasoning).entities.find((entity) => entity.kind === 'company');
  return named?.raw ?? ticker ?? 'The company';
}

function fill(template: string, rng: Rng, company: string): string {
  return template
    .replace('{company}', company)
    .replace('{adjective}', pick(rng, ADJECTIVES) ?? 'European')
    .replace('{segment}', pick(rng, SEGMENTS) ?? 'cloud')
    .replace('{month}', pick(rng, MONTHS) ?? 'March')
    .replace('{dollars}', `$${rng.int(2, 40)}`)
    .replace('{ratio}', String(pick(rng, [3, 4, 5, 10, 20]) ?? 4))
    .replace('{count}', String(rng.int(2, 15)))
    .replace('{percent}', String(rng.int(3, 12)));
}

/** Alter a written number by 15–60% (never within rounding of the original), keeping its format. */
function alterNumber(raw: string, rng: Rng): string {
  const match = NUMBER_WORDS.exec(raw);
  if (!match) return raw;
  const integer = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const decimals = fraction.length > 0 ? fraction.length - 1 : 0;
  const value = Number(`${integer.replace(/,/g, '')}${fraction}`);
  const step = 10 ** -decimals;
  let altered = value;
  for (
    let attempt = 0;
    attempt < 10 && Math.abs(altered - value) < Math.max(2 * step, 0.1 * Math.abs(value));
    attempt += 1
  ) {
    const factor = 1 + (rng.next() < 0.5 ? -1 : 1) * (0.15 + 0.45 * rng.next());
    altered = Math.round((value * factor) / step) * step;
    if (altered <= 0) altered = value + Math.max(step, Math.ceil(value * 0.3));
  }
  if (Math.abs(altered - value) < 2 * step) altered = value + Math.max(2 * step, Math.ceil(Math.abs(value) * 0.3));
  let text = altered.toFixed(decimals);
  if (integer.includes(',')) {
    const [whole, part] = text.split('.');
    text = `${Number(whole).toLocaleString('en-US')}${part ? `.${part}` : ''}`;
  }
  return `${raw.slice(0, match.index)}${text}${raw.slice(match.index + match[0].length)}`;
}

function shiftPeriod(raw: string, rng: Rng): string | null {
  const quarter = /\b(Q|q)([1-4])\b|\b([1-4])(Q|q)\b/.exec(raw);
  if (quarter) {
    const current = Number(quarter[2] ?? quarter[3]);
    const next = ((current + rng.int(0, 2)) % 4) + 1;
    return raw.replace(String(current), String(next === current ? (current % 4) + 1 : next));
  }
  const ordinal = /\b(first|second|third|fourth)\b/i.exec(raw);
  if (ordinal) {
    const words = ['first', 'second', 'third', 'fourth'];
    const current = words.indexOf((ordinal[1] ?? '').toLowerCase());
    const next = words[(current + 1 + rng.int(0, 2)) % 4] ?? 'first';
    const cased = /^[A-Z]/.test(ordinal[1] ?? '') ? next.charAt(0).toUpperCase() + next.slice(1) : next;
    return raw.replace(ordinal[1] ?? '', cased);
  }
  const year = /(19|20)(\d{2})|'(\d{2})\b|\bFY(\d{2})\b/i.exec(raw);
  if (year) {
    const delta = rng.next() < 0.5 ? -1 : -2;
    return raw.replace(/(\d{2})(?!.*\d)/, (digits) => String(Number(digits) + delta).padStart(2, '0'));
  }
  const half = /\b(H|h)([12])\b|\b(first|second) half\b/i.exec(raw);
  if (half)
    return raw.replace(
      /[12]|first|second/i,
      (value) => ({ 1: '2', 2: '1', first: 'second', second: 'first' })[value.toLowerCase()] ?? value,
    );
  return null;
}

function flipDecision(decision: Decision, reasoning: string, rng: Rng): Decision {
  switch (decision) {
    case 'STRONG_BUY':
      return rng.next() < 0.5 ? 'STRONG_SELL' : 'SELL';
    case 'BUY':
      return rng.next() < 0.5 ? 'SELL' : 'STRONG_SELL';
    case 'SELL':
      return rng.next() < 0.5 ? 'BUY' : 'STRONG_BUY';
    case 'STRONG_SELL':
      return rng.next() < 0.5 ? 'STRONG_BUY' : 'BUY';
    default:
      // A hold goes to the extreme opposite to the reasoning's lean (or a random extreme when it has none).
      return scoreReasoningStance(reasoning).stance > 0.05
        ? 'STRONG_SELL'
        : scoreReasoningStance(reasoning).stance < -0.05
          ? 'STRONG_BUY'
          : rng.next() < 0.5
            ? 'STRONG_BUY'
            : 'STRONG_SELL';
  }
}

function replaceAt(text: string, start: number, end: number, replacement: string): string {
  return `${text.slice(0, start)}${replacement}${text.slice(end)}`;
}

/** Insert a sentence after a random non-conclusion claim, as a bullet when that claim is one. */
function insertSentence(reasoning: string, sentence: string, rng: Rng): Perturbation['span'] & { reasoning: string } {
  const { claims } = extractClaims(reasoning);
  const candidates = claims.filter((claim) => claim.section !== 'conclusion' && claim.kind !== 'conclusion');
  const anchor = pick(rng, candidates.length > 0 ? candidates : claims);
  if (!anchor) {
    const start = reasoning.length + 1;
    return { reasoning: `${reasoning} ${sentence}`, start, end: start + sentence.length };
  }
  if (anchor.kind === 'bullet' || anchor.kind === 'table-row') {
    const lineEnd = reasoning.indexOf('\n', anchor.end);
    const at = lineEnd < 0 ? reasoning.length : lineEnd;
    const indent = /^(\s*[-*+•]\s+)/.exec(reasoning.slice(reasoning.lastIndexOf('\n', anchor.start) + 1))?.[1] ?? '- ';
    const inserted = `\n${indent}${sentence}`;
    return {
      reasoning: replaceAt(reasoning, at, at, inserted),
      start: at + 1 + indent.length,
      end: at + inserted.length,
    };
  }
  const inserted = ` ${sentence}`;
  return {
    reasoning: replaceAt(reasoning, anchor.end, anchor.end, inserted),
    start: anchor.end + 1,
    end: anchor.end + inserted.length,
  };
}

/**
 * Introduce one known defect into a faithful reasoning (seeded and deterministic). Returns `null` when the
 * reasoning has nothing to perturb for that type (no figure for `number`, no company for `entity`, no period for
 * `period`, no direction word for `negation`, no `futureFacts` for `future`).
 *
 * @example
 * const broken = perturb({ reasoning, decision: 'BUY', type: 'number', seed: 7 });
 * // broken?.reasoning has one figure altered by 15–60%; broken?.span locates it.
 */
export function perturb(options: PerturbOptions): Perturbation | null {
  const settings = parseWith(perturbOptionsSchema, options, { label: 'perturb() options' });
  const { reasoning, decision, type } = settings;
  const rng = createRng(deriveSeed(settings.seed, `perturb:${type}`));
  const { claims, decisionTag } = extractClaims(reasoning);
  const body = claims.filter((claim) => claim.section !== 'conclusion' && claim.kind !== 'conclusion');
  // Statements about the analysis itself ("Technical score: 0.84 on a scale from -1 to 1") are not claims about
  // the world: perturb them only when nothing else is left.
  const about = body.filter((claim) => claim.category !== 'meta');
  const pool = about.length > 0 ? about : body.length > 0 ? body : claims;
  // Cited sources (`…`, SOURCES: …) are references, not claims: never perturb inside them.
  const protectedRanges = [...reasoning.matchAll(/`[^`\n]*`|\bSOURCES?\s*:[^\n]*/gi)].map((match) => [
    match.index,
    match.index + match[0].length,
  ]);
  const free = <T extends { start: number }>(items: T[]): T[] =>
    items.filter((item) => !protectedRanges.some(([from, to]) => item.start >= (from ?? 0) && item.start < (to ?? 0)));
  const result = (
    text: string,
    span: Perturbation['span'],
    original: string,
    replacement: string,
    newDecision: Decision = decision,
  ): Perturbation => ({ type, reasoning: text, decision: newDecision, span, original, replacement });

  switch (type) {
    case 'number': {
      const figures = pool.flatMap((claim) =>
        analyzeText(reasoning.slice(claim.start, claim.end)).quantities.map((quantity) => ({
          start: claim.start + quantity.start,
          end: claim.start + quantity.end,
          raw: quantity.raw,
        })),
      );
      const figure = pick(rng, free(figures));
      if (!figure) return null;
      const replacement = alterNumber(figure.raw, rng);
      return result(
        replaceAt(reasoning, figure.start, figure.end, replacement),
        { start: figure.start, end: figure.start + replacement.length },
        figure.raw,
        replacement,
      );
    }
    case 'entity': {
      const mentions = pool.flatMap((claim) =>
        analyzeText(reasoning.slice(claim.start, claim.end))
          .entities.filter((entity) => entity.kind === 'company')
          .map((entity) => ({ start: claim.start + entity.start, raw: entity.raw, key: entity.key })),
      );
      const mention = pick(rng, free(mentions));
      if (!mention) return null;
      const others = Object.entries(COMPANY_ALIASES).filter(
        ([ticker, aliases]) =>
          ticker !== mention.key && ticker !== settings.ticker?.toUpperCase() && (aliases[0]?.length ?? 0) > 3,
      );
      const [, aliases] = pick(rng, others) ?? ['MSFT', ['microsoft']];
      const name = (aliases[0] ?? 'microsoft').replace(/\b[a-z]/g, (letter) => letter.toUpperCase());
      const replacement = /^[A-Z]{2,5}$/.test(mention.raw) ? (others[0]?.[0] ?? 'MSFT') : name;
      const end = mention.start + mention.raw.length;
      return result(
        replaceAt(reasoning, mention.start, end, replacement),
        { start: mention.start, end: mention.start + replacement.length },
        mention.raw,
        replacement,
      );
    }
    case 'period': {
      const periods = pool.flatMap((claim) =>
        extractPeriods(reasoning.slice(claim.start, claim.end)).map((period) => ({
          start: claim.start + period.start,
          end: claim.start + period.end,
          raw: period.raw,
        })),
      );
      const shuffled = rng.shuffle(free(periods));
      for (const period of shuffled) {
        const replacement = shiftPeriod(period.raw, rng);
        if (replacement === null || replacement === period.raw) continue;
        return result(
          replaceAt(reasoning, period.start, period.end, replacement),
          { start: period.start, end: period.start + replacement.length },
          period.raw,
          replacement,
        );
      }
      return null;
    }
    case 'negation': {
      const words = pool.flatMap((claim) =>
        analyzeText(reasoning.slice(claim.start, claim.end))
          .directions.filter((direction) => !direction.negated && ANTONYMS[direction.word.toLowerCase()] !== undefined)
          .map((direction) => ({ start: claim.start + direction.start, raw: direction.word })),
      );
      const word = pick(rng, free(words));
      if (!word) return null;
      const antonym = ANTONYMS[word.raw.toLowerCase()] ?? word.raw;
      const replacement = /^[A-Z]/.test(word.raw) ? antonym.charAt(0).toUpperCase() + antonym.slice(1) : antonym;
      return result(
        replaceAt(reasoning, word.start, word.start + word.raw.length, replacement),
        { start: word.start, end: word.start + replacement.length },
        word.raw,
        replacement,
      );
    }
    case 'invented':
    case 'future':
    case 'irrelevant':
    case 'stuffing': {
      let sentence: string;
      if (type === 'invented') {
        sentence = fill(pick(rng, INVENTED_TEMPLATES) ?? '', rng, companyName(settings.ticker, reasoning));
      } else if (type === 'future') {
        const fact = pick(rng, settings.futureFacts);
        if (!fact) return null;
        sentence = fact.trim();
      } else if (type === 'irrelevant') {
        sentence = pick(rng, IRRELEVANT_SENTENCES) ?? '';
      } else {
        const words = settings.keywords ?? [
          ...new Set(
            analyzeText(reasoning)
              .tokens.filter((token) => !token.stop && /^[A-Za-z]{4,}$/.test(token.raw))
              .map((token) => token.raw),
          ),
        ];
        if (words.length < 6) return null;
        sentence = `${rng.sample(words, Math.min(12, words.length)).join(' ')}.`;
      }
      const inserted = insertSentence(reasoning, sentence, rng);
      return result(inserted.reasoning, { start: inserted.start, end: inserted.end }, '', sentence);
    }
    case 'flip': {
      const flipped = flipDecision(decision, reasoning, rng);
      // Keep the reasoning's own decision tag consistent with the new decision (the defect is the mismatch
      // between argument and decision, not a typo in the tag).
      if (decisionTag) {
        const brackets = reasoning.slice(decisionTag.start, decisionTag.end).startsWith('[[[') ? 3 : 2;
        const tag = `${'['.repeat(brackets)}${flipped.replace('_', ' ')}${']'.repeat(brackets)}`;
        return result(replaceAt(reasoning, decisionTag.start, decisionTag.end, tag), null, '', tag, flipped);
      }
      return result(reasoning, null, '', '', flipped);
    }
    default:
      throw new TradeR1Error('INVALID_INPUT', `Unknown perturbation type ${String(type)}`);
  }
}
