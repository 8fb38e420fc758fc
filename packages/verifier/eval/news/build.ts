/**
 * The "news" evaluation split: real articles from the FNSPID sample (../shared/data/news/, non-commercial licence)
 * as evidence, and reasonings built at evaluation time from real sentences of those articles. Nothing of the
 * articles is written into the repository: the corpus is read with @trade-r1/data's `readNewsCsvFile` when the
 * evaluation runs, and the split is skipped when the file is absent.
 *
 * This set is not from the hand that wrote the verifier or the other splits: claims are sentences that journalists
 * wrote (with figures, names and periods as they appear in the wild), so it checks how the mechanisms generalise.
 *
 * - Evidence: every article with enough text, as a `news` document for AAPL at its publication time (truncated to
 *   `MAX_CHARS`; the store chunks it).
 * - Decision dates: every day of the sample's range that has later articles. For each date, up to
 *   `GROUPS_PER_DATE` faithful reasonings, each made of `CLAIMS` sentences with figures taken alternately from two
 *   articles published in the `LOOKBACK_DAYS` days before it (disjoint pairs, newest first), as bullets, plus a
 *   conclusion whose decision follows the sentences' polarity (the verifier's stance lexicon sets the decision; it
 *   does not choose the sentences).
 * - A faithful paraphrase: the same sentences with light deterministic rewrites (`PARAPHRASES`: synonyms, word
 *   order of attributions), kept only when at least one rewrite applies.
 * - Perturbations come from perturb() in eval/run.ts, as for the other splits (future-only facts: sentences of
 *   articles published after the decision date).
 * - Split by date: `news-dev` (decision dates before `DEV_BEFORE`) for error analysis, `news-test` after it,
 *   reported once.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Decision, decisionInstant, type EvidenceDocumentInput } from '@trade-r1/core';
import { readNewsCsvFile } from '../../../data/src/index.ts';
import { splitSentences } from '../../src/scoring/text.ts';
import { scoreStance } from '../../src/stance/stance.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The FNSPID sample (outside the repository). */
export const NEWS_FILE = join(here, '../../../../../shared/data/news/fnspid_sample_aapl_news_contents.csv');
const TICKER = 'AAPL';
const MAX_CHARS = 6000;
const MIN_CHARS = 400;
const STEP_DAYS = 1;
const LOOKBACK_DAYS = 2;
const CLAIMS = 6;
const GROUPS_PER_DATE = 6;
/**
 * The sample's articles with text span 2024-01-29 to 2024-02-03 (earlier rows are headlines only): decision dates
 * up to 2024-01-31 are dev, later ones test.
 */
const DEV_BEFORE = '2024-02-01';

