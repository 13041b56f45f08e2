/**
 * The client commands and their flags. A flag that carries a protocol param names it
 * (`param: [method, name]`): its help text, its allowed values and whether it is
 * required come from the contract, not from here.
 */
import { methods, type MethodName } from '@temporal-handled/protocol';

export interface FlagSpec {
  flag: string;
  short?: string;
  /** The protocol param the flag fills. */
  param?: [MethodName, string];
  /** The value's placeholder in the help (none for a boolean flag). */
  value?: string;
  multiple?: boolean;
  /** Help for a flag that fills no param, or what the flag adds to the param's own. */
  about?: string;
  /** Required although its param is not (or it has none). */
  required?: boolean;
  /** Never required by the flag parser, although its param is (the command checks it, or has a default). */
  optional?: boolean;
}

export interface CommandSpec {
  usage: string;
  about: string;
  flags: FlagSpec[];
  /** Extra help text after the flags. */
  notes?: string;
}

const ref = (runAbout = 'run ID (default: the latest run)'): FlagSpec[] => [
  { flag: 'workflow-id', short: 'w', param: ['workflow/getHandle', 'workflowId'], value: 'W' },
  { flag: 'run-id', short: 'r', param: ['workflow/getHandle', 'runId'], value: 'RUN', about: runAbout },
];
const chainGuard: FlagSpec = { flag: 'first-execution-run-id', param: ['workflow/getHandle', 'firstExecutionRunId'], value: 'F', about: 'only within the run chain started by run F' };
const input = (method: MethodName, param = 'args'): FlagSpec => ({
  flag: 'input',
  short: 'i',
  param: [method, param],
  value: 'JSON',
  multiple: true,
  about: 'one argument, as JSON (repeatable, in order)',
});
const DURATION = 'a duration: 100ms, 1.5s, 1h30m, or milliseconds';

