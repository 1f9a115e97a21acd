import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { z } from 'zod';
import type { ProviderDefinition } from '../providers/provider.ts';
import { compileSchedule } from '../schedule/compile-schedule.ts';
import type { CompiledSchedule } from '../schedule/compiled-schedule.ts';
import { ScheduleError, scheduleSpecSchema } from '../schedule/schedule-spec.ts';
import { ConfigError, didYouMean, formatPath, problemsFromIssues, type ConfigProblem, type PathSegment, type RawProblem } from './config-error.ts';
import { buildConfigSchema, isValidTimezone, NAME_PATTERN, type ConfigSchema, type OffhoursConfig } from './config-schema.ts';
import { expandEnv, type Env } from './expand-env.ts';
import { limitWarnings } from './limit-warnings.ts';

export interface ResolvedTarget {
  name: string;
  /** name of the provider entry */
  provider: string;
  providerType: string;
  resource: string;
  schedule: CompiledSchedule;
  /** the entry under `schedules`, or `<target>/inline` for a schedule written in the target */
  scheduleName: string;
  /** name of the entry under `idlePolicies` */
  idle?: string;
  enabled: boolean;
  description?: string;
  /** what an hour of the resource running costs: the target's costPerHour, else its provider entry's */
  costPerHour?: number;
}

export interface LoadedConfig {
  config: OffhoursConfig;
  /** every schedule targets use, named and inline, compiled once */
  schedules: Map<string, CompiledSchedule>;
  targets: ResolvedTarget[];
  /**
   * What is valid but will not work as written: schedules that flip faster than their provider's
   * start/stop limits can follow in the 7 days from `LoadOptions.now` (empty without it).
   */
  warnings: string[];
}

export interface LoadOptions {
  /** where `${VAR}` takes its values; pass process.env at the composition root */
  env: Env;
  definitions: readonly ProviderDefinition[];
  /** the start of the week checked for warnings; the caller's clock, read once */
  now?: Date;
}

/** Reads, expands, validates and resolves a config file; throws ConfigError listing every problem. */
export async function loadConfig(file: string, options: LoadOptions): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [{ path: '', message: `cannot read the file (${code === 'ENOENT' ? 'it does not exist' : (code ?? (error as Error).message)})` }]);
  }
  return loadConfigText(text, { ...options, file });
}

/** Same as loadConfig for text already in memory; `file` only names it in messages. JSON is YAML too. */
export function loadConfigText(text: string, options: LoadOptions & { file: string }): LoadedConfig {
  const { file, env, definitions } = options;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  // After the first syntax error the parser is lost and the rest are mostly its echoes: report that one.
  const [syntaxError] = doc.errors;
  if (syntaxError) throw new ConfigError(file, [syntaxProblem(syntaxError, lineCounter)]);
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new ConfigError(file, [{ path: '', message: `YAML: ${(error as Error).message}` }]);
  }
  if (document === null || document === undefined) {
    throw new ConfigError(file, [{ path: '', message: 'the file is empty (expected a mapping with providers, schedules and targets)' }]);
  }

  const expanded = expandEnv(document, env);
  const schema = buildConfigSchema(definitions);
  const parsed = parseCoercingEnv(schema, expanded.value, expanded.substituted);
  // A missing variable leaves an empty string behind; what zod says about it would only repeat the problem.
  const envPaths = expanded.problems.map((problem) => problem.path);
  const schemaProblems = parsed.success ? [] : problemsFromIssues(parsed.error.issues).filter((problem) => !envPaths.some((path) => startsWith(problem.path, path)));
  // Calendars named in except/include are read now, relative to the config file.
  const readCalendar = (path: string) => readFileSync(resolve(dirname(file), path), 'utf8');
  const resolution = resolveReferences(expanded.value, readCalendar);

  const problems = [...expanded.problems, ...schemaProblems, ...resolution.problems];
  if (problems.length > 0 || !parsed.success) {
    const secrets = collectSecrets(expanded.value, definitions);
    throw new ConfigError(file, problems.map((problem) => locate(redact(problem, secrets, expanded.value, definitions), doc, lineCounter)));
  }

  const config = parsed.data;
  const providers = config.providers;
  const targets = config.targets.map((target): ResolvedTarget => {
    const scheduleName = isReference(target.schedule, config.schedules) ? target.schedule : inlineName(target.name);
    return {
      name: target.name,
      provider: target.provider,
      providerType: providers[target.provider]!.type,
      resource: target.resource,
      schedule: resolution.schedules.get(scheduleName)!,
      scheduleName,
      ...(target.idle === undefined ? {} : { idle: target.idle }),
      enabled: target.enabled,
      ...(target.description === undefined ? {} : { description: target.description }),
      ...costPerHourOf(target.costPerHour ?? providers[target.provider]!.costPerHour),
    };
  });
  const warnings = options.now ? limitWarnings({ config, targets, definitions, from: options.now }) : [];
  return { config, schedules: resolution.schedules, targets, warnings };
}

const inlineName = (target: string) => `${target}/inline`;

