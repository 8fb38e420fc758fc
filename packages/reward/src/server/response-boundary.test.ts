import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ASSISTANT_MARKERS, splitQuery } from './response-boundary.ts';

const SEED = 20_261_203;

describe('splitQuery', () => {
  it('strips the prompt when it is a prefix of the query', () => {
    expect(splitQuery('PROMPTanswer', 'PROMPT', DEFAULT_ASSISTANT_MARKERS)).toEqual({
      response: 'answer',
      boundary: 'prefix',
    });
  });

  it('finds the response after the assistant marker of each common template when the prompt is not a prefix', () => {
    const cases = [
      [
        '…truncated evidence: AAPL beat<|im_end|>\n<|im_start|>assistant\nI buy [[BUY]]<|im_end|>',
        'I buy [[BUY]]<|im_end|>',
      ],
      [
        '…ng evidence<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHold [[HOLD]]<|eot_id|>',
        'Hold [[HOLD]]<|eot_id|>',
      ],
      ['…dence<｜Assistant｜><think>\nweak</think>[[SELL]]', '<think>\nweak</think>[[SELL]]'],
    ] as const;
    for (const [query, response] of cases) {
      // The prompt the trainer sent is the untruncated one, so it is not a prefix of the query.
      expect(splitQuery(query, 'the full prompt with evidence', DEFAULT_ASSISTANT_MARKERS)).toEqual({
        response,
        boundary: 'marker',
      });
    }
  });

  it('uses configured markers', () => {
    expect(splitQuery('x<|assistant|>answer', 'y', ['<|assistant|>'])).toEqual({
      response: 'answer',
      boundary: 'marker',
    });
  });

  it('refuses to guess when neither the prompt nor a marker separates the response', () => {
    expect(splitQuery('decoded differently: evidence… answer', 'evidence…', DEFAULT_ASSISTANT_MARKERS)).toEqual({
      response: null,
      boundary: 'none',
    });
  });

  it('takes the whole query when no prompt was sent and no marker is found', () => {
    expect(splitQuery('just an answer', '', DEFAULT_ASSISTANT_MARKERS)).toEqual({
      response: 'just an answer',
      boundary: 'whole',
    });
  });

  it('never returns prompt text as the response, whatever the texts (fuzz)', () => {
    const marker = DEFAULT_ASSISTANT_MARKERS[0] as string;
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), (prompt, response, cut) => {
        // A left-truncated prompt (the first `cut` characters lost), then the assistant turn.
        const fullPrompt = `P:${prompt}${marker}\n`;
        const query = `${fullPrompt.slice(Math.min(cut, fullPrompt.length - marker.length - 1))}${response}`;
        const split = splitQuery(query, fullPrompt, DEFAULT_ASSISTANT_MARKERS);
        if (split.response === null) return false;
        // The result is a suffix of the response (a marker inside the response can only shorten it).
        return response.endsWith(split.response);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
