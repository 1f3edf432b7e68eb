import type { MonotonicClock } from '../clock';
import type { Variants } from '../variants';
import type { DistributionEngine } from '../distribution/engine';
import type { IdSource } from '../random';
import type { SiteStore } from './model';
import type { ReloadRunner } from './reloads';

/** What the QSEoW route modules share. */
export interface QseowContext {
  site: SiteStore;
  ids: IdSource;
  clock: MonotonicClock;
  engine: DistributionEngine;
  reloads: ReloadRunner;
  variants: Variants;
}
