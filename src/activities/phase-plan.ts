/**
 * What a phase would do, as its own read step sees it. Each phase module exports a read-only `plan*` function next
 * to its write path; the activity acts on the same function's answer and the dry run (`qlik-rollout plan`) shows
 * it, so the preview and the rollout cannot drift apart.
 */
export type PlanAction = 'create' | 'update' | 'unchanged' | 'wait' | 'problem';

export interface PhasePlan {
  action: PlanAction;
  /** For a person: what would be created or changed, or why the phase would stop ('problem'). */
  detail: string;
}

/** The worst of several parts of one phase: a problem stops it, a create outweighs a repair, a repair a wait. */
const WEIGHT: Record<PlanAction, number> = { unchanged: 0, wait: 1, update: 2, create: 3, problem: 4 };
export function worstAction(actions: PlanAction[]): PlanAction {
  return actions.reduce<PlanAction>((worst, action) => (WEIGHT[action] > WEIGHT[worst] ? action : worst), 'unchanged');
}
