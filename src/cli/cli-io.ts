import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './cli-error.ts';

/** Where a command writes; tests pass buffers, the bin passes process.stdout/stderr. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  stdin?: NodeJS.ReadableStream;
  /** resolves when the user asks to stop (Ctrl-C / SIGTERM); the second request exits at once */
  untilSignal?: () => Promise<string>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  details?: string;
}

export function helpText(spec: CommandSpec): string {
  const lines = [`offhours ${spec.name}: ${spec.summary}`, '', `usage: offhours ${spec.usage}`];
  if (spec.details) lines.push('', spec.details);
  return lines.join('\n') + '\n';
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** parseArgs with errors turned into UsageError naming the command, and --help everywhere. */
export function parseCommand(spec: CommandSpec, argv: string[]): { values: OptionValues; positionals: string[] } {
  try {
    const parsed = parseArgs({ args: argv, options: { ...spec.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '')}\nrun \`offhours ${spec.name} --help\` for usage`);
  }
}

export const configOption = { config: { type: 'string', short: 'c', default: 'config/offhours.yaml' } } as const;

export function parseInstant(text: string | undefined, name: string, fallback: Date): Date {
  if (text === undefined) return fallback;
  const at = new Date(text);
  if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(text)) throw new UsageError(`--${name}: "${text}" is not an ISO date-time (e.g. 2026-11-23T19:00:00Z)`);
  return at;
}
