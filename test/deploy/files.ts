/**
 * Readers for the deployment files (no Docker engine here: the files are checked for consistency instead).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const ROOT = path.resolve(__dirname, '..', '..');
export const read = (relative: string) => fs.readFileSync(path.join(ROOT, relative), 'utf8');
export const exists = (relative: string) => fs.existsSync(path.join(ROOT, relative));

export interface HealthCheck { test: string[] | string; interval?: string }
export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  profiles?: string[];
  container_name?: string;
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string | number>;
  ports?: string[];
  expose?: string[];
  networks?: string[];
  network_mode?: string;
  volumes?: string[];
  healthcheck?: HealthCheck;
  restart?: string;
  entrypoint?: string[];
  command?: string | string[];
  deploy?: { replicas?: string | number };
  stop_grace_period?: string;
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(): { raw: string; compose: ComposeFile } {
  const raw = read('docker-compose.yml');
  // merge: true resolves the `<<: *anchor` keys the way docker compose does.
  return { raw, compose: YAML.parse(raw, { merge: true }) as ComposeFile };
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`; `$${...}` is an escaped literal for the container. */
export function composeVariables(raw: string): Array<{ name: string; hasDefault: boolean }> {
  const found: Array<{ name: string; hasDefault: boolean }> = [];
  const withoutComments = raw.split('\n').filter((line) => !line.trimStart().startsWith('#')).join('\n');
  for (const match of withoutComments.matchAll(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?[^}]*\}/g)) {
    if (match[1] === '$') continue;
    found.push({ name: match[2], hasDefault: match[3] === ':-' || match[3] === '-' });
  }
  return found;
}

/** Substitutes `${VAR:-default}` with the default (or the given value), as compose would with no .env. */
export function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, name: string, fallback?: string) => env[name] ?? fallback ?? '');
}

export function parseEnvFile(relative: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of read(relative).split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) vars[match[1]] = match[2];
  }
  return vars;
}

export interface DockerInstruction { stage: string; keyword: string; args: string }

/** Dockerfile instructions with line continuations joined, each tagged with its build stage. */
export function parseDockerfile(relative = 'Dockerfile'): DockerInstruction[] {
  const joined = read(relative).replace(/\\\n/g, ' ');
  const instructions: DockerInstruction[] = [];
  let stage = '';
  for (const line of joined.split('\n')) {
    const match = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!match || line.trim().startsWith('#')) continue;
    const [, keyword, args] = match;
    if (keyword === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
    instructions.push({ stage, keyword, args: args.trim() });
  }
  return instructions;
}

/** The JSON (exec) form of CMD/HEALTHCHECK CMD/compose command, or the shell words. */
export function execForm(args: string): string[] {
  const json = /\[.*\]/.exec(args);
  return json ? (JSON.parse(json[0]) as string[]) : args.split(/\s+/);
}

/** dist/x/y.js (what the image runs) -> src/x/y.ts (what tsc compiles from; tsconfig.build: rootDir src). */
export function sourceOfDistPath(distPath: string): string {
  return distPath.replace(/^(\.\/)?dist\//, 'src/').replace(/\.js$/, '.ts');
}
