import { describe, expect, it } from 'vitest';
import { decisionLines } from './evidence-lines.ts';

const checks = { numbers: [], entities: [], periods: [], directions: [], negation: null, conflicts: [] };

describe('decisionLines', () => {
  it('says first whether a quotation is printed word for word in the evidence', () => {
    expect(decisionLines({ checks, citations: [], quoteFound: false })).toEqual([
      { status: 'conflict', text: 'quotation not found word for word in any admissible document' },
    ]);
    expect(decisionLines({ checks, citations: [], quoteFound: true })[0]?.status).toBe('matched');
    expect(decisionLines({ checks, citations: [], quoteFound: null })).toEqual([]);
    expect(decisionLines({ checks, citations: [] })).toEqual([]);
  });

  it('rejects a quoteFound that is not a boolean', () => {
    expect(() => decisionLines({ checks, citations: [], quoteFound: 'yes' } as never)).toThrow(/quoteFound/);
  });
});
