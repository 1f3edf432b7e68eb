/**
 * The JWT virtual proxy's session cookie, kept per pool and credential (audit F11).
 *
 * Assumption A13: a QSEoW virtual proxy that authenticates a request by JWT opens a proxy session and answers
 * `Set-Cookie: X-Qlik-Session-<prefix>=...`; later requests that send the cookie instead of the JWT join that session.
 * (@qlik/api's auth module exchanges its JWT for a session cookie and sends the cookie afterwards; Qlik Community
 * notes that a JWT on every call opens a session per call, and non-core licenses allow 5 sessions per 5 minutes.)
 * Sending the JWT on every call works either way, so the tool adapts: it uses the cookie when the proxy offers one,
 * drops it on a 401 and sends the JWT again. A proxy that never sets the cookie just gets the JWT every time.
 *
 * The cookie is a credential: it lives only here, is sent only as a request header and is never logged.
 */

/** Cookie names the proxy uses for its sessions: X-Qlik-Session, or X-Qlik-Session-<virtual proxy suffix>. */
const SESSION_COOKIE = /^X-Qlik-Session(-[^=;\s]*)?$/i;

/** One request's use of the session: the cookie to send (absent = send the JWT), and what the answer said. */
export interface SessionTicket {
  readonly cookie?: string;
  /** Reports the answer's Set-Cookie headers (or, with `answered` false, that no answer came). Once per ticket. */
  settle(setCookie: string | string[] | undefined, answered: boolean): void;
}

/** The session cookie `name=value` in a response's Set-Cookie headers; '' when the proxy clears it. */
export function sessionCookieOf(setCookie: string | string[] | undefined): string | undefined {
  const headers = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  for (const header of headers) {
    const pair = header.split(';', 1)[0];
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!SESSION_COOKIE.test(name)) continue;
    const value = pair.slice(eq + 1).trim();
    return value ? `${name}=${value}` : '';
  }
  return undefined;
}

export class ProxySession {
  private cookie?: string;
  /** Learned from answers to JWT requests: does this proxy set a session cookie? undefined = not known yet. */
  private offered?: boolean;
  /** The JWT request in flight whose answer may bring the cookie; concurrent first calls wait for it. */
  private probing?: Promise<void>;

  /**
   * How the next request authenticates. With a cookie: the cookie. Otherwise one request goes with the JWT while
   * the others wait for its answer, so a burst of first calls opens one proxy session, not one per call.
   * `rejected` (the retry after a 401 to that cookie) is never sent again; the retry waits for a JWT request already
   * in flight and joins the session it opens, so a burst of calls meeting an ended session opens one new session.
   */
  async ticket(rejected?: string): Promise<SessionTicket> {
    for (;;) {
      if (this.cookie && this.cookie !== rejected) return this.cookieTicket(this.cookie);
      if (!this.probing) return this.probeTicket();
      if (this.offered === false && rejected === undefined) return this.jwtTicket();
      await this.probing;
    }
  }

  /** After a 401 to `cookie`: forget it (unless another answer has replaced it already). */
  drop(cookie: string): void {
    if (this.cookie === cookie) this.cookie = undefined;
  }

  private capture(setCookie: string | string[] | undefined): boolean {
    const cookie = sessionCookieOf(setCookie);
    if (cookie === undefined) return false;
    this.cookie = cookie || undefined;
    this.offered = true;
    return true;
  }

  private cookieTicket(cookie: string): SessionTicket {
    return { cookie, settle: once((setCookie) => void this.capture(setCookie)) };
  }

  private jwtTicket(): SessionTicket {
    return { settle: once((setCookie) => void this.capture(setCookie)) };
  }

  private probeTicket(): SessionTicket {
    let done: () => void = () => undefined;
    this.probing = new Promise<void>((resolve) => (done = resolve));
    return {
      settle: once((setCookie, answered) => {
        // No answer (reset, timeout) teaches nothing: the next request probes again.
        if (!this.capture(setCookie) && answered && !this.cookie) this.offered = false;
        this.probing = undefined;
        done();
      }),
    };
  }
}

function once(fn: SessionTicket['settle']): SessionTicket['settle'] {
  let called = false;
  return (setCookie, answered) => {
    if (called) return;
    called = true;
    fn(setCookie, answered);
  };
}
