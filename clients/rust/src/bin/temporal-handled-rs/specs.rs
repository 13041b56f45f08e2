//! The commands and their flags, as the Node shell client has them
//! (src/cli/client/command-specs.ts). A flag that fills a protocol param names it: whether it
//! is required, its allowed values and its help come from the contract.
use temporal_handled::protocol::{param_info, ParamInfo};

pub struct Flag {
    pub flag: &'static str,
    pub short: Option<char>,
    pub param: Option<(&'static str, &'static str)>,
    /// The value's placeholder (None: a boolean flag).
    pub value: Option<&'static str>,
    pub multiple: bool,
    pub about: Option<&'static str>,
    pub required: bool,
    pub optional: bool,
}

pub struct Spec {
    pub name: &'static str,
    pub usage: &'static str,
    pub about: &'static str,
    pub flags: Vec<Flag>,
    pub notes: Option<&'static str>,
}

const fn f(
    flag: &'static str,
    short: Option<char>,
    param: Option<(&'static str, &'static str)>,
    value: Option<&'static str>,
) -> Flag {
    Flag {
        flag,
        short,
        param,
        value,
        multiple: false,
        about: None,
        required: false,
        optional: false,
    }
}

impl Flag {
    fn about(mut self, a: &'static str) -> Self {
        self.about = Some(a);
        self
    }
    fn multiple(mut self) -> Self {
        self.multiple = true;
        self
    }
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
    fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn param_info(&self) -> Option<&'static ParamInfo> {
        let (m, p) = self.param?;
        param_info(m, p)
    }

    /// Whether the flag parser requires it: its param is required by the contract (or the flag says so).
    pub fn is_required(&self) -> bool {
        if self.required {
            return true;
        }
        if self.optional {
            return false;
        }
        self.param_info().is_some_and(|p| p.required)
    }

    pub fn enum_values(&self) -> Option<&'static [&'static str]> {
        self.param_info()?.enum_values
    }
}

const DURATION: &str = "a duration: 100ms, 1.5s, 1h30m, or milliseconds";

fn reference(run_about: &'static str) -> Vec<Flag> {
    vec![
        f(
            "workflow-id",
            Some('w'),
            Some(("workflow/getHandle", "workflowId")),
            Some("W"),
        ),
        f(
            "run-id",
            Some('r'),
            Some(("workflow/getHandle", "runId")),
            Some("RUN"),
        )
        .about(run_about),
    ]
}

fn input(method: &'static str) -> Flag {
    f("input", Some('i'), Some((method, "args")), Some("JSON"))
        .multiple()
        .about("one argument, as JSON (repeatable, in order)")
}

fn chain_guard() -> Flag {
    f(
        "first-execution-run-id",
        None,
        Some(("workflow/getHandle", "firstExecutionRunId")),
        Some("F"),
    )
    .about("only within the run chain started by run F")
}

const LATEST: &str = "run ID (default: the latest run)";

