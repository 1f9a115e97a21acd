import { ConfigError, type ConfigProblem } from './config-error.ts';
import { loadConfig, type LoadOptions } from './load-config.ts';

export interface ConfigSummary {
  providers: number;
  /** named schedules and inline ones */
  schedules: number;
  idlePolicies: number;
  targets: number;
  enabledTargets: number;
}

/** `warnings`: valid, but will not work as written (e.g. schedules faster than a provider's limits) */
export type CheckResult = { ok: true; summary: ConfigSummary; warnings: string[] } | { ok: false; problems: ConfigProblem[] };

/** `offhours check`: a config's problems as a value; anything other than a ConfigError is a bug and is thrown. */
export async function checkConfig(file: string, options: LoadOptions): Promise<CheckResult> {
  try {
    const { config, schedules, targets, warnings } = await loadConfig(file, options);
    return {
      ok: true,
      summary: {
        providers: Object.keys(config.providers).length,
        schedules: schedules.size,
        idlePolicies: Object.keys(config.idlePolicies).length,
        targets: targets.length,
        enabledTargets: targets.filter((target) => target.enabled).length,
      },
      warnings,
    };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, problems: error.problems };
    throw error;
  }
}
