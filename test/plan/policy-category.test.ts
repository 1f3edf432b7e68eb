/** The plan's policy.category (assumption A3): Sync, the load-balancing category, is refused with file, path and line. */
import { parsePlanText, PlanError } from '../../src/plan/load';

/** A plan as JSON text (parsed as YAML, so issues carry lines) with the given policy section. */
const planText = (policy: Record<string, unknown>) =>
  JSON.stringify(
    {
      apiVersion: 'qlik-rollout/v1',
      name: 'demo',
      source: { qrs: { url: 'http://127.0.0.1:9000/jwt', auth: { type: 'jwt', token: 'env:QRS_JWT' } } },
      apps: [{ name: 'Sales', stream: 'Customers' }],
      policy,
      tenantDefaults: { managedSpace: '{name} Analytics', auth: { type: 'apiKey', key: 'file:keys/{name}.key' } },
      tenants: [{ name: 't-01', url: 'https://t-01.eu.qlikcloud.com' }],
    },
    null,
    2,
  );

test('category Sync is refused at validation with file, path, line and why', () => {
  const text = planText({ name: 'Cloud policy', category: 'sync' });
  const line = text.split('\n').findIndex((l) => l.includes('"category"')) + 1;
  let error: unknown;
  try {
    parsePlanText(text, 'plan.json', '/plans');
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(PlanError);
  const planError = error as PlanError;
  expect(planError.issues).toEqual([expect.objectContaining({ pathText: 'policy.category', line, message: expect.stringContaining('load-balancing') })]);
  expect(planError.message).toContain(`plan.json: the plan is invalid (1 problem):\n  line ${line}: policy.category: "Sync" is the QRS category of load-balancing rules`);
});

test('category, subcategory and manageConditions reach the plan; absent, the documented defaults apply in phase 1', () => {
  const set = parsePlanText(planText({ category: 'Security', subcategory: 'Cloud distribution', manageConditions: true }), 'plan.json', '/plans');
  expect(set.policy).toMatchObject({ category: 'Security', subcategory: 'Cloud distribution', manageConditions: true });
  const unset = parsePlanText(planText({ name: 'Cloud policy' }), 'plan.json', '/plans');
  expect(unset.policy).toEqual({ name: 'Cloud policy', customProperty: 'Deployments', stream: 'Customers' });
});
