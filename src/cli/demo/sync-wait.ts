/** Waits until every tenant's sync workflow reports the given reloads as synced, with a one-line bar. */
import type { Client } from '@temporalio/client';
import type { RolloutPlan } from '../../plan/types';
import { syncStateQuery, workflowIds } from '../../workflows/messages';
import { CliError, colours, pause, type CliIo } from '../io';

export interface AppReloadDone {
  app: string;
  lastReloadTime: string;
}

async function syncedTenants(client: Client, plan: RolloutPlan, reloads: AppReloadDone[]): Promise<Set<string>> {
  const synced = new Set<string>();
  await Promise.all(
    plan.tenants.map(async ({ name }) => {
      const state = await client.workflow.getHandle(workflowIds.sync(plan.source, name)).query(syncStateQuery).catch(() => undefined);
      const caughtUp = state && reloads.every((r) => Date.parse(state.lastSynced[r.app] ?? '') >= Date.parse(r.lastReloadTime));
      if (caughtUp) synced.add(name);
    }),
  );
  return synced;
}

export async function waitForSync(client: Client, plan: RolloutPlan, reloads: AppReloadDone[], options: { io: CliIo; deadline: number }): Promise<void> {
  const { io } = options;
  const c = colours(io);
  const total = plan.tenants.length;
  let shown = -1;
  for (;;) {
    const synced = await syncedTenants(client, plan, reloads);
    if (synced.size !== shown) {
      const width = 24;
      const filled = Math.round((synced.size / total) * width);
      const line = `  sync ${`[${c.green('█'.repeat(filled))}${c.dim('░'.repeat(width - filled))}]`} ${synced.size}/${total} tenants carry the new reload`;
      io.stdout.write(c.on && shown >= 0 ? `\u001b[1A\u001b[2K${line}\n` : `${line}\n`);
      shown = synced.size;
    }
    if (synced.size === total || io.signal?.aborted) return;
    if (Date.now() > options.deadline) {
      const missing = plan.tenants.map((t) => t.name).filter((n) => !synced.has(n));
      throw new CliError(`Sync did not finish in time; still waiting for ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ' ...' : ''} (qlik-rollout sync status).`);
    }
    await pause(500, io.signal);
  }
}