pub fn specs() -> Vec<Spec> {
    let start = "workflow/start";
    vec![
        Spec {
            name: "start",
            usage: "start --type T --task-queue Q --workflow-id W [flags]",
            about: "Starts a workflow; prints {workflowId, runId, firstExecutionRunId, namespace, type, taskQueue}.",
            flags: vec![
                f("type", None, Some((start, "workflowType")), Some("T")),
                f("task-queue", Some('t'), Some((start, "taskQueue")), Some("Q")),
                f("workflow-id", Some('w'), Some((start, "workflowId")), Some("W")),
                input(start),
                f("execution-timeout", None, Some((start, "executionTimeout")), Some("D")).about(DURATION),
                f("run-timeout", None, Some((start, "runTimeout")), Some("D")).about(DURATION),
                f("task-timeout", None, Some((start, "taskTimeout")), Some("D")).about(DURATION),
                f("start-delay", None, Some((start, "startDelay")), Some("D")).about(DURATION),
                f("id-reuse-policy", None, Some((start, "idReusePolicy")), Some("P")).about("the CLI's spellings work too (AllowDuplicate, ...)"),
                f("id-conflict-policy", None, Some((start, "idConflictPolicy")), Some("P")).about("the CLI's spellings work too (Fail, UseExisting, ...)"),
                f("cron", None, Some((start, "cronSchedule")), Some("S")),
                f("memo", None, Some((start, "memo")), Some("K=JSON")).multiple().about("one field (repeatable)"),
                f("search-attribute", None, Some((start, "searchAttributes")), Some("K=JSON")).multiple().about("one attribute (repeatable)"),
                f("start-signal", None, Some((start, "startSignal")), Some("S")),
                f("start-signal-input", None, Some((start, "startSignalArgs")), Some("JSON")).multiple().about("one argument of the start signal (repeatable)"),
                f("static-summary", None, Some((start, "staticSummary")), Some("S")),
                f("static-details", None, Some((start, "staticDetails")), Some("S")),
            ],
            notes: None,
        },
        Spec {
            name: "describe",
            usage: "describe -w W [-r RUN]",
            about: "Describes the workflow (the run RUN, or the latest run): status, times, type, task queue, memo, and what it waits on: pending activities (attempts, heartbeat details, last failure), children, Nexus operations, callbacks, the workflow task.",
            flags: reference(LATEST),
            notes: None,
        },
        Spec {
            name: "query",
            usage: "query -w W [-r RUN] --name Q [--input JSON]... [--reject-condition C]",
            about: "Queries the workflow; prints {workflowId, runId, query, result}.",
            flags: {
                let mut v = reference(LATEST);
                v.push(f("name", None, Some(("handle/query", "query")), Some("Q")));
                v.push(input("handle/query"));
                v.push(f("reject-condition", None, Some(("handle/query", "rejectCondition")), Some("C")).about("or not_open, ..."));
                v
            },
            notes: None,
        },
        Spec {
            name: "signal",
            usage: "signal -w W [-r RUN] --name S [--input JSON]...",
            about: "Signals the workflow; prints {workflowId, runId, signal}.",
            flags: {
                let mut v = reference(LATEST);
                v.push(f("name", None, Some(("handle/signal", "signal")), Some("S")));
                v.push(input("handle/signal"));
                v
            },
            notes: None,
        },
        Spec {
            name: "cancel",
            usage: "cancel -w W [-r RUN] [--first-execution-run-id F] [--reason R]",
            about: "Requests cancellation of the workflow; prints {workflowId, runId, firstExecutionRunId, cancelRequested}.",
            flags: {
                let mut v = reference(LATEST);
                v.push(chain_guard());
                v.push(f("reason", None, Some(("handle/cancel", "reason")), Some("R")));
                v
            },
            notes: None,
        },
        Spec {
            name: "terminate",
            usage: "terminate -w W [-r RUN] [--first-execution-run-id F] [--reason R] [--details JSON]...",
            about: "Terminates the workflow; prints {workflowId, runId, firstExecutionRunId, terminated}.",
            flags: {
                let mut v = reference(LATEST);
                v.push(chain_guard());
                v.push(f("reason", None, Some(("handle/terminate", "reason")), Some("R")));
                v.push(f("details", None, Some(("handle/terminate", "details")), Some("JSON")).multiple().about("one detail (repeatable)"));
                v
            },
            notes: None,
        },
        Spec {
            name: "result",
            usage: "result -w W [-r RUN] [--follow | --no-follow] [--progress | --no-progress]",
            about: "Waits for the workflow's result; prints {workflowId, runId, status, result} (exit 0), or {..., status, failure} (exit 1).",
            flags: {
                let mut v = reference("start from this run (default: the latest run)");
                v.push(f("follow", None, Some(("handle/result", "followRuns")), None));
                v.push(f("no-follow", None, None, None).about("stop at the first run's end (continue-as-new then exits 1)"));
                v.push(f("progress", None, None, None).about("a live progress line on stderr (default: when stderr is a terminal)"));
                v.push(f("no-progress", None, None, None).about("no progress line"));
                v
            },
            notes: None,
        },
        Spec {
            name: "update",
            usage: "update start|execute|result|describe -w W [-r RUN] [--name U] [--update-id ID] [--input JSON]... [--wait-for-stage S]",
            about: "Workflow updates. execute: sends one and waits for its outcome; start: sends one and returns at --wait-for-stage; result: waits for the outcome of --update-id; describe: its stage and outcome, without waiting. An update that failed exits 1.",
            flags: {
                let mut v = reference("the run the update goes to (default: the latest run)");
                v.push(f("name", None, Some(("handle/startUpdate", "update")), Some("U")).about("for start and execute").optional());
                v.push(input("handle/startUpdate"));
                v.push(f("update-id", None, Some(("handle/startUpdate", "updateId")), Some("ID")).about("required for result and describe"));
                v.push(f("wait-for-stage", None, Some(("handle/startUpdate", "waitForStage")), Some("S")).about("for start (default ACCEPTED)").optional());
                v
            },
            notes: None,
        },
        Spec {
            name: "update-with-start",
            usage: "update-with-start --type T -t Q -w W --id-conflict-policy P --name U [--input JSON]... [--update-input JSON]... [--wait-for-stage S]",
            about: "Starts the workflow unless it runs (per --id-conflict-policy) and sends it an update: waits for the outcome, or with --wait-for-stage returns at that stage. Prints {workflowId, runId, updateId, ...}.",
            flags: vec![
                f("type", None, Some((start, "workflowType")), Some("T")),
                f("task-queue", Some('t'), Some((start, "taskQueue")), Some("Q")),
                f("workflow-id", Some('w'), Some((start, "workflowId")), Some("W")),
                input(start),
                f("id-conflict-policy", None, None, Some("P")).about("FAIL, USE_EXISTING or TERMINATE_EXISTING: what to do when the workflow runs").required(),
                f("name", None, Some(("workflow/executeUpdateWithStart", "update")), Some("U")),
                f("update-input", None, Some(("workflow/executeUpdateWithStart", "args")), Some("JSON")).multiple().about("one argument of the update (repeatable)"),
                f("update-id", None, Some(("workflow/executeUpdateWithStart", "updateId")), Some("ID")),
                f("wait-for-stage", None, Some(("workflow/startUpdateWithStart", "waitForStage")), Some("S")).about("return at this stage instead of waiting for the outcome").optional(),
            ],
            notes: None,
        },
        Spec {
            name: "show",
            usage: "show -w W [-r RUN] [--follow] [-o json|jsonl]",
            about: "Prints the run's event history in the JSON form of Temporal's API: -o json the {events: [...]} document replayers read, -o jsonl one event a line. --follow streams events as the runs write them, across the run chain, until the last run closes.",
            flags: {
                let mut v = reference(LATEST);
                v.push(f("follow", None, Some(("handle/watch", "followRuns")), None).about("watch: new events as they come, following continue-as-new, retries and cron"));
                v.push(f("decode", None, Some(("handle/fetchHistory", "decode")), None));
                v
            },
            notes: None,
        },
        Spec {
            name: "list",
            usage: "list [-q QUERY] [--limit N] [--page-size N] [-o json|jsonl|text]",
            about: "Lists runs matching a visibility query: -o json one array, -o jsonl one run a line as the pages arrive.",
            flags: vec![
                f("query", Some('q'), Some(("workflow/list", "query")), Some("QUERY")),
                f("limit", None, Some(("workflow/list", "limit")), Some("N")),
                f("page-size", None, Some(("workflow/list", "pageSize")), Some("N")),
            ],
            notes: None,
        },
        Spec {
            name: "count",
            usage: "count [-q QUERY]",
            about: "Counts runs matching a visibility query; with GROUP BY, each group. Prints {count, groups}.",
            flags: vec![f("query", Some('q'), Some(("workflow/count", "query")), Some("QUERY"))],
            notes: None,
        },
        Spec {
            name: "metadata",
            usage: "metadata -w W [-r RUN]",
            about: "Prints the workflow's handler metadata: its type, query, signal and update definitions, current details.",
            flags: reference(LATEST),
            notes: None,
        },
        Spec {
            name: "stack",
            usage: "stack -w W [-r RUN]",
            about: "Prints where the workflow's code waits (its stack trace).",
            flags: reference(LATEST),
            notes: None,
        },
        Spec {
            name: "call",
            usage: "call METHOD ['PARAMS-JSON']",
            about: "Calls any protocol method (see the daemon's rpc.discover) and prints its result.",
            flags: vec![],
            notes: None,
        },
        Spec {
            name: "batch",
            usage: "batch [--socket PATH | --port N | daemon flags] < commands.txt",
            about: "Runs many commands over one connection: one per line of stdin; prints one JSON line each.",
            flags: vec![],
            notes: Some(BATCH_NOTES),
        },
        Spec {
            name: "status",
            usage: "status",
            about: "Prints the daemon's status: version, pid, uptime, clients, handles, in-flight calls, Temporal connection.",
            flags: vec![],
            notes: None,
        },
    ]
}

