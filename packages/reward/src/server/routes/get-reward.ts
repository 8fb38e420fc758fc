import { parseWith } from '@trade-r1/core';
import { batchLogs, type LogAccounting } from '../extra-logs.ts';
import { assertBatch } from '../http-errors.ts';
import { splitQuery } from '../response-boundary.ts';
import { getRewardRequestSchema, type RewardSample } from '../schemas.ts';
import { type RouteContext, scoreBatch } from '../score-batch.ts';

/** OpenRLHF's answer: lists aligned with `query`, and one list per log key. */
export interface GetRewardResponse {
  rewards: number[];
  scores: number[];
  extra_logs: Record<string, number[]>;
}

/**
 * `POST /get_reward` (OpenRLHF). An empty request (`query: []`, what OpenRLHF's client sends to every URL after the
 * first when one sample is split over several) gets an empty answer with every log key present.
 */
export async function handleGetReward(
  context: RouteContext,
  body: unknown,
  signal: AbortSignal,
): Promise<GetRewardResponse> {
  const { config, metrics } = context;
  const request = parseWith(getRewardRequestSchema, body, { label: '/get_reward request' });
  assertBatch(request.query.length, config.maxBatchSize);
  const samples = request.query.map((query, index): RewardSample | undefined => {
    const prompt = request.prompts?.[index] ?? '';
    let response = request.responses?.[index];
    if (response === undefined) {
      if (config.extractResponse) {
        response = config.extractResponse({ query, prompt }) ?? undefined;
        metrics.boundaries.inc({ boundary: response === undefined ? 'none' : 'custom' });
      } else {
        const split = splitQuery(query, prompt, config.assistantMarkers);
        metrics.boundaries.inc({ boundary: split.boundary });
        response = split.response ?? undefined;
      }
      if (response === undefined) return undefined;
    }
    const metadata = request.metadata?.[index];
    return {
      prompt,
      response,
      query,
      ...(request.labels !== undefined && { label: request.labels[index] }),
      ...(metadata !== undefined && { metadata }),
    };
  });
  const results = await scoreBatch(context, '/get_reward', samples, signal);
  const fill = config.logFill === 'NaN' ? Number.NaN : config.logFill;
  const accounting: LogAccounting = { fills: new Map(), undeclared: new Map() };
  const extraLogs = batchLogs(results, config.extraLogKeys, fill, accounting);
  context.recordLogs(accounting);
  const rewards = results.map((result) => result.value ?? config.missingValue);
  const scores = results.map((result) => {
    if (result.value === null) return config.missingValue;
    const score = config.toScore(result);
    return Number.isFinite(score) ? score : config.missingValue;
  });
  return { rewards, scores, extra_logs: extraLogs };
}
