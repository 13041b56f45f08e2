//! The crate against the real daemon and a real Temporal dev server (no workers: workflows on a
//! task queue nobody polls stay RUNNING until the test terminates or cancels them).
mod common;

use common::{attach, env, eventually, unique};
use std::time::Duration;
use temporal_handled::protocol::*;
use temporal_handled::{json, Client, Map, SessionOptions, SpawnOptions, Value};

const QUEUE: &str = "rust-tests-nobody-polls";

fn start_params(id: &str) -> WorkflowStartParams {
    WorkflowStartParams {
        workflow_type: "rustTest".into(),
        task_queue: QUEUE.into(),
        workflow_id: id.into(),
        ..Default::default()
    }
}

async fn status(c: &Client) -> Value {
    c.status().await.expect("daemon/status")
}

fn num(v: &Value, k: &str) -> i64 {
    v.get(k)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("{k} in {v}"))
}

#[tokio::test]
async fn start_describe_signal_terminate_and_result_with_typed_params() {
    let _ = env();
    let c = attach().await;
    let handles_before = num(&status(&c).await, "handles");
    let id = unique("rs-life");
    let mut memo = Map::new();
    memo.insert("owner".into(), json!("rust"));
    let mut p = start_params(&id);
    p.memo = Some(Value::Object(memo));
    p.id_reuse_policy = Some(IdReusePolicy::AllowDuplicate);
    p.execution_timeout = Some(json!("1h"));
    let h = c.start_workflow(p).await.expect("start");
    assert_eq!(h.workflow_id, id);
    assert!(h.result_run_id.is_some(), "start sets resultRunId");
    assert_eq!(h.first_execution_run_id, h.result_run_id);
    assert_eq!(h.namespace.as_deref(), Some("default"));

    let d = h.describe().await.expect("describe");
    assert_eq!(d.workflow_id, id);
    assert_eq!(d.workflow_type, "rustTest");
    assert_eq!(d.task_queue, QUEUE);
    assert_eq!(d.status.as_deref(), Some("RUNNING"));
    assert_eq!(d.memo, json!({"owner": "rust"}));
    assert_eq!(Some(d.run_id.as_str()), h.result_run_id.as_deref());

    h.signal("poke", vec![json!(1), json!({"a": [true, null]})])
        .await
        .expect("signal");
    h.terminate(HandleTerminateParams {
        reason: Some("enough".into()),
        details: Some(vec![json!("d1")]),
        ..Default::default()
    })
    .await
    .expect("terminate");
    let err = h
        .result(HandleResultParams::default())
        .await
        .expect_err("a terminated workflow has no result");
    assert_eq!(err.type_name(), "WorkflowFailureError");
    assert_eq!(err.code(), error_code("WorkflowFailureError"));
    let failure = err.failure().expect("data.cause");
    assert_eq!(failure["type"], "TerminatedError");
    assert_eq!(failure["message"], "enough");
    assert_eq!(
        h.describe().await.unwrap().status.as_deref(),
        Some("TERMINATED")
    );
    h.release().await.expect("release");
    assert_eq!(num(&status(&c).await, "handles"), handles_before);
    c.close().await;
}

#[tokio::test]
async fn numbers_pass_through_exactly_as_written() {
    let _ = env();
    let c = attach().await;
    let id = unique("rs-exact");
    let big: Value = serde_json::from_str("12345678901234567891").unwrap();
    let one: Value = serde_json::from_str("1.0").unwrap();
    let mut p = start_params(&id);
    p.memo = Some(json!({"id": big, "f": one}));
    let h = c.start_workflow(p).await.unwrap();
    let d = h
        .call_value(method::HANDLE_DESCRIBE, Map::new())
        .await
        .unwrap();
    // Each number as written (a double would make 12345678901234567000 and 1).
    assert_eq!(
        serde_json::to_string(&d["memo"]["id"]).unwrap(),
        "12345678901234567891"
    );
    assert_eq!(serde_json::to_string(&d["memo"]["f"]).unwrap(), "1.0");
    h.terminate(HandleTerminateParams::default()).await.unwrap();
    h.release().await.unwrap();
    c.close().await;
}