const BATCH_NOTES: &str =
    "  Each line of stdin is one command with its flags, as on the command line
  (describe -w order-1), with shell-style quotes, or a JSON array of words
  ([\"query\",\"-w\",\"order-1\",\"--name\",\"items\"]). Empty lines and lines starting with
  # are skipped. The lines run in order over the batch's one connection, so flags that
  choose a daemon (--socket, --address, ...) go on the batch's own command line.
  Each line prints {line, command, exitCode, result} or {line, command, exitCode, error}
  on stdout; batch exits with the largest exit code of its lines.
  One process and one connection for all the lines: a script that runs many operations
  pays the start-up of one command, not one per operation.
";

pub const EXIT_CODE_TABLE: &str = "Exit codes:
  0    success (result: the workflow completed)
  1    result: the workflow ended unsuccessfully: failed, cancelled, terminated, timed out,
       or continued as new with --no-follow; update: the update failed (its validator
       rejected it or its handler raised); the outcome is still printed on stdout
  2    bad usage: unknown command or flag, missing or malformed value, or params the
       daemon rejected as invalid (InvalidParams)
  3    a call failed: Temporal RPC error (e.g. NOT_FOUND), daemon unreachable or gone,
       invalid handle, query failed or rejected, workflow already started,
       --command-timeout elapsed
  130  interrupted (SIGINT/SIGTERM); the in-flight call was cancelled
";

const CONNECTION: &str = "Reaching a daemon (every command):
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
  This native client starts the daemon as $TEMPORAL_HANDLED_DAEMON, or node with the
  repository's bin/temporal-handled.js.

Output (every command):
  -o, --output FORMAT      json (default, indented), jsonl (one line) or text (for people)
  --command-timeout DUR    give up after DUR (e.g. 30s, 5m): the call is cancelled, exit 3
  Results go to stdout; errors go to stderr as one JSON object {\"error\": {type, message, ...}}.
";

const EXAMPLES: &str = "Examples:
  export TEMPORAL_HANDLED_SOCKET=/tmp/th.sock
  temporal-handled --socket /tmp/th.sock &            # a daemon shared by the commands below
  temporal-handled start --type greet -t greetings -w greet-1 -i '\"World\"'
  temporal-handled signal -w greet-1 --name add -i 42
  temporal-handled query -w greet-1 --name state | jq .result
  temporal-handled result -w greet-1 -o text
  temporal-handled result -w greet-1 > outcome.json
  case $? in
    0) jq .result outcome.json ;;
    1) echo \"did not complete: $(jq -r .status outcome.json)\" ;;
    *) echo \"the call failed\" >&2 ;;
  esac
  temporal-handled call daemon/status
  temporal-handled describe -w greet-1 --address localhost:7233   # no daemon: starts one for the call
