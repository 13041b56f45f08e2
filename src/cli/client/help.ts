/**
 * The client commands' help: `temporal-handled help-client` and `<command> --help`.
 */
import type { ClientCommand } from './args';
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

const COMMANDS: Record<Exclude<ClientCommand, 'help-client'>, { usage: string; about: string; flags: string }> = {
  start: {
    usage: 'start --type T --task-queue Q --workflow-id W [flags]',
    about: 'Starts a workflow; prints {workflowId, runId, firstExecutionRunId, namespace, type, taskQueue}.',
    flags: `  --type T                 workflow type (required)
  -t, --task-queue Q       task queue (required)
  -w, --workflow-id W      workflow ID (required)
  -i, --input JSON         one argument, as JSON (repeatable, in order)
  --execution-timeout D    --run-timeout D    --task-timeout D    --start-delay D
                           durations: 100ms, 1.5s, 1h30m, or milliseconds
  --id-reuse-policy P      ALLOW_DUPLICATE (default), ALLOW_DUPLICATE_FAILED_ONLY,
                           REJECT_DUPLICATE, TERMINATE_IF_RUNNING (or AllowDuplicate, ...)
  --id-conflict-policy P   FAIL, USE_EXISTING, TERMINATE_EXISTING (or Fail, UseExisting, ...)
  --cron S                 cron schedule
  --memo K=JSON            a memo field (repeatable)
  --search-attribute K=JSON  a search attribute (repeatable)
  --start-signal S         signal-with-start: deliver signal S with the start
  --start-signal-input JSON  one argument of the start signal (repeatable)
  --static-summary S, --static-details S
`,
  },
  describe: {
    usage: 'describe -w W [-r RUN]',
    about: 'Describes the workflow (the run RUN, or the latest run): status, times, type, task queue, memo, ...',
    flags: `  -w, --workflow-id W      workflow ID (required)
  -r, --run-id RUN         run ID (default: the latest run)
`,
  },
  query: {
    usage: 'query -w W [-r RUN] --name Q [--input JSON]... [--reject-condition C]',
    about: 'Queries the workflow; prints {workflowId, runId, query, result}.',
    flags: `  -w, --workflow-id W      workflow ID (required)
  -r, --run-id RUN         run ID (default: the latest run)
  --name Q                 query name (required)
  -i, --input JSON         one argument, as JSON (repeatable)
  --reject-condition C     NONE, NOT_OPEN or NOT_COMPLETED_CLEANLY (or not_open, ...)
`,
  },
  signal: {
    usage: 'signal -w W [-r RUN] --name S [--input JSON]...',
    about: 'Signals the workflow; prints {workflowId, runId, signal}.',
    flags: `  -w, --workflow-id W      workflow ID (required)
  -r, --run-id RUN         run ID (default: the latest run)
  --name S                 signal name (required)
  -i, --input JSON         one argument, as JSON (repeatable)
`,
  },
  cancel: {
    usage: 'cancel -w W [-r RUN] [--first-execution-run-id F] [--reason R]',
    about: 'Requests cancellation of the workflow; prints {workflowId, runId, firstExecutionRunId, cancelRequested}.',
    flags: `  -w, --workflow-id W      workflow ID (required)
  -r, --run-id RUN         run ID (default: the latest run)
  --first-execution-run-id F  only within the run chain started by run F
  --reason R               reason for the cancellation
`,
  },
  terminate: {
    usage: 'terminate -w W [-r RUN] [--first-execution-run-id F] [--reason R] [--details JSON]...',
    about: 'Terminates the workflow; prints {workflowId, runId, firstExecutionRunId, terminated}.',
    flags: `  -w, --workflow-id W      workflow ID (required)
  -r, --run-id RUN         run ID (default: the latest run)
  --first-execution-run-id F  only within the run chain started by run F
  --reason R               reason for the termination
  --details JSON           a detail stored on the termination (repeatable)
`,
  },
  result: {
    usage: 'result -w W [-r RUN] [--follow | --no-follow] [--progress | --no-progress]',
    about: "Waits for the workflow's result; prints {workflowId, runId, status, result} (exit 0), or {..., status, failure} (exit 1).",
    flags: `  -w, --workflow-id W      workflow ID (required)
  -r, --run-id RUN         start from this run (default: the latest run)
  --follow                 follow continue-as-new, retries and cron (the default)
  --no-follow              stop at the first run's end (continue-as-new then exits 1)
  --progress, --no-progress  a live progress line on stderr (default: when stderr is a terminal)
`,
  },
  call: {
    usage: "call METHOD ['PARAMS-JSON']",
    about: 'Calls any protocol method (see the daemon\'s rpc.discover) and prints its result.',
    flags: '',
  },
  batch: {
    usage: 'batch [--socket PATH | --port N | daemon flags] < commands.txt',
    about: 'Runs many commands over one connection: one per line of stdin; prints one JSON line each.',
    flags: `  Each line of stdin is one command with its flags, as on the command line
  (describe -w order-1), with shell-style quotes, or a JSON array of words
  (["query","-w","order-1","--name","items"]). Empty lines and lines starting with
  # are skipped. The lines run in order over the batch's one connection, so flags that
  choose a daemon (--socket, --address, ...) go on the batch's own command line.
  Each line prints {line, command, exitCode, result} or {line, command, exitCode, error}
  on stdout; batch exits with the largest exit code of its lines.
  One process and one connection for all the lines: a script that runs many operations
  pays the start-up of one command, not one per operation.
`,
  },
  status: {
    usage: 'status',
    about: "Prints the daemon's status: version, pid, uptime, clients, handles, in-flight calls, Temporal connection.",
    flags: '',
  },
};

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
  const list = Object.entries(COMMANDS)
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
  const c = COMMANDS[command];
  return `Usage: temporal-handled ${c.usage}

${c.about}
${c.flags ? `\n${c.flags}` : ''}
${CONNECTION}
${EXIT_CODE_TABLE}`;
}
