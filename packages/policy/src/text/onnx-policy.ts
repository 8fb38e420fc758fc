import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { createRng, deriveSeed, errorMessage, parseWith, type Rng, TradeR1Error } from '@trade-r1/core';
import ort from 'onnxruntime-node';
import { z } from 'zod';
import { cudaProviderStatus } from '../cuda.ts';
import { type CacheEntry, DecodeCache, loadNewPositionSession } from './decode-cache.ts';
import {
  feedableHalf,
  type HalfData,
  halfBits,
  halfToFloat32,
  type SamplingSettings,
  sampleToken,
} from './sampling.ts';
import { CLEAN_UP_PATTERNS, stablePrefix } from './stable-text.ts';
import {
  type Completion,
  collectStream,
  type FinishReason,
  type GenerateOptions,
  type GenerateResult,
  type GenerationEvent,
  generateOptionsSchema,
  type PolicyInfo,
  type Prompt,
  promptSchema,
  type ResolvedGenerateOptions,
  reportProgress,
  type TextPolicy,
} from './types.ts';

/** Weight dtypes transformers.js can select (file suffixes `model.onnx`, `model_fp16.onnx`, `model_quantized.onnx`…). */
export const ONNX_DTYPES = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16'] as const;

/** Options of {@link createOnnxPolicy}. */
export const onnxPolicyOptionsSchema = z.strictObject({
  /**
   * A Hugging Face model id (`HuggingFaceTB/SmolLM2-135M-Instruct`, downloaded and cached by transformers.js), a
   * path to a model directory (`config.json`, tokenizer files, `onnx/model*.onnx`), or a name under `localDir`.
   */
  model: z.string().trim().min(1),
  /**
   * Root directory of local models: `model` is looked up as `<localDir>/<model>` first.
   * @default process.env.TRADE_R1_MODELS
   */
  localDir: z.string().min(1).optional(),
  /**
   * `'auto'` tries ONNX Runtime's CUDA execution provider and falls back to the CPU when it does not load (see
   * `info().fallbackReason`); `'cuda'` fails with `UNSUPPORTED` instead of falling back; `'cpu'` never tries CUDA.
   * @default 'auto'
   */
  device: z.enum(['auto', 'cuda', 'cpu']).default('auto'),
  /** Weight variant to load. @default 'fp32' */
  dtype: z.enum(ONNX_DTYPES).default('fp32'),
  /** Model file name inside `onnx/` without suffix. @default 'model' */
  modelFileName: z.string().min(1).optional(),
  /** Download cache directory for hub models. @default transformers.js' default cache */
  cacheDir: z.string().min(1).optional(),
  /** Hub revision. @default 'main' */
  revision: z.string().min(1).default('main'),
  /** Allow downloads from the Hugging Face hub. @default true */
  allowRemote: z.boolean().default(true),
  /** Token ids that end a completion. @default generation_config.json / config.json `eos_token_id` */
  eosTokenIds: z.array(z.number().int().min(0)).optional(),
  /**
   * Variables for the model's chat template when chat prompts are rendered, e.g. `{ enable_thinking: false }` for
   * Qwen3 (an empty think block, no reasoning). `add_generation_prompt` and `tokenize` are set by the policy.
   * @default {}
   */
  chatTemplateKwargs: z.record(z.string(), z.unknown()).default({}),
  /** A chat template (Jinja) used instead of the tokenizer's own. @default the tokenizer's `chat_template` */
  chatTemplate: z.string().min(1).optional(),
  /**
   * Position id of the first token. Gemma 3 and PaliGemma exports count positions from 1 (transformers.js does the
   * same for model types `gemma3`, `gemma3_text`, `paligemma`); every other decoder from 0.
   * @default 1 for those model types, else 0
   */
  firstPositionId: z.number().int().min(0).max(1_000_000).optional(),
  /** Let the tokenizer add its special tokens (BOS…) to text prompts. @default true */
  addSpecialTokens: z.boolean().default(true),
  /**
   * Prompt tokens per prefill pass. Long prompts are prefilled in chunks over the growing cache, so the logits of a
   * pass are `chunk × vocab` (not `prompt × vocab`: 12 GB at 20k tokens with a 150k vocabulary) and attention scores
   * `chunk × prompt` (not `prompt²`); only the last position's logits are kept. @default 512
   */
  prefillChunkSize: z.number().int().min(1).max(1_000_000).default(512),
  /**
   * How decode steps carry the KV cache. `'auto'`: when the decoder's `present.*` outputs are `Concat(past, new)`
   * (the Optimum export layout) and it takes an `attention_mask`, the graph is loaded with the new positions as
   * extra outputs; the policy keeps the cache in its own buffers of growing capacity, feeds them as they are
   * (unused slots masked) and writes each step's new positions into them, so a step returns
   * `batch × kvHeads × headDim` numbers per entry instead of the whole grown cache. Otherwise, and with
   * `'present'`, every step fetches the `present.*` outputs. `info().kvCache` says which one runs and why.
   * @default 'auto'
   */
  kvCache: z.enum(['auto', 'present']).default('auto'),
  /** Most sequences decoded together; larger requests run in chunks. @default 64 */
  maxBatchSize: z.number().int().min(1).default(64),
  /** Extra ONNX Runtime session options (e.g. `{ intraOpNumThreads: 4 }`). @default {} */
  sessionOptions: z.record(z.string(), z.unknown()).default({}),
});
/** Options of {@link createOnnxPolicy}. */
export type OnnxPolicyOptions = z.input<typeof onnxPolicyOptionsSchema>;

