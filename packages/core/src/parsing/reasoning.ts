import { TradeR1Error } from '../errors.ts';

/** A completion split into its final answer and its reasoning. */
export interface ReasoningSplit {
  /** The text a decision or selection is read from: outside reasoning blocks, inside the last `<answer>` if any. */
  answer: string;
  /** The reasoning blocks' contents, joined by newlines. */
  reasoning: string;
  /** True when the final answer is an `<answer>` block that was never closed (a truncated completion). */
  answerOpen: boolean;
}

const BLOCK = /<(think|thinking|reasoning)>([\s\S]*?)(?:<\/\1>|$)/gi;

/**
 * Split model text into its final answer and its reasoning: `<think>…</think>` (Qwen3, DeepSeek-R1), `<thinking>`
 * and `<reasoning>` blocks are reasoning, and so is everything before a lone closing `</think>` (DeepSeek-R1 when the
 * chat template already opened the block). An unclosed block runs to the end of the text. When an
 * `<answer>…</answer>` block remains outside reasoning, the last one is the answer.
 * @throws {TradeR1Error} `INVALID_INPUT` (field `text`) when `text` is not a string.
 */
export function splitReasoning(text: string): ReasoningSplit {
  if (typeof text !== 'string') {
    throw new TradeR1Error('INVALID_INPUT', 'splitReasoning needs text as a string', { details: { field: 'text' } });
  }
  const reasoning: string[] = [];
  let rest = text;
  const loneClose = /<\/(think|thinking|reasoning)>/i;
  const firstClose = loneClose.exec(rest);
  const firstOpen = /<(think|thinking|reasoning)>/i.exec(rest);
  if (firstClose && (!firstOpen || firstOpen.index > firstClose.index)) {
    reasoning.push(rest.slice(0, firstClose.index));
    rest = rest.slice(firstClose.index + firstClose[0].length);
  }
  rest = rest.replace(BLOCK, (_whole, _tag: string, inner: string) => {
    reasoning.push(inner);
    return '\n';
  });
  let answer = rest;
  let answerOpen = false;
  const opens = [...rest.matchAll(/<answer>/gi)];
  const lastOpen = opens.at(-1);
  if (lastOpen) {
    const start = (lastOpen.index ?? 0) + lastOpen[0].length;
    const close = rest.slice(start).search(/<\/answer>/i);
    if (close >= 0) answer = rest.slice(start, start + close);
    else {
      answer = rest.slice(start);
      answerOpen = true;
    }
  }
  return { answer, reasoning: reasoning.join('\n'), answerOpen };
}
