import type { z } from 'zod';

/** One thing wrong with a config file. `path` is in JS notation (`targets[2].schedule`), '' for the file itself. */
export interface ConfigProblem {
  path: string;
  line?: number;
  column?: number;
  message: string;
}

export type PathSegment = string | number;

/**
 * A config file that cannot be used, with every problem found in it (not just the first), so one
 * `offhours check` run is enough to fix them all. The message never holds a stack trace or a secret.
 */
export class ConfigError extends Error {
  readonly file: string;
  readonly problems: ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super([`[config] ${file}: ${count}`, ...problems.map((problem) => `  ${formatProblem(problem)}`)].join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** `targets[2].schedule: unknown schedule "ofice" (line 14)` */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? '' : problem.column === undefined ? ` (line ${problem.line})` : ` (line ${problem.line}, column ${problem.column})`;
  return `${problem.path || '(file)'}: ${problem.message}${where}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** JS notation: `providers.emqx.limits`, `targets[0]`, and `schedules["office-hours"]` for keys that are not identifiers. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** ` (did you mean "office"?)` when a candidate is a plausible typo of `word`, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions, the commonest typo. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** A problem still carrying its path as segments, so the loader can find its line in the YAML. */
export interface RawProblem {
  path: PathSegment[];
  message: string;
}

const NOUN_BY_SECTION = new Map([
  ['providers', 'provider type'],
  ['idlePolicies', 'idle policy type'],
]);

/**
 * Turns zod issues into problems a person can act on. Values the user wrote are never echoed here
 * (a credential may be among them); only key names, expected types and allowed literals are.
 */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], prefix: PathSegment[] = []): RawProblem[] {
  return issues.flatMap((issue) => problemsFromIssue(issue, [...prefix, ...toSegments(issue.path)]));
}

function problemsFromIssue(issue: z.core.$ZodIssue, path: PathSegment[]): RawProblem[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key "${key}"` }));
    case 'invalid_key':
    case 'invalid_element':
      return problemsFromIssues(issue.issues, path);
    case 'invalid_union':
      return unionProblems(issue, path);
    case 'invalid_type':
      return [{ path, message: issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${kindOf(issue.input)}` }];
    case 'invalid_value': {
      const allowed = issue.values.map((value) => JSON.stringify(value));
      const hint = typeof issue.input === 'string' ? didYouMean(issue.input, issue.values.filter((v) => typeof v === 'string')) : '';
      return [{ path, message: `expected ${allowed.join(' or ')}${hint}` }];
    }
    case 'too_small':
    case 'too_big':
      return [{ path, message: sizeMessage(issue) }];
    default:
      return [{ path, message: issue.message }];
  }
}

function unionProblems(issue: z.core.$ZodIssueInvalidUnion, path: PathSegment[]): RawProblem[] {
  if (issue.inclusive === false) return [{ path, message: issue.message }];
  if (issue.discriminator !== undefined) {
    const value: unknown = isObject(issue.input) ? issue.input[issue.discriminator] : undefined;
    const known = (issue.options ?? []).map(String);
    const list = known.map((option) => `"${option}"`).join(', ');
    if (value === undefined) return [{ path, message: `missing (one of ${list})` }];
    const noun = NOUN_BY_SECTION.get(String(path[0])) ?? issue.discriminator;
    const hint = typeof value === 'string' ? didYouMean(value, known) : '';
    return [{ path, message: `unknown ${noun} ${JSON.stringify(value)}${hint}; known: ${list}` }];
  }
  const branches = flattenBranches(issue.errors);
  // Branches that failed on the value's very shape (a string where an object was expected) say
  // nothing useful; of the others, the one that got deepest into the value is what the user meant.
  const relevant = branches.filter((branch) => !branch.every((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value')));
  if (relevant.length === 0) {
    const expected = branches.flat().map((inner) => (inner.code === 'invalid_type' ? inner.expected : inner.code === 'invalid_value' ? inner.values.map((v) => JSON.stringify(v)).join(' or ') : undefined));
    const alternatives = [...new Set(expected.filter((e) => e !== undefined))];
    return [{ path, message: alternatives.length ? `expected ${alternatives.join(' or ')}, got ${kindOf(issue.input)}` : issue.message }];
  }
  const depth = (branch: z.core.$ZodIssue[]) => Math.max(...branch.map((inner) => inner.path.length));
  const best = relevant.reduce((a, b) => (depth(b) > depth(a) || (depth(b) === depth(a) && b.length < a.length) ? b : a));
  return problemsFromIssues(best, path);
}

/** A union inside a union (`name | (always | periods | cron)`) is one list of alternatives to the user. */
function flattenBranches(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[][] {
  return branches.flatMap((branch) => {
    const [only] = branch;
    const nested = branch.length === 1 && only?.code === 'invalid_union' && only.path.length === 0 && only.inclusive !== false && only.discriminator === undefined;
    return nested ? flattenBranches(only.errors) : [branch];
  });
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'string' && small && limit === 1) return 'must not be empty';
  const bound = small ? 'at least' : 'at most';
  if (issue.origin === 'array' || issue.origin === 'set') return `expected ${bound} ${limit} item${limit === 1 ? '' : 's'}`;
  if (issue.origin === 'string') return `expected ${bound} ${limit} characters`;
  if (issue.origin === 'number' || issue.origin === 'int') return `expected a number ${small ? '>' : '<'}${issue.inclusive ? '=' : ''} ${limit}`;
  return issue.message;
}

function toSegments(path: readonly PropertyKey[]): PathSegment[] {
  return path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
