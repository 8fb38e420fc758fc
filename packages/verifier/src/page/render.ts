import { escapeHtml, parseWith } from '@trade-r1/core';
import { z } from 'zod';
import type { ClaimVerdict, VerificationReport } from '../pipeline/report.ts';
import { decisionLines } from './evidence-lines.ts';
import { claimMark, segmentReasoning } from './highlight.ts';
import { PAGE_STYLE } from './style.ts';

/** One verified reasoning on the page. */
export interface VerificationPageEntry {
  /** The reasoning text that was verified (claim spans index into it). */
  reasoning: string;
  /** Its report. */
  report: VerificationReport;
  /** Heading of the entry (default: ticker, decision and as-of date). */
  label?: string;
  /** Reward of this rollout, for a GRPO group. */
  reward?: number;
  /** Group-normalised advantage of this rollout, for a GRPO group. */
  advantage?: number;
}

/** Options of {@link renderVerificationPage}. */
export interface VerificationPageOptions {
  /** Page title. @default 'Verification report' */
  title?: string;
  /**
   * `'list'`: entries one below the other (a report or a batch); `'group'`: the rollouts of one GRPO group side by
   * side, with their rewards and advantages.
   * @default 'list'
   */
  layout?: 'list' | 'group';
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const claimSchema = z.looseObject({
  id: z.string(),
  text: z.string(),
  start: z.number(),
  end: z.number(),
  opinion: z.boolean(),
  verdict: z.enum(['supported', 'contradicted', 'unsupported']),
  support: z.number(),
  checks: z.looseObject({
    numbers: z.array(z.looseObject({})),
    entities: z.array(z.looseObject({})),
    periods: z.array(z.looseObject({})),
    directions: z.array(z.looseObject({})),
    negation: z.enum(['conflict']).nullable(),
    conflicts: z.array(z.string()),
  }),
  citations: z.array(
    z.looseObject({ documentId: z.string(), chunkId: z.string(), publishedAt: z.string(), title: z.string() }),
  ),
});
const reportSchema = z.looseObject({
  ticker: z.string(),
  asOf: z.string(),
  decision: z.string(),
  scores: z.looseObject({ factuality: z.number(), deduction: z.number(), consistency: z.number(), s: z.number() }),
  hallucinationRate: z.number(),
  claims: z.array(claimSchema),
  flags: z.array(z.string()),
  reasons: z.array(z.string()),
});
const entrySchema = z.strictObject({
  reasoning: z.string(),
  report: reportSchema,
  label: z.string().optional(),
  reward: finite.optional(),
  advantage: finite.optional(),
});
const inputSchema = z.array(entrySchema).min(1, 'give at least one entry');
const optionsSchema = z.strictObject({
  title: z.string().optional(),
  layout: z.enum(['list', 'group']).optional(),
});

const MARK_LABEL = {
  supported: 'supported',
  unsupported: 'unsupported',
  contradicted: 'contradicted',
  opinion: 'opinion',
} as const;

function fixed(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '—';
}

function scoreBar(name: string, value: number): string {
  const width = Math.max(0, Math.min(1, value)) * 100;
  return `<div class="score" data-score="${escapeHtml(name)}"><span class="score-name">${escapeHtml(name)}</span><span class="bar"><span style="width:${width.toFixed(1)}%"></span></span><span class="score-value">${fixed(value)}</span></div>`;
}

function renderClaim(claim: ClaimVerdict, highlighted: boolean): string {
  const mark = claimMark(claim);
  const lines = decisionLines(claim)
    .map((line) => `<li class="check check-${line.status}">${escapeHtml(line.text)}</li>`)
    .join('');
  const conflicts = claim.checks.conflicts.map((text) => `<li class="check check-conflict">${escapeHtml(text)}</li>`);
  const citations = claim.citations
    .map(
      (citation) =>
        `<li class="citation"><span class="doc">${escapeHtml(citation.documentId)}</span> · <time>${escapeHtml(citation.publishedAt.slice(0, 10))}</time> — ${escapeHtml(citation.title)}</li>`,
    )
    .join('');
  return `<li class="claim mark-${mark}" data-claim="${escapeHtml(claim.id)}" data-verdict="${mark}"><div class="claim-head"><span class="badge badge-${mark}">${MARK_LABEL[mark]}</span> <span class="claim-id">${escapeHtml(claim.id)}</span> <span class="support">support ${fixed(claim.support, 2)}</span>${highlighted ? '' : ' <span class="note">(span not highlighted)</span>'}</div><div class="claim-text">${escapeHtml(claim.text)}</div>${lines || conflicts.length > 0 ? `<ul class="checks">${lines}${conflicts.join('')}</ul>` : ''}${citations ? `<ul class="citations">${citations}</ul>` : ''}</li>`;
}

function renderEntry(entry: VerificationPageEntry, index: number): string {
  const { report, reasoning } = entry;
  const { segments, notHighlighted } = segmentReasoning(reasoning, report.claims);
  const skipped = new Set(notHighlighted);
  const text = segments
    .map((segment) => {
      if (segment.claim === null) return escapeHtml(segment.text);
      const claim = report.claims[segment.claim] as ClaimVerdict;
      const mark = claimMark(claim);
      return `<mark class="mark-${mark}" data-claim="${escapeHtml(claim.id)}" title="${escapeHtml(`${claim.id}: ${mark}`)}">${escapeHtml(segment.text)}</mark>`;
    })
    .join('');
  const label = entry.label ?? `${report.ticker} · ${report.decision} · ${report.asOf.slice(0, 10)}`;
  const rl =
    entry.reward !== undefined || entry.advantage !== undefined
      ? `<div class="rl">${entry.reward !== undefined ? `<span data-field="reward">reward ${fixed(entry.reward)}</span>` : ''}${entry.advantage !== undefined ? ` <span data-field="advantage" class="${entry.advantage >= 0 ? 'pos' : 'neg'}">advantage ${entry.advantage >= 0 ? '+' : ''}${fixed(entry.advantage)}</span>` : ''}</div>`
      : '';
  const chips = [
    ...report.flags.map((flag) => `<span class="chip flag">${escapeHtml(flag)}</span>`),
    ...report.reasons.map((reason) => `<span class="chip reason">${escapeHtml(reason)}</span>`),
  ].join(' ');
  return `<section class="entry" data-entry="${index}"><h2>${escapeHtml(label)}</h2>${rl}<div class="scores">${scoreBar('factuality', report.scores.factuality)}${scoreBar('deduction', report.scores.deduction)}${scoreBar('consistency', report.scores.consistency)}${scoreBar('s', report.scores.s)}</div><p class="meta">hallucination rate ${fixed(report.hallucinationRate, 2)} · ${report.claims.length} claims${chips ? ` · ${chips}` : ''}</p><div class="body"><div class="reasoning">${text}</div><ol class="claims">${report.claims.map((claim, claimIndex) => renderClaim(claim, !skipped.has(claimIndex))).join('')}</ol></div></section>`;
}

/**
 * Render verification reports as one self-contained HTML page (inline CSS, no scripts, no external resources;
 * every untrusted text escaped): the reasoning with each claim highlighted by verdict (supported, unsupported,
 * contradicted, opinion), beside it the checks that decided each claim with the evidence document and date
 * ("$42.4 billion matched in MSFT-008 · 2025-04-30") and the cited evidence, the triangle's three scores and `s`,
 * the hallucination rate, flags and reasons. With `layout: 'group'` the entries (a GRPO group's rollouts) sit side
 * by side with their rewards and advantages.
 * @throws {TradeR1Error} `INVALID_INPUT` for a malformed entry or option (with the offending field).
 */
export function renderVerificationPage(
  entries: VerificationPageEntry | readonly VerificationPageEntry[],
  options: VerificationPageOptions = {},
): string {
  const list = (Array.isArray(entries) ? entries : [entries]) as readonly VerificationPageEntry[];
  parseWith(inputSchema, list, { label: 'renderVerificationPage entries' });
  const settings = parseWith(optionsSchema, options ?? {}, { label: 'renderVerificationPage options' });
  const title = settings.title ?? 'Verification report';
  const layout = settings.layout ?? 'list';
  const legend = (['supported', 'unsupported', 'contradicted', 'opinion'] as const)
    .map((mark) => `<span class="badge badge-${mark}">${mark}</span>`)
    .join(' ');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${PAGE_STYLE}</style></head><body><header><h1>${escapeHtml(title)}</h1><p class="legend">${legend}</p></header><main class="layout-${layout}" style="--columns:${list.length}">${list.map(renderEntry).join('')}</main></body></html>`;
}
