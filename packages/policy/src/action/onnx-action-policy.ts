import { errorMessage, parseWith, type Rng, TradeR1Error } from '@trade-r1/core';
import ort from 'onnxruntime-node';
import { z } from 'zod';
import { cudaProviderStatus } from '../cuda.ts';
import type { TradeAction } from '../prompts/flag-trader.ts';
import { type ActionMask, actionAt, actionMask, maskedActionDistribution } from './masking.ts';
import { stepStream } from './step-stream.ts';

/** Options of {@link createOnnxActionPolicy} (misspelled keys are rejected). */
export const onnxActionPolicyOptionsSchema = z.strictObject({
  /** Path of the `.onnx` file, or its bytes. */
  model: z.union([
    z.string().min(1),
    z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected a Uint8Array'),
  ]),
  /** Name of the float input [batch, features]. @default the graph's first input */
  inputName: z.string().min(1).optional(),
  /** Name of the action-logits output [batch, 3] (SELL, HOLD, BUY). @default 'logits', else the first output */
  logitsName: z.string().min(1).optional(),
  /** Name of the value output [batch] or [batch, 1]; used when the graph has it. @default 'value' */
  valueName: z.string().min(1).default('value'),
  /** `'auto'` tries CUDA and falls back to the CPU; `'cuda'` fails without it. @default 'auto' */
  device: z.enum(['auto', 'cuda', 'cpu']).default('auto'),
  /** Extra ONNX Runtime session options. @default {} */
  sessionOptions: z.record(z.string(), z.unknown()).default({}),
});
/** Options of {@link createOnnxActionPolicy}. */
export type OnnxActionPolicyOptions = z.input<typeof onnxActionPolicyOptionsSchema>;

/** One state to act on (misspelled keys are rejected). */
export const actionRequestSchema = z.strictObject({
  /** The state's feature vector (what the graph's input expects). */
  features: z.union([z.array(z.number()), z.instanceof(Float32Array)]),
  /** Shares held; SELL is masked when it is <= 0. */
  position: z.number(),
  /** Cash; BUY is masked when it is <= 0. */
  cash: z.number(),
  /** Explicit mask [sell, hold, buy] that replaces the position/cash rule. */
  mask: z.tuple([z.boolean(), z.boolean(), z.boolean()]).optional(),
});
/** One state to act on. */
export type ActionRequest = z.input<typeof actionRequestSchema>;

/** Options of {@link OnnxActionPolicy.act} (misspelled keys are rejected). */
export const actOptionsSchema = z.strictObject({
  /** The states (one forward pass for all of them). */
  states: z.array(actionRequestSchema).min(1),
  /** Take the most likely allowed action instead of sampling. @default false */
  greedy: z.boolean().default(false),
  /** Sampling seed; state i of step t draws from `stepStream(seed, `${t}:${i}`)`. @default 0 */
  seed: z.number().int().default(0),
  /**
   * The step (environment time step, or call number) the draw belongs to: each step gets a fresh stream from `seed`,
   * so calling `act()` again with the same seed does not repeat the same draw. Pass it to replay a step exactly.
   * @default the number of earlier `act()` calls on this policy
   */
  step: z.number().int().min(0).optional(),
  /** Softmax temperature. @default 1 */
  temperature: z.number().gt(0).default(1),
});
/** Options of {@link OnnxActionPolicy.act}. */
export type ActOptions = z.input<typeof actOptionsSchema>;

/** The decision for one state. */
export interface ActionDecision {
  /** The chosen action. */
  action: TradeAction;
  /** Its index in SELL, HOLD, BUY. */
  actionIndex: number;
  /** log π(action | state) under the masked distribution (what PPO's ratio needs). */
  logprob: number;
  /** The critic's value V(s), or `null` when the graph has no value output. */
  value: number | null;
  /** Masked probabilities by action. */
  probabilities: Record<TradeAction, number>;
  /** Raw logits [SELL, HOLD, BUY]. */
  logits: [number, number, number];
  /** The mask that was applied. */
  mask: ActionMask;
}

/** Where the action policy runs. */
export interface ActionPolicyInfo {
  inputName: string;
  logitsName: string;
  valueName: string | null;
  requestedDevice: 'auto' | 'cuda' | 'cpu';
  executionProvider: 'cuda' | 'cpu';
  fallbackReason?: string;
}

/**
 * Load a FLAG-Trader-style action head (an ONNX graph mapping a state's features to logits over SELL, HOLD, BUY
 * and optionally a value V(s)) and return a policy that masks invalid actions, samples with a seed (or takes the
 * greedy action) and reports the action's log-probability and the value.
 * @throws {TradeR1Error} `MODEL_LOAD_FAILED`, `UNSUPPORTED` (CUDA requested but unavailable), `INVALID_INPUT`.
 */
