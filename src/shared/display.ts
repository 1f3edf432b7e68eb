/**
 * Text from outside (Qlik's answers, plan values) made safe to print: a plan or an answer is untrusted input, and
 * what a message echoes reaches a terminal. Control characters, ESC sequences, bidi overrides and invisible
 * formatting characters are shown escaped (\x1b, \u202e) or replaced by a space, so they cannot rewrite a line.
 */

/** C0/C1 controls, DEL, bidi marks and overrides, zero-width and other invisible formatting characters, lone surrogates. */
const UNSAFE_CHAR = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `pattern.test(text)` for a global pattern, leaving no lastIndex behind to skew the next call. */
export function occursIn(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  return found;
}

/** True when the text holds a character a name should never contain (see UNSAFE_CHAR). */
export function hasUnsafeChars(text: string): boolean {
  return occursIn(UNSAFE_CHAR, text);
}

/** The text with every unsafe character written as an escape (\x1b, \n, \u202e), so it prints on one harmless line. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE_CHAR, (ch) => {
    const code = ch.charCodeAt(0);
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\\t';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** The text with every unsafe character replaced by a space (for one-line evidence where escapes would be noise). */
export function stripUnsafe(text: string): string {
  return text.replace(UNSAFE_CHAR, ' ');
}

/** escapeText, cut after `max` characters. */
export function sanitizeForDisplay(text: string | null | undefined, max = 200): string {
  const raw = String(text ?? '');
  return escapeText(raw.length > max ? `${raw.slice(0, max)}…` : raw);
}