/** Options of `OnnxTextPolicy.score`. */
export const scoreOptionsSchema = z.strictObject({
  /** The prompt (text, token ids, or chat messages rendered with the chat template). */
  prompt: promptSchema,
  /** Texts to score as continuations of the prompt (e.g. the three FLAG-Trader action strings). */
  completions: z.array(z.string().min(1)).min(1).max(1024),
  /** Temperature of `log_softmax(logits / T)`; 1 gives the raw model log-probs. @default 1 */
  temperature: z.number().gt(0).max(100).default(1),
  /** Also score the end-of-sequence token after each completion. @default false */
  includeEos: z.boolean().default(false),
});
/** Options of `OnnxTextPolicy.score`. */
export type ScoreOptions = z.input<typeof scoreOptionsSchema>;

/** One scored completion. */
export interface ScoredCompletion {
  /** The completion text. */
  text: string;
  /** Its token ids (with the EOS token when `includeEos`). */
  tokenIds: number[];
  /** Per-token log-probabilities. */
  logprobs: number[];
  /** Their sum: the log-probability of the whole completion. */
  logprob: number;
}

/** Result of `OnnxTextPolicy.score`. */
export interface ScoreResult {
  /** One entry per completion, in order. */
  scores: ScoredCompletion[];
  /** Tokens in the prompt. */
  promptTokenCount: number;
}

// log_softmax(row / temperature)[token] for one logits row.
function tokenLogprob(source: Float32Array, offset: number, vocab: number, token: number, temperature: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < vocab; index += 1) max = Math.max(max, (source[offset + index] as number) / temperature);
  let sum = 0;
  for (let index = 0; index < vocab; index += 1)
    sum += Math.exp((source[offset + index] as number) / temperature - max);
  return (source[offset + token] as number) / temperature - max - Math.log(sum);
}

interface SessionMetadata {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly SessionMetadata[];
  /** transformers.js records the dtype and device it selected here. */
  config?: { dtype?: string; device?: string };
  run(
    feeds: Record<string, ort.Tensor>,
    fetches?: Record<string, ort.Tensor | null>,
  ): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

interface LoadedModel {
  sessions: Record<string, unknown>;
  config: Record<string, unknown>;
  generation_config?: Record<string, unknown> | null;
  dispose(): Promise<unknown>;
}

// Model types whose exports count position ids from 1 (as transformers.js' create_position_ids does).
const ONE_BASED_POSITION_TYPES = new Set(['gemma3', 'gemma3_text', 'paligemma']);

const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch', 'num_logits_to_keep']);

function resolveModelLocation(model: string, localDir: string | undefined): { target: string; localPath?: string } {
  const candidates: string[] = [];
  if (isAbsolute(model) || model.startsWith('.')) candidates.push(resolve(model));
  else {
    if (localDir) candidates.push(resolve(localDir, model));
    candidates.push(resolve(model));
  }
  for (const candidate of candidates) {
    if (existsSync(join(candidate, 'config.json'))) return { target: candidate, localPath: candidate };
  }
  if (isAbsolute(model) || model.startsWith('.')) {
    throw new TradeR1Error('NOT_FOUND', `No model directory with a config.json at ${resolve(model)}`, {
      details: { model },
    });
  }
  return { target: model };
}

// Resolve onnxruntime-node the way transformers.js does (its own dependency), to check its CUDA provider files.
function transformersLocation(): string {
  try {
    return createRequire(import.meta.url).resolve('@huggingface/transformers');
  } catch {
    return import.meta.url;
  }
}

function toIdList(value: unknown): number[] {
  if (typeof value === 'number' && Number.isInteger(value)) return [value];
  if (Array.isArray(value)) return value.filter((item): item is number => typeof item === 'number');
  return [];
}

/**
 * Load an ONNX causal language model with transformers.js + onnxruntime-node and return a {@link TextPolicy} that
 * samples G completions per prompt with per-token log-probabilities.
 *
 * How generation works: every prompt is prefilled once (batch 1, so its KV cache is computed once and shared by its
 * G samples), then all prompts × G sequences decode together in one batch, left padded (attention mask and
 * position ids follow the padding). The decode loop is driven here over the model's ONNX session (not the
 * transformers.js pipeline) so that sampling is seeded and log-probabilities are exact.
 *
 * Determinism: sequence (prompt, sample) draws from its own stream `createRng(deriveSeed(seed, sample + prompt))`,
 * so the same seed gives the same samples, and a prompt's samples do not depend on which other prompts share the
 * batch (up to floating-point differences between batch shapes, which can flip a near-tie). A prompt repeated in
 * `prompts` gets fresh streams for each repetition (the k-th copy is keyed by k), so copies are independent.
 *
 * @throws {TradeR1Error} `NOT_FOUND`, `MODEL_LOAD_FAILED`, `UNSUPPORTED` (CUDA requested but unavailable, or a
 *   model whose inputs are not a standard decoder-with-past layout).
 */
export async function createOnnxPolicy(options: OnnxPolicyOptions): Promise<OnnxTextPolicy> {
  const settings = parseWith(onnxPolicyOptionsSchema, options, { label: 'createOnnxPolicy options' });
  const localDir = settings.localDir ?? process.env.TRADE_R1_MODELS;
  const location = resolveModelLocation(settings.model, localDir || undefined);
  const common = {
    local_files_only: location.localPath !== undefined || !settings.allowRemote,
    revision: settings.revision,
    ...(settings.cacheDir && { cache_dir: settings.cacheDir }),
  };
  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(location.target, common);
  } catch (error) {
    throw new TradeR1Error(
      'MODEL_LOAD_FAILED',
      `Could not load the tokenizer of ${settings.model}: ${errorMessage(error)}`,
      {
        details: { model: settings.model },
        cause: error,
      },
    );
  }
  const load = async (device: 'cuda' | 'cpu', quiet: boolean): Promise<LoadedModel> =>
    (await AutoModelForCausalLM.from_pretrained(location.target, {
      ...common,
      device,
      dtype: settings.dtype === 'auto' ? undefined : settings.dtype,
      ...(settings.modelFileName && { model_file_name: settings.modelFileName }),
      session_options: { ...settings.sessionOptions, ...(quiet && { logSeverityLevel: 4 }) },
    } as Parameters<typeof AutoModelForCausalLM.from_pretrained>[1])) as unknown as LoadedModel;

