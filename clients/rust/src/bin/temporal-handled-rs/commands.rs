//! The commands (as src/cli/client/commands.ts): each first checks and converts its flags
//! (`prepare`, so bad usage fails before any daemon is reached), then runs against a client.
use crate::args::{
    enum_value, json_value, json_values, keyed_json, usage, ClientArgs, Format, UsageError,
};
use crate::output::{Failure, Output};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::str::FromStr;
use temporal_handled::protocol::{
    self, method, HandleResultParams, IdConflictPolicy, IdReusePolicy, WorkflowStartParams,
};
use temporal_handled::{json, Client, Error, Map, Value, WorkflowHandle};

pub struct Ctx<'a> {
    pub client: &'a Client,
    pub out: &'a mut Output,
    /// The daemon outlives this command: handles it made are released.
    pub attached: bool,
    /// Handles by (workflow ID, run ID, first execution run ID): shared by the lines of a batch.
    pub handles: Rc<RefCell<HashMap<String, Rc<WorkflowHandle>>>>,
}

/// A command with its flags checked.
pub struct Prepared {
    pub args: ClientArgs,
    kind: Kind,
}

enum Kind {
    Start(Box<WorkflowStartParams>),
    Describe,
    Query {
        args: Vec<Value>,
        reject: Option<String>,
    },
    Signal {
        args: Vec<Value>,
    },
    Cancel,
    Terminate {
        details: Option<Vec<Value>>,
    },
    Result {
        follow: bool,
        progress: bool,
    },
    Update {
        sub: String,
        args: Vec<Value>,
        stage: String,
    },
    UpdateWithStart {
        op: Map<String, Value>,
        update_args: Option<Vec<Value>>,
        update_id: String,
        stage: Option<String>,
    },
    Show,
    List {
        limit: Option<i64>,
        page_size: Option<i64>,
    },
    Count,
    Metadata,
    Stack,
    Call {
        params: Option<Value>,
    },
    Status,
    Batch,
}

fn enum_names(m: &str, p: &str) -> &'static [&'static str] {
    protocol::param_info(m, p)
        .and_then(|p| p.enum_values)
        .unwrap_or(&[])
}

const UPDATE_STAGES: &[&str] = &["ACCEPTED", "COMPLETED", "ADMITTED"];
const WITH_START_CONFLICT: &[&str] = &["FAIL", "USE_EXISTING", "TERMINATE_EXISTING"];

