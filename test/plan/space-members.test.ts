/** The plan's managed space members: roles checked against a managed space's assignable roles with file and line; defaults and {name}. */
import { parsePlanText, PlanError } from '../../src/plan/load';
import { resolveTenant } from '../../src/plan/tenant';

const planYaml = (defaultsSpace: string, tenantSpace = '') => `apiVersion: qlik-rollout/v1
name: demo
source:
  qrs: { url: 'http://127.0.0.1:9000/jwt', auth: { type: jwt, token: 'env:QRS_JWT' } }
apps: [{ name: Sales, stream: Customers }]
tenantDefaults:
  auth: { type: apiKey, key: 'file:keys/{name}.key' }
  managedSpace:
${defaultsSpace}
tenants:
  - name: t-01
    url: https://t-01.eu.qlikcloud.com
${tenantSpace}  - name: t-02
    url: https://t-02.eu.qlikcloud.com
`;

function planError(text: string): PlanError {
  try {
    parsePlanText(text, 'plan.yaml', '/plans');
  } catch (err) {
    if (err instanceof PlanError) return err;
    throw err;
  }
  throw new Error('the plan was accepted');
}

test('a role a managed space does not offer is refused at validation with file, path and line', () => {
  const text = planYaml(`    name: '{name} Analytics'
    members:
      - group: Customers
        roles: [consumer]
      - group: Editors
        roles: [producer]`);
  const line = text.split('\n').findIndex((l) => l.includes('[producer]')) + 1;
  const error = planError(text);
  expect(error.issues).toEqual([
    expect.objectContaining({ pathText: 'tenantDefaults.managedSpace.members[1].roles[0]', line, message: expect.stringContaining('role "producer" cannot be given in a managed space') }),
  ]);
  expect(error.message).toContain(`plan.yaml: the plan is invalid (1 problem):\n  line ${line}: tenantDefaults.managedSpace.members[1].roles[0]: role "producer"`);
});

test('a member names a group or a user, not both', () => {
  const text = planYaml(`    name: '{name} Analytics'
    members:
      - { group: Customers, user: jane@acme.example, roles: [consumer] }`);
  expect(planError(text).issues).toEqual([expect.objectContaining({ pathText: 'tenantDefaults.managedSpace.members[0]', message: expect.stringContaining('either {group') })]);
});

test('defaults give members and verification identity with {name} filled; a tenant overrides the name only', () => {
  const text = planYaml(
    `    name: '{name} Analytics'
    members:
      - { group: '{name} Customers', roles: [consumer] }
      - { user: admin@acme.example, roles: [facilitator, consumer] }
    noConsumers: fail
    verifyAs: 'file:keys/{name}.customer.key'`,
    `    managedSpace: Special Space
`,
  );
  const plan = parsePlanText(text, 'plan.yaml', '/plans');
  const [first, second] = plan.tenants.map((entry) => resolveTenant(plan, entry));
  expect(first.managedSpace).toBe('Special Space');
  expect(second.managedSpace).toBe('t-02 Analytics');
  expect(first.spaceAccess).toEqual({
    members: [
      { type: 'group', name: 't-01 Customers', roles: ['consumer'] },
      { type: 'user', name: 'admin@acme.example', roles: ['facilitator', 'consumer'] },
    ],
    exact: false,
    noConsumers: 'fail',
    verifyAs: 'file:/plans/keys/t-01.customer.key',
  });
  expect(second.spaceAccess?.members[0].name).toBe('t-02 Customers');
  // A plain name still works, and then nobody is added.
  const plain = parsePlanText(planYaml(`    '{name} Analytics'`), 'plan.yaml', '/plans');
  expect(resolveTenant(plain, plain.tenants[0])).toEqual({ name: 't-01', url: 'https://t-01.eu.qlikcloud.com', managedSpace: 't-01 Analytics', auth: { type: 'apiKey', key: 'file:/plans/keys/t-01.key' } });
});

test('a verification identity must be a reference, never the key itself', () => {
  const text = planYaml(`    name: '{name} Analytics'
    verifyAs: 'abcdefghijklmnopqrstuvwxyz0123456789'`);
  expect(planError(text).issues).toEqual([expect.objectContaining({ pathText: 'tenantDefaults.managedSpace.verifyAs', message: expect.stringContaining('not a reference; the value is not shown') })]);
});
