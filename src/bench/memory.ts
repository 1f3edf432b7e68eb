/** Peak and current resident memory of a process, from /proc/<pid>/status (Linux). */
import fs from 'node:fs';

export interface ProcessMemory {
  /** VmHWM: the peak resident set size, in MiB. */
  peakRssMiB: number;
  /** VmRSS: the resident set size now, in MiB. */
  rssMiB: number;
}

function field(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Math.round(Number(match[1]) / 102.4) / 10 : NaN;
}

/** Undefined when the process is gone or /proc is not there (not Linux). */
export function processMemory(pid: number | undefined): ProcessMemory | undefined {
  if (!pid || pid < 0) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { peakRssMiB: field(status, 'VmHWM'), rssMiB: field(status, 'VmRSS') };
  } catch {
    return undefined;
  }
}
