import { z } from 'zod';

/** A chat message as trainers pass prompts (`[{ role, content }]`). */
const chatMessageSchema = z.looseObject({ role: z.string(), content: z.unknown() });

/** A prompt: plain text or a list of chat messages (their text contents are joined with newlines). */
export const promptSchema = z
  .union([z.string(), z.array(chatMessageSchema)])
  .transform((prompt) =>
    typeof prompt === 'string'
      ? prompt
      : prompt
          .map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content)))
          .join('\n'),
  );

/**
 * One sample as the server hands it to a reward: the prompt, the response (completion) and the label, plus the
 * decoded `query` (prompt + response) when the trainer sent one and free-form metadata.
 */
export const rewardSampleSchema = z.object({
  prompt: z.string(),
  response: z.string(),
  label: z.unknown().optional(),
  query: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
/** One sample (see {@link rewardSampleSchema}). */
export type RewardSample = z.output<typeof rewardSampleSchema>;

/**
 * OpenRLHF's remote reward request (`POST /get_reward`): `query` = decoded prompt+response, `prompts` = raw
 * prompts, `labels` = the `--data.label_key` field. `responses` and `metadata` are optional extensions used by the
 * Python shim; without `responses` the response is `query` minus its `prompt` prefix.
 */
export const getRewardRequestSchema = z
  .object({
    query: z.array(z.string()),
    prompts: z.array(promptSchema).optional(),
    labels: z.array(z.unknown()).optional(),
    responses: z.array(z.string()).optional(),
    metadata: z.array(z.record(z.string(), z.unknown())).optional(),
  })
  .superRefine((body, context) => {
    for (const key of ['prompts', 'labels', 'responses', 'metadata'] as const) {
      const list = body[key];
      if (list !== undefined && list.length !== body.query.length) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} has ${list.length} items but query has ${body.query.length}`,
        });
      }
    }
  });
/** Parsed `/get_reward` request. */
export type GetRewardRequest = z.output<typeof getRewardRequestSchema>;

/** slime's remote reward request (`--rm-type remote_rm`): one sample per call. */
export const slimeRequestSchema = z.object({
  prompt: promptSchema,
  response: z.string(),
  label: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
/** Parsed `/slime` request. */
export type SlimeRequest = z.output<typeof slimeRequestSchema>;

/** Advantage options a `/group` request may set. */
export const advantageRequestSchema = z
  .object({
    estimator: z.enum(['grpo', 'rloo', 'dr_grpo']),
    scale: z.enum(['group', 'batch', 'none']),
    epsilon: z.number().min(0),
    std: z.enum(['unbiased', 'population']),
  })
  .partial()
  .strict();

/** A whole GRPO group (`POST /group`): one prompt, its sampled responses, and the label(s). */
export const groupRequestSchema = z
  .object({
    prompt: promptSchema,
    responses: z.array(z.string()).min(1, 'responses must hold at least one sample'),
    label: z.unknown().optional(),
    labels: z.array(z.unknown()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    advantage: advantageRequestSchema.optional(),
  })
  .superRefine((body, context) => {
    if (body.labels !== undefined && body.labels.length !== body.responses.length) {
      context.addIssue({
        code: 'custom',
        path: ['labels'],
        message: `labels has ${body.labels.length} items but responses has ${body.responses.length}`,
      });
    }
  });
/** Parsed `/group` request. */
export type GroupRequest = z.output<typeof groupRequestSchema>;