pub fn uuid4() -> String {
    let mut b = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut b);
    } else {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b.copy_from_slice(&(n ^ ((std::process::id() as u128) << 64)).to_le_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub fn prepare(a: ClientArgs) -> Result<Prepared, UsageError> {
    let cmd = a.command.clone();
    let with_cmd = |mut e: UsageError| {
        if e.command.is_none() {
            e.command = Some(cmd.clone());
        }
        e
    };
    let kind = prepare_kind(&a).map_err(with_cmd)?;
    Ok(Prepared { args: a, kind })
}

fn prepare_kind(a: &ClientArgs) -> Result<Kind, UsageError> {
    Ok(match a.command.as_str() {
        "start" => {
            if a.has("start-signal-input") && !a.has("start-signal") {
                return Err(usage(
                    "--start-signal-input goes with --start-signal",
                    Some("start"),
                ));
            }
            let s = |f: &str| a.str(f).map(String::from);
            let dur = |f: &str| a.str(f).map(|s| Value::String(s.into()));
            let reuse = enum_value(
                a.str("id-reuse-policy"),
                "--id-reuse-policy",
                enum_names(method::WORKFLOW_START, "idReusePolicy"),
            )?;
            let conflict = enum_value(
                a.str("id-conflict-policy"),
                "--id-conflict-policy",
                enum_names(method::WORKFLOW_START, "idConflictPolicy"),
            )?;
            let p = WorkflowStartParams {
                workflow_type: s("type").unwrap_or_default(),
                task_queue: s("task-queue").unwrap_or_default(),
                workflow_id: s("workflow-id").unwrap_or_default(),
                args: json_values(a.many("input"), "--input")?,
                execution_timeout: dur("execution-timeout"),
                run_timeout: dur("run-timeout"),
                task_timeout: dur("task-timeout"),
                start_delay: dur("start-delay"),
                id_reuse_policy: reuse
                    .map(|r| IdReusePolicy::from_str(&r).expect("a value of the contract")),
                id_conflict_policy: conflict
                    .map(|c| IdConflictPolicy::from_str(&c).expect("a value of the contract")),
                cron_schedule: s("cron"),
                memo: keyed_json(a.many("memo"), "--memo")?.map(Value::Object),
                search_attributes: keyed_json(a.many("search-attribute"), "--search-attribute")?
                    .map(Value::Object),
                start_signal: s("start-signal"),
                start_signal_args: json_values(
                    a.many("start-signal-input"),
                    "--start-signal-input",
                )?,
                static_summary: s("static-summary"),
                static_details: s("static-details"),
                ..Default::default()
            };
            Kind::Start(Box::new(p))
        }
        "describe" => Kind::Describe,
        "query" => Kind::Query {
            args: json_values(a.many("input"), "--input")?.unwrap_or_default(),
            reject: enum_value(
                a.str("reject-condition"),
                "--reject-condition",
                enum_names(method::HANDLE_QUERY, "rejectCondition"),
            )?,
        },
        "signal" => Kind::Signal {
            args: json_values(a.many("input"), "--input")?.unwrap_or_default(),
        },
        "cancel" => Kind::Cancel,
        "terminate" => Kind::Terminate {
            details: json_values(a.many("details"), "--details")?,
        },
        "result" => Kind::Result {
            follow: !a.flag("no-follow"),
            progress: if a.flag("progress") {
                true
            } else if a.flag("no-progress") {
                false
            } else {
                std::io::IsTerminal::is_terminal(&std::io::stderr())
            },
        },
        "update" => Kind::Update {
            sub: a.positionals[0].clone(),
            args: json_values(a.many("input"), "--input")?.unwrap_or_default(),
            stage: enum_value(a.str("wait-for-stage"), "--wait-for-stage", UPDATE_STAGES)?
                .unwrap_or_else(|| "ACCEPTED".into()),
        },
        "update-with-start" => {
            let conflict = enum_value(
                a.str("id-conflict-policy"),
                "--id-conflict-policy",
                WITH_START_CONFLICT,
            )?;
            let stage = enum_value(a.str("wait-for-stage"), "--wait-for-stage", UPDATE_STAGES)?;
            let mut op = Map::new();
            op.insert(
                "workflowType".into(),
                a.str("type").unwrap_or_default().into(),
            );
            op.insert(
                "taskQueue".into(),
                a.str("task-queue").unwrap_or_default().into(),
            );
            op.insert(
                "workflowId".into(),
                a.str("workflow-id").unwrap_or_default().into(),
            );
            if let Some(args) = json_values(a.many("input"), "--input")? {
                op.insert("args".into(), Value::Array(args));
            }
            if let Some(c) = conflict {
                op.insert("idConflictPolicy".into(), c.into());
            }
            Kind::UpdateWithStart {
                op,
                update_args: json_values(a.many("update-input"), "--update-input")?,
                update_id: a.str("update-id").map(String::from).unwrap_or_else(uuid4),
                stage,
            }
        }
        "show" => Kind::Show,
        "list" => {
            let int = |flag: &str| -> Result<Option<i64>, UsageError> {
                match a.str(flag) {
                    None => Ok(None),
                    Some(t) => match t.trim().parse::<f64>() {
                        Ok(n) if n.fract() == 0.0 && n >= 1.0 && !t.trim().is_empty() => {
                            Ok(Some(n as i64))
                        }
                        _ => Err(usage(
                            format!("--{flag} must be a positive integer; got \"{t}\""),
                            Some("list"),
                        )),
                    },
                }
            };
            Kind::List {
                limit: int("limit")?,
                page_size: int("page-size")?,
            }
        }
        "count" => Kind::Count,
        "metadata" => Kind::Metadata,
        "stack" => Kind::Stack,
        "call" => {
            let params = match a.positionals.get(1) {
                None => None,
                Some(t) => Some(json_value(t, "PARAMS")?),
            };
            if let Some(p) = &params {
                if !(p.is_object() || p.is_array()) {
                    return Err(usage(
                        "call PARAMS must be a JSON object (or array)",
                        Some("call"),
                    ));
                }
            }
            Kind::Call { params }
        }
        "status" => Kind::Status,
        "batch" => Kind::Batch,
        other => return Err(usage(format!("unknown command \"{other}\""), None)),
    })
}

pub fn is_batch(p: &Prepared) -> bool {
    matches!(p.kind, Kind::Batch)
}

fn or_null(s: Option<&str>) -> Value {
    s.map(|s| Value::String(s.into())).unwrap_or(Value::Null)
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.into(), v);
    }
    Value::Object(m)
}

