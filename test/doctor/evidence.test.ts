/** The doctor's evidence strings: one printable line, no credential. */
import { sanitise } from '../../src/doctor/evidence';

test('control characters, bidi overrides and line breaks become spaces', () => {
  expect(sanitise('a\u001b[31mb\nc\u202ed\u0007')).toBe('a [31mb c d');
});

test('known secrets, JWTs and bearer values are redacted', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYV9hcGkifQ.c2lnbmF0dXJlLXZhbHVl';
  expect(sanitise(`key s3cr3t-value-123 and ${jwt} and Authorization: Bearer abc.def`, ['s3cr3t-value-123'])).toBe('key *** and *** and Authorization: Bearer ***');
});

test('long evidence is cut', () => {
  expect(sanitise('x'.repeat(2000)).length).toBeLessThanOrEqual(600);
});
