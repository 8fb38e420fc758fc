/**
 * How busy the machine was while a benchmark measured (the figures are wall-clock throughput, and the machine may
 * be shared): the 1-minute load average at both ends and, from /proc/stat where it exists, how many cores were
 * busy in all, how many of them with this process's threads, and how many with other processes.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/** Machine load over one measured interval. */
export interface MachineLoad {
  /** 1-minute load average at the start and the end. */
  loadAverage1m: { start: number; end: number };
  /** Cores busy on average (all processes), from /proc/stat; null where it cannot be read. */
  busyCores: number | null;
  /** Cores busy with this process's threads (its workers included). */
  ownCores: number;
  /** busyCores − ownCores: cores other processes used meanwhile; null without /proc/stat. */
  otherCores: number | null;
  /** Cores the hypervisor gave to other machines (steal); null without /proc/stat. */
  stealCores: number | null;
  /** Cores of this machine. */
  cores: number;
}

const round = (value: number): number => Math.round(value * 100) / 100;

function procStat(): { busy: number; total: number; steal: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [label, ...fields] = line.trim().split(/\s+/);
    if (label !== 'cpu') return null;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number) as number[];
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0);
    return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) + (steal ?? 0), steal: steal ?? 0 };
  } catch {
    return null;
  }
}

/** Start measuring; call the returned function at the end of the interval. */
export function startLoadMeter(): () => MachineLoad {
  const began = performance.now();
  const cpu = process.cpuUsage();
  const stat = procStat();
  const loadStart = loadavg()[0] ?? 0;
  return () => {
    const elapsedMs = performance.now() - began;
    const used = process.cpuUsage(cpu);
    const end = procStat();
    const cores = cpus().length;
    const ownCores = (used.user + used.system) / 1000 / Math.max(1e-9, elapsedMs);
    let busyCores: number | null = null;
    let stealCores: number | null = null;
    if (stat && end && end.total > stat.total) {
      busyCores = ((end.busy - stat.busy) / (end.total - stat.total)) * cores;
      stealCores = ((end.steal - stat.steal) / (end.total - stat.total)) * cores;
    }
    return {
      loadAverage1m: { start: round(loadStart), end: round(loadavg()[0] ?? 0) },
      busyCores: busyCores === null ? null : round(busyCores),
      ownCores: round(ownCores),
      otherCores: busyCores === null ? null : round(Math.max(0, busyCores - ownCores)),
      stealCores: stealCores === null ? null : round(stealCores),
      cores,
    };
  };
}
