/** What every check module of one doctor run shares: the plan, the header recorder and the secrets to redact. */
import type { RolloutPlan } from '../plan/types';
import type { HeaderRecorder } from './headers';

export interface DoctorOptions {
  /** Only these tenants (default: all of the plan's). */
  tenants?: string[];
  /**
   * Whether check A2 may create a QRS selection (POST /qrs/selection, DELETE after). A selection is an in-memory
   * scratch list of object ids: it changes no entity, bumps no modifiedDate and triggers no distribution, so the
   * doctor counts it as read-only. false answers A2 "unknown" instead.
   */
  selection?: boolean;
}

export interface DoctorContext {
  plan: RolloutPlan;
  options: DoctorOptions;
  headers: HeaderRecorder;
  /** Secret values met during the run (resolved credentials, tokens read): removed from every evidence string. */
  secrets: Set<string>;
}
