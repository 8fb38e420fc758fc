export {
  createOpenAIClient,
  type OpenAICallOptions,
  type OpenAIClient,
  type OpenAIClientOptions,
  type OpenAIEndpoint,
  type OpenAIResponse,
  openAIClientOptionsSchema,
} from './client.ts';
export { backoffMs, isRetryableStatus, retryAfterMs } from './retry.ts';
export type { OpenAIChoice, OpenAICompletion, OpenAIStreamEvent, OpenAIUsage } from './schemas.ts';
export { serverSentData } from './sse.ts';
