import { errorMessage, TradeR1Error } from '@trade-r1/core';
import { isModuleNotFound } from './use-lite.ts';

/** The optional peer dependency behind the transformer embedders and the NLI judge, and the version tested with. */
export const TRANSFORMERS_PACKAGE = '@huggingface/transformers';

/** The command that installs {@link TRANSFORMERS_PACKAGE} (it brings onnxruntime-node with it). */
export const TRANSFORMERS_INSTALL_HINT = `npm install ${TRANSFORMERS_PACKAGE}@4.3.1`;

/**
 * Import `@huggingface/transformers` on first use. It is an optional peer dependency of `@trade-r1/verifier`: the
 * default embedder and judges do not need it, so a plain install stays small and offline.
 * @param feature What needs it, for the message (e.g. `'createTransformersEmbedder'`).
 * @param load The import to run (tests pass a failing one); defaults to the real dynamic import.
 * @throws {TradeR1Error} `MODEL_LOAD_FAILED` with `details.package`, `details.missing` and `details.install`.
 */
export async function loadTransformers(
  feature: string,
  load: () => Promise<typeof import('@huggingface/transformers')> = () => import('@huggingface/transformers'),
): Promise<typeof import('@huggingface/transformers')> {
  try {
    return await load();
  } catch (cause) {
    const missing = isModuleNotFound(cause, TRANSFORMERS_PACKAGE);
    throw new TradeR1Error(
      'MODEL_LOAD_FAILED',
      missing
        ? `${TRANSFORMERS_PACKAGE} is not installed; ${feature} needs it (an optional peer dependency): ${TRANSFORMERS_INSTALL_HINT}`
        : `${TRANSFORMERS_PACKAGE} could not be loaded: ${errorMessage(cause)}`,
      { cause, details: { package: TRANSFORMERS_PACKAGE, missing, install: TRANSFORMERS_INSTALL_HINT, feature } },
    );
  }
}
