// A reward module for the CLI test: label "stray" leaves a promise rejection unhandled, as buggy reward code does.
export default async function stray(sample: { label?: unknown; response: string }): Promise<number> {
  if (sample.label === 'stray') {
    void Promise.reject(new Error('judge socket reset'));
    // Still working when the rejection surfaces (unhandled rejections are reported after the current task).
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return sample.response.length;
}

export const extraLogKeys = ['length'];