export async function createOnnxActionPolicy(options: OnnxActionPolicyOptions): Promise<OnnxActionPolicy> {
  const settings = parseWith(onnxActionPolicyOptionsSchema, options, { label: 'createOnnxActionPolicy options' });
  const create = (provider: 'cuda' | 'cpu', quiet: boolean): Promise<ort.InferenceSession> => {
    const sessionOptions = {
      ...settings.sessionOptions,
      executionProviders: [provider],
      ...(quiet && { logSeverityLevel: 4 as const }),
    } as ort.InferenceSession.SessionOptions;
    return typeof settings.model === 'string'
      ? ort.InferenceSession.create(settings.model, sessionOptions)
      : ort.InferenceSession.create(settings.model, sessionOptions);
  };
  let session: ort.InferenceSession | undefined;
  let executionProvider: 'cuda' | 'cpu' = 'cpu';
  let fallbackReason: string | undefined;
  const cuda = settings.device === 'cpu' ? undefined : cudaProviderStatus();
  if (cuda && !cuda.installed) {
    // Without the provider library a CUDA attempt can only fail (and ONNX Runtime's process-wide logger prints it).
    if (settings.device === 'cuda') {
      throw new TradeR1Error('UNSUPPORTED', `The CUDA execution provider is not available: ${cuda.reason}`, {
        details: { field: 'device' },
      });
    }
    fallbackReason = cuda.reason;
  } else if (settings.device !== 'cpu') {
    try {
      session = await create('cuda', settings.device === 'auto');
      executionProvider = 'cuda';
    } catch (error) {
      if (settings.device === 'cuda') {
        const hint = cuda?.reason ? `; ${cuda.reason}` : '';
        throw new TradeR1Error(
          'UNSUPPORTED',
          `The CUDA execution provider did not load: ${errorMessage(error)}${hint}`,
          {
            cause: error,
          },
        );
      }
      fallbackReason = errorMessage(error);
    }
  }
  if (!session) {
    try {
      session = await create('cpu', false);
    } catch (error) {
      throw new TradeR1Error('MODEL_LOAD_FAILED', `Could not load the action model: ${errorMessage(error)}`, {
        details: { model: typeof settings.model === 'string' ? settings.model : `<${settings.model.length} bytes>` },
        cause: error,
      });
    }
  }
  const inputName = settings.inputName ?? session.inputNames[0];
  const logitsName =
    settings.logitsName ?? (session.outputNames.includes('logits') ? 'logits' : session.outputNames[0]);
  if (
    !inputName ||
    !session.inputNames.includes(inputName) ||
    !logitsName ||
    !session.outputNames.includes(logitsName)
  ) {
    await session.release();
    throw new TradeR1Error('INVALID_CONFIG', 'The action model does not have the configured input/output names', {
      details: { inputs: [...session.inputNames], outputs: [...session.outputNames], inputName, logitsName },
    });
  }
  const info: ActionPolicyInfo = {
    inputName,
    logitsName,
    valueName: session.outputNames.includes(settings.valueName) ? settings.valueName : null,
    requestedDevice: settings.device,
    executionProvider,
    ...(fallbackReason !== undefined && { fallbackReason }),
  };
  return new OnnxActionPolicy(session, info);
}

/** The action policy returned by {@link createOnnxActionPolicy}. */
export class OnnxActionPolicy {
  private closed = false;
  private calls = 0;

  /** @internal Use {@link createOnnxActionPolicy}. */
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly policyInfo: ActionPolicyInfo,
  ) {}

  /** Input/output names and the execution provider. */
  info(): ActionPolicyInfo {
    return { ...this.policyInfo };
  }

  /** Act on a batch of states in one forward pass. */
  async act(options: ActOptions): Promise<ActionDecision[]> {
    if (this.closed) throw new TradeR1Error('CLOSED', 'This action policy was closed');
    const settings = parseWith(actOptionsSchema, options, { label: 'act options' });
    const step = settings.step ?? this.calls;
    this.calls += 1;
    const width = settings.states[0]?.features.length ?? 0;
    const features = new Float32Array(settings.states.length * width);
    settings.states.forEach((state, index) => {
      if (state.features.length !== width) {
        throw new TradeR1Error(
          'INVALID_INPUT',
          `State ${index} has ${state.features.length} features, expected ${width}`,
          {
            details: { index },
          },
        );
      }
      features.set(state.features, index * width);
    });
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      outputs = await this.session.run({
        [this.policyInfo.inputName]: new ort.Tensor('float32', features, [settings.states.length, width]),
      });
    } catch (error) {
      throw new TradeR1Error('INFERENCE_FAILED', `The action model failed: ${errorMessage(error)}`, { cause: error });
    }
    const logits = outputs[this.policyInfo.logitsName] as ort.Tensor;
    const logitData = logits.data as Float32Array;
    if (logitData.length !== settings.states.length * 3) {
      throw new TradeR1Error('UNSUPPORTED', `Expected logits [batch, 3], got [${logits.dims.join(', ')}]`, {
        details: { dims: [...logits.dims] },
      });
    }
    const valueTensor = this.policyInfo.valueName
      ? (outputs[this.policyInfo.valueName] as ort.Tensor | undefined)
      : undefined;
    const valueData = valueTensor?.data as Float32Array | undefined;
    const valueStride = valueData ? valueData.length / settings.states.length : 0;
    return settings.states.map((state, index) => {
      const row = Array.from(logitData.subarray(index * 3, index * 3 + 3)) as [number, number, number];
      const mask = state.mask ?? actionMask(state);
      const distribution = maskedActionDistribution(row, mask, settings.temperature);
      const rng: Rng = stepStream(settings.seed, `${step}:${index}`);
      let actionIndex: number;
      if (settings.greedy) {
        actionIndex = distribution.probabilities.indexOf(Math.max(...distribution.probabilities));
      } else {
        actionIndex = rng.categorical(distribution.probabilities);
      }
      const [sell, hold, buy] = distribution.probabilities;
      return {
        action: actionAt(actionIndex),
        actionIndex,
        logprob: distribution.logProbabilities[actionIndex] as number,
        value: valueData ? (valueData[index * valueStride] as number) : null,
        probabilities: { SELL: sell, HOLD: hold, BUY: buy },
        logits: row,
        mask,
      };
    });
  }

  /** Release the session (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}
