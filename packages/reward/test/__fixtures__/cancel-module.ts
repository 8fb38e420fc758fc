// A reward module for the CLI cancellation test. Label "hold" waits for its signal; "stray" leaves a promise
// rejection unhandled and then waits for its signal; "started" and "aborted" answer how many samples started and
// how many saw their signal abort so far (so a test can read, over HTTP, what the server did to abandoned work).
let started = 0;
let aborted = 0;

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const stop = () => {
      aborted += 1;
      reject(signal.reason);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}

export default async function cancel(sample: { label?: unknown }, { signal }: { signal: AbortSignal }) {
  if (sample.label === 'started') return started;
  if (sample.label === 'aborted') return aborted;
  started += 1;
  if (sample.label === 'stray') void Promise.reject(new Error('judge socket reset'));
  return untilAborted(signal);
}
