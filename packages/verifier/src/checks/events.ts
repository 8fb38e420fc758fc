/**
 * Discrete corporate events a claim can assert (an acquisition, an investigation, a recall, a buyback …): a claim that
 * reports an event of a type no admissible evidence mentions at all reports something the evidence does not
 * contain, however closely its other words match (an invented deal added to a faithful thesis).
 *
 * The taxonomy follows the event items of the SEC's Form 8-K (acquisitions and disposals, bankruptcy, departures and
 * appointments of officers, restatements of results, cybersecurity incidents) and the usual corporate-event classes of
 * financial news (litigation, investigations, recalls, layoffs, strikes, stock splits, buybacks, dividends). Only
 * types named by words without an everyday analyst sense are listed: generic business words (deal, agreement,
 * contract, partnership, guidance, outlook, offering, listing) appear in ordinary commentary about results and would
 * flag faithful text, so material agreements and securities offerings are left out.
 */
import { z } from 'zod';
import { parseArgument } from '../arguments.ts';

/** A type of discrete corporate event. */
export type EventType =
  | 'acquisition'
  | 'divestiture'
  | 'investigation'
  | 'litigation'
  | 'stock-split'
  | 'layoffs'
  | 'leadership-change'
  | 'buyback'
  | 'dividend'
  | 'recall'
  | 'bankruptcy'
  | 'strike'
  | 'cyber-incident'
  | 'restatement';

/** The words that name each event type (lower-case text; whole words). */
const EVENT_PATTERNS: ReadonlyArray<readonly [EventType, RegExp]> = [
  ['acquisition', /\b(?:acquir(?:e|es|ed|ing)|acquisitions?|takeovers?|buyouts?|merg(?:e|es|ed|er|ers|ing))\b/],
  ['divestiture', /\b(?:divest(?:s|ed|ing|itures?|ments?)?|spin-?offs?|spun off|spin(?:s|ning)? off|carve-?outs?)\b/],
  ['investigation', /\b(?:investigat(?:e|es|ed|ing|ions?|ors?)|probes?|probing|subpoena(?:s|ed)?)\b/],
  ['litigation', /\b(?:lawsuits?|sued|sues|suing|litigation|class[- ]action)\b/],
  ['stock-split', /\b(?:stock split|share split|reverse split|\d+-for-\d+(?: stock| share)? split)s?\b/],
  [
    'layoffs',
    /\b(?:lay-?offs?|lay(?:s|ing)? off|laid off|job cuts?|cut(?:s|ting)? (?:about |some |roughly )?[\d,]+ jobs|workforce reduction|headcount reduction|redundancies)\b/,
  ],
  [
    'leadership-change',
    /\b(?:resign(?:s|ed|ing|ation)?|step(?:s|ped|ping) down|appoint(?:s|ed|ing|ment)|successor|ousted|named (?:a |its )?(?:new )?(?:chief|ceo|cfo|coo|president|chair))\b/,
  ],
  ['buyback', /\b(?:buy-?backs?|repurchas(?:e|es|ed|ing)|buy(?:s|ing)? back)\b/],
  ['dividend', /\bdividends?\b/],
  ['recall', /\brecall(?:s|ed|ing)?\b/],
  ['bankruptcy', /\b(?:bankrupt(?:cy|cies)?|chapter 11|insolven(?:t|cy))\b/],
  ['strike', /\b(?:on strike|strik(?:e|es|ing) workers|workers? strik(?:e|es|ing)|labou?r strikes?|walkouts?)\b/],
  ['cyber-incident', /\b(?:data breach(?:es)?|cyber-?attacks?|ransomware|hack(?:ed|ers?))\b/],
  [
    'restatement',
    /\b(?:restat(?:e|es|ed|ing|ement|ements)) (?:its |the |of )?(?:results|earnings|financials?|accounts|statements)\b/,
  ],
];

/** The event types a text names, in taxonomy order (each once); no validation (internal hot path). */
export function eventTypesOf(text: string): EventType[] {
  const lower = text.toLowerCase();
  const found: EventType[] = [];
  for (const [type, pattern] of EVENT_PATTERNS) if (pattern.test(lower)) found.push(type);
  return found;
}

/**
 * The discrete corporate-event types a text names (`'acquisition'`, `'recall'`, `'buyback'` …), in taxonomy order,
 * each once: what the verifier looks up in the admissible evidence for each claim (`checks.events`).
 * @throws {TradeR1Error} `INVALID_INPUT` when `text` is not a string.
 */
export function eventTypes(text: string): EventType[] {
  return eventTypesOf(parseArgument(z.string(), text, 'eventTypes()', 'text'));
}
