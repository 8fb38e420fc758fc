import { TradeR1Error } from '@trade-r1/core';

/**
 * Chat-template markers that open the assistant's turn in a decoded query (special tokens kept, as OpenRLHF
 * decodes it): Qwen/ChatML, Llama 3, DeepSeek (V3/R1).
 */
export const DEFAULT_ASSISTANT_MARKERS: readonly string[] = Object.freeze([
  '<|im_start|>assistant',
  '<|start_header_id|>assistant<|end_header_id|>',
  '<｜Assistant｜>',
]);

/** How the response was located inside OpenRLHF's `query`. */
export type ResponseBoundary = 'prefix' | 'marker' | 'whole' | 'none';

/** The response found in a query, or `null` when no boundary could be found. */
export interface SplitQuery {
  response: string | null;
  boundary: ResponseBoundary;
}

/**
 * Find the response inside OpenRLHF's `query` (decoded prompt + response):
 * 1. the prompt is a prefix of the query → the rest;
 * 2. otherwise the text after the last assistant marker (the prompt may be left-truncated, or its decode may not
 *    round-trip) — taking the last one means text the model wrote can only shorten the response, never pull the
 *    prompt into it;
 * 3. no prompt was sent and no marker found → the whole query (there is no prompt text to exclude);
 * 4. otherwise `null`: the prompt's own text could not be separated, so the sample must not be scored.
 */
export function splitQuery(query: string, prompt: string, markers: readonly string[]): SplitQuery {
  // Checked by hand (not zod): this runs once per sample on the request path.
  if (typeof query !== 'string' || typeof prompt !== 'string') {
    throw new TradeR1Error('INVALID_INPUT', 'splitQuery needs query and prompt strings', {
      details: { field: typeof query !== 'string' ? 'query' : 'prompt' },
    });
  }
  if (!Array.isArray(markers) || markers.some((marker) => typeof marker !== 'string' || marker === '')) {
    throw new TradeR1Error('INVALID_INPUT', 'splitQuery needs markers: a list of non-empty strings', {
      details: { field: 'markers' },
    });
  }
  if (prompt !== '' && query.startsWith(prompt)) return { response: query.slice(prompt.length), boundary: 'prefix' };
  let end = -1;
  for (const marker of markers) {
    const at = query.lastIndexOf(marker);
    if (at >= 0 && at + marker.length > end) end = at + marker.length;
  }
  if (end >= 0) return { response: query.slice(end).replace(/^[ \t]*\r?\n(\r?\n)?/, ''), boundary: 'marker' };
  if (prompt === '') return { response: query, boundary: 'whole' };
  return { response: null, boundary: 'none' };
}
