/**
 * CPU time each process of the stack spent during a rollout (utime + stime from /proc/<pid>/stat, Linux), so the
 * report can say whether two cores were the limit and which process used them.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

export const CPU_PROCESSES = ['server', 'worker', 'simulator', 'bench'] as const;
export type CpuProcess = (typeof CPU_PROCESSES)[number];
export type CpuSnapshot = Partial<Record<CpuProcess, number>>;

export interface CpuSpent {
  /** CPU seconds per process over the rollout. */
  seconds: Partial<Record<CpuProcess, number>>;
  totalSeconds: number;
  /** The share of the machine's cores the stack used over the rollout's wall time (1 = every core busy). */
  coreShare: number;
  cores: number;
  perTenantMs: number;
}

/** CPU seconds a process has used so far; undefined when it is gone or there is no /proc. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (!pid || pid < 0) return undefined;
  try {
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot, wallMs: number, tenants: number): CpuSpent {
  const seconds: CpuSpent['seconds'] = {};
  for (const name of CPU_PROCESSES) {
    const start = before[name];
    const end = after[name];
    if (start !== undefined && end !== undefined) seconds[name] = Math.round((end - start) * 10) / 10;
  }
  const totalSeconds = Math.round(Object.values(seconds).reduce((a, b) => a + b, 0) * 10) / 10;
  const cores = os.cpus().length;
  return {
    seconds,
    totalSeconds,
    cores,
    coreShare: wallMs > 0 ? Math.round((totalSeconds / ((wallMs / 1000) * cores)) * 100) / 100 : 0,
    perTenantMs: tenants > 0 ? Math.round((totalSeconds * 1000) / tenants) : 0,
  };
}

export function describeCpu(cpu: CpuSpent, wallSeconds: number): string {
  const parts = CPU_PROCESSES.filter((p) => cpu.seconds[p] !== undefined).map((p) => `${p === 'bench' ? 'bench client' : p} ${cpu.seconds[p]} s`);
  return `${parts.join(', ')}: ${cpu.totalSeconds} CPU-s of the ${Math.round(cpu.cores * wallSeconds * 10) / 10} that ${cpu.cores} cores give in ${wallSeconds} s (${Math.round(cpu.coreShare * 100)}%); ${cpu.perTenantMs} ms per tenant`;
}
