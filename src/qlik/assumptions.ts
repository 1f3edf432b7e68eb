/**
 * What qlik-rollout assumes about Qlik where Qlik documents nothing: one id per unknown, cited by the code that
 * depends on it (`// Assumption A5`), by the simulator variant that plays each plausible answer
 * (src/simulator/variants.ts), by `qlik-rollout doctor` (one check per id) and by docs/simulator.md.
 * A tool that meets a contradiction it cannot adapt to stops the tenant with `assumptionStop(id, ...)`, whose
 * message names the id and the doctor check to run.
 */

export interface Assumption {
  /** What we assume, in one line. */
  title: string;
  /** Where the belief comes from: 'community' (a public script) or 'inference' (nothing public). */
  source: 'community' | 'inference';
  /** What the tool does about it: adapts at run time, or stops with the id. */
  handling: string;
}

export const ASSUMPTIONS = {
  A1: {
    title: 'HDS deployments: GET /api/hds/v1/Deployments lists them; fields id/name/serviceUrl in camelCase (or PascalCase); list is a bare array (or {data})',
    source: 'community',
    handling: 'keys are read case-insensitively and both list envelopes are accepted; an unreadable list stops the tenant naming A1',
  },
  A2: {
    title: 'Multi-edit custom-property key in the synthetic root is "@<definition name>" (or "@<definition id>")',
    source: 'community',
    handling: 'the key is read from the synthetic GET before the first PUT and cached per site',
  },
  A3: {
    title: 'Distribution policies are SystemRules (resourceFilter App_*, actions & 1024 Distribute); the category the QMC writes is unknown (not Sync, the load-balancing category)',
    source: 'inference',
    handling: 'an existing policy is adopted by name and its category/type/context never rewritten; a new one takes policy.category from the plan (default Security)',
  },
  A4: {
    title: 'Staged distributed apps are listed by GET /api/v1/items?resourceType=app&noActions=true (Qlik\'s example); whether they also appear without noActions is unknown',
    source: 'inference',
    handling: 'the tool always sends noActions=true (as Qlik\'s example does)',
  },
  A5: {
    title: 'The cloud copy of a distributed app gets a new id (or keeps the QSEoW app id)',
    source: 'inference',
    handling: 'copies are matched by name and the documented markers; an id equal to the QSEoW app id only breaks a tie',
  },
  A6: {
    title: 'A distributed copy\'s lastReloadTime is the QSEoW reload time, within a few seconds either way (precision unknown)',
    source: 'inference',
    handling: 'a copy counts as carrying a reload when its lastReloadTime is at most sync.reloadTimeToleranceMs earlier than the QSEoW reload',
  },
  A7: {
    title: 'The qsefw-local-bearer-token IdP is created with {provider:"qlik", protocol, interactive:false, base64Encoded, tenantIds} (only in a community script)',
    source: 'community',
    handling: 'a 400 on create stops the tenant naming A7',
  },
  A8: {
    title: 'Failed distributions may leave ExecutionResults (status 8) on QSEoW; their message format is unknown',
    source: 'inference',
    handling: 'report only: messages are shown, never parsed into repairs',
  },
  A9: {
    title: 'Creating a deployment, creating/changing an IdP or changing a policy does not start a distribution (only publish, reload and a change of a published app do, as documented)',
    source: 'inference',
    handling: 'the tool never relies on those triggers: the app change that makes the policy match comes after the deployment and the IdP',
  },
  A10: {
    title: 'Re-sending: a PUT of a published app that changes nothing but its modifiedDate counts as a change of the app and makes QSEoW re-evaluate and send',
    source: 'inference',
    handling: 'when that does not bring the copy, the app\'s reload task is started if the plan allows it (distribution.resendWithReloadTask), else the wait ends naming A10',
  },
  A11: {
    title: 'The distribution service does not retry a failed delivery by itself (it waits for the next trigger)',
    source: 'inference',
    handling: 'the tool re-sends itself after distribution.resend.afterMs; if the service does retry, the re-send is harmless',
  },
  A12: {
    title: 'elastictokenconfig?qcsFormat=True is the same text on every call for the same key (byte-stable)',
    source: 'inference',
    handling: 'the token fingerprint is taken over the decoded definition\'s stable fields when it is JSON, else over the text',
  },
  A13: {
    title: 'The JWT virtual proxy answers with a session cookie X-Qlik-Session-<prefix> that later requests may send instead of the JWT',
    source: 'community',
    handling: 'the cookie is kept per pool and dropped on 401 (the JWT is sent again)',
  },
} as const satisfies Record<string, Assumption>;

export type AssumptionId = keyof typeof ASSUMPTIONS;

/** The doctor check that settles an assumption (its id, lower-case: `qlik-rollout doctor PLAN` prints it). */
export function doctorCheckOf(id: AssumptionId): string {
  return `qlik-rollout doctor <plan> (check ${id})`;
}

/** The sentence a tenant stops with when Qlik behaves in a way the tool cannot adapt to. */
export function assumptionMessage(id: AssumptionId, what: string): string {
  return `${what} [assumption ${id}: ${ASSUMPTIONS[id].title}]. Run ${doctorCheckOf(id)} and see docs/simulator.md#${id.toLowerCase()}.`;
}
