import type { Handler, RouteParams, SimRequest, SimResponse } from './types';

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/**
 * A small router: `/qrs/app/:id/publish` style patterns, matched segment by segment and case-insensitively on the
 * literal parts (the QRS treats paths case-insensitively). A handful of routes per host keeps this O(1) per request.
 */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: split(pattern).map((s) => (s.startsWith(':') ? s : s.toLowerCase())), handler });
    return this;
  }

  /** null = no route for this path (404); a route with another method only = 405. */
  async dispatch(req: SimRequest, path: string): Promise<SimResponse | null> {
    const parts = split(path);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = match(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === req.method) return route.handler(req, params);
    }
    return pathMatched ? { status: 405, body: { message: `Method ${req.method} not allowed on ${path}` } } : null;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function match(pattern: string[], parts: string[]): RouteParams | null {
  if (pattern.length !== parts.length) return null;
  const params: RouteParams = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(parts[i]);
    else if (p !== parts[i].toLowerCase()) return null;
  }
  return params;
}
