/** Assumption A3, variant 'policy-category': which SystemRule categories the distribution service reads as policies. */
import { distributesWith } from '../../src/simulator/distribution/rule';

test.each([
  ['any-but-sync', { Security: true, License: true, Sync: false, sync: false, '': true }],
  ['security-only', { Security: true, security: true, License: false, Sync: false, '': false }],
  ['any', { Security: true, License: true, Sync: true, '': true }],
] as const)('variant %s', (variant, expected) => {
  for (const [category, reads] of Object.entries(expected)) expect([category, distributesWith(category, variant)]).toEqual([category, reads]);
  expect(distributesWith(undefined, variant)).toBe(variant !== 'security-only');
});