/** Light, meaning-preserving rewrites applied to faithful sentences (different words, same facts). */
const PARAPHRASES: Array<[RegExp, string]> = [
  [/\bincreased\b/g, 'rose'],
  [/\bdecreased\b/g, 'fell'],
  [/\bdeclined\b/g, 'dropped'],
  [/\bapproximately\b/g, 'about'],
  [/\broughly\b/g, 'around'],
  [/\bcompany's\b/g, "firm's"],
  [/\bcompany\b/g, 'firm'],
  [/\bshares\b/g, 'stock'],
  [/\bstated\b/g, 'said'],
  [/\baccording to\b/g, 'per'],
  [/\bpurchase\b/g, 'buy'],
  [/\bbiggest\b/g, 'largest'],
  [/\bhowever\b/gi, 'but'],
  [/\bsignificant\b/g, 'substantial'],
  [/\brecently\b/g, 'lately'],
  [/\bexpects\b/g, 'anticipates'],
  [/\bThe (\w+) reported\b/g, 'The $1 posted'],
];

export function paraphraseNews(text: string): string {
  let rewritten = text;
  for (const [pattern, replacement] of PARAPHRASES) rewritten = rewritten.replace(pattern, replacement);
  return rewritten;
}

/** A sentence usable as a claim: prose of 10–45 words with a figure, no URL, table or boilerplate. */
export function usableSentence(sentence: string): boolean {
  const words = sentence.split(/\s+/).length;
  if (words < 10 || words > 45) return false;
  if (!/\d/.test(sentence) || !/[.!]$/.test(sentence)) return false;
  if (/https?:|www\.|@|\||©|click|subscribe|disclosure|newsletter|free report|zacks rank|motley fool/i.test(sentence))
    return false;
  if (/\n/.test(sentence)) return false;
  if (!/^[A-Z"“]/.test(sentence)) return false;
  return true;
}

export interface NewsCorpus {
  documents: EvidenceDocumentInput[];
  cases: Array<{
    id: string;
    split: 'news-dev' | 'news-test';
    label: 'faithful' | 'paraphrase';
    ticker: string;
    asOf: string;
    decision: Decision;
    reasoning: string;
  }>;
}

const DAY = 86_400_000;

/** Builds the news corpus, or `null` when the FNSPID sample is not present. Deterministic. */
export async function loadNewsCorpus(file = NEWS_FILE): Promise<NewsCorpus | null> {
  if (!existsSync(file)) return null;
  const { items } = await readNewsCsvFile(file, { tickers: [TICKER] });
  const articles = items
    .filter((item) => item.summary.length >= MIN_CHARS)
    .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt) || a.id.localeCompare(b.id));
  const seen = new Set<string>();
  const documents: EvidenceDocumentInput[] = [];
  for (const article of articles) {
    if (seen.has(article.id)) continue;
    seen.add(article.id);
    documents.push({
      id: `fnspid-${article.id}`,
      tickers: [TICKER],
      publishedAt: article.publishedAt,
      sourceKind: 'news',
      title: article.headline,
      text: article.summary.slice(0, MAX_CHARS),
    });
  }
  const sentencesOf = new Map(
    documents.map((document) => [
      document.id,
      splitSentences(document.text)
        .map((span) => span.text.trim())
        .filter(usableSentence),
    ]),
  );
  const first = Date.parse(documents[0]?.publishedAt ?? '2024-01-01');
  const last = Date.parse(documents.at(-1)?.publishedAt ?? '2024-01-01');
  const cases: NewsCorpus['cases'] = [];
  for (let time = first + DAY; time < last - DAY / 2; time += STEP_DAYS * DAY) {
    const asOf = new Date(time).toISOString().slice(0, 10);
    // The decision's cutoff on the exchange's clock (as the verifier admits evidence), not the end of the UTC day.
    const cutoff = new Date(decisionInstant({ asOf, ticker: TICKER })).toISOString();
    const from = new Date(Date.parse(cutoff) - LOOKBACK_DAYS * DAY).toISOString();
    // Articles of the look-back window with usable sentences, newest first, in disjoint groups of two: each group
    // makes one reasoning of up to CLAIMS sentences (alternating between the two articles).
    const recent = documents
      .filter((document) => document.publishedAt <= cutoff && document.publishedAt > from)
      .filter((document) => (sentencesOf.get(document.id)?.length ?? 0) >= 2)
      .reverse();
    for (let group = 0; group < GROUPS_PER_DATE && (group + 1) * 2 <= recent.length; group += 1) {
      const sources = recent.slice(group * 2, group * 2 + 2);
      const claims: string[] = [];
      for (let round = 0; claims.length < CLAIMS && round < CLAIMS; round += 1) {
        for (const document of sources) {
          const sentence = sentencesOf.get(document.id)?.[round];
          if (sentence && !claims.includes(sentence) && claims.length < CLAIMS) claims.push(sentence);
        }
      }
      if (claims.length < 3) continue;
      const stance = scoreStance(claims.join(' ')).stance;
      const decision: Decision = stance > 0.05 ? 'BUY' : stance < -0.05 ? 'SELL' : 'HOLD';
      const conclusion =
        decision === 'BUY'
          ? `On balance the news flow for ${TICKER} is positive, so we lean bullish. [[BUY]]`
          : decision === 'SELL'
            ? `On balance the news flow for ${TICKER} is negative, so we lean bearish. [[SELL]]`
            : `On balance the news flow for ${TICKER} is mixed, so we stay neutral. [[HOLD]]`;
      const build = (sentences: string[]) =>
        `## ${TICKER} news review as of ${asOf}\n\n${sentences.map((sentence) => `- ${sentence}`).join('\n')}\n\n${conclusion}`;
      const split = asOf < DEV_BEFORE ? 'news-dev' : 'news-test';
      const base = { split, ticker: TICKER, asOf, decision } as const;
      const id = `news-${asOf}-${group + 1}`;
      const reasoning = build(claims);
      cases.push({ id, label: 'faithful', ...base, reasoning });
      const rewritten = build(claims.map(paraphraseNews));
      if (rewritten !== reasoning) cases.push({ id: `${id}-para`, label: 'paraphrase', ...base, reasoning: rewritten });
    }
  }
  return { documents, cases };
}