  let model: LoadedModel | undefined;
  let executionProvider: 'cuda' | 'cpu' = 'cpu';
  let fallbackReason: string | undefined;
  const cuda = settings.device === 'cpu' ? undefined : cudaProviderStatus(transformersLocation());
  if (cuda && !cuda.installed) {
    // Without the provider library a CUDA attempt can only fail (and ONNX Runtime's process-wide logger prints it).
    if (settings.device === 'cuda') {
      throw new TradeR1Error(
        'UNSUPPORTED',
        `The CUDA execution provider is not available: ${cuda.reason}. Install onnxruntime-node's CUDA libraries ` +
          '(ONNXRUNTIME_NODE_INSTALL=cuda12, see the @trade-r1/policy README) or use device: "auto" or "cpu".',
        { details: { model: settings.model, field: 'device' } },
      );
    }
    fallbackReason = cuda.reason;
  } else if (settings.device !== 'cpu') {
    try {
      model = await load('cuda', settings.device === 'auto');
      executionProvider = 'cuda';
    } catch (error) {
      if (settings.device === 'cuda') {
        throw new TradeR1Error(
          'UNSUPPORTED',
          `The CUDA execution provider did not load (${errorMessage(error)}${cuda?.reason ? `; ${cuda.reason}` : ''}). Install onnxruntime-node's CUDA ` +
            'libraries (ONNXRUNTIME_NODE_INSTALL=cuda12, see the @trade-r1/policy README) or use device: "auto" or "cpu".',
          { details: { model: settings.model }, cause: error },
        );
      }
      fallbackReason = errorMessage(error);
    }
  }
  if (!model) {
    try {
      model = await load('cpu', false);
    } catch (error) {
      throw new TradeR1Error('MODEL_LOAD_FAILED', `Could not load ${settings.model}: ${errorMessage(error)}`, {
        details: { model: settings.model, dtype: settings.dtype },
        cause: error,
      });
    }
  }
  let newOutputs: Map<string, string> | undefined;
  let kvCacheReason: string | undefined = "kvCache: 'present' was requested";
  const session = model.sessions.model as OrtSession | undefined;
  const cacheDir = settings.cacheDir ?? env.cacheDir;
  const directory =
    location.localPath ??
    (cacheDir ? join(cacheDir, settings.model, settings.revision === 'main' ? '' : settings.revision) : undefined);
  if (settings.kvCache === 'auto' && session && typeof session.run === 'function' && directory !== undefined) {
    const loaded = await loadNewPositionSession({
      session,
      entries: session.inputNames
        .filter((name) => name.startsWith('past_key_values.'))
        .map((input) => ({ input, output: input.replace('past_key_values.', 'present.') })),
      directory,
      modelFileName: settings.modelFileName ?? 'model',
      config: model.config,
      sessionOptions: settings.sessionOptions,
      executionProvider,
    });
    if (loaded.session) model.sessions.model = loaded.session;
    newOutputs = loaded.newOutputs;
    kvCacheReason = loaded.reason;
  } else if (settings.kvCache === 'auto') {
    kvCacheReason = 'the model file was not found';
  }
  const info: PolicyInfo = {
    backend: 'onnx',
    model: settings.model,
    requestedDevice: settings.device,
    executionProvider,
    dtype: settings.dtype,
    kvCache: newOutputs ? 'in-place' : 'present',
    ...(!newOutputs && kvCacheReason !== undefined && { kvCacheReason }),
    ...(fallbackReason !== undefined && { fallbackReason }),
    ...(location.localPath !== undefined && { localPath: location.localPath }),
  };
  return new OnnxTextPolicy(model, tokenizer, settings, info, newOutputs);
}

