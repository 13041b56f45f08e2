/**
 * The daemon's command line: flags, with `--flag value` and `--flag=value` forms.
 */
import { parseArgs } from 'node:util';
import { UsageError, type DaemonConfig } from '../daemon/config';
import { parseDuration } from '../temporal/durations';
import { LOG_LEVELS } from '../log/levels';

export const DAEMON_USAGE = `temporal-handled: Temporal's WorkflowHandle for any program, over JSON-RPC.

Usage: temporal-handled [--stdio | --pipe=NAME | --socket=PORT] [--listen-socket PATH] [--port N] [options]
       temporal-handled <client command> ...   (see: temporal-handled help-client)

Transports (any combination, at least one):
  The editor's own connection (one of these; the daemon exits when it ends):
  --stdio                      serve the spawning client on stdin/stdout
  --pipe=NAME                  connect to the Unix socket or Windows pipe NAME the client listens
                               on (vscode-languageclient's TransportKind.pipe)
  --socket=PORT                connect to 127.0.0.1:PORT where the client listens
                               (vscode-languageclient's TransportKind.socket)
  Listening for scripts and tools that attach (several clients):
  --listen-socket PATH         Unix socket (owner-only) or Windows named pipe (\\\\.\\pipe\\NAME);
                               --socket PATH (a path, not a number) means the same
  --port N                     loopback TCP; clients must send the shared secret
  --token-file PATH            the TCP secret: read from PATH, or generated and written there (0600)

Temporal connection (flags, then TEMPORAL_* variables, then temporal.toml profiles):
  --address HOST:PORT          TEMPORAL_ADDRESS (default localhost:7233)
  --namespace NS               TEMPORAL_NAMESPACE (default "default")
  --api-key KEY                TEMPORAL_API_KEY (sent as authorization: Bearer; turns TLS on)
  --tls / --no-tls             TEMPORAL_TLS
  --tls-cert-path PATH         TEMPORAL_TLS_CLIENT_CERT_PATH (mTLS)
  --tls-key-path PATH          TEMPORAL_TLS_CLIENT_KEY_PATH (mTLS)
  --tls-ca-path PATH           TEMPORAL_TLS_SERVER_CA_CERT_PATH
  --tls-server-name NAME       TEMPORAL_TLS_SERVER_NAME
  --tls-disable-host-verification
  --grpc-meta KEY=VALUE        extra gRPC metadata (repeatable); TEMPORAL_GRPC_META_<KEY>
  --client-authority NAME      TEMPORAL_CLIENT_AUTHORITY
  --codec-endpoint URL         TEMPORAL_CODEC_ENDPOINT: a codec server every payload goes
                               through ({namespace} is replaced); profile key codec.endpoint
  --codec-auth VALUE           TEMPORAL_CODEC_AUTH: its Authorization header; codec.auth
  --codec-header KEY=VALUE     an extra header to the codec server (repeatable)
  --profile NAME               TEMPORAL_PROFILE (a [profile.NAME] of temporal.toml)
  --config-file PATH           TEMPORAL_CONFIG_FILE

Embedded dev server:
  --dev                        start \`temporal server start-dev\` on free ports and use it
                               (the default when no address is configured and none answers
                               at localhost:7233)
  --dev-db PATH                keep the dev server's state in this SQLite file
  --temporal-cli PATH          the Temporal CLI to run (default: .venv/bin/temporal, then PATH)

Limits and logs:
  --max-handles N              live handles before the least recently used is evicted (100000)
  --handle-idle-timeout DUR    idle handles expire after this (1h)
  --max-message-size BYTES     larger messages are refused and the client dropped (64 MiB)
  --max-output-buffer BYTES    answers queued for a client that does not read them before it is
                               dropped (the larger of 64 MiB and twice --max-message-size); its
                               input is paused from an eighth of this (at most 8 MiB)
  --max-calls-per-client N     Temporal calls (not result waits) one client may have running at once;
                               the rest wait in order, still cancellable (64)
  --heap-growth PERCENT        how far V8 lets the heap grow past what is live before it collects
                               (20); lower keeps many held result waits in less memory for some
                               CPU, 0 leaves it to V8's own heuristics (up to 4 times)
  --log-file PATH              log there instead of stderr (never stdout)
  --log-level LEVEL            error, warn, info or debug (debug logs payloads); default info, but
                               warn on stderr when an editor's connection (--stdio, --pipe, --socket=PORT)
                               is served: editors show everything on stderr as errors
  --clientProcessId PID        exit when this process dies (for editors)
  --version, --help
`;

function positiveInt(v: string | undefined, flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(max === Number.MAX_SAFE_INTEGER ? `${flag} must be an integer of at least ${min}; got "${v}"` : `${flag} must be an integer from ${min} to ${max}; got "${v}"`);
  }
  return n;
}

/** The daemon's config type is the daemon's own (src/daemon/config.ts); the command line is one way to fill it. */
export type DaemonArgs = DaemonConfig;
export { UsageError };

