/**
 * Plan text shown back to people: a plan is untrusted input, and what an error echoes reaches a terminal.
 * Control characters, ESC sequences, bidi overrides and invisible formatting characters are shown escaped
 * (\x1b, \u202e), long values are cut, URLs lose their credentials and query, and secret-looking values are
 * described (a JWT, a PEM private key), never shown.
 */

import { escapeText, hasUnsafeChars, occursIn } from '../shared/display';

export { escapeText, hasUnsafeChars };

/** Longest value echoed in a message, in characters; longer ones are cut and their length given. */
export const MAX_SHOWN_CHARS = 80;

/** A value as a message shows it: quoted, escaped, cut after `max` characters. */
export function show(value: unknown, max = MAX_SHOWN_CHARS): string {
  const text = typeof value === 'string' ? value : String(value);
  const chars = Array.from(text);
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}...` : text;
  return `"${escapeText(cut).replace(/"/g, '\\"')}"${chars.length > max ? ` (${chars.length} characters)` : ''}`;
}

/** `scheme://user:password@host` anywhere in a text. */
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;

/** True when the text contains a URL with credentials (user:password@ or a token@). */
export function hasUrlCredentials(text: string): boolean {
  return occursIn(URL_USERINFO, text);
}

/** A URL as a message shows it: credentials, query and fragment replaced, then show()n. */
export function showUrl(value: string): string {
  return show(value.replace(URL_USERINFO, '$1<credentials>@').replace(/[?#][\s\S]*$/, '?<query>'));
}

/**
 * What kind of secret a value looks like, or undefined. Used to say WHAT was written where a reference belongs
 * (or anywhere in a plan) without showing it. Qlik Cloud API keys are JWTs; QSEoW certificates are PEM files.
 */
export function secretKind(value: string): string | undefined {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(value)) return 'a PEM private key';
  if (/-----BEGIN [A-Z0-9 ]*-----/.test(value)) return 'PEM data (a certificate or key)';
  if (/(^|[^A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/.test(value)) return 'a JWT, i.e. an API key or token';
  return undefined;
}

/** A key or value as a message may show it: described when it looks like a secret, URL credentials hidden, else show()n. */
export function showSafe(value: string): string {
  const kind = secretKind(value);
  if (kind) return `<${kind}, not shown>`;
  return hasUrlCredentials(value) ? showUrl(value) : show(value);
}
