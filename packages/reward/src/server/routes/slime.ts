import { parseWith } from '@trade-r1/core';
import { BASE_LOG_KEYS, type LogAccounting, sampleLogs } from '../extra-logs.ts';
import { type RewardSample, slimeRequestSchema } from '../schemas.ts';
import { type RouteContext, scoreBatch } from '../score-batch.ts';

/** slime's answer: `score` is always a number; log keys are the fixed set. */
export interface SlimeResponse {
  score: number;
  status: string;
  flagged: boolean;
  missing: number;
  error?: { code: string; message: string };
  [key: string]: unknown;
}

/**
 * `POST /slime` (slime `--rm-type remote_rm`). `score` is never `null` (slime turns rewards into a tensor): a skipped
 * reward answers `missingValue` with `missing: 1`, as `/get_reward` does.
 */
export async function handleSlime(context: RouteContext, body: unknown, signal: AbortSignal): Promise<SlimeResponse> {
  const { config } = context;
  const request = parseWith(slimeRequestSchema, body, { label: '/slime request' });
  const sample: RewardSample = {
    prompt: request.prompt,
    response: request.response,
    ...(request.label !== undefined && { label: request.label }),
    ...(request.metadata !== undefined && { metadata: request.metadata }),
  };
  const [result] = await scoreBatch(context, '/slime', [sample], signal);
  const fill = config.logFill === 'NaN' ? Number.NaN : config.logFill;
  const accounting: LogAccounting = { fills: new Map(), undeclared: new Map() };
  const values = sampleLogs(result, config.extraLogKeys, fill, accounting);
  context.recordLogs(accounting);
  const logs: Record<string, number> = {};
  config.extraLogKeys.forEach((key, index) => {
    logs[key] = values[BASE_LOG_KEYS.length + index] as number;
  });
  const scored = result as NonNullable<typeof result>;
  return {
    ...logs,
    score: scored.value ?? config.missingValue,
    status: scored.status,
    flagged: scored.flagged,
    missing: scored.value === null ? 1 : 0,
    ...(scored.error && { error: scored.error }),
  };
}
