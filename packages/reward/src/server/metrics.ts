import type { RewardWorkerPoolStats } from './worker-pool.ts';

/** Latency histogram bucket bounds in seconds. */
export const LATENCY_BUCKETS = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
]);

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeLabel(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(labels: Record<string, string>): string {
  let text = '';
  for (const key in labels) {
    text += `${text === '' ? '{' : ','}${key}="${escapeLabel(labels[key] as string)}"`;
  }
  return text === '' ? '' : `${text}}`;
}

class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Record<string, string> = {}, amount = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + amount);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.values) lines.push(`${this.name}${key} ${value}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly series = new Map<
    string,
    { labels: Record<string, string>; buckets: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: readonly number[],
  ) {}
  observe(labels: Record<string, string>, value: number): void {
    const key = labelText(labels);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, buckets: new Array(this.bounds.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    // One increment, in the first bucket that holds the value (cumulated when rendered).
    const { bounds } = this;
    let index = 0;
    while (index < bounds.length && !(value <= (bounds[index] as number))) index += 1;
    if (index < bounds.length) entry.buckets[index] = (entry.buckets[index] as number) + 1;
    entry.sum += value;
    entry.count += 1;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const entry of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += entry.buckets[index] as number;
        lines.push(`${this.name}_bucket${labelText({ ...entry.labels, le: String(bound) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...entry.labels, le: '+Inf' })} ${entry.count}`);
      lines.push(`${this.name}_sum${labelText(entry.labels)} ${entry.sum}`);
      lines.push(`${this.name}_count${labelText(entry.labels)} ${entry.count}`);
    }
    return lines.join('\n');
  }
}

function gauge(name: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}`;
}

function labelledCounter(name: string, help: string, label: string, values: Record<string, number>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
  for (const [key, value] of Object.entries(values)) lines.push(`${name}{${label}="${key}"} ${value}`);
  return lines.join('\n');
}