#[tokio::test]
async fn errors_carry_the_protocol_type_and_code() {
    let _ = env();
    let c = attach().await;
    // NOT_FOUND from Temporal.
    let missing = c.get_workflow_handle(&unique("rs-missing"), None, None);
    let e = missing.describe().await.expect_err("no such workflow");
    assert_eq!(e.type_name(), "RPCError");
    assert_eq!(e.data().unwrap()["status"], "NOT_FOUND");
    missing.release().await.unwrap();
    // Already started.
    let id = unique("rs-dup");
    let h = c.start_workflow(start_params(&id)).await.unwrap();
    let e = c
        .start_workflow(start_params(&id))
        .await
        .err()
        .expect("a second start fails");
    assert_eq!(e.type_name(), "WorkflowAlreadyStartedError");
    assert_eq!(e.code(), error_code("WorkflowAlreadyStartedError"));
    assert_eq!(e.data().unwrap()["workflowId"], id.as_str());
    // Bad params name the param.
    let mut p = start_params(&unique("rs-bad"));
    p.execution_timeout = Some(json!("soon"));
    let e = c
        .start_workflow(p)
        .await
        .err()
        .expect("a bad duration is refused");
    assert_eq!(e.type_name(), "InvalidParams");
    assert_eq!(e.code(), Some(-32602));
    assert!(e.message().contains("executionTimeout"), "{}", e.message());
    let e = c
        .request("no/such", None)
        .await
        .expect_err("unknown method");
    assert_eq!(e.type_name(), "MethodNotFound");
    // A released handle is invalid.
    let token = h.token().await.unwrap();
    h.terminate(HandleTerminateParams::default()).await.unwrap();
    h.release().await.unwrap();
    let e = c
        .request(method::HANDLE_DESCRIBE, Some(json!({ "handle": token })))
        .await
        .expect_err("released");
    assert_eq!(e.type_name(), "InvalidHandleError");
    c.close().await;
}

#[tokio::test]
async fn dropping_a_call_cancels_it_in_the_daemon() {
    let _ = env();
    let c = attach().await;
    let watcher = attach().await;
    let id = unique("rs-drop");
    let h = c.start_workflow(start_params(&id)).await.unwrap();
    let baseline = num(&status(&watcher).await, "inFlight");
    {
        let waiting = h.result(HandleResultParams::default());
        tokio::pin!(waiting);
        // Poll the wait until the daemon has it in flight, then drop it.
        let seen = tokio::select! {
            _ = &mut waiting => false,
            seen = eventually(|| async { num(&status(&watcher).await, "inFlight") > baseline }) => seen,
        };
        assert!(seen, "the result call never showed as in flight");
    }
    assert!(
        eventually(|| async { num(&status(&watcher).await, "inFlight") == baseline }).await,
        "the dropped call was not cancelled in the daemon"
    );
    // The connection still works after the cancellation.
    assert_eq!(
        h.describe().await.unwrap().status.as_deref(),
        Some("RUNNING")
    );
    h.terminate(HandleTerminateParams::default()).await.unwrap();
    h.release().await.unwrap();
    c.close().await;
    watcher.close().await;
}

#[tokio::test]
async fn result_progress_is_a_stream_ending_with_the_close() {
    let _ = env();
    let c = attach().await;
    let other = attach().await;
    let id = unique("rs-progress");
    let h = c.start_workflow(start_params(&id)).await.unwrap();
    let mut s = h
        .result_with_progress(HandleResultParams::default())
        .await
        .unwrap();
    let begin = s.next().await.expect("a begin value");
    assert_eq!(begin["kind"], "begin");
    assert_eq!(begin["workflowId"], id.as_str());
    other
        .get_workflow_handle(&id, None, None)
        .terminate(HandleTerminateParams::default())
        .await
        .unwrap();
    let mut last = begin;
    while let Some(v) = s.next().await {
        last = v;
    }
    assert_eq!(last["kind"], "end");
    assert_eq!(last["status"], "TERMINATED");
    let e = s.answer().await.expect_err("terminated");
    assert_eq!(e.type_name(), "WorkflowFailureError");
    h.release().await.unwrap();
    c.close().await;
    other.close().await;
}