export const COMMAND_SPECS = {
  start: {
    usage: 'start --type T --task-queue Q --workflow-id W [flags]',
    about: 'Starts a workflow; prints {workflowId, runId, firstExecutionRunId, namespace, type, taskQueue}.',
    flags: [
      { flag: 'type', param: ['workflow/start', 'workflowType'], value: 'T' },
      { flag: 'task-queue', short: 't', param: ['workflow/start', 'taskQueue'], value: 'Q' },
      { flag: 'workflow-id', short: 'w', param: ['workflow/start', 'workflowId'], value: 'W' },
      input('workflow/start'),
      { flag: 'execution-timeout', param: ['workflow/start', 'executionTimeout'], value: 'D', about: DURATION },
      { flag: 'run-timeout', param: ['workflow/start', 'runTimeout'], value: 'D', about: DURATION },
      { flag: 'task-timeout', param: ['workflow/start', 'taskTimeout'], value: 'D', about: DURATION },
      { flag: 'start-delay', param: ['workflow/start', 'startDelay'], value: 'D', about: DURATION },
      { flag: 'id-reuse-policy', param: ['workflow/start', 'idReusePolicy'], value: 'P', about: "the CLI's spellings work too (AllowDuplicate, ...)" },
      { flag: 'id-conflict-policy', param: ['workflow/start', 'idConflictPolicy'], value: 'P', about: "the CLI's spellings work too (Fail, UseExisting, ...)" },
      { flag: 'cron', param: ['workflow/start', 'cronSchedule'], value: 'S' },
      { flag: 'memo', param: ['workflow/start', 'memo'], value: 'K=JSON', multiple: true, about: 'one field (repeatable)' },
      { flag: 'search-attribute', param: ['workflow/start', 'searchAttributes'], value: 'K=JSON', multiple: true, about: 'one attribute (repeatable)' },
      { flag: 'start-signal', param: ['workflow/start', 'startSignal'], value: 'S' },
      { flag: 'start-signal-input', param: ['workflow/start', 'startSignalArgs'], value: 'JSON', multiple: true, about: 'one argument of the start signal (repeatable)' },
      { flag: 'static-summary', param: ['workflow/start', 'staticSummary'], value: 'S' },
      { flag: 'static-details', param: ['workflow/start', 'staticDetails'], value: 'S' },
    ],
  },
  describe: {
    usage: 'describe -w W [-r RUN]',
    about:
      'Describes the workflow (the run RUN, or the latest run): status, times, type, task queue, memo, and what it waits on: pending activities (attempts, heartbeat details, last failure), children, Nexus operations, callbacks, the workflow task.',
    flags: ref(),
  },
  query: {
    usage: 'query -w W [-r RUN] --name Q [--input JSON]... [--reject-condition C]',
    about: 'Queries the workflow; prints {workflowId, runId, query, result}.',
    flags: [
      ...ref(),
      { flag: 'name', param: ['handle/query', 'query'], value: 'Q' },
      input('handle/query'),
      { flag: 'reject-condition', param: ['handle/query', 'rejectCondition'], value: 'C', about: 'or not_open, ...' },
    ],
  },
  signal: {
    usage: 'signal -w W [-r RUN] --name S [--input JSON]...',
    about: 'Signals the workflow; prints {workflowId, runId, signal}.',
    flags: [...ref(), { flag: 'name', param: ['handle/signal', 'signal'], value: 'S' }, input('handle/signal')],
  },
  cancel: {
    usage: 'cancel -w W [-r RUN] [--first-execution-run-id F] [--reason R]',
    about: 'Requests cancellation of the workflow; prints {workflowId, runId, firstExecutionRunId, cancelRequested}.',
    flags: [...ref(), chainGuard, { flag: 'reason', param: ['handle/cancel', 'reason'], value: 'R' }],
  },
  terminate: {
    usage: 'terminate -w W [-r RUN] [--first-execution-run-id F] [--reason R] [--details JSON]...',
    about: 'Terminates the workflow; prints {workflowId, runId, firstExecutionRunId, terminated}.',
    flags: [
      ...ref(),
      chainGuard,
      { flag: 'reason', param: ['handle/terminate', 'reason'], value: 'R' },
      { flag: 'details', param: ['handle/terminate', 'details'], value: 'JSON', multiple: true, about: 'one detail (repeatable)' },
    ],
  },
  result: {
    usage: 'result -w W [-r RUN] [--follow | --no-follow] [--progress | --no-progress]',
    about: "Waits for the workflow's result; prints {workflowId, runId, status, result} (exit 0), or {..., status, failure} (exit 1).",
    flags: [
      ...ref('start from this run (default: the latest run)'),
      { flag: 'follow', param: ['handle/result', 'followRuns'] },
      { flag: 'no-follow', about: "stop at the first run's end (continue-as-new then exits 1)" },
      { flag: 'progress', about: 'a live progress line on stderr (default: when stderr is a terminal)' },
      { flag: 'no-progress', about: 'no progress line' },
    ],
  },
  update: {
    usage: 'update start|execute|result|describe -w W [-r RUN] [--name U] [--update-id ID] [--input JSON]... [--wait-for-stage S]',
    about:
      'Workflow updates. execute: sends one and waits for its outcome; start: sends one and returns at --wait-for-stage; result: waits for the outcome of --update-id; describe: its stage and outcome, without waiting. An update that failed exits 1.',
    flags: [
      ...ref('the run the update goes to (default: the latest run)'),
      { flag: 'name', param: ['handle/startUpdate', 'update'], value: 'U', about: 'for start and execute', optional: true },
      input('handle/startUpdate'),
      { flag: 'update-id', param: ['handle/startUpdate', 'updateId'], value: 'ID', about: 'required for result and describe' },
      { flag: 'wait-for-stage', param: ['handle/startUpdate', 'waitForStage'], value: 'S', about: 'for start (default ACCEPTED)', optional: true },
    ],
  },
  'update-with-start': {
    usage: 'update-with-start --type T -t Q -w W --id-conflict-policy P --name U [--input JSON]... [--update-input JSON]... [--wait-for-stage S]',
    about:
      'Starts the workflow unless it runs (per --id-conflict-policy) and sends it an update: waits for the outcome, or with --wait-for-stage returns at that stage. Prints {workflowId, runId, updateId, ...}.',
    flags: [
      { flag: 'type', param: ['workflow/start', 'workflowType'], value: 'T' },
      { flag: 'task-queue', short: 't', param: ['workflow/start', 'taskQueue'], value: 'Q' },
      { flag: 'workflow-id', short: 'w', param: ['workflow/start', 'workflowId'], value: 'W' },
      input('workflow/start'),
      { flag: 'id-conflict-policy', value: 'P', about: 'FAIL, USE_EXISTING or TERMINATE_EXISTING: what to do when the workflow runs', required: true },
      { flag: 'name', param: ['workflow/executeUpdateWithStart', 'update'], value: 'U' },
      { flag: 'update-input', param: ['workflow/executeUpdateWithStart', 'args'], value: 'JSON', multiple: true, about: 'one argument of the update (repeatable)' },
      { flag: 'update-id', param: ['workflow/executeUpdateWithStart', 'updateId'], value: 'ID' },
      { flag: 'wait-for-stage', param: ['workflow/startUpdateWithStart', 'waitForStage'], value: 'S', about: 'return at this stage instead of waiting for the outcome', optional: true },
    ],
  },
  show: {
    usage: 'show -w W [-r RUN] [--follow] [-o json|jsonl]',
    about:
      "Prints the run's event history in the JSON form of Temporal's API: -o json the {events: [...]} document replayers read, -o jsonl one event a line. --follow streams events as the runs write them, across the run chain, until the last run closes.",
    flags: [
      ...ref(),
      { flag: 'follow', param: ['handle/watch', 'followRuns'], about: 'watch: new events as they come, following continue-as-new, retries and cron' },
      { flag: 'decode', param: ['handle/fetchHistory', 'decode'] },
    ],
  },
  list: {
    usage: 'list [-q QUERY] [--limit N] [--page-size N] [-o json|jsonl|text]',
    about: 'Lists runs matching a visibility query: -o json one array, -o jsonl one run a line as the pages arrive.',
    flags: [
      { flag: 'query', short: 'q', param: ['workflow/list', 'query'], value: 'QUERY' },
      { flag: 'limit', param: ['workflow/list', 'limit'], value: 'N' },
      { flag: 'page-size', param: ['workflow/list', 'pageSize'], value: 'N' },
    ],
  },
  count: {
    usage: 'count [-q QUERY]',
    about: 'Counts runs matching a visibility query; with GROUP BY, each group. Prints {count, groups}.',
    flags: [{ flag: 'query', short: 'q', param: ['workflow/count', 'query'], value: 'QUERY' }],
  },
  metadata: {
    usage: 'metadata -w W [-r RUN]',
    about: "Prints the workflow's handler metadata: its type, query, signal and update definitions, current details.",
    flags: ref(),
  },
  stack: {
    usage: 'stack -w W [-r RUN]',
    about: "Prints where the workflow's code waits (its stack trace).",
    flags: ref(),
  },
  call: {
    usage: "call METHOD ['PARAMS-JSON']",
    about: "Calls any protocol method (see the daemon's rpc.discover) and prints its result.",
    flags: [],
  },
  batch: {
    usage: 'batch [--socket PATH | --port N | daemon flags] < commands.txt',
    about: 'Runs many commands over one connection: one per line of stdin; prints one JSON line each.',
    flags: [],
    notes: `  Each line of stdin is one command with its flags, as on the command line
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
    flags: [],
  },
} satisfies Record<string, CommandSpec>;

interface ParamSchema {
  description?: string;
  enum?: string[];
  anyOf?: ParamSchema[];
}

/** The contract's schema of a flag's param. */
export function paramSchema(f: FlagSpec): ParamSchema | undefined {
  if (!f.param) return undefined;
  const [method, name] = f.param;
  return (methods[method].params as unknown as { properties: Record<string, ParamSchema> }).properties[name];
}

/** Whether the contract requires a flag's param (or the flag says it is required). */
export function isRequired(f: FlagSpec): boolean {
  if (f.required) return true;
  if (f.optional || !f.param) return false;
  const [method, name] = f.param;
  return ((methods[method].params as unknown as { required?: string[] }).required ?? []).includes(name);
}

/** The values an enum-valued flag takes, from its param's schema. */
export function enumValues(f: FlagSpec): readonly string[] | undefined {
  const s = paramSchema(f);
  return s?.enum;
}
