/** Turns an activity failure into one line a person can act on. Workflow-safe. */
import { ActivityFailure, ApplicationFailure, rootCause } from '@temporalio/workflow';
import type { PhaseName } from './messages';

const MAX_REASON_LENGTH = 500;

export function describeFailure(tenant: string, phase: PhaseName, err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const type = cause instanceof ApplicationFailure && cause.type ? ` [${cause.type}]` : '';
  const message = rootCause(err) ?? (err instanceof Error ? err.message : String(err));
  const text = `${phase} failed for ${tenant}${type}: ${message}`;
  // Compact: the rollout keeps this per tenant and carries it across continue-as-new.
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH - 1)}…` : text;
}