function counter(name: string, help: string, value: number): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} counter\n${name} ${value}`;
}

/** A worker pool's counters in Prometheus text format (the server appends them when it runs over a pool). */
export function renderPoolMetrics(stats: RewardWorkerPoolStats): string {
  return `${[
    gauge('trade_r1_reward_pool_workers', 'Worker threads configured.', stats.workers),
    gauge(
      'trade_r1_reward_pool_ready_workers',
      'Worker threads ready now (a replaced one is not until it has started).',
      stats.ready,
    ),
    gauge('trade_r1_reward_pool_busy_workers', 'Worker threads running at least one sample now.', stats.busy),
    gauge('trade_r1_reward_pool_queued_samples', 'Samples waiting in the pool for a thread.', stats.queued),
    gauge(
      'trade_r1_reward_pool_running_samples',
      'Samples running in a thread now (cancelled ones that have not stopped yet included).',
      stats.running,
    ),
    labelledCounter(
      'trade_r1_reward_pool_samples_total',
      'Samples the pool answered, by outcome: completed (computed or fallback result from a thread), failed (the reward threw or its thread died), timed_out (hit the per-sample limit), cancelled (the request ended first).',
      'outcome',
      { completed: stats.completed, failed: stats.failed, timed_out: stats.timedOut, cancelled: stats.cancelled },
    ),
    labelledCounter(
      'trade_r1_reward_pool_abandoned_samples_total',
      'Timed-out or cancelled samples whose work was stopped, by how: discarded (dropped before it started), stopped (ended through its signal within the grace time), terminated (its thread was terminated and replaced).',
      'how',
      { discarded: stats.discarded, stopped: stats.stopped, terminated: stats.terminated },
    ),
    counter(
      'trade_r1_reward_pool_crashes_total',
      'Worker threads that died on their own (a crash in reward code).',
      stats.crashed,
    ),
    counter(
      'trade_r1_reward_pool_restarts_total',
      'Worker threads started to replace terminated or crashed ones.',
      stats.restarts,
    ),
    counter(
      'trade_r1_reward_pool_stray_rejections_total',
      'Unhandled promise rejections raised by reward code in a worker thread (the thread keeps running).',
      stats.strayRejections,
    ),
  ].join('\n')}\n`;
}

/** The reward server's Prometheus metrics (text exposition format 0.0.4). */
export class RewardServerMetrics {
  readonly requests = new Counter('trade_r1_reward_requests_total', 'HTTP requests handled, by route and status.');
  readonly duration = new Histogram(
    'trade_r1_reward_request_duration_seconds',
    'Request latency from arrival to response, by route.',
    LATENCY_BUCKETS,
  );
  readonly samples = new Counter('trade_r1_reward_samples_total', 'Samples scored, by route and status.');
  readonly timeouts = new Counter(
    'trade_r1_reward_timeouts_total',
    'Timeouts, by kind: sample (per-sample limit) or request (whole request, answered 504).',
  );
  readonly fallbacks = new Counter('trade_r1_reward_fallbacks_total', 'Samples answered with the declared fallback.');
  readonly errors = new Counter('trade_r1_reward_errors_total', 'Requests that failed, by error code.');
  readonly rejected = new Counter(
    'trade_r1_reward_rejected_total',
    'Requests (or connections) refused before scoring, by reason (unauthorized, too_large, overloaded, shutting_down, connections).',
  );
  readonly cancelled = new Counter(
    'trade_r1_reward_cancelled_samples_total',
    'Samples cancelled because their request ended first (client gone, another sample failed, timeout, shutdown).',
  );
  readonly boundaries = new Counter(
    'trade_r1_reward_response_boundary_total',
    'How /get_reward found the response in query: prefix, marker (assistant marker), whole (no prompt sent), none (flagged, not scored).',
  );
  readonly logFills = new Counter(
    'trade_r1_reward_log_fills_total',
    'Log values filled because a sample had no value for a declared key, by key.',
  );
  readonly logKeysDropped = new Counter(
    'trade_r1_reward_log_keys_dropped_total',
    'Values of log keys a reward reported that are not in extraLogKeys (left out of answers), by key.',
  );
  readonly strayRejections = new Counter(
    'trade_r1_reward_stray_rejections_total',
    'Unhandled promise rejections raised by reward code (each fails its sample instead of the process).',
  );
  /** Requests being handled (reading, queued or scoring). */
  inFlight = 0;
  /** Samples admitted and waiting for a slot. */
  queued = 0;
  /** Samples being scored. */
  activeSamples = 0;
  /** Open connections. */
  connections = 0;

  /** Render every metric in Prometheus text format. */
  render(): string {
    return `${[
      this.requests.render(),
      this.duration.render(),
      this.samples.render(),
      this.timeouts.render(),
      this.fallbacks.render(),
      this.errors.render(),
      this.rejected.render(),
      this.cancelled.render(),
      this.boundaries.render(),
      this.logFills.render(),
      this.logKeysDropped.render(),
      this.strayRejections.render(),
      '# HELP trade_r1_reward_in_flight Requests being handled now (reading, queued or scoring).',
      '# TYPE trade_r1_reward_in_flight gauge',
      `trade_r1_reward_in_flight ${this.inFlight}`,
      '# HELP trade_r1_reward_queued Samples admitted and waiting for a scoring slot.',
      '# TYPE trade_r1_reward_queued gauge',
      `trade_r1_reward_queued ${this.queued}`,
      '# HELP trade_r1_reward_active_samples Samples being scored now.',
      '# TYPE trade_r1_reward_active_samples gauge',
      `trade_r1_reward_active_samples ${this.activeSamples}`,
      '# HELP trade_r1_reward_connections Open connections.',
      '# TYPE trade_r1_reward_connections gauge',
      `trade_r1_reward_connections ${this.connections}`,
    ].join('\n')}\n`;
  }
}