#[tokio::test]
async fn list_streams_pages_and_count_counts() {
    let _ = env();
    let c = attach().await;
    let id = unique("rs-list");
    let h = c.start_workflow(start_params(&id)).await.unwrap();
    let q = format!("WorkflowId = '{id}'");
    let counted = eventually(|| async {
        c.count(WorkflowCountParams {
            query: Some(q.clone()),
            ..Default::default()
        })
        .await
        .map(|r| r.count == 1)
        .unwrap_or(false)
    })
    .await;
    assert!(counted, "visibility never counted the workflow");
    let mut s = c
        .list(WorkflowListParams {
            query: Some(q.clone()),
            ..Default::default()
        })
        .unwrap();
    let mut ids = Vec::new();
    while let Some(page) = s.next().await {
        for e in page["executions"].as_array().unwrap() {
            ids.push(e["workflowId"].as_str().unwrap().to_string());
        }
    }
    let last = s.answer().await.unwrap();
    assert_eq!(
        last["executions"],
        json!([]),
        "a streamed list's answer carries only what was not streamed"
    );
    assert_eq!(ids, vec![id.clone()]);
    h.terminate(HandleTerminateParams::default()).await.unwrap();
    h.release().await.unwrap();
    c.close().await;
}

#[tokio::test]
async fn tcp_takes_the_shared_secret() {
    let e = env();
    let token = temporal_handled::read_token_file(&e.token_file).unwrap();
    let c = Client::attach_tcp(e.port, Some(token), SessionOptions::default())
        .await
        .expect("attach over TCP");
    assert_eq!(num(&status(&c).await, "pid"), e.daemon_pid as i64);
    c.close().await;
    let bad = Client::attach_tcp(
        e.port,
        Some("not-the-secret".into()),
        SessionOptions::default(),
    )
    .await
    .err()
    .expect("a wrong secret is refused");
    assert_eq!(bad.type_name(), "UnauthorizedError");
    let gone = Client::attach_unix(e.dir.join("nobody.sock"), SessionOptions::default())
        .await
        .err()
        .expect("no daemon there");
    assert_eq!(gone.type_name(), "ConnectionError");
}

#[tokio::test]
async fn spawns_a_daemon_on_stdio() {
    let e = env();
    let c = Client::spawn(SpawnOptions {
        address: Some(e.address.clone()),
        args: vec!["--log-level".into(), "error".into()],
        session: SessionOptions {
            namespace: Some("default".into()),
            client_name: Some("rust test".into()),
        },
        ..Default::default()
    })
    .await
    .expect("spawn");
    assert_eq!(c.namespace(), "default");
    assert_eq!(
        c.initialize_result().server_info["name"],
        "temporal-handled"
    );
    let st = status(&c).await;
    assert_ne!(num(&st, "pid"), e.daemon_pid as i64, "a daemon of its own");
    let pid = num(&st, "pid");
    let id = unique("rs-spawn");
    let h = c.start_workflow(start_params(&id)).await.unwrap();
    h.terminate(HandleTerminateParams::default()).await.unwrap();
    tokio::time::timeout(Duration::from_secs(20), c.close())
        .await
        .expect("close ends the daemon");
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "the spawned daemon exited"
    );

    // A daemon that cannot start is a connection error saying why.
    let broken = Client::spawn(SpawnOptions {
        address: Some(e.address.clone()),
        args: vec!["--dev".into()],
        ..Default::default()
    })
    .await
    .err()
    .expect("--dev with --address is refused");
    assert_eq!(broken.type_name(), "ConnectionError");
    assert!(
        broken.message().contains("exited with code 2"),
        "{}",
        broken.message()
    );
}

