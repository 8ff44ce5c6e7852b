import type { IncomingMessage, ServerResponse } from "node:http";

export type RouteContext = {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
};

export type Route = {
  method: string;
  /** `/call/:id` style; each `:name` matches one path segment. */
  path: string;
  handle(context: RouteContext): Promise<void> | void;
};

type CompiledRoute = Route & { pattern: RegExp; names: string[] };

export function compileRoutes(routes: Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:(\w+)/g, (_match, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    return { ...route, pattern: new RegExp(`^${source}/?$`), names };
  });
}

/** The route for this method and path; `methodMismatch` when only the path matched. */
export function matchRoute(routes: CompiledRoute[], method: string, pathname: string) {
  let methodMismatch = false;
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;
    if (route.method !== method) {
      methodMismatch = true;
      continue;
    }
    const params = Object.fromEntries(route.names.map((name, index) => [name, decodeURIComponent(match[index + 1])]));
    return { route, params, methodMismatch: false };
  }
  return { route: undefined, params: {}, methodMismatch };
}
