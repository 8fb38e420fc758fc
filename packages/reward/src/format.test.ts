import { describe, expect, it } from 'vitest';
import { formatReward } from './format.ts';

describe('formatReward', () => {
  const good = '<think>plan</think>\n<fundamentals>…</fundamentals>\n<conclusion>buy</conclusion>\n[[[BUY]]]';

  it('is 1 when the tags and the decision are present, else 0', () => {
    expect(formatReward({ completion: good, requiredTags: ['think', 'conclusion'] })).toEqual({
      reward: 1,
      checks: { 'tag:think': true, 'tag:conclusion': true, decision: true },
    });
    expect(formatReward({ completion: good.replace('[[[BUY]]]', 'BUY') }).reward).toBe(0);
    expect(formatReward({ completion: '<conclusion>open only', requireDecision: false }).reward).toBe(0);
  });

  it('supports patterns and a fractional mode', () => {
    const result = formatReward({
      completion: good,
      requiredTags: ['conclusion', 'technical'],
      requiredPatterns: [{ name: 'heading', pattern: /^## /m }],
      mode: 'fraction',
    });
    expect(result.checks).toEqual({
      'tag:conclusion': true,
      'tag:technical': false,
      'pattern:heading': false,
      decision: true,
    });
    expect(result.reward).toBe(0.5);
    expect(formatReward({ completion: '', requiredTags: [], requireDecision: false, mode: 'fraction' }).reward).toBe(1);
  });

  it('treats tag names literally', () => {
    expect(formatReward({ completion: '<a.b>x</a.b>', requiredTags: ['a.b'], requireDecision: false }).reward).toBe(1);
    expect(formatReward({ completion: '<axb>x</axb>', requiredTags: ['a.b'], requireDecision: false }).reward).toBe(0);
  });
});
