/**
 * The QSEoW site: QRS reachability and authentication (GET /qrs/about), its version, the plan's apps (table view),
 * and A13: whether the JWT virtual proxy hands out a session cookie.
 */
import { findAppsByName, pickPlanApp, type AppFacts } from '../qlik/qrs/apps';
import { about } from '../qlik/qrs/about';
import { qrsClient } from '../qlik/qrs/client';
import type { Transport } from '../qlik/transport';
import type { DoctorContext } from './context';
import { errorEvidence, isAuthRefusal } from './evidence';
import { setCookieNames } from './headers';
import { check, type CheckDraft } from './types';

/** The QRS swagger the tool's calls were checked against (/work/shared/reference, src/simulator/qseow/shapes.ts). */
const KNOWN_QRS_MAJOR = 38;

export interface PlanAppFacts {
  name: string;
  stream: string;
  app?: AppFacts;
}

export interface QrsFacts {
  qrs?: Transport;
  apps: PlanAppFacts[];
  drafts: CheckDraft[];
}

export async function checkQrs(ctx: DoctorContext): Promise<QrsFacts> {
  const { source } = ctx.plan;
  const fixAuth = source.auth.type === 'jwt'
    ? `check the JWT behind ${source.auth.token} and that the virtual proxy of ${source.qrsUrl} accepts it (JWT authentication, audience, user attributes)`
    : `check the certificates behind ${source.auth.cert} (exported from this site's QMC) and that ${source.qrsUrl} is the Repository Service (port 4242)`;
  let qrs: Transport;
  let version: string;
  try {
    qrs = await qrsClient(source);
    version = (await about(qrs)).buildVersion;
  } catch (err) {
    const fix = isAuthRefusal(err) ? fixAuth : `check source.qrs.url (${source.qrsUrl}), the network path and TLS (rejectUnauthorized, ca)`;
    const unreachable = check.unknown('qrs-version', 'QRS not reachable', 'fix check "qrs" first');
    return { apps: ctx.plan.apps.map((a) => ({ ...a })), drafts: [check.contradicted('qrs', errorEvidence(err), fix, true), unreachable] };
  }
  const drafts: CheckDraft[] = [check.holds('qrs', `GET /qrs/about 200 as ${source.auth.type === 'jwt' ? 'the JWT user' : `${source.user.directory}\\${source.user.id}`}`)];
  const major = Number(version.split('.')[0]);
  drafts.push(
    Number.isFinite(major) && major >= KNOWN_QRS_MAJOR
      ? check.holds('qrs-version', `buildVersion ${version} (the tool is built against QRS API ${KNOWN_QRS_MAJOR}.x)`)
      : check.unknown('qrs-version', `buildVersion ${version}`, `this QRS is older than ${KNOWN_QRS_MAJOR}.x (May 2024): the table view and multi-edit calls may differ; try the canary wave first`),
  );
  let apps: PlanAppFacts[];
  try {
    const found = await findAppsByName(qrs, ctx.plan.apps.map((a) => a.name));
    apps = ctx.plan.apps.map((a) => ({ ...a, app: pickPlanApp(found, a.name, a.stream) }));
  } catch (err) {
    drafts.push(check.contradicted('qrs', `the apps table view failed: ${errorEvidence(err)}`, 'the QRS user needs read access to apps (RootAdmin, or a rule granting read on App_*)', true));
    apps = ctx.plan.apps.map((a) => ({ ...a }));
  }
  return { qrs, apps, drafts };
}

/** A13, read from the headers of the QRS answers this run already got (run it after the other site checks). */
export function checkSessionCookie(ctx: DoctorContext): CheckDraft {
  const { source } = ctx.plan;
  if (source.auth.type !== 'jwt') return check.notApplicable('A13', 'certificate authentication: no virtual proxy, no session');
  const answers = ctx.headers.from(new URL(source.qrsUrl).origin);
  if (answers.length === 0) return check.unknown('A13', 'no answer from QRS', 'fix check "qrs" first');
  const isSession = (name: string) => /^x-qlik-session/i.test(name);
  const set = [...new Set(answers.flatMap(setCookieNames).filter(isSession))];
  const sent = [...new Set(answers.flatMap((a) => a.sentCookies).filter(isSession))];
  if (set.length > 0 || sent.length > 0) {
    return check.holds('A13', `${set.length > 0 ? `Set-Cookie ${set.join(', ')}` : `cookie ${sent.join(', ')} sent and accepted`} (${answers.length} answers seen)`, { 'session-cookie': 'yes' });
  }
  return check.contradicted(
    'A13',
    `no Set-Cookie X-Qlik-Session-* in ${answers.length} QRS answers`,
    'nothing to change: the tool sends the JWT on every call; if the site limits proxy sessions, give the JWT user a license or raise the session limit',
    false,
    { 'session-cookie': 'no' },
  );
}