fn extend(base: &Value, more: &Value) -> Value {
    let mut m = base.as_object().cloned().unwrap_or_default();
    if let Some(o) = more.as_object() {
        for (k, v) in o {
            m.insert(k.clone(), v.clone());
        }
    }
    Value::Object(m)
}

/// The key of the handle for -w/-r/--first-execution-run-id in `Ctx::handles`.
pub fn handle_key(a: &ClientArgs) -> String {
    serde_json::to_string(&json!([
        a.str("workflow-id"),
        a.str("run-id"),
        a.str("first-execution-run-id")
    ]))
    .unwrap()
}

impl Prepared {
    /// Whether the command's first call is on the handle for -w/-r/--first-execution-run-id
    /// (so its `workflow/getHandle` may be sent behind `initialize`).
    pub fn uses_handle(&self) -> bool {
        matches!(
            self.kind,
            Kind::Describe
                | Kind::Query { .. }
                | Kind::Signal { .. }
                | Kind::Cancel
                | Kind::Terminate { .. }
                | Kind::Result { .. }
                | Kind::Update { .. }
                | Kind::Show
                | Kind::Metadata
                | Kind::Stack
        )
    }
}

impl Ctx<'_> {
    /// The handle for -w/-r/--first-execution-run-id (shared within a batch).
    fn handle(&self, a: &ClientArgs) -> Rc<WorkflowHandle> {
        let key = handle_key(a);
        let mut hs = self.handles.borrow_mut();
        hs.entry(key)
            .or_insert_with(|| {
                Rc::new(self.client.get_workflow_handle(
                    a.str("workflow-id").unwrap_or_default(),
                    a.str("run-id"),
                    a.str("first-execution-run-id"),
                ))
            })
            .clone()
    }
}

fn close_status(err: &Error, from_progress: Option<&str>) -> String {
    if let Some(s) = from_progress {
        return s.to_string();
    }
    match err
        .failure()
        .and_then(|f| f.get("type"))
        .and_then(Value::as_str)
    {
        Some("CancelledError") => "CANCELED",
        Some("TerminatedError") => "TERMINATED",
        Some("TimeoutError") => "TIMED_OUT",
        _ => "FAILED",
    }
    .to_string()
}

fn failure_of(err: &Error) -> Value {
    err.failure()
        .cloned()
        .unwrap_or_else(|| json!({"type": "FailureError", "message": "unknown failure"}))
}

fn data_field(err: &Error, k: &str) -> Value {
    err.data()
        .and_then(|d| d.get(k))
        .cloned()
        .unwrap_or(Value::Null)
}

/// An update's outcome printed: 0, or when it failed its failure printed too and the error returned.
fn update_outcome(out: &mut Output, base: &Value, r: Result<Value, Error>) -> Result<i32, Failure> {
    match r {
        Ok(v) => {
            out.result(&extend(base, &json!({ "result": v })), None);
            Ok(0)
        }
        Err(e) => {
            if e.is("WorkflowUpdateFailedError") {
                out.result(&extend(base, &json!({ "failure": failure_of(&e) })), None);
            }
            Err(e.into())
        }
    }
}