#[tokio::test]
async fn cancel_requests_cancellation() {
    let _ = env();
    let c = attach().await;
    let id = unique("rs-cancel");
    let h = c.start_workflow(start_params(&id)).await.unwrap();
    h.cancel(HandleCancelParams {
        reason: Some("stop".into()),
        ..Default::default()
    })
    .await
    .expect("cancel");
    // Nobody runs the workflow, so it stays RUNNING with the request recorded in its history.
    let hist = h
        .fetch_history(HandleFetchHistoryParams::default())
        .await
        .unwrap();
    let types: Vec<String> = hist
        .events
        .iter()
        .map(|e| e["eventType"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        types
            .iter()
            .any(|t| t == "EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED"),
        "{types:?}"
    );
    h.terminate(HandleTerminateParams::default()).await.unwrap();
    h.release().await.unwrap();
    c.close().await;
}

#[tokio::test]
async fn per_call_options_of_the_contract_go_through_typed_params() {
    let _ = env();
    let c = attach().await;
    let id = unique("rs-opts");
    let h = c.start_workflow(start_params(&id)).await.unwrap();
    let with = |timeout: Value| {
        let p = HandleDescribeParams {
            raw: Some(true),
            rpc_timeout: Some(timeout),
            rpc_metadata: Some(json!({"x-rust-test": "1"})),
            ..Default::default()
        };
        let mut m = serde_json::to_value(&p)
            .unwrap()
            .as_object()
            .unwrap()
            .clone();
        m.remove("handle");
        m
    };
    let d = h
        .call_value(method::HANDLE_DESCRIBE, with(json!("10s")))
        .await
        .expect("describe with rpcTimeout and rpcMetadata");
    assert_eq!(d["workflowId"], id.as_str());
    assert!(d["raw"].is_object(), "raw: true answers the whole response");
    let e = h
        .call_value(method::HANDLE_DESCRIBE, with(json!("soon")))
        .await
        .expect_err("a bad rpcTimeout");
    assert_eq!(e.type_name(), "InvalidParams");
    assert!(e.message().contains("rpcTimeout"), "{}", e.message());
    h.terminate(HandleTerminateParams::default()).await.unwrap();
    h.release().await.unwrap();
    c.close().await;
}

// With the real worker of test/fixtures/workflows.ts.

fn on_worker(workflow_type: &str, id: &str, args: Vec<Value>) -> WorkflowStartParams {
    WorkflowStartParams {
        workflow_type: workflow_type.into(),
        task_queue: env().task_queue.clone(),
        workflow_id: id.into(),
        args: Some(args),
        ..Default::default()
    }
}

#[tokio::test]
async fn signals_queries_and_a_completed_result() {
    let c = attach().await;
    let id = unique("rs-signals");
    let h = c
        .start_workflow(on_worker("signals", &id, vec![]))
        .await
        .unwrap();
    h.signal("add", vec![json!({"n": 1})]).await.unwrap();
    h.signal("add", vec![json!("two")]).await.unwrap();
    let state = h.query("state", vec![]).await.expect("query state");
    assert_eq!(state["values"], json!([{"n": 1}, "two"]));
    assert_eq!(
        h.query("greet", vec![json!("Hello"), json!("World")])
            .await
            .unwrap(),
        json!("Hello, World!")
    );
    let e = h
        .query("fail", vec![])
        .await
        .expect_err("the query handler throws");
    assert_eq!(e.type_name(), "WorkflowQueryFailedError");
    h.signal("finish", vec![]).await.unwrap();
    let r = h
        .result(HandleResultParams::default())
        .await
        .expect("completed");
    assert_eq!(r.value, json!([{"n": 1}, "two"]));
    assert_eq!(Some(r.run_id.as_str()), h.result_run_id.as_deref());
    let rejected = h
        .query_with(HandleQueryParams {
            query: "state".into(),
            reject_condition: Some(RejectCondition::NotOpen),
            ..Default::default()
        })
        .await
        .expect_err("closed");
    assert_eq!(rejected.type_name(), "WorkflowQueryRejectedError");
    assert_eq!(rejected.data().unwrap()["status"], "COMPLETED");
    h.release().await.unwrap();
    c.close().await;
}

#[tokio::test]
async fn result_follows_continue_as_new_with_a_report_per_run() {
    let c = attach().await;
    let id = unique("rs-chain");
    let h = c
        .start_workflow(on_worker("chain", &id, vec![json!(2)]))
        .await
        .unwrap();
    let mut s = h
        .result_with_progress(HandleResultParams::default())
        .await
        .unwrap();
    let mut kinds = Vec::new();
    while let Some(p) = s.next().await {
        if p["kind"] == "report" {
            assert_eq!(p["reason"], "CONTINUED_AS_NEW");
        }
        kinds.push(p["kind"].as_str().unwrap().to_string());
    }
    assert_eq!(kinds, vec!["begin", "report", "report", "end"]);
    assert_eq!(
        s.answer().await.unwrap()["value"],
        json!({"runs": 3, "n": 2})
    );
    // Without following, the first run's end is continue-as-new.
    let first = c.get_workflow_handle(&id, h.result_run_id.as_deref(), None);
    let e = first
        .result(HandleResultParams {
            follow_runs: Some(false),
            ..Default::default()
        })
        .await
        .expect_err("continued as new");
    assert_eq!(e.type_name(), "WorkflowContinuedAsNewError");
    assert!(e.data().unwrap()["newExecutionRunId"].is_string());
    // The watch streams the events of both later runs' chain from the first.
    let mut w = first.watch(HandleWatchParams::default()).await.unwrap();
    let mut runs = std::collections::BTreeSet::new();
    while let Some(batch) = w.next().await {
        runs.insert(batch["runId"].as_str().unwrap().to_string());
    }
    assert_eq!(w.answer().await.unwrap()["status"], "COMPLETED");
    assert_eq!(runs.len(), 3, "one run ID per run of the chain");
    h.release().await.unwrap();
    first.release().await.unwrap();
    c.close().await;
}

#[tokio::test]
async fn updates_and_update_with_start() {
    let c = attach().await;
    let id = unique("rs-upd");
    let h = c
        .start_workflow(on_worker("updatable", &id, vec![json!(5)]))
        .await
        .unwrap();
    let r = h
        .execute_update(HandleExecuteUpdateParams {
            update: "add".into(),
            args: Some(vec![json!(2)]),
            ..Default::default()
        })
        .await
        .expect("add 2");
    assert_eq!(r.value, json!(7));
    let e = h
        .execute_update(HandleExecuteUpdateParams {
            update: "add".into(),
            args: Some(vec![json!(-1)]),
            ..Default::default()
        })
        .await
        .expect_err("the validator rejects -1");
    assert_eq!(e.type_name(), "WorkflowUpdateFailedError");
    assert!(e.failure().unwrap()["message"]
        .as_str()
        .unwrap()
        .contains("add rejects -1"));
    let u = h
        .start_update(HandleStartUpdateParams {
            update: "waitForRelease".into(),
            args: Some(vec![json!("r")]),
            update_id: Some("rs-u1".into()),
            wait_for_stage: Some(WaitForStage::Accepted),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(u.update_id(), "rs-u1");
    assert_eq!(u.describe().await.unwrap().stage, "ACCEPTED");
    h.signal("release", vec![]).await.unwrap();
    assert_eq!(u.result().await.unwrap(), json!("r"));
    u.release().await.unwrap();
    h.terminate(HandleTerminateParams::default()).await.unwrap();
    h.release().await.unwrap();

    let ws = unique("rs-uws");
    let (wh, uh, value) = c
        .execute_update_with_start(WorkflowExecuteUpdateWithStartParams {
            start: json!({"workflowType": "updatable", "taskQueue": env().task_queue, "workflowId": ws, "args": [1], "idConflictPolicy": "USE_EXISTING"}),
            update: "add".into(),
            args: Some(vec![json!(2)]),
            ..Default::default()
        })
        .await
        .expect("update-with-start");
    assert_eq!(value, json!(3));
    assert_eq!(wh.workflow_id, ws);
    uh.release().await.unwrap();
    wh.terminate(HandleTerminateParams::default())
        .await
        .unwrap();
    wh.release().await.unwrap();
    c.close().await;
}