interface Row {
  promptIndex: number;
  sampleIndex: number;
  promptLength: number;
  rng: Rng;
  tokens: number[];
  logprobs: number[];
  modelLogprobs: number[];
  finish: FinishReason | null;
  /** Text emitted through token events so far. */
  emitted: string;
  /** Final text when a stop string cut it. */
  stoppedText?: string;
}

interface Prefill {
  ids: number[];
  lastLogits: Float32Array;
  cache: Map<string, ort.Tensor>;
}

/** The ONNX text policy returned by {@link createOnnxPolicy}. */
export class OnnxTextPolicy implements TextPolicy {
  private closed = false;
  private readonly session: OrtSession;
  private readonly cacheEntries: CacheEntry[];
  /** A prefill pass fetches the logits and the whole `present` cache. */
  private readonly prefillFetches: Record<string, null>;
  private readonly eosTokenIds: Set<number>;
  private readonly padTokenId: number;
  private readonly vocabSize: number;
  private readonly maxPositions: number;
  private readonly firstPositionId: number;

  /** @internal Use {@link createOnnxPolicy}. */
  constructor(
    private readonly model: LoadedModel,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly settings: z.output<typeof onnxPolicyOptionsSchema>,
    private readonly policyInfo: PolicyInfo,
    /** Present output → graph output with only the new positions, when the cache is kept in place. */
    private readonly newOutputs?: ReadonlyMap<string, string>,
  ) {
    const session = model.sessions.model as OrtSession | undefined;
    if (!session || typeof session.run !== 'function') {
      throw new TradeR1Error('UNSUPPORTED', 'The model has no single decoder session named "model"', {
        details: { sessions: Object.keys(model.sessions) },
      });
    }
    this.session = session;
    const unknown = session.inputNames.filter(
      (name) => !KNOWN_INPUTS.has(name) && !name.startsWith('past_key_values.'),
    );
    if (!session.inputNames.includes('input_ids') || unknown.length > 0 || !session.outputNames.includes('logits')) {
      throw new TradeR1Error(
        'UNSUPPORTED',
        `Not a decoder-with-past ONNX layout (inputs ${session.inputNames.join(', ')}; outputs ${session.outputNames.join(', ')})`,
        { details: { inputs: [...session.inputNames], outputs: [...session.outputNames] } },
      );
    }
    const config = model.config;
    const metadata = new Map((session.inputMetadata ?? []).map((entry) => [entry.name, entry]));
    this.cacheEntries = session.inputNames
      .filter((name) => name.startsWith('past_key_values.'))
      .map((input) => {
        const output = input.replace('past_key_values.', 'present.');
        if (!session.outputNames.includes(output)) {
          throw new TradeR1Error('UNSUPPORTED', `Cache input ${input} has no matching output ${output}`, {
            details: { input },
          });
        }
        const shape = metadata.get(input)?.shape ?? [];
        const heads =
          typeof shape[1] === 'number' ? shape[1] : Number(config.num_key_value_heads ?? config.num_attention_heads);
        const headDim =
          typeof shape[3] === 'number'
            ? shape[3]
            : Number(config.head_dim ?? Number(config.hidden_size) / Number(config.num_attention_heads));
        const type = metadata.get(input)?.type === 'float16' ? 'float16' : 'float32';
        if (!Number.isInteger(heads) || !Number.isInteger(headDim)) {
          throw new TradeR1Error('UNSUPPORTED', `Cannot determine the KV cache shape of ${input}`, {
            details: { input },
          });
        }
        return { input, output, type, heads, headDim };
      });
    this.prefillFetches = Object.fromEntries([
      ['logits', null],
      ...this.cacheEntries.map((entry) => [entry.output, null] as const),
    ]);
    const generationConfig = model.generation_config ?? {};
    const fromConfigs = [...toIdList(generationConfig.eos_token_id), ...toIdList(config.eos_token_id)];
    const tokenizerEos = (tokenizer as unknown as { eos_token_id?: number }).eos_token_id;
    this.eosTokenIds = new Set(settings.eosTokenIds ?? (fromConfigs.length > 0 ? fromConfigs : toIdList(tokenizerEos)));
    this.padTokenId = toIdList(config.pad_token_id)[0] ?? [...this.eosTokenIds][0] ?? 0;
    this.vocabSize = Number(config.vocab_size);
    this.firstPositionId =
      settings.firstPositionId ?? (ONE_BASED_POSITION_TYPES.has(String(config.model_type)) ? 1 : 0);
    const positions = Number(config.max_position_embeddings ?? config.n_positions);
    this.maxPositions = Number.isInteger(positions) && positions > 0 ? positions : Number.POSITIVE_INFINITY;
  }

