/**
 * The route table: method + path → route. Paths are matched exactly (Binance
 * REST paths carry no path parameters); a path served under another method
 * is still "not found" for the method asked.
 */
import type { RouteSpec } from './context.ts';

/** Method + exact path → route. */
export class RouteTable {
  private readonly byKey = new Map<string, RouteSpec>();

  constructor(routes: Iterable<RouteSpec> = []) {
    for (const r of routes) this.add(r);
  }

  /** Adds a route; throws when the same method and path are already registered. */
  add(route: RouteSpec): void {
    const key = `${route.method} ${route.path}`;
    if (this.byKey.has(key)) throw new Error(`duplicate route ${key}`);
    this.byKey.set(key, route);
  }

  /** The route for `method` and `path`, or undefined. */
  find(method: string, path: string): RouteSpec | undefined {
    return this.byKey.get(`${method} ${path}`);
  }

  /** Every route, in insertion order. */
  all(): RouteSpec[] {
    return [...this.byKey.values()];
  }
}
