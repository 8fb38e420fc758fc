import { isTradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { loadTransformers, TRANSFORMERS_PACKAGE } from './load-transformers.ts';

describe('loadTransformers', () => {
  it('names the package to add when it is not installed', async () => {
    const notInstalled = Object.assign(new Error(`Cannot find package '${TRANSFORMERS_PACKAGE}' imported from x.js`), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    await expect(loadTransformers('createEntailmentModel', () => Promise.reject(notInstalled))).rejects.toSatisfy(
      (error) =>
        isTradeR1Error(error, 'MODEL_LOAD_FAILED') &&
        error.details.package === TRANSFORMERS_PACKAGE &&
        error.details.missing === true &&
        error.message.includes('npm install @huggingface/transformers@4.3.1') &&
        error.message.includes('createEntailmentModel'),
    );
  });

  it('keeps other load failures as such, with their cause', async () => {
    const broken = new Error('native binding crashed');
    await expect(loadTransformers('x', () => Promise.reject(broken))).rejects.toSatisfy(
      (error) =>
        isTradeR1Error(error, 'MODEL_LOAD_FAILED') && error.details.missing === false && error.cause === broken,
    );
  });

  it('loads the real package when it is installed (a devDependency here)', async () => {
    const transformers = await loadTransformers('test');
    expect(typeof transformers.pipeline).toBe('function');
  });
});