/**
 * A target's string schedule names an entry under `schedules` when it could be a name (no spaces,
 * ":" or ","); any other string is a schedule itself, a kube-downscaler uptime.
 */
function isReference(schedule: unknown, named: Record<string, unknown>): schedule is string {
  return typeof schedule === 'string' && NAME_PATTERN.test(schedule) && Object.hasOwn(named, schedule);
}
const costPerHourOf = (cost: number | undefined) => (cost === undefined ? {} : { costPerHour: cost });

/**
 * Validates, turning env-substituted strings into numbers or booleans where the schema wants one
 * (`port: ${PORT:-9464}`). Only substituted strings are touched: a quoted "9464" written in the file
 * stays a mistake, and a credential that happens to look numeric stays a string.
 */
function parseCoercingEnv(schema: ConfigSchema, value: unknown, substituted: PathSegment[][]): z.ZodSafeParseResult<OffhoursConfig> {
  const candidates = new Set(substituted.map((path) => JSON.stringify(path)));
  for (;;) {
    const result = schema.safeParse(value, { reportInput: true });
    if (result.success) return result;
    let coerced = false;
    for (const issue of result.error.issues) {
      if (issue.code !== 'invalid_type' || typeof issue.input !== 'string') continue;
      const key = JSON.stringify(issue.path);
      const typed = issue.expected === 'boolean' ? parseBoolean(issue.input) : issue.expected === 'number' || issue.expected === 'int' ? parseNumber(issue.input) : undefined;
      if (!candidates.has(key) || typed === undefined) continue;
      candidates.delete(key);
      setIn(value, issue.path as PathSegment[], typed);
      coerced = true;
    }
    if (!coerced) return result;
  }
}

const parseNumber = (text: string) => (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text.trim()) ? Number(text) : undefined);
const parseBoolean = (text: string) => (text === 'true' ? true : text === 'false' ? false : undefined);

function getIn(root: unknown, path: readonly PathSegment[]): unknown {
  return path.reduce<unknown>((node, segment) => (typeof node === 'object' && node !== null ? (node as Record<PathSegment, unknown>)[segment] : undefined), root);
}

function setIn(root: unknown, path: readonly PathSegment[], value: unknown): void {
  (getIn(root, path.slice(0, -1)) as Record<PathSegment, unknown>)[path.at(-1)!] = value;
}

interface Resolution {
  problems: RawProblem[];
  schedules: Map<string, CompiledSchedule>;
}

/**
 * Checks what a schema cannot: names that refer to other entries, uniqueness, and that every
 * schedule compiles. It reads the unvalidated document defensively, so these problems are reported
 * in the same run as the schema's.
 */
function resolveReferences(document: unknown, readCalendar: (path: string) => string): Resolution {
  const problems: RawProblem[] = [];
  const schedules = new Map<string, CompiledSchedule>();
  const root = asRecord(document);
  const providers = asRecord(root.providers);
  const named = asRecord(root.schedules);
  const idlePolicies = asRecord(root.idlePolicies);
  // An invalid default timezone is reported by the schema; compiling against it would only add noise.
  const timezone = typeof root.timezone === 'string' && isValidTimezone(root.timezone) ? root.timezone : 'UTC';

  const compile = (name: string, spec: unknown, path: PathSegment[]) => {
    const parsed = scheduleSpecSchema.safeParse(spec);
    if (!parsed.success) return; // the schema reports it
    try {
      schedules.set(name, compileSchedule(name, parsed.data, { timezone, readCalendar }));
    } catch (error) {
      if (!(error instanceof ScheduleError)) throw error;
      problems.push({ path: [...path, ...error.path], message: error.message });
    }
  };
  for (const [name, spec] of Object.entries(named)) compile(name, spec, ['schedules', name]);

  const targets = Array.isArray(root.targets) ? root.targets : [];
  const firstByName = new Map<string, number>();
  const firstByResource = new Map<string, number>();
  targets.forEach((entry, index) => {
    const target = asRecord(entry);
    const path = ['targets', index];
    const { name, provider, resource, schedule, idle } = target;
    if (typeof name === 'string') {
      const first = firstByName.get(name);
      if (first === undefined) firstByName.set(name, index);
      else problems.push({ path: [...path, 'name'], message: `duplicate target name "${name}" (also targets[${first}])` });
    }
    if (typeof provider === 'string' && !Object.hasOwn(providers, provider)) {
      problems.push({ path: [...path, 'provider'], message: `unknown provider "${provider}"${didYouMean(provider, Object.keys(providers))}${known('providers', providers)}` });
    }
    if (typeof provider === 'string' && typeof resource === 'string') {
      const key = JSON.stringify([provider, resource]);
      const first = firstByResource.get(key);
      if (first === undefined) firstByResource.set(key, index);
      else problems.push({ path: [...path, 'resource'], message: `resource "${resource}" of provider "${provider}" is already managed by targets[${first}]` });
    }
    if (typeof idle === 'string' && !Object.hasOwn(idlePolicies, idle)) {
      problems.push({ path: [...path, 'idle'], message: `unknown idle policy "${idle}"${didYouMean(idle, Object.keys(idlePolicies))}${known('idlePolicies', idlePolicies)}` });
    } else if (typeof idle === 'string' && typeof provider === 'string') {
      // ClickHouse's own idle scaling is set through its API: only a ClickHouse service has it.
      const providerType = asRecord(providers[provider]).type;
      if (asRecord(idlePolicies[idle]).type === 'clickhouse-native' && typeof providerType === 'string' && providerType !== 'clickhouse') {
        problems.push({ path: [...path, 'idle'], message: `idle policy "${idle}" is clickhouse-native: only targets of a clickhouse provider can use it (provider "${provider}" is ${providerType})` });
      }
    }
    if (isReference(schedule, named)) return;
    // A string that names no schedule may still be a schedule itself ("always"); otherwise, if it could
    // be a name, it is a dangling reference (if it could not, the schema has said so).
    if (typeof schedule === 'string' && !scheduleSpecSchema.safeParse(schedule).success) {
      if (!NAME_PATTERN.test(schedule)) return;
      problems.push({ path: [...path, 'schedule'], message: `unknown schedule "${schedule}"${didYouMean(schedule, Object.keys(named))}${known('schedules', named)}` });
      return;
    }
    if (schedule !== undefined && typeof name === 'string') compile(inlineName(name), schedule, [...path, 'schedule']);
  });
  return { problems, schedules };
}

