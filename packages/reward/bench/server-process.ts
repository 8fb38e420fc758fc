/**
 * The benchmark's reward server, run in its own process so the load generator does not share its event loop:
 * the market + DSR reward of market-dsr-reward.ts, answering `r` and `s` beside the score (as the FastAPI peer
 * does). Prints the URL on stdout, then serves until SIGTERM.
 */
import { createRewardServer } from '../src/index.ts';
import reward from './market-dsr-reward.ts';

const server = createRewardServer({ reward, sampleTimeoutMs: 5_000, maxConcurrency: 256, extraLogKeys: ['r', 's'] });
const url = await server.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
