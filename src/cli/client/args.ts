/**
 * The client commands' arguments: per-command flags, the connection flags they all
 * share, and the checks that make bad usage exit 2 before anything is called.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../../temporal/durations';
import { parseExact } from '../../json/exact-json';
import { COMMAND_SPECS, isRequired, type CommandSpec } from './command-specs';

export class CliUsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

export type ClientCommand = keyof typeof COMMAND_SPECS | 'help-client';
export const CLIENT_COMMANDS = [...(Object.keys(COMMAND_SPECS) as (keyof typeof COMMAND_SPECS)[]), 'help-client'] as const;

export function isClientCommand(s: string | undefined): s is ClientCommand {
  return (CLIENT_COMMANDS as readonly string[]).includes(s ?? '');
}

export type OutputFormat = 'json' | 'jsonl' | 'text';

/** How to reach a daemon: attach to one, or start one for this call. */
export type ConnectTarget = { kind: 'socket'; path: string } | { kind: 'tcp'; port: number; tokenFile?: string } | { kind: 'spawn'; daemonArgs: string[]; address?: string };

export interface ClientArgs {
  command: ClientCommand;
  help: boolean;
  output: OutputFormat;
  target: ConnectTarget;
  namespace?: string;
  commandTimeoutMs?: number;
  /** The command's own flags, as parsed. */
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags that pick or configure a daemon started for the call (passed through to it). */
const DAEMON_STRING_FLAGS = [
  'address',
  'api-key',
  'tls-cert-path',
  'tls-key-path',
  'tls-ca-path',
  'tls-server-name',
  'client-authority',
  'profile',
  'config-file',
  'dev-db',
  'temporal-cli',
  'log-file',
  'log-level',
];
const DAEMON_BOOLEAN_FLAGS = ['dev', 'tls', 'no-tls', 'tls-disable-host-verification'];

const COMMON: Options = Object.assign(
  {
    output: { type: 'string', short: 'o' },
    socket: { type: 'string' },
    port: { type: 'string' },
    'token-file': { type: 'string' },
    namespace: { type: 'string', short: 'n' },
    'command-timeout': { type: 'string' },
    'grpc-meta': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
  Object.fromEntries(DAEMON_STRING_FLAGS.map((f) => [f, { type: 'string' as const }])),
  Object.fromEntries(DAEMON_BOOLEAN_FLAGS.map((f) => [f, { type: 'boolean' as const }])),
);

/** A command's flags as parseArgs takes them, from its spec. */
function optionsOf(spec: CommandSpec): Options {
  return Object.fromEntries(
    spec.flags.map((f) => [
      f.flag,
      Object.assign({ type: f.value === undefined ? ('boolean' as const) : ('string' as const) }, f.short ? { short: f.short } : {}, f.multiple ? { multiple: true } : {}),
    ]),
  );
}

const COMMAND_OPTIONS = Object.fromEntries(Object.entries(COMMAND_SPECS).map(([name, spec]) => [name, optionsOf(spec)])) as Record<keyof typeof COMMAND_SPECS, Options>;

/** The flags each command requires: those whose protocol param the contract requires. */
const REQUIRED = Object.fromEntries(Object.entries(COMMAND_SPECS).map(([name, spec]) => [name, (spec.flags as CommandSpec['flags']).filter(isRequired).map((f) => f.flag)])) as Record<
  keyof typeof COMMAND_SPECS,
  string[]
>;

export function parseClientArgs(argv: string[]): ClientArgs {
  const command = argv[0];
  if (!isClientCommand(command)) throw new CliUsageError(`unknown command "${command ?? ''}"`);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.slice(1),
      options: Object.assign({}, COMMON, command === 'help-client' ? {} : COMMAND_OPTIONS[command]),
      allowPositionals: command === 'call' || command === 'update',
      strict: true,
    });
  } catch (err) {
    throw new CliUsageError((err as Error).message, command);
  }
  const v = parsed.values as ClientArgs['values'];
  const help = Boolean(v.help) || command === 'help-client';
  const output = (v.output ?? 'json') as string;
  if (!['json', 'jsonl', 'text'].includes(output)) throw new CliUsageError(`--output must be text, json or jsonl; got "${output}"`, command);
  const args: ClientArgs = {
    command,
    help,
    output: output as OutputFormat,
    target: connectTarget(v, command),
    namespace: v.namespace as string | undefined,
    values: v,
    positionals: parsed.positionals,
  };
  if (help) return args;
  for (const flag of REQUIRED[command as keyof typeof REQUIRED]) {
    if (v[flag] === undefined || v[flag] === '') throw new CliUsageError(`--${flag} is required`, command);
  }
  if (command === 'update') {
    const sub = parsed.positionals[0];
    if (parsed.positionals.length !== 1 || !['start', 'execute', 'result', 'describe'].includes(sub ?? '')) {
      throw new CliUsageError('update takes one of start, execute, result, describe', command);
    }
    if ((sub === 'start' || sub === 'execute') && !v.name) throw new CliUsageError(`update ${sub} needs --name`, command);
    if ((sub === 'result' || sub === 'describe') && !v['update-id']) throw new CliUsageError(`update ${sub} needs --update-id`, command);
  }
  if (command === 'show' && v.follow) {
    if (v.output === 'json') throw new CliUsageError('--follow streams events: use -o jsonl (one event a line) or -o text', command);
  }
  if (command === 'call') {
    if (parsed.positionals.length < 1 || parsed.positionals.length > 2) throw new CliUsageError('call takes METHOD and optionally its params as one JSON value', command);
  }
  if (command === 'result' && v.follow && v['no-follow']) throw new CliUsageError('--follow and --no-follow contradict each other', command);
  if (command === 'result' && v.progress && v['no-progress']) throw new CliUsageError('--progress and --no-progress contradict each other', command);
  if (v['command-timeout'] !== undefined) {
    try {
      args.commandTimeoutMs = parseDuration(v['command-timeout'] as string, '--command-timeout');
    } catch (err) {
      throw new CliUsageError((err as Error).message, command);
    }
    if (!(args.commandTimeoutMs > 0)) throw new CliUsageError('--command-timeout must be positive', command);
  }
  return args;
}