";

fn flag_help(fl: &Flag) -> String {
    let left = format!(
        "  {}--{}{}",
        fl.short.map(|c| format!("-{c}, ")).unwrap_or_default(),
        fl.flag,
        fl.value.map(|v| format!(" {v}")).unwrap_or_default()
    );
    let desc = fl
        .param_info()
        .map(|p| p.description.trim_end_matches('.').to_string())
        .filter(|s| !s.is_empty());
    let values = fl.enum_values().map(|v| format!("one of {}", v.join(", ")));
    let parts: Vec<String> = [desc, values, fl.about.map(String::from)]
        .into_iter()
        .flatten()
        .collect();
    let text = parts.join("; ") + if fl.is_required() { " (required)" } else { "" };
    let pad = if left.chars().count() < 27 {
        format!("{left:<27}")
    } else {
        format!("{left}\n{}", " ".repeat(27))
    };
    format!("{pad}{text}\n")
}

pub fn client_help() -> String {
    let list: Vec<String> = specs()
        .iter()
        .map(|s| format!("  {:<11} {}", s.name, s.about.lines().next().unwrap_or("")))
        .collect();
    format!(
        "temporal-handled client commands: Temporal's WorkflowHandle from shell scripts.\n\nUsage: temporal-handled <command> [flags]\n\nCommands:\n{}\n  help-client this help; temporal-handled <command> --help for a command's flags\n\n{CONNECTION}\n{EXIT_CODE_TABLE}\n{EXAMPLES}",
        list.join("\n")
    )
}

pub fn command_help(spec: &Spec) -> String {
    let flags: String =
        spec.flags.iter().map(flag_help).collect::<String>() + spec.notes.unwrap_or("");
    format!(
        "Usage: temporal-handled {}\n\n{}\n{}\n{CONNECTION}\n{EXIT_CODE_TABLE}",
        spec.usage,
        spec.about,
        if flags.is_empty() {
            String::new()
        } else {
            format!("\n{flags}")
        }
    )
}
