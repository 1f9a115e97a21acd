import type { PathSegment, RawProblem } from './config-error.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ExpandedValue {
  value: unknown;
  problems: RawProblem[];
  /** paths of the strings that had a `${...}` substituted: the only ones the loader may coerce to numbers */
  substituted: PathSegment[][];
}

// `$${` first, so an escaped reference is never read as a reference.
const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string value of an already parsed document (never in
 * keys), so a value containing `: ` or `#` cannot change the document's structure. `:-` applies when the
 * variable is unset or empty, as in the shell; `$${` stands for a literal `${`.
 */
export function expandEnv(value: unknown, env: Env): ExpandedValue {
  const problems: RawProblem[] = [];
  const substituted: PathSegment[][] = [];
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') {
      const result = expandEnvString(node, env);
      for (const message of result.problems) problems.push({ path, message });
      if (result.substituted) substituted.push(path);
      return result.value;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return { value: walk(value, []), problems, substituted };
}

export interface ExpandedString {
  value: string;
  substituted: boolean;
  /** never holds the text itself: it may be a credential */
  problems: string[];
}

export function expandEnvString(text: string, env: Env): ExpandedString {
  const problems: string[] = [];
  let substituted = false;
  const value = text.replace(REFERENCE, (match: string, body: string | undefined, offset: number) => {
    if (match === '$${') return '${';
    const variable = body === undefined ? null : VARIABLE.exec(body);
    if (!variable) {
      problems.push(
        body === undefined
          ? `unclosed "\${" at character ${offset + 1} (write "$\${" for a literal "\${")`
          : `invalid variable reference at character ${offset + 1}: write \${NAME} or \${NAME:-default}, NAME of letters, digits and _ (write "$\${" for a literal "\${")`,
      );
      return match;
    }
    const [, name, fallback] = variable;
    substituted = true;
    const current = Object.hasOwn(env, name!) ? env[name!] : undefined;
    if (current !== undefined && (current !== '' || fallback === undefined)) return current;
    if (fallback !== undefined) return fallback;
    problems.push(`environment variable ${name} is not set (set it, or write \${${name}:-default})`);
    return '';
  });
  return { value, substituted, problems };
}
