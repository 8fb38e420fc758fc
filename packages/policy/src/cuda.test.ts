import { describe, expect, it } from 'vitest';
import { cudaProviderStatus } from './cuda.ts';

describe('cudaProviderStatus', () => {
  it("points at onnxruntime-node's provider directory and explains a missing library", () => {
    const status = cudaProviderStatus();
    expect(status.path).toMatch(/onnxruntime_providers_cuda\.(so|dll)$/);
    if (process.platform === 'linux') expect(status.path).toContain(`bin/napi-v6/linux/${process.arch}/`);
    if (!status.installed) expect(status.reason).toMatch(/not installed|no CUDA provider|could not be resolved/);
  });
});
