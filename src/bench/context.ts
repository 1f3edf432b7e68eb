/** What every scenario gets from the bench entry point. */
import type { TemporalTarget } from './stack';

export interface BenchContext {
  temporal: TemporalTarget;
  bundlePath: string;
  profileDir?: string;
  log: (line: string) => void;
}

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
