/**
 * Summary of `node --cpu-prof` profiles: the functions with the most self time, per process (worker, simulator),
 * so a person sees where the time goes without opening DevTools.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const CpuProfileSchema = z.object({
  nodes: z.array(z.object({
    id: z.number(),
    callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
  })),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface ProfileSummary {
  process: string;
  file: string;
  totalMs: number;
  top: Array<{ frame: string; selfMs: number; percent: number }>;
}

const TOP_FRAMES = 12;

/** Every profile under `dir` (laid out as <scenario>/<process>/*.cpuprofile), the main thread's first. */
export function summariseProfiles(dir: string): ProfileSummary[] {
  const summaries: ProfileSummary[] = [];
  for (const scenario of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    for (const processName of fs.readdirSync(path.join(dir, scenario))) {
      const processDir = path.join(dir, scenario, processName);
      const files = fs.readdirSync(processDir).filter((f) => f.endsWith('.cpuprofile'));
      // Worker threads write their own profiles; ones that sampled only idle time say nothing.
      const busy = files.map((file) => summariseProfile(`${scenario}: ${processName}`, path.join(processDir, file))).filter((p) => p.top.some((f) => f.frame !== '(idle)' && f.percent >= 5));
      summaries.push(...busy);
    }
  }
  return summaries;
}

export function summariseProfile(processName: string, file: string): ProfileSummary {
  const profile = CpuProfileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const frameOf = new Map(profile.nodes.map((node) => [node.id, label(node.callFrame)]));
  const selfUs = new Map<string, number>();
  profile.samples.forEach((nodeId, i) => {
    const frame = frameOf.get(nodeId) ?? '?';
    selfUs.set(frame, (selfUs.get(frame) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const top = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_FRAMES)
    .map(([frame, us]) => ({ frame, selfMs: Math.round(us / 1000), percent: Math.round((us / Math.max(totalUs, 1)) * 1000) / 10 }));
  return { process: processName, file, totalMs: Math.round(totalUs / 1000), top };
}

function label(frame: { functionName: string; url: string; lineNumber: number }): string {
  const where = frame.url ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|dist)\//, '$1/')}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}
