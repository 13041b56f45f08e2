/**
 * The client commands' help: `temporal-handled help-client` and `<command> --help`.
 */
import type { ClientCommand } from './args';
import { COMMAND_SPECS, enumValues, isRequired, paramSchema, type CommandSpec, type FlagSpec } from './command-specs';
import { EXIT_CODE_TABLE } from './exit-codes';

const CONNECTION = `Reaching a daemon (every command):
  --socket PATH            attach to a daemon's --socket (default: $TEMPORAL_HANDLED_SOCKET)
  --port N                 attach to a daemon's loopback --port ...
  --token-file PATH        ... with its shared secret (default: the daemon's default token file)
  -n, --namespace NS       the namespace (default: the daemon's)
  Otherwise the command starts a daemon over stdio just for the call; these flags
  configure it (see temporal-handled --help): --address HOST:PORT, --dev, --dev-db PATH,
  --api-key, --tls, --no-tls, --tls-*-path, --tls-server-name, --grpc-meta K=V,
  --client-authority, --profile, --config-file, --temporal-cli PATH, --log-file,
  --log-level (default error), and the TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE /
  TEMPORAL_API_KEY / TEMPORAL_PROFILE environment variables.

Output (every command):
  -o, --output FORMAT      json (default, indented), jsonl (one line) or text (for people)
  --command-timeout DUR    give up after DUR (e.g. 30s, 5m): the call is cancelled, exit 3
  Results go to stdout; errors go to stderr as one JSON object {"error": {type, message, ...}}.
`;

/** One flag's help line(s): its description and values from the contract, then what the flag adds. */
function flagHelp(f: FlagSpec): string {
  const left = `  ${f.short ? `-${f.short}, ` : ''}--${f.flag}${f.value ? ` ${f.value}` : ''}`;
  const schema = paramSchema(f);
  const values = enumValues(f);
  const text = [schema?.description?.replace(/\.$/, ''), values ? `one of ${values.join(', ')}` : undefined, f.about].filter((x) => x).join('; ') + (isRequired(f) ? ' (required)' : '');
  const pad = left.length < 27 ? left.padEnd(27) : `${left}\n${' '.repeat(27)}`;
  return `${pad}${text}\n`;
}

function commandFlags(c: CommandSpec): string {
  return c.flags.map(flagHelp).join('') + (c.notes ?? '');
}

const EXAMPLES = `Examples:
  export TEMPORAL_HANDLED_SOCKET=/tmp/th.sock
  temporal-handled --socket /tmp/th.sock &            # a daemon shared by the commands below
  temporal-handled start --type greet -t greetings -w greet-1 -i '"World"'
  temporal-handled signal -w greet-1 --name add -i 42
  temporal-handled query -w greet-1 --name state | jq .result
  temporal-handled result -w greet-1 -o text
  temporal-handled result -w greet-1 > outcome.json
  case $? in
    0) jq .result outcome.json ;;
    1) echo "did not complete: $(jq -r .status outcome.json)" ;;
    *) echo "the call failed" >&2 ;;
  esac
  temporal-handled call daemon/status
  temporal-handled describe -w greet-1 --address localhost:7233   # no daemon: starts one for the call
`;

export function clientHelp(): string {
  const list = Object.entries(COMMAND_SPECS)
    .map(([name, c]) => `  ${name.padEnd(11)} ${c.about.split('\n')[0]}`)
    .join('\n');
  return `temporal-handled client commands: Temporal's WorkflowHandle from shell scripts.

Usage: temporal-handled <command> [flags]

Commands:
${list}
  help-client this help; temporal-handled <command> --help for a command's flags

${CONNECTION}
${EXIT_CODE_TABLE}
${EXAMPLES}`;
}

export function commandHelp(command: ClientCommand): string {
  if (command === 'help-client') return clientHelp();
  const c: CommandSpec = COMMAND_SPECS[command];
  const flags = commandFlags(c);
  return `Usage: temporal-handled ${c.usage}

${c.about}
${flags ? `\n${flags}` : ''}
${CONNECTION}
${EXIT_CODE_TABLE}`;
}
