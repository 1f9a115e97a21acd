import { loadConfig } from '../config/load-config.ts';
import { describeOverride, overrideFromRequest } from '../planner/override.ts';
import { providerDefinitions } from '../providers/registry.ts';
import { UsageError } from './cli-error.ts';
import { configOption, helpText, parseCommand, parseInstant, type CliIo, type CommandSpec } from './cli-io.ts';
import { withStore } from './redis-session.ts';

export const overrideSpec: CommandSpec = {
  name: 'override',
  summary: 'keep a target running or stopped until a time, beating schedule and idle policy',
  usage: 'override set TARGET running|stopped (--until ISO | --for 2h) [--reason TEXT] [--by NAME]\n       offhours override clear TARGET\n       offhours override list [--json]',
  options: {
    ...configOption,
    until: { type: 'string' },
    for: { type: 'string' },
    reason: { type: 'string' },
    by: { type: 'string' },
    json: { type: 'boolean' },
  },
  details: 'Overrides live in Redis and expire by themselves; the daemon picks them up within seconds.',
};

export async function overrideCommand(argv: string[], io: CliIo, now: Date): Promise<number> {
  const { values, positionals } = parseCommand(overrideSpec, argv);
  if (values.help || positionals.length === 0) return io.out(helpText(overrideSpec)), values.help ? 0 : 1;
  const [verb, targetName, state] = positionals;
  const loaded = await loadConfig(String(values.config), { env: io.env, definitions: providerDefinitions });
  const known = (name: string | undefined): string => {
    if (!name) throw new UsageError(`override ${verb}: which target? run \`offhours override --help\``);
    if (!loaded.targets.some((target) => target.name === name)) throw new UsageError(`override ${verb}: no target "${name}" in ${values.config}`);
    return name;
  };
  switch (verb) {
    case 'set': {
      const target = known(targetName);
      const request = {
        state,
        ...(values.until ? { until: String(values.until) } : {}),
        ...(values.for ? { for: String(values.for) } : {}),
        ...(values.by ? { by: String(values.by) } : io.env.USER ? { by: io.env.USER } : {}),
        ...(values.reason ? { reason: String(values.reason) } : {}),
      };
      if (request.until !== undefined) request.until = parseInstant(request.until, 'until', now).toISOString();
      const result = overrideFromRequest(request, now);
      if ('error' in result) throw new UsageError(`override set: ${result.error}`);
      const { override } = result;
      await withStore(loaded, async (store) => {
        await store.setOverride(target, override);
        await store.audit({ at: override.setAt, target, event: 'override-set', reason: describeOverride(override) });
      });
      io.out(`${target}: ${describeOverride(override)}\n`);
      return 0;
    }
    case 'clear': {
      const target = known(targetName);
      const removed = await withStore(loaded, async (store) => {
        const cleared = await store.clearOverride(target);
        if (cleared) await store.audit({ at: now.toISOString(), target, event: 'override-cleared', reason: 'cleared by the CLI' });
        return cleared;
      });
      io.out(removed ? `${target}: override cleared, schedule applies again\n` : `${target}: had no override\n`);
      return 0;
    }
    case 'list': {
      const overrides = await withStore(loaded, (store) => store.allOverrides());
      const active = [...overrides].filter(([, o]) => new Date(o.until).getTime() > now.getTime());
      if (values.json) io.out(JSON.stringify(Object.fromEntries(active), null, 2) + '\n');
      else if (active.length === 0) io.out('no active overrides\n');
      else for (const [name, override] of active) io.out(`${name}  ${describeOverride(override)}\n`);
      return 0;
    }
    default:
      throw new UsageError(`override: unknown action "${verb}" (set, clear or list)`);
  }
}
