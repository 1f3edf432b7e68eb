/**
 * Text from outside (Qlik's answers, plan values) made safe to print: control characters, escape sequences and
 * bidi overrides shown escaped (\x1b, \u202e) so they cannot rewrite a terminal line, and long text truncated.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

export function sanitizeForDisplay(text: string | null | undefined, max = 200): string {
  const raw = String(text ?? '');
  const clipped = raw.length > max ? `${raw.slice(0, max)}…` : raw;
  return clipped.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