function connectTarget(v: ClientArgs['values'], command: ClientCommand): ConnectTarget {
  const daemonFlags = [...DAEMON_STRING_FLAGS, ...DAEMON_BOOLEAN_FLAGS, 'grpc-meta'].filter((f) => v[f] !== undefined);
  const socket = (v.socket as string | undefined) ?? (v.port === undefined && daemonFlags.length === 0 ? process.env.TEMPORAL_HANDLED_SOCKET || undefined : undefined);
  if (v.socket !== undefined && v.port !== undefined) throw new CliUsageError('--socket and --port contradict each other', command);
  if (socket !== undefined || v.port !== undefined) {
    if (daemonFlags.length > 0) {
      throw new CliUsageError(`--${daemonFlags[0]} configures a daemon started for the call; it does not apply with --socket or --port`, command);
    }
    if (socket !== undefined) return { kind: 'socket', path: socket };
    const port = Number(v.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliUsageError(`--port must be a TCP port number; got "${String(v.port)}"`, command);
    return { kind: 'tcp', port, tokenFile: v['token-file'] as string | undefined };
  }
  if (v['token-file'] !== undefined) throw new CliUsageError('--token-file goes with --port', command);
  const daemonArgs: string[] = [];
  for (const f of DAEMON_STRING_FLAGS) if (v[f] !== undefined && f !== 'address') daemonArgs.push(`--${f}`, v[f] as string);
  for (const f of DAEMON_BOOLEAN_FLAGS) if (v[f]) daemonArgs.push(`--${f}`);
  for (const m of (v['grpc-meta'] as string[] | undefined) ?? []) daemonArgs.push('--grpc-meta', m);
  if (v['log-level'] === undefined) daemonArgs.push('--log-level', 'error');
  return { kind: 'spawn', daemonArgs, address: v.address as string | undefined };
}

/** One JSON value of a flag; malformed JSON is bad usage naming the flag. */
export function jsonValue(text: string, flag: string): unknown {
  try {
    return parseExact(text);
  } catch (err) {
    throw new CliUsageError(`${flag} must be JSON; got ${JSON.stringify(text)} (${(err as Error).message})`);
  }
}

export function jsonValues(texts: unknown, flag: string): unknown[] | undefined {
  if (texts === undefined) return undefined;
  return (texts as string[]).map((t) => jsonValue(t, flag));
}

/** `K=JSON` pairs (--memo, --search-attribute) as an object. */
export function keyedJson(texts: unknown, flag: string): Record<string, unknown> | undefined {
  if (texts === undefined) return undefined;
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const t of texts as string[]) {
    const i = t.indexOf('=');
    if (i <= 0) throw new CliUsageError(`${flag} takes KEY=JSON; got ${JSON.stringify(t)}`);
    out[t.slice(0, i)] = jsonValue(t.slice(i + 1), `${flag} ${t.slice(0, i)}`);
  }
  return out;
}

/**
 * An enum flag in either spelling: the Python SDK's (`ALLOW_DUPLICATE`, `NOT_OPEN`) or the
 * Temporal CLI's (`AllowDuplicate`, `not_open`). Returns the protocol's (Python) name.
 */
export function enumValue(text: unknown, flag: string, names: readonly string[]): string | undefined {
  if (text === undefined) return undefined;
  const norm = (s: string) => s.replace(/[^a-z0-9]/gi, '').toUpperCase();
  const found = names.find((n) => norm(n) === norm(String(text)));
  if (!found) throw new CliUsageError(`${flag} must be one of ${names.join(', ')}; got "${String(text)}"`);
  return found;
}