  /** Where and how the model runs (execution provider, fallback reason, dtype, path). */
  info(): PolicyInfo {
    return { ...this.policyInfo };
  }

  /** The tokenizer (transformers.js), e.g. to count tokens or render chat templates. */
  get tokenizerInstance(): PreTrainedTokenizer {
    return this.tokenizer;
  }

  /** Sample `numSamples` completions per prompt. */
  async generate(options: GenerateOptions): Promise<GenerateResult> {
    return collectStream(this.run(options, false));
  }

  /** Stream token, finish and done events while sampling. */
  stream(options: GenerateOptions): AsyncIterable<GenerationEvent> {
    return this.run(options, true);
  }

  /** Tokenise a prompt the way `generate` does. */
  encodePrompt(prompt: Prompt): number[] {
    if (typeof prompt === 'string') {
      return this.tokenizer.encode(prompt, { add_special_tokens: this.settings.addSpecialTokens });
    }
    if (prompt.length > 0 && typeof prompt[0] === 'number') return [...(prompt as number[])];
    const messages = prompt as Array<{ role: string; content: string }>;
    const tokenizer = this.tokenizer as unknown as { chat_template?: unknown };
    if (!tokenizer.chat_template && this.settings.chatTemplate === undefined) {
      throw new TradeR1Error('UNSUPPORTED', 'This tokenizer has no chat template; pass text prompts instead', {
        details: { model: this.policyInfo.model },
      });
    }
    const text = this.tokenizer.apply_chat_template(messages, {
      ...this.settings.chatTemplateKwargs,
      ...(this.settings.chatTemplate !== undefined && { chat_template: this.settings.chatTemplate }),
      add_generation_prompt: true,
      tokenize: false,
    });
    return this.tokenizer.encode(String(text), { add_special_tokens: false });
  }

  /**
   * Log-probabilities of given completions after a prompt under the model (teacher forcing): for FLAG-Trader-style
   * action scoring, ranking candidate answers, or a trainer's reference log-probs. The prompt is prefilled once;
   * each completion is encoded on its own (no special tokens) and run over the prompt's cache. Per token,
   * `log_softmax(logits / temperature)` — at the default temperature 1 the raw model log-probs; `includeEos` adds
   * the log-prob of the end-of-sequence token after the completion (the model stopping there).
   */
  async score(rawOptions: ScoreOptions): Promise<ScoreResult> {
    if (this.closed) throw new TradeR1Error('CLOSED', 'This policy was closed');
    const options = parseWith(scoreOptionsSchema, rawOptions, { label: 'score options' });
    const promptIds = this.encodePrompt(options.prompt);
    const eos = [...this.eosTokenIds][0];
    if (options.includeEos && eos === undefined) {
      throw new TradeR1Error('UNSUPPORTED', 'includeEos needs an EOS token id (set eosTokenIds)', {
        details: { field: 'includeEos' },
      });
    }
    const encoded = options.completions.map((text, index) => {
      const ids = this.tokenizer.encode(text, { add_special_tokens: false });
      if (ids.length === 0) {
        throw new TradeR1Error('INVALID_INPUT', `Completion ${index} is empty after tokenisation`, {
          details: { field: `completions.${index}` },
        });
      }
      if (this.firstPositionId + promptIds.length + ids.length + 1 > this.maxPositions) {
        throw new TradeR1Error('TOO_LARGE', `Prompt and completion ${index} exceed ${this.maxPositions} positions`, {
          details: { field: `completions.${index}`, tokens: promptIds.length + ids.length },
        });
      }
      return ids;
    });
    if (promptIds.length === 0) {
      throw new TradeR1Error('INVALID_INPUT', 'The prompt is empty after tokenisation', {
        details: { field: 'prompt' },
      });
    }
    const prefill = await this.prefill(promptIds);
    const vocab = this.vocabSize;
    const scores: ScoredCompletion[] = [];
    for (const [index, ids] of encoded.entries()) {
      const length = ids.length;
      const total = promptIds.length + length;
      const outputs = await this.forward(
        this.feeds(
          BigInt64Array.from(ids, BigInt),
          new BigInt64Array(total).fill(1n),
          BigInt64Array.from({ length }, (_, position) => BigInt(this.firstPositionId + promptIds.length + position)),
          1,
          length,
          prefill.cache,
          length,
        ),
        { logits: null },
      );
      const logits = outputs.logits as ort.Tensor;
      const rows = logits.dims[1] as number;
      const data = logits.type === 'float16' ? halfToFloat32(logits.data as HalfData) : (logits.data as Float32Array);
      // Row r of the output predicts the token after input position r; the first token comes from the prefill.
      const rowAt = (position: number): { source: Float32Array; offset: number } =>
        position === 0
          ? { source: prefill.lastLogits, offset: 0 }
          : { source: data, offset: (rows - length + position - 1) * vocab };
      const targets = options.includeEos ? [...ids, eos as number] : ids;
      const logprobs = targets.map((token, position) => {
        const { source, offset } = rowAt(position);
        return tokenLogprob(source, offset, vocab, token, options.temperature);
      });
      scores.push({
        text: options.completions[index] as string,
        tokenIds: targets,
        logprobs,
        logprob: logprobs.reduce((sum, value) => sum + value, 0),
      });
    }
    return { scores, promptTokenCount: promptIds.length };
  }

