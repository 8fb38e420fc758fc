import { parseWith } from '@trade-r1/core';
import { groupAdvantages } from '../../advantages.ts';
import { batchLogs, type LogAccounting } from '../extra-logs.ts';
import { assertBatch } from '../http-errors.ts';
import { type GroupRequest, groupRequestSchema, type RewardSample } from '../schemas.ts';
import { type RouteContext, scoreBatch, scoreGroup } from '../score-batch.ts';

/** `POST /group`: a whole GRPO group → rewards (`null` = not applicable), advantages and the fixed log keys. */
export async function handleGroup(context: RouteContext, body: unknown, signal: AbortSignal): Promise<unknown> {
  const { config } = context;
  const request: GroupRequest = parseWith(groupRequestSchema, body, { label: '/group request' });
  assertBatch(request.responses.length, config.maxBatchSize);
  const samples = request.responses.map((response, index): RewardSample => {
    const label = request.labels !== undefined ? request.labels[index] : request.label;
    return {
      prompt: request.prompt,
      response,
      ...(label !== undefined && { label }),
      ...(request.metadata !== undefined && { metadata: request.metadata }),
    };
  });
  const results = config.groupReward
    ? await scoreGroup(context, samples, signal)
    : await scoreBatch(context, '/group', samples, signal);
  const rewards = results.map((result) => result.value);
  const advantage = { ...config.advantage, ...request.advantage };
  const computed = groupAdvantages({ rewards, groupSize: rewards.length, ...advantage });
  const fill = config.logFill === 'NaN' ? Number.NaN : config.logFill;
  const accounting: LogAccounting = { fills: new Map(), undeclared: new Map() };
  const extraLogs = batchLogs(results, config.extraLogKeys, fill, accounting);
  context.recordLogs(accounting);
  return {
    rewards,
    advantages: Array.from(computed.advantages),
    mean: computed.groupMean[0],
    std: computed.groupStd[0],
    flagged: results.map((result) => result.flagged),
    status: results.map((result) => result.status),
    extra_logs: extraLogs,
  };
}
