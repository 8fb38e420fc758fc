/**
 * Clients shaped like the trainers' own code, to drive the server as they do.
 *
 * - OpenRLHF: `SingleTurnExecutor._fetch_rewards_via_http` (openrlhf/utils/agent.py): one sample per call, split over
 *   the comma-separated `--reward.remote_url` list in `ceil(n / servers)` slices (so with one sample every URL after
 *   the first gets `{"query": [], "prompts": [], "labels": []}`), a fresh aiohttp session per attempt, total timeout
 *   180 s, `raise_for_status`, 5 attempts 1 s apart, then an error (the sample gets no reward); `execute` keeps the
 *   first answer: `reward = rewards`, `scores = scores or rewards`, `extra_logs = extra_logs or {}`.
 * - OpenRLHF's experience maker turns each `extra_logs` value into `info[key] = torch.tensor([value])` per sample and
 *   later concatenates `info[key]` over the batch for the keys of the first sample.
 * - veRL's reward loop: `reward_extra_keys = list(infos[0].keys())`, then `np.array([info[key] for info in infos])`
 *   for each key (a sample lacking a key raises `KeyError`).
 */

/** One POST as OpenRLHF's `_post_request` makes it. */
async function openrlhfPost(url: string, data: unknown, tryMaxTimes = 5): Promise<unknown> {
  for (let attempt = 0; attempt < tryMaxTimes; attempt += 1) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(data),
        signal: AbortSignal.timeout(180_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      return await response.json();
    } catch {
      // OpenRLHF logs "Request error, please check" and sleeps 1 s before the next attempt.
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`Request error for ${tryMaxTimes} times, returning None. Please check the API server.`);
}

/** `_fetch_rewards_via_http(queries, prompts, labels)` over `endpoints` (the split `--reward.remote_url`). */
export async function openrlhfFetchRewardsViaHttp(
  endpoints: readonly string[],
  queries: readonly string[],
  prompts: readonly string[],
  labels: readonly unknown[],
): Promise<unknown[]> {
  const batchSize = Math.ceil(queries.length / endpoints.length);
  return Promise.all(
    endpoints.map((endpoint, index) => {
      const start = index * batchSize;
      const end = Math.min((index + 1) * batchSize, queries.length);
      return openrlhfPost(endpoint, {
        query: queries.slice(start, end),
        prompts: prompts.slice(start, end),
        labels: labels.slice(start, end),
      });
    }),
  );
}

/** What `SingleTurnExecutor.execute` keeps of one sample's reward call. */
export interface OpenRlhfOutput {
  reward: unknown;
  scores: unknown;
  extra_logs: Record<string, unknown>;
}

/** `execute` for one sample: `[query]`, `[prompt]`, `[label]`, the first answer kept. */
export async function openrlhfScoreSample(
  endpoints: readonly string[],
  query: string,
  prompt: string,
  label: unknown,
): Promise<OpenRlhfOutput> {
  const infos = (await openrlhfFetchRewardsViaHttp(endpoints, [query], [prompt], [label])) as Record<string, unknown>[];
  const info = infos[0] as Record<string, unknown>;
  const scores = info.scores;
  return {
    reward: info.rewards,
    scores: Array.isArray(scores) && scores.length > 0 ? scores : info.rewards,
    extra_logs: (info.extra_logs as Record<string, unknown> | undefined) ?? {},
  };
}

/** `torch.tensor([value])` for a value OpenRLHF got in `extra_logs` (a list of numbers): throws on anything else. */
function tensorOf(value: unknown): number[] {
  const flat = Array.isArray(value) ? value : [value];
  for (const item of flat) {
    if (typeof item !== 'number')
      throw new TypeError(`must be real number, not ${item === null ? 'NoneType' : typeof item}`);
  }
  return flat as number[];
}

/**
 * OpenRLHF's batch of per-sample `info`: `info[key] = torch.tensor([value])` per sample, then each key of the first
 * sample concatenated over the batch. Throws like Python would on a missing key or a non-number.
 */
export function openrlhfCollateInfo(outputs: readonly OpenRlhfOutput[]): Record<string, number[]> {
  const infos = outputs.map((output) =>
    Object.fromEntries(Object.entries(output.extra_logs).map(([key, value]) => [key, tensorOf(value)])),
  );
  const keys = Object.keys(infos[0] ?? {});
  return Object.fromEntries(
    keys.map((key) => [
      key,
      infos.flatMap((info) => {
        if (!(key in info)) throw new Error(`KeyError: '${key}'`);
        return info[key] as number[];
      }),
    ]),
  );
}

/** veRL's `reward_extra_info` arrays: keys of the first sample, then `[info[key] for info in infos]`. */
export function verlCollate(infos: readonly Record<string, unknown>[]): Record<string, unknown[]> {
  const keys = Object.keys(infos[0] ?? {});
  return Object.fromEntries(
    keys.map((key) => [
      key,
      infos.map((info) => {
        if (!(key in info)) throw new Error(`KeyError: '${key}'`);
        return info[key];
      }),
    ]),
  );
}