export function parseDaemonArgs(argv: string[]): DaemonArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        stdio: { type: 'boolean' },
        socket: { type: 'string' },
        'listen-socket': { type: 'string' },
        pipe: { type: 'string' },
        port: { type: 'string' },
        'token-file': { type: 'string' },
        address: { type: 'string' },
        namespace: { type: 'string' },
        'api-key': { type: 'string' },
        tls: { type: 'boolean' },
        'no-tls': { type: 'boolean' },
        'tls-cert-path': { type: 'string' },
        'tls-key-path': { type: 'string' },
        'tls-ca-path': { type: 'string' },
        'tls-server-name': { type: 'string' },
        'tls-disable-host-verification': { type: 'boolean' },
        'grpc-meta': { type: 'string', multiple: true },
        'codec-endpoint': { type: 'string' },
        'codec-auth': { type: 'string' },
        'codec-header': { type: 'string', multiple: true },
        'client-authority': { type: 'string' },
        profile: { type: 'string' },
        'config-file': { type: 'string' },
        dev: { type: 'boolean' },
        'dev-db': { type: 'string' },
        'temporal-cli': { type: 'string' },
        'log-file': { type: 'string' },
        'log-level': { type: 'string' },
        'max-handles': { type: 'string' },
        'handle-idle-timeout': { type: 'string' },
        'max-message-size': { type: 'string' },
        'max-output-buffer': { type: 'string' },
        'max-calls-per-client': { type: 'string' },
        'heap-growth': { type: 'string' },
        clientProcessId: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v['log-level'] !== undefined && !(LOG_LEVELS as readonly string[]).includes(v['log-level'])) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}; got "${v['log-level']}"`);
  }
  if (v.tls && v['no-tls']) throw new UsageError('--tls and --no-tls contradict each other');
  let idle: number | undefined;
  if (v['handle-idle-timeout'] !== undefined) {
    try {
      idle = parseDuration(v['handle-idle-timeout'], '--handle-idle-timeout');
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (idle <= 0) throw new UsageError('--handle-idle-timeout must be positive');
  }
  // --socket=PORT (digits) is LSP's socket transport: the client listens and the daemon connects.
  const socketIsPort = v.socket !== undefined && /^\d+$/.test(v.socket);
  if (v['listen-socket'] !== undefined && v.socket !== undefined && !socketIsPort) throw new UsageError('--listen-socket and --socket PATH say the same thing twice; give one');
  const connect: DaemonConfig['connect'] = v.pipe !== undefined ? { kind: 'pipe', path: v.pipe } : socketIsPort ? { kind: 'port', port: positiveInt(v.socket, '--socket', 1, 65535)! } : undefined;
  if (v.pipe !== undefined && socketIsPort) throw new UsageError('--pipe and --socket=PORT are two editor connections; give one');
  if (connect && v.stdio) throw new UsageError(`--stdio and --${connect.kind === 'pipe' ? 'pipe' : 'socket=PORT'} are two editor connections; give one`);
  if (v.pipe === '') throw new UsageError('--pipe needs the name of the pipe the client listens on');
  return {
    stdio: Boolean(v.stdio),
    connect,
    socket: v['listen-socket'] ?? (socketIsPort ? undefined : v.socket),
    port: positiveInt(v.port, '--port', 0, 65535),
    tokenFile: v['token-file'],
    connection: {
      address: v.address,
      namespace: v.namespace,
      apiKey: v['api-key'],
      tls: v.tls ? true : v['no-tls'] ? false : undefined,
      tlsCertPath: v['tls-cert-path'],
      tlsKeyPath: v['tls-key-path'],
      tlsCaPath: v['tls-ca-path'],
      tlsServerName: v['tls-server-name'],
      tlsDisableHostVerification: v['tls-disable-host-verification'],
      grpcMeta: v['grpc-meta'],
      clientAuthority: v['client-authority'],
      codecEndpoint: v['codec-endpoint'],
      codecAuth: v['codec-auth'],
      codecHeader: v['codec-header'],
      profile: v.profile,
      configFile: v['config-file'],
    },
    dev: Boolean(v.dev),
    devDb: v['dev-db'],
    temporalCli: v['temporal-cli'],
    logFile: v['log-file'],
    logLevel: v['log-level'] as DaemonConfig['logLevel'],
    maxHandles: positiveInt(v['max-handles'], '--max-handles'),
    handleIdleTimeoutMs: idle,
    maxMessageBytes: positiveInt(v['max-message-size'], '--max-message-size', 1024),
    maxOutputBytes: positiveInt(v['max-output-buffer'], '--max-output-buffer', 65536),
    maxCallsPerClient: positiveInt(v['max-calls-per-client'], '--max-calls-per-client'),
    heapGrowthPercent: positiveInt(v['heap-growth'], '--heap-growth', 0, 1000),
    clientProcessId: positiveInt(v.clientProcessId, '--clientProcessId'),
    help: Boolean(v.help),
    version: Boolean(v.version),
  };
}
