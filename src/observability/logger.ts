import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** pino level name; `info` when absent */
  level?: string;
  /** appears as `name` on every line */
  name?: string;
  /** where the JSON lines go; stdout when absent (tests pass a stream to read them back) */
  destination?: DestinationStream;
}

export const REDACTED = '[redacted]';

/**
 * Key names whose values are secrets, compared without case, `-` or `_`, by suffix, so `keySecret`,
 * `x-api-key`, `redisPassword` and `accessToken` are covered. `credentials` hides the whole entry
 * (emqx `key`, clickhouse `keyId`, ...) rather than guessing which of its fields are secret.
 */
const SECRET_KEY = /(?:credentials?|password|passwd|secret|apikey|token|authorization|cookie|privatekey)$/;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''));
}

// userinfo is everything up to the last `@` before the path, so an unencoded `@` in a password still goes
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;
// `password=x`, `"token": "x"`, `authorization: Basic x`, `?api_key=x` inside free text
const SECRET_ASSIGNMENT =
  /\b([\w-]*?(?:credentials?|password|passwd|secret|api[-_]?key|token|authorization|cookie))(["']?\s*[:=]\s*["']?)((?:basic|bearer|digest|token)\s+)?[^\s"'&,;}]+/gi;
const BEARER = /\b(bearer\s+)[^\s"',;}]+/gi;

/**
 * Removes the password (or the whole userinfo when there is no `user:` part, since a lone userinfo
 * is usually a token) from a URL: `redis://:pass@host` -> `redis://:***@host`. Also hides secret
 * query parameters. Works on any text, so a URL embedded in an error message is cleaned too.
 */
export function redactUrl(url: string | URL): string {
  return String(url).replace(URL_USERINFO, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon === -1 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  }).replace(SECRET_ASSIGNMENT, (_, key: string, separator: string, scheme = '') => `${key}${separator}${scheme}***`);
}

/** Free text (messages, error messages, stacks): URLs with credentials, `key=secret` pairs, bearer tokens. */
export function redactText(text: string): string {
  return redactUrl(text).replace(BEARER, '$1***');
}

const MAX_DEPTH = 10;

/**
 * A copy of `value` fit to log: secret keys censored at any depth, strings cleaned with redactText,
 * errors serialized (pino's shape) so their messages and extra fields are cleaned too.
 */
export function redactSecrets(value: unknown): unknown {
  return scrub(value, new Set(), 0);
}

function scrub(value: unknown, ancestors: Set<object>, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[...]';
  if (value instanceof Error) return scrubEntries(stdSerializers.err(value), value, ancestors, depth);
  // Date, URL, Buffer: log what JSON.stringify would, cleaned
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return scrub((value as { toJSON(): unknown }).toJSON(), ancestors, depth);
  }
  if (Array.isArray(value)) {
    ancestors.add(value);
    // undici's raw headers are a flat [name, value, name, value] list
    const copy = value.map((item, i) =>
      i > 0 && typeof value[i - 1] === 'string' && isSecretKey(value[i - 1]) ? REDACTED : scrub(item, ancestors, depth + 1),
    );
    ancestors.delete(value);
    return copy;
  }
  return scrubEntries(value, value, ancestors, depth);
}

function scrubEntries(source: object, identity: object, ancestors: Set<object>, depth: number): Record<string, unknown> {
  ancestors.add(identity);
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(source)) {
    copy[key] = isSecretKey(key) ? REDACTED : scrub(item, ancestors, depth + 1);
  }
  ancestors.delete(identity);
  return copy;
}

/**
 * The daemon's JSON logger. Redaction is by key name at any depth plus free-text cleaning, rather
 * than pino's fixed `redact` paths, because secrets reach logs nested in config entries, errors and
 * request dumps whose depth nobody can list in advance.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    ...(options.name === undefined ? {} : { name: options.name }),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label: string) => ({ level: label }),
      log: (object: Record<string, unknown>) => redactSecrets(object) as Record<string, unknown>,
    },
    serializers: {
      // errors were serialized (and cleaned) by the log formatter already; pino's own would re-wrap them
      err: (err: unknown) => err,
      msg: (msg: unknown) => (typeof msg === 'string' ? redactText(msg) : msg),
    },
  };
  const logger = options.destination ? pino(settings, options.destination) : pino(settings);
  return guardBindings(logger);
}

/**
 * pino applies neither the log formatter nor a bindings formatter to a child's bindings, so they
 * are cleaned here. Children inherit these methods through their prototype chain.
 */
function guardBindings(logger: Logger): Logger {
  const child = logger.child;
  const setBindings = logger.setBindings;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, redactSecrets(bindings) as pino.Bindings, options);
  } as Logger['child'];
  logger.setBindings = function (this: Logger, bindings) {
    setBindings.call(this, redactSecrets(bindings) as pino.Bindings);
  };
  return logger;
}