function known(section: string, entries: Record<string, unknown>): string {
  return Object.keys(entries).length === 0 ? ` (no ${section} are defined)` : '';
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

function syntaxProblem(error: YAMLError, lineCounter: LineCounter): ConfigProblem {
  const { line, col } = lineCounter.linePos(error.pos[0]);
  // yaml quotes the offending token at the end of some messages; it could be a credential written in the file.
  const message = error.message.replace(/: ".*"$/s, '');
  return { path: '', line, column: col, message: `YAML syntax error: ${message}` };
}

/** Adds the line of the YAML node the problem is about: the key for a mapping entry, the item for a list entry. */
function locate(problem: RawProblem, doc: Document, lineCounter: LineCounter): ConfigProblem {
  let node: unknown = doc.contents;
  let offset: number | undefined = rangeStart(node);
  for (const segment of problem.path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => String(isScalar(item.key) ? item.key.value : item.key) === String(segment));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      offset = rangeStart(node) ?? offset;
    } else break;
  }
  const path = formatPath(problem.path);
  return offset === undefined ? { path, message: problem.message } : { path, line: lineCounter.linePos(offset).line, message: problem.message };
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range?.[0];
}

// Key names whose values are credentials wherever they appear (besides a provider's declared secretPaths).
const SECRET_KEY = /passw(or)?d|secret|token|api_?key|credential/i;
const NOT_SHOWN = 'invalid value (not shown: it is a credential)';

// Entry names are the user's words, not field names: a provider called "token-service" holds no secret by that.
const NAMED_SECTIONS = new Set<PathSegment>(['providers', 'schedules', 'idlePolicies']);

function isSecretPath(path: readonly PathSegment[], document: unknown, definitions: readonly ProviderDefinition[]): boolean {
  const fields = path.filter((_, index) => !(index === 1 && NAMED_SECTIONS.has(path[0]!)));
  if (fields.some((segment) => typeof segment === 'string' && SECRET_KEY.test(segment))) return true;
  if (path[0] !== 'providers' || path.length < 3) return false;
  const type = asRecord(asRecord(asRecord(document).providers)[String(path[1])]).type;
  const definition = definitions.find((candidate) => candidate.type === type);
  const relative = path.slice(2).join('.');
  return definition?.secretPaths.some((secret) => relative === secret || relative.startsWith(`${secret}.`)) ?? false;
}

/** Every credential in the document: values at secret paths and passwords inside URLs. */
function collectSecrets(document: unknown, definitions: readonly ProviderDefinition[]): string[] {
  const secrets = new Set<string>();
  const walk = (node: unknown, path: PathSegment[]) => {
    if (typeof node === 'string') {
      if (isSecretPath(path, document, definitions)) secrets.add(node);
      for (const match of node.matchAll(/\/\/[^/@\s:]*:([^/@\s]+)@/g)) secrets.add(match[1]!);
    } else if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...path, index]));
    else if (typeof node === 'object' && node !== null) for (const [key, item] of Object.entries(node)) walk(item, [...path, key]);
  };
  walk(document, []);
  // Longest first, so a secret containing another is hidden whole. Very short ones would garble every
  // message; messages at their own path are replaced whole instead (below).
  return [...secrets].filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
}

function redact(problem: RawProblem, secrets: readonly string[], document: unknown, definitions: readonly ProviderDefinition[]): RawProblem {
  if (isSecretPath(problem.path, document, definitions)) {
    const value = getIn(document, problem.path);
    if (typeof value === 'string' && value !== '' && problem.message.includes(value)) return { path: problem.path, message: NOT_SHOWN };
  }
  let message = problem.message;
  for (const secret of secrets) message = message.replaceAll(secret, '***');
  return { path: problem.path, message };
}