pub async fn run(p: &Prepared, ctx: &mut Ctx<'_>) -> Result<i32, Failure> {
    let a = &p.args;
    let wid = || or_null(a.str("workflow-id"));
    let rid = || or_null(a.str("run-id"));
    match &p.kind {
        Kind::Start(params) => {
            let h = ctx.client.start_workflow((**params).clone()).await?;
            if ctx.attached {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(2), h.release()).await;
            }
            let v = obj(vec![
                ("workflowId", h.workflow_id.clone().into()),
                ("runId", or_null(h.result_run_id.as_deref())),
                (
                    "firstExecutionRunId",
                    or_null(h.first_execution_run_id.as_deref()),
                ),
                ("namespace", or_null(h.namespace.as_deref())),
                ("type", params.workflow_type.clone().into()),
                ("taskQueue", params.task_queue.clone().into()),
            ]);
            ctx.out.result(&v, Some("Started workflow"));
            Ok(0)
        }
        Kind::Describe => {
            let d = ctx
                .handle(a)
                .call_value(method::HANDLE_DESCRIBE, Map::new())
                .await?;
            ctx.out.result_as(&d, None, crate::output::describe_text);
            Ok(0)
        }
        Kind::Query { args, reject } => {
            let mut params = Map::new();
            params.insert("query".into(), a.str("name").unwrap_or_default().into());
            params.insert("args".into(), Value::Array(args.clone()));
            if let Some(r) = reject {
                params.insert("rejectCondition".into(), r.clone().into());
            }
            let r = ctx
                .handle(a)
                .call_value(method::HANDLE_QUERY, params)
                .await?;
            let value = r.get("value").cloned().unwrap_or(Value::Null);
            if ctx.out.format == Format::Text {
                ctx.out.result(&value, None);
            } else {
                ctx.out.result(
                    &obj(vec![
                        ("workflowId", wid()),
                        ("runId", rid()),
                        ("query", or_null(a.str("name"))),
                        ("result", value),
                    ]),
                    None,
                );
            }
            Ok(0)
        }
        Kind::Signal { args } => {
            let mut params = Map::new();
            params.insert("signal".into(), a.str("name").unwrap_or_default().into());
            params.insert("args".into(), Value::Array(args.clone()));
            ctx.handle(a)
                .call_value(method::HANDLE_SIGNAL, params)
                .await?;
            ctx.out.result(
                &obj(vec![
                    ("workflowId", wid()),
                    ("runId", rid()),
                    ("signal", or_null(a.str("name"))),
                ]),
                Some("Signal sent"),
            );
            Ok(0)
        }
        Kind::Cancel => {
            let mut params = Map::new();
            if let Some(r) = a.str("reason") {
                params.insert("reason".into(), r.into());
            }
            ctx.handle(a)
                .call_value(method::HANDLE_CANCEL, params)
                .await?;
            let v = obj(vec![
                ("workflowId", wid()),
                ("runId", rid()),
                (
                    "firstExecutionRunId",
                    or_null(a.str("first-execution-run-id")),
                ),
                ("cancelRequested", true.into()),
            ]);
            ctx.out.result(&v, Some("Cancellation requested"));
            Ok(0)
        }
        Kind::Terminate { details } => {
            let mut params = Map::new();
            if let Some(r) = a.str("reason") {
                params.insert("reason".into(), r.into());
            }
            if let Some(d) = details {
                params.insert("details".into(), Value::Array(d.clone()));
            }
            ctx.handle(a)
                .call_value(method::HANDLE_TERMINATE, params)
                .await?;
            let v = obj(vec![
                ("workflowId", wid()),
                ("runId", rid()),
                (
                    "firstExecutionRunId",
                    or_null(a.str("first-execution-run-id")),
                ),
                ("terminated", true.into()),
            ]);
            ctx.out.result(&v, Some("Workflow terminated"));
            Ok(0)
        }
        Kind::Result { follow, progress } => {
            let h = ctx.handle(a);
            let mut s = h
                .result_with_progress(HandleResultParams {
                    follow_runs: Some(*follow),
                    ..Default::default()
                })
                .await?;
            let mut end_status: Option<String> = None;
            while let Some(p) = s.next().await {
                if p.get("kind").and_then(Value::as_str) == Some("end") {
                    end_status = p.get("status").and_then(Value::as_str).map(String::from);
                }
                if *progress {
                    ctx.out.progress(&p);
                }
            }
            match s.answer().await {
                Ok(r) => {
                    let v = obj(vec![
                        ("workflowId", wid()),
                        ("runId", r.get("runId").cloned().unwrap_or(Value::Null)),
                        ("status", "COMPLETED".into()),
                        ("result", r.get("value").cloned().unwrap_or(Value::Null)),
                    ]);
                    ctx.out.result(&v, None);
                    Ok(0)
                }
                Err(e) => {
                    if e.is("WorkflowFailureError") {
                        let v = obj(vec![
                            ("workflowId", wid()),
                            ("runId", data_field(&e, "runId")),
                            ("status", close_status(&e, end_status.as_deref()).into()),
                            ("failure", failure_of(&e)),
                            ("retryState", data_field(&e, "retryState")),
                        ]);
                        ctx.out.result(&v, None);
                    } else if e.is("WorkflowContinuedAsNewError") {
                        let v = obj(vec![
                            ("workflowId", wid()),
                            ("runId", data_field(&e, "runId")),
                            ("status", "CONTINUED_AS_NEW".into()),
                            (
                                "newExecutionRunId",
                                data_field(&e, "newExecutionRunId")
                                    .as_str()
                                    .unwrap_or("")
                                    .into(),
                            ),
                        ]);
                        ctx.out.result(&v, None);
                    }
                    Err(e.into())
                }
            }
        }
        Kind::Update { sub, args, stage } => {
            let h = ctx.handle(a);
            let base = obj(vec![("workflowId", wid()), ("runId", rid())]);
            let name = a.str("name").unwrap_or_default();
            let update_id = a.str("update-id");
            match sub.as_str() {
                "execute" => {
                    let id = update_id.map(String::from).unwrap_or_else(uuid4);
                    let mut params = Map::new();
                    params.insert("update".into(), name.into());
                    params.insert("args".into(), Value::Array(args.clone()));
                    params.insert("updateId".into(), id.clone().into());
                    let r = h
                        .call_value(method::HANDLE_EXECUTE_UPDATE, params)
                        .await
                        .map(|r| r.get("value").cloned().unwrap_or(Value::Null));
                    let base = extend(&base, &json!({"update": name, "updateId": id}));
                    update_outcome(ctx.out, &base, r)
                }
                "start" => {
                    let mut params = Map::new();
                    params.insert("update".into(), name.into());
                    params.insert("args".into(), Value::Array(args.clone()));
                    if let Some(id) = update_id {
                        params.insert("updateId".into(), id.into());
                    }
                    params.insert("waitForStage".into(), stage.clone().into());
                    let info = h.call_value(method::HANDLE_START_UPDATE, params).await?;
                    let token = info.get("update").cloned().unwrap_or(Value::Null);
                    let d = ctx
                        .client
                        .request(method::UPDATE_DESCRIBE, Some(json!({ "update": token })))
                        .await;
                    if ctx.attached {
                        let _ = tokio::time::timeout(
                            std::time::Duration::from_secs(2),
                            ctx.client
                                .request(method::UPDATE_RELEASE, Some(json!({ "update": token }))),
                        )
                        .await;
                    }
                    let d = d?;
                    let mut v = extend(
                        &base,
                        &json!({"update": name, "updateId": info.get("updateId").cloned().unwrap_or(Value::Null), "stage": d.get("stage").cloned().unwrap_or(Value::Null)}),
                    );
                    if let Some(o) = d.get("outcome") {
                        v = extend(&v, o);
                    }
                    ctx.out.result(&v, Some("Update started"));
                    Ok(0)
                }
                _ => {
                    let mut params = Map::new();
                    params.insert("updateId".into(), update_id.unwrap_or_default().into());
                    let info = h
                        .call_value(method::HANDLE_GET_UPDATE_HANDLE, params)
                        .await?;
                    let token = info.get("update").cloned().unwrap_or(Value::Null);
                    let r = if sub == "describe" {
                        ctx.client
                            .request(method::UPDATE_DESCRIBE, Some(json!({ "update": token })))
                            .await
                            .map_err(Failure::from)
                            .map(|d| {
                                ctx.out.result(&extend(&base, &d), None);
                                0
                            })
                    } else {
                        let r = ctx
                            .client
                            .request(method::UPDATE_RESULT, Some(json!({ "update": token })))
                            .await
                            .map(|r| r.get("value").cloned().unwrap_or(Value::Null));
                        update_outcome(
                            ctx.out,
                            &extend(&base, &json!({ "updateId": update_id })),
                            r,
                        )
                    };
                    if ctx.attached {
                        let _ = tokio::time::timeout(
                            std::time::Duration::from_secs(2),
                            ctx.client
                                .request(method::UPDATE_RELEASE, Some(json!({ "update": token }))),
                        )
                        .await;
                    }
                    r
                }
            }
        }
        Kind::UpdateWithStart {
            op,
            update_args,
            update_id,
            stage,
        } => {
            let name = a.str("name").unwrap_or_default();
            let base =
                json!({"workflowId": op.get("workflowId"), "update": name, "updateId": update_id});
            let mut params = Map::new();
            params.insert("start".into(), Value::Object(op.clone()));
            params.insert("update".into(), name.into());
            if let Some(args) = update_args {
                params.insert("args".into(), Value::Array(args.clone()));
            }
            params.insert("updateId".into(), update_id.clone().into());
            if let Some(stage) = stage {
                params.insert("waitForStage".into(), stage.clone().into());
                let r = ctx
                    .client
                    .request(
                        method::WORKFLOW_START_UPDATE_WITH_START,
                        Some(Value::Object(params)),
                    )
                    .await?;
                let token = r.pointer("/update/update").cloned().unwrap_or(Value::Null);
                let d = ctx
                    .client
                    .request(method::UPDATE_DESCRIBE, Some(json!({ "update": token })))
                    .await;
                if ctx.attached {
                    release_both(ctx.client, &r).await;
                }
                let d = d?;
                let mut v = extend(
                    &base,
                    &json!({"runId": r.pointer("/handle/resultRunId").cloned().unwrap_or(Value::Null), "stage": d.get("stage").cloned().unwrap_or(Value::Null)}),
                );
                if let Some(o) = d.get("outcome") {
                    v = extend(&v, o);
                }
                ctx.out.result(&v, Some("Update started"));
                return Ok(0);
            }
            let r = ctx
                .client
                .request(
                    method::WORKFLOW_EXECUTE_UPDATE_WITH_START,
                    Some(Value::Object(params)),
                )
                .await;
            if let (Ok(r), true) = (&r, ctx.attached) {
                release_both(ctx.client, r).await;
            }
            update_outcome(
                ctx.out,
                &base,
                r.map(|r| r.get("value").cloned().unwrap_or(Value::Null)),
            )
        }
        Kind::Show => {
            let h = ctx.handle(a);
            let mut params = Map::new();
            if a.flag("decode") {
                params.insert("decode".into(), true.into());
            }
            if a.flag("follow") {
                let mut s = h
                    .streamed(method::HANDLE_WATCH, params, "partialResultToken")
                    .await?;
                let fmt = if ctx.out.format == Format::Json {
                    Format::Jsonl
                } else {
                    ctx.out.format
                };
                let saved = ctx.out.format;
                ctx.out.format = fmt;
                while let Some(batch) = s.next().await {
                    let run_id = batch.get("runId").cloned().unwrap_or(Value::Null);
                    for e in batch
                        .get("events")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                    {
                        if fmt == Format::Text {
                            ctx.out.result(&Value::String(event_line(&e)), None);
                        } else {
                            ctx.out
                                .result(&extend(&json!({ "runId": run_id }), &e), None);
                        }
                    }
                }
                let end = s.answer().await;
                ctx.out.format = saved;
                let end = end?;
                if fmt == Format::Text {
                    ctx.out.format = Format::Text;
                    ctx.out.result(&end, Some("Watch ended"));
                }
                return Ok(0);
            }
            let r = h.call_value(method::HANDLE_FETCH_HISTORY, params).await?;
            let events = r
                .get("events")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            match ctx.out.format {
                Format::Json => ctx.out.result(&json!({ "events": events }), None),
                Format::Text => {
                    for e in &events {
                        ctx.out.result(&Value::String(event_line(e)), None);
                    }
                }
                Format::Jsonl => {
                    for e in &events {
                        ctx.out.result(e, None);
                    }
                }
            }
            Ok(0)
        }
        Kind::List { limit, page_size } => {
            let mut params = Map::new();
            if let Some(q) = a.str("query") {
                params.insert("query".into(), q.into());
            }
            if let Some(l) = limit {
                params.insert("limit".into(), (*l).into());
            }
            if let Some(p) = page_size {
                params.insert("pageSize".into(), (*p).into());
            }
            let mut s = ctx
                .client
                .streamed(method::WORKFLOW_LIST, params, "partialResultToken");
            let mut all = Vec::new();
            let emit = |out: &mut Output, all: &mut Vec<Value>, page: &Value| {
                for e in page
                    .get("executions")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
                {
                    match out.format {
                        Format::Json => all.push(e),
                        Format::Jsonl => out.result(&e, None),
                        Format::Text => {
                            let f = |k: &str| match e.get(k) {
                                Some(Value::String(s)) => s.clone(),
                                Some(Value::Null) | None => {
                                    if k == "startTime" {
                                        "null".into()
                                    } else {
                                        "undefined".into()
                                    }
                                }
                                Some(o) => o.to_string(),
                            };
                            out.result(
                                &Value::String(format!(
                                    "{}  {}  {}  {}  {}",
                                    f("workflowId"),
                                    f("runId"),
                                    f("workflowType"),
                                    f("status"),
                                    f("startTime")
                                )),
                                None,
                            )
                        }
                    }
                }
            };
            while let Some(page) = s.next().await {
                emit(ctx.out, &mut all, &page);
            }
            let last = s.answer().await?;
            emit(ctx.out, &mut all, &last);
            if ctx.out.format == Format::Json {
                ctx.out.result(&Value::Array(all), None);
            }
            Ok(0)
        }
        Kind::Count => {
            let mut params = Map::new();
            if let Some(q) = a.str("query") {
                params.insert("query".into(), q.into());
            }
            let r = ctx
                .client
                .request(method::WORKFLOW_COUNT, Some(Value::Object(params)))
                .await?;
            ctx.out.result(&r, None);
            Ok(0)
        }
        Kind::Metadata => {
            let r = ctx
                .handle(a)
                .call_value(method::HANDLE_METADATA, Map::new())
                .await?;
            ctx.out.result(&r, None);
            Ok(0)
        }
        Kind::Stack => {
            let r = ctx
                .handle(a)
                .call_value(method::HANDLE_STACK_TRACE, Map::new())
                .await?;
            let st = r.get("stackTrace").cloned().unwrap_or(Value::Null);
            if ctx.out.format == Format::Text {
                ctx.out.result(&st, None);
            } else {
                ctx.out.result(
                    &obj(vec![
                        ("workflowId", wid()),
                        ("runId", rid()),
                        ("stackTrace", st),
                    ]),
                    None,
                );
            }
            Ok(0)
        }
        Kind::Call { params } => {
            let r = ctx
                .client
                .request(&a.positionals[0], params.clone())
                .await?;
            ctx.out.result(&r, None);
            Ok(0)
        }
        Kind::Status => {
            let r = ctx
                .client
                .request(method::DAEMON_STATUS, Some(json!({})))
                .await?;
            ctx.out.result(&r, None);
            Ok(0)
        }
        Kind::Batch => Err(Failure::Named(
            "InternalError",
            "batch runs through batch::run".into(),
        )),
    }
}

async fn release_both(client: &Client, r: &Value) {
    let t = std::time::Duration::from_secs(2);
    if let Some(u) = r.pointer("/update/update") {
        let _ = tokio::time::timeout(
            t,
            client.request(method::UPDATE_RELEASE, Some(json!({ "update": u }))),
        )
        .await;
    }
    if let Some(h) = r.pointer("/handle/handle") {
        let _ = tokio::time::timeout(
            t,
            client.request(method::HANDLE_RELEASE, Some(json!({ "handle": h }))),
        )
        .await;
    }
}

/// One event as a line of text: `ID  TIME  TYPE`.
fn event_line(e: &Value) -> String {
    let s = |k: &str| match e.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(o) => o.to_string(),
    };
    let t = s("eventType");
    format!(
        "{:>5}  {}  {}",
        s("eventId"),
        s("eventTime"),
        t.strip_prefix("EVENT_TYPE_").unwrap_or(&t)
    )
}
