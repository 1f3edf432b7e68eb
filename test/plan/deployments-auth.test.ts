/**
 * Audit F3: a plan whose QRS uses certificates must say how to reach the deployments API (HDS), which answers only
 * through a JWT virtual proxy. `validate` refuses it (exit 2, file, path, line); with source.deployments.auth it loads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePlanText, PlanError } from '../../src/plan/load';
import { cli } from '../cli/run-cli';

const plan = (deployments: string) => `apiVersion: qlik-rollout/v1
name: cert-plan
source:
  qrs:
    url: https://qseow.example.com:4242
    auth:
      type: certificate
      cert: file:certs/client.pem
      key: file:certs/client_key.pem
${deployments}apps:
  - { name: Sales, stream: Customers }
tenantDefaults:
  managedSpace: '{name} Analytics'
  auth: { type: apiKey, key: 'env:KEY' }
tenants:
  - { name: t-01, url: https://t-01.eu.qlikcloud.com }
`;

const refusal = /source\.qrs\.auth is a certificate.*source\.deployments\.auth/;

function issuesOf(text: string): PlanError['issues'] {
  try {
    parsePlanText(text, 'plan.yaml', '/plans');
  } catch (err) {
    if (err instanceof PlanError) return err.issues;
    throw err;
  }
  throw new Error('expected the plan to be refused');
}

describe('certificate QRS needs a way to the HDS', () => {
  test('no deployments section: refused at source.deployments, pointing at the source line', () => {
    expect(issuesOf(plan(''))).toEqual([expect.objectContaining({ pathText: 'source.deployments', line: 4, message: expect.stringMatching(refusal) })]);
  });

  test('a deployments URL without auth: refused at source.deployments.auth (its parent line)', () => {
    expect(issuesOf(plan('  deployments:\n    url: https://qseow.example.com/jwt\n'))).toEqual([
      expect.objectContaining({ pathText: 'source.deployments.auth', line: 11, message: expect.stringMatching(refusal) }),
    ]);
  });

  test('a deployments URL on port 4242 (the Repository Service) is refused', () => {
    const text = plan('  deployments:\n    url: https://qseow.example.com:4242\n    auth: { type: jwt, token: env:HDS_JWT }\n');
    expect(issuesOf(text)).toEqual([expect.objectContaining({ pathText: 'source.deployments.url', line: 11, message: expect.stringMatching(/port 4242/) })]);
  });

  test('with a JWT for the deployments API it loads; relative file refs become absolute', () => {
    const loaded = parsePlanText(plan('  deployments:\n    url: https://qseow.example.com/jwt\n    auth: { type: jwt, token: file:secrets/hds.jwt }\n'), 'plan.yaml', '/plans');
    expect(loaded.source.deploymentsUrl).toBe('https://qseow.example.com/jwt');
    expect(loaded.source.deploymentsAuth).toEqual({ type: 'jwt', token: 'file:/plans/secrets/hds.jwt' });
    expect(loaded.source.auth).toMatchObject({ type: 'certificate', cert: 'file:/plans/certs/client.pem' });
  });

  test('a certificate is not accepted as deployments auth, and a literal JWT is refused without echoing it', () => {
    const cert = plan('  deployments:\n    url: https://qseow.example.com/jwt\n    auth: { type: certificate, cert: file:c.pem }\n');
    expect(() => parsePlanText(cert, 'plan.yaml')).toThrow(/source\.deployments\.auth/);
    const literal = plan('  deployments:\n    url: https://qseow.example.com/jwt\n    auth: { type: jwt, token: eyJhbGciOi.secret }\n');
    expect(() => parsePlanText(literal, 'plan.yaml')).toThrow(/source\.deployments\.auth\.token: .*env:VAR_NAME/);
    expect(() => parsePlanText(literal, 'plan.yaml')).not.toThrow(/eyJhbGciOi/);
  });

  test('qlik-rollout validate: exit 2 with file, line and path', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cert-plan-'));
    const file = path.join(dir, 'plan.yaml');
    fs.writeFileSync(file, plan(''));
    try {
      const run = await cli(['validate', file]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file}: the plan is invalid`);
      expect(run.stderr).toMatch(/line 4: source\.deployments: source\.qrs\.auth is a certificate/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
