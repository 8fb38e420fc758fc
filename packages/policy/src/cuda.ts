import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Whether onnxruntime-node's CUDA execution provider library is installed next to its native binding. */
export interface CudaProviderStatus {
  /** True when the provider library file exists (it may still fail to load without the CUDA runtime). */
  installed: boolean;
  /** Where onnxruntime-node looks for it. */
  path: string;
  /** Why it is not usable, when it is not installed. */
  reason?: string;
}

/**
 * Look for onnxruntime-node's CUDA provider library (`libonnxruntime_providers_cuda.so` on Linux,
 * `onnxruntime_providers_cuda.dll` on Windows) beside its native binding, without loading anything. Used by
 * `device: 'auto'` to skip a CUDA attempt (and ONNX Runtime's stderr message) when the library is absent.
 * @param from Resolve onnxruntime-node as seen from this module path (transformers.js' copy for the text policy).
 */
export function cudaProviderStatus(from: string = import.meta.url): CudaProviderStatus {
  const file = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  let root: string;
  try {
    root = dirname(dirname(createRequire(from).resolve('onnxruntime-node')));
  } catch {
    return { installed: false, path: file, reason: 'onnxruntime-node could not be resolved' };
  }
  const path = join(root, 'bin', 'napi-v6', process.platform, process.arch, file);
  if (process.platform !== 'linux' && process.platform !== 'win32') {
    return { installed: false, path, reason: `onnxruntime-node has no CUDA provider for ${process.platform}` };
  }
  if (!existsSync(path)) {
    return {
      installed: false,
      path,
      reason: `the CUDA provider library is not installed at ${path} (run npx trade-r1-install-cuda; see the @trade-r1/policy README)`,
    };
  }
  return { installed: true, path };
}
