import { timingSafeEqual } from 'node:crypto';
import type { JsonResponse, JsonRoute } from '../observability/http-server.ts';
import type { TargetStore } from '../queue/target-store.ts';
import { describeOverride, isActive, overrideFromRequest } from './override.ts';

export interface OverrideRoutesDeps {
  store: Pick<TargetStore, 'allOverrides' | 'setOverride' | 'clearOverride' | 'audit'>;
  targets: readonly { name: string }[];
  now: () => Date;
  /** when set, writes need `Authorization: Bearer <token>` */
  token?: string | undefined;
}

const BODY = 'a JSON body {"state": "running"|"stopped", "until": ISO | "for": "2h", "reason"?, "by"?}';

/**
 * The override API, the same as `offhours override`: overrides live in Redis and expire by
 * themselves; the daemon's reconciler picks up a change within its refresh interval.
 *
 *   GET    /api/overrides            active overrides by target
 *   PUT    /api/overrides/:target    {state, until | for, reason?, by?} sets one (200 with it)
 *   DELETE /api/overrides/:target    clears one (200 with cleared: true|false)
 */
export function overrideRoutes(deps: OverrideRoutesDeps): JsonRoute[] {
  const { store } = deps;
  const known = new Set(deps.targets.map((target) => target.name));
  const unknown = (method: string, name: string): JsonResponse | undefined =>
    known.has(name) ? undefined : { status: 404, body: { error: `[overrides] ${method} /api/overrides/${name}: no target "${name}" in the config` } };

  const denied = (method: string, name: string, bearer: string | undefined): JsonResponse | undefined =>
    deps.token === undefined || (bearer !== undefined && safeEqual(bearer, deps.token))
      ? undefined
      : { status: 401, body: { error: `[overrides] ${method} /api/overrides/${name}: send the http.apiToken as "Authorization: Bearer <token>"` } };

  return [
    {
      method: 'GET',
      path: '/api/overrides',
      handler: async () => {
        const at = deps.now();
        const active = [...(await store.allOverrides())].filter(([name, override]) => known.has(name) && isActive(override, at));
        return { status: 200, body: { at: at.toISOString(), overrides: Object.fromEntries(active) } };
      },
    },
    {
      method: 'PUT',
      path: '/api/overrides/:target',
      handler: async ({ params, body, bearer }) => {
        const name = params.target!;
        const refused = denied('PUT', name, bearer);
        if (refused) return refused;
        const missing = unknown('PUT', name);
        if (missing) return missing;
        const result = body === undefined ? { error: `expected ${BODY}` } : overrideFromRequest(body, deps.now());
        if ('error' in result) return { status: 400, body: { error: `[overrides] PUT /api/overrides/${name}: ${result.error}` } };
        const { override } = result;
        await store.setOverride(name, override);
        await store.audit({ at: override.setAt, target: name, event: 'override-set', reason: describeOverride(override) });
        return { status: 200, body: { target: name, override } };
      },
    },
    {
      method: 'DELETE',
      path: '/api/overrides/:target',
      handler: async ({ params, bearer }) => {
        const name = params.target!;
        const refused = denied('DELETE', name, bearer);
        if (refused) return refused;
        const missing = unknown('DELETE', name);
        if (missing) return missing;
        const cleared = await store.clearOverride(name);
        if (cleared) await store.audit({ at: deps.now().toISOString(), target: name, event: 'override-cleared', reason: 'cleared over HTTP' });
        return { status: 200, body: { target: name, cleared } };
      },
    },
  ];
}

/** compares without leaking through timing how much of a guessed token was right */
function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