  /** Release the ONNX sessions (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.model.dispose();
  }

  private async *run(rawOptions: GenerateOptions, emitText: boolean): AsyncGenerator<GenerationEvent> {
    if (this.closed) throw new TradeR1Error('CLOSED', 'This policy was closed');
    const options = parseWith(generateOptionsSchema, rawOptions, { label: 'generate options' });
    if (options.signal?.aborted) throw new TradeR1Error('ABORTED', 'Generation aborted before it started');
    yield* reportProgress(this.sample(options, emitText), options);
  }

  private async *sample(options: ResolvedGenerateOptions, emitText: boolean): AsyncGenerator<GenerationEvent> {
    const encoded = options.prompts.map((prompt) => this.encodePrompt(prompt));
    encoded.forEach((ids, index) => {
      if (ids.length === 0) {
        throw new TradeR1Error('INVALID_INPUT', `Prompt ${index} is empty after tokenisation`, { details: { index } });
      }
      if (ids.length + this.firstPositionId >= this.maxPositions) {
        throw new TradeR1Error(
          'TOO_LARGE',
          `Prompt ${index} has ${ids.length} tokens; the model handles at most ${this.maxPositions} positions`,
          { details: { index, tokens: ids.length, maxPositions: this.maxPositions } },
        );
      }
      const bad = ids.find((id) => id >= this.vocabSize);
      if (bad !== undefined) {
        throw new TradeR1Error('INVALID_INPUT', `Prompt ${index} has token id ${bad} >= vocab size ${this.vocabSize}`, {
          details: { index, tokenId: bad },
        });
      }
    });
    const sampling: SamplingSettings = { temperature: options.temperature, topP: options.topP, topK: options.topK };
    const rows: Row[] = [];
    // The k-th occurrence of an identical prompt gets its own streams, so duplicates are independent samples.
    const occurrences = new Map<string, number>();
    encoded.forEach((ids, promptIndex) => {
      const key = ids.join(',');
      const occurrence = occurrences.get(key) ?? 0;
      occurrences.set(key, occurrence + 1);
      for (let sampleIndex = 0; sampleIndex < options.numSamples; sampleIndex += 1) {
        rows.push({
          promptIndex,
          sampleIndex,
          promptLength: ids.length,
          rng: createRng(deriveSeed(options.seed, `${sampleIndex}\u0000${occurrence}\u0000${key}`)),
          tokens: [],
          logprobs: [],
          modelLogprobs: [],
          finish: null,
          emitted: '',
        });
      }
    });
    const needText = emitText || options.stop.length > 0;
    for (let start = 0; start < rows.length; start += this.settings.maxBatchSize) {
      const chunk = rows.slice(start, start + this.settings.maxBatchSize);
      const prefills = new Map<number, Prefill>();
      for (const row of chunk) {
        if (prefills.has(row.promptIndex)) continue;
        if (options.signal?.aborted) break;
        prefills.set(row.promptIndex, await this.prefill(encoded[row.promptIndex] as number[]));
      }
      yield* this.decode(chunk, prefills, options, sampling, needText, emitText);
    }
    const completions: Completion[][] = encoded.map(() => []);
    let completionTokens = 0;
    for (const row of rows) {
      const completion = this.toCompletion(row);
      completionTokens += completion.completionTokenCount;
      (completions[row.promptIndex] as Completion[]).push(completion);
    }
    const promptTokens = encoded.reduce((sum, ids) => sum + ids.length * options.numSamples, 0);
    yield { type: 'done', result: { completions, usage: { promptTokens, completionTokens } } };
  }

  private feeds(
    ids: BigInt64Array,
    mask: BigInt64Array,
    positions: BigInt64Array,
    batch: number,
    length: number,
    cache: ReadonlyMap<string, ort.Tensor> | undefined,
    keep = 1,
  ): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    const inputs = this.session.inputNames;
    feeds.input_ids = new ort.Tensor('int64', ids, [batch, length]);
    if (inputs.includes('attention_mask'))
      feeds.attention_mask = new ort.Tensor('int64', mask, [batch, mask.length / batch]);
    if (inputs.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', positions, [batch, length]);
    if (inputs.includes('use_cache_branch'))
      feeds.use_cache_branch = new ort.Tensor('bool', [cache !== undefined], [1]);
    if (inputs.includes('num_logits_to_keep'))
      feeds.num_logits_to_keep = new ort.Tensor('int64', BigInt64Array.from([BigInt(keep)]), []);
    for (const entry of this.cacheEntries) {
      feeds[entry.input] =
        cache?.get(entry.input) ??
        new ort.Tensor(entry.type, entry.type === 'float16' ? new Uint16Array(0) : new Float32Array(0), [
          batch,
          entry.heads,
          0,
          entry.headDim,
        ]);
    }
    return feeds;
  }

  // Only the named outputs cross the binding (each one is copied into a fresh JavaScript buffer). float16 inputs go
  // in as Uint16Array bits (see feedableHalf: the binding cannot read Node 24's Float16Array).
  private async forward(
    feeds: Record<string, ort.Tensor>,
    fetches: Record<string, null>,
  ): Promise<Record<string, ort.Tensor>> {
    for (const tensor of Object.values(feeds)) feedableHalf(tensor);
    try {
      return await this.session.run(feeds, fetches);
    } catch (error) {
      throw new TradeR1Error('INFERENCE_FAILED', `ONNX Runtime failed: ${errorMessage(error)}`, { cause: error });
    }
  }

  private lastLogits(logits: ort.Tensor, row: number): Float32Array {
    const [, length, vocab] = logits.dims as [number, number, number];
    const start = (row * length + length - 1) * vocab;
    if (logits.type === 'float16')
      return halfToFloat32(halfBits(logits.data as HalfData).subarray(start, start + vocab));
    return (logits.data as Float32Array).slice(start, start + vocab);
  }

  // Prefill in chunks of `prefillChunkSize` tokens over the growing cache; each pass asks for (and the last one
  // keeps) the logits of its last position only, where the graph lets it (num_logits_to_keep).
  private async prefill(ids: number[]): Promise<Prefill> {
    const chunk = this.settings.prefillChunkSize;
    let cache: Map<string, ort.Tensor> | undefined;
    let lastLogits: Float32Array | undefined;
    for (let start = 0; start < ids.length; start += chunk) {
      const end = Math.min(ids.length, start + chunk);
      const length = end - start;
      const outputs = await this.forward(
        this.feeds(
          BigInt64Array.from(ids.slice(start, end), BigInt),
          new BigInt64Array(end).fill(1n),
          BigInt64Array.from({ length }, (_, index) => BigInt(this.firstPositionId + start + index)),
          1,
          length,
          cache,
        ),
        this.prefillFetches,
      );
      // The previous cache is dropped here: only the newest present tensors stay referenced.
      cache = new Map<string, ort.Tensor>();
      for (const entry of this.cacheEntries) cache.set(entry.input, outputs[entry.output] as ort.Tensor);
      if (end === ids.length) lastLogits = this.lastLogits(outputs.logits as ort.Tensor, 0);
    }
    if (!cache || !lastLogits)
      throw new TradeR1Error('INVALID_INPUT', 'Cannot prefill an empty prompt', { details: { field: 'prompts' } });
    return { ids, lastLogits, cache };
  }

  private async *decode(
    rows: Row[],
    prefills: Map<number, Prefill>,
    options: ResolvedGenerateOptions,
    sampling: SamplingSettings,
    needText: boolean,
    emitText: boolean,
  ): AsyncGenerator<GenerationEvent> {
    if (rows.length === 0) return;
    const width = Math.max(...rows.map((row) => row.promptLength));
    const batch = rows.length;
    const vocab = this.vocabSize;
    // Every prompt's cache, left padded to the longest prompt of the chunk, repeated for each of its rows.
    let cache: DecodeCache | undefined;
    if (prefills.size === new Set(rows.map((row) => row.promptIndex)).size) {
      cache = new DecodeCache(this.cacheEntries, batch, width, width + options.maxNewTokens - 1, this.newOutputs);
      rows.forEach((row, rowIndex) => {
        const prefill = prefills.get(row.promptIndex) as Prefill;
        (cache as DecodeCache).setPrompt(rowIndex, { length: row.promptLength, tensors: prefill.cache });
      });
    }
    // The batch holds its own copy now; release the prompts' caches instead of keeping a second copy while decoding.
    for (const prefill of prefills.values()) prefill.cache.clear();
    const promptLengths = rows.map((row) => row.promptLength);
    let logits: Float32Array | undefined;
    let logitsStride = 0;
    const maxStop = Math.max(0, ...options.stop.map((stop) => stop.length));
    // Streamed text is held back while later tokens could still change it (a stop string, clean-up of spaces).
    const holdBack = [...options.stop, ...CLEAN_UP_PATTERNS];

    for (let step = 0; ; step += 1) {
      if (options.signal?.aborted || cache === undefined) {
        for (const row of rows) {
          if (row.finish !== null) continue;
          row.finish = 'abort';
          yield { type: 'finish', completion: this.toCompletion(row) };
        }
        return;
      }
      const banned = step < options.minNewTokens ? this.eosTokenIds : undefined;
      for (let rowIndex = 0; rowIndex < batch; rowIndex += 1) {
        const row = rows[rowIndex] as Row;
        if (row.finish !== null) continue;
        const source = logits ?? (prefills.get(row.promptIndex) as Prefill).lastLogits;
        const offset = logits ? rowIndex * logitsStride + logitsStride - vocab : 0;
        const sampled = sampleToken(source, offset, vocab, sampling, row.rng.next(), banned);
        row.tokens.push(sampled.token);
        row.logprobs.push(sampled.logprob);
        row.modelLogprobs.push(sampled.modelLogprob);
        if (this.eosTokenIds.has(sampled.token)) row.finish = 'stop';
        let delta = '';
        if (needText) {
          const decoded = this.decodeTokens(row.tokens);
          if (options.stop.length > 0 && row.finish === null) {
            const searchFrom = Math.max(0, row.emitted.length - maxStop);
            let cut = -1;
            for (const stop of options.stop) {
              const found = decoded.indexOf(stop, searchFrom);
              if (found >= 0 && (cut < 0 || found < cut)) cut = found;
            }
            if (cut >= 0) {
              row.finish = 'stop';
              row.stoppedText = decoded.slice(0, cut);
            }
          }
          if (row.finish === null && row.tokens.length >= this.lengthLimit(row, options)) row.finish = 'length';
          if (emitText) {
            const visible = row.stoppedText ?? (row.finish !== null ? decoded : stablePrefix(decoded, holdBack));
            if (visible.startsWith(row.emitted) && visible.length > row.emitted.length) {
              delta = visible.slice(row.emitted.length);
              row.emitted = visible;
            }
          }
        }
        if (row.finish === null && row.tokens.length >= this.lengthLimit(row, options)) row.finish = 'length';
        if (emitText) {
          yield {
            type: 'token',
            promptIndex: row.promptIndex,
            sampleIndex: row.sampleIndex,
            tokenId: sampled.token,
            text: delta,
            logprob: sampled.logprob,
            modelLogprob: sampled.modelLogprob,
          };
        }
        if (row.finish !== null) yield { type: 'finish', completion: this.toCompletion(row) };
      }
      if (rows.every((row) => row.finish !== null)) return;

      // The past holds the prompt slots and one slot per token fed so far; this step feeds each row's last token.
      const filled = width + step;
      const ids = new BigInt64Array(batch);
      const positions = new BigInt64Array(batch);
      rows.forEach((row, rowIndex) => {
        ids[rowIndex] = BigInt(row.finish === null ? (row.tokens.at(-1) as number) : this.padTokenId);
        positions[rowIndex] = BigInt(this.firstPositionId + row.promptLength + step);
      });
      const { past, mask, fetches } = cache.step(filled, promptLengths);
      const outputs = await this.forward(this.feeds(ids, mask, positions, batch, 1, past), fetches);
      cache.update(filled, outputs);
      const logitsTensor = outputs.logits as ort.Tensor;
      logitsStride = (logitsTensor.dims[1] as number) * vocab;
      logits =
        logitsTensor.type === 'float16'
          ? halfToFloat32(logitsTensor.data as HalfData)
          : (logitsTensor.data as Float32Array);
    }
  }

  // maxNewTokens, or fewer when the model's position limit (max_position_embeddings) comes first.
  private lengthLimit(row: Row, options: ResolvedGenerateOptions): number {
    return Math.min(options.maxNewTokens, this.maxPositions - this.firstPositionId - row.promptLength);
  }

  private decodeTokens(tokens: number[]): string {
    const content = tokens.filter((token) => !this.eosTokenIds.has(token));
    if (content.length === 0) return '';
    return this.tokenizer.decode(content, { skip_special_tokens: true });
  }

  private toCompletion(row: Row): Completion {
    return {
      promptIndex: row.promptIndex,
      sampleIndex: row.sampleIndex,
      text: row.stoppedText ?? this.decodeTokens(row.tokens),
      tokenIds: [...row.tokens],
      logprobs: [...row.logprobs],
      modelLogprobs: [...row.modelLogprobs],
      promptTokenCount: row.promptLength,
      completionTokenCount: row.tokens.length,
      finishReason: row.finish ?? 'abort',
    };
  }
}
