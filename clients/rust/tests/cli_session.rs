//! The native binary's session with an attached daemon, as one process per command: its
//! `workflow/getHandle` goes out behind `initialize` (pipelined), and its last
//! `handle/release` is not waited for (the daemon carries out what it read before the end of
//! the input). Each test has a daemon of its own so that its handle count is its alone.
mod common;

use common::{eventually, own_daemon, unique, OwnDaemon};
use std::process::{Command, Output, Stdio};
use temporal_handled::protocol::WorkflowStartParams;
use temporal_handled::{Client, SessionOptions, Value};

const BIN: &str = env!("CARGO_BIN_EXE_temporal-handled-rs");

fn cli(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the native binary");
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

async fn handles(d: &OwnDaemon) -> i64 {
    let c = Client::attach_unix(&d.socket, SessionOptions::default())
        .await
        .unwrap();
    let s = c.status().await.unwrap();
    c.close().await;
    s["handles"].as_i64().expect("daemon/status handles")
}

async fn start(d: &OwnDaemon, id: &str) {
    let c = Client::attach_unix(&d.socket, SessionOptions::default())
        .await
        .unwrap();
    let h = c
        .start_workflow(WorkflowStartParams {
            workflow_type: "parked".into(),
            task_queue: unique("nobody-polls"),
            workflow_id: id.into(),
            ..Default::default()
        })
        .await
        .unwrap();
    h.release().await.unwrap();
    c.close().await;
}

#[tokio::test]
async fn a_describe_per_process_leaves_no_handle_behind() {
    let d = own_daemon("release").await;
    let id = unique("rs-cli-release");
    start(&d, &id).await;
    assert_eq!(handles(&d).await, 0);
    let sock = d.socket.to_string_lossy().into_owned();
    for _ in 0..20 {
        let out = cli(&["describe", "-w", &id, "--socket", &sock], None);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["workflowId"], id.as_str());
        assert_eq!(v["status"], "RUNNING");
    }
    // The last release is carried out once the daemon reads it, which may be after a later
    // connection's status: bounded, far below the daemon's idle expiry (1 h).
    assert!(
        eventually(|| async { handles(&d).await == 0 }).await,
        "handles left: {}",
        handles(&d).await
    );

    // A describe that fails (no such workflow) releases its handle too, and says why.
    let out = cli(
        &[
            "describe",
            "-w",
            &unique("rs-cli-missing"),
            "--socket",
            &sock,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["type"], "RPCError");
    assert_eq!(err["error"]["status"], "NOT_FOUND");
    assert!(eventually(|| async { handles(&d).await == 0 }).await);

    // A batch with several handles: every one released (all but the last answered first).
    let ids: Vec<String> = (0..3).map(|i| format!("{id}-{i}")).collect();
    for i in &ids {
        start(&d, i).await;
    }
    let lines: String = ids.iter().map(|i| format!("describe -w {i}\n")).collect();
    let out = cli(&["batch", "--socket", &sock], Some(&lines));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert!(eventually(|| async { handles(&d).await == 0 }).await);
}

#[tokio::test]
async fn a_refused_initialize_is_what_a_pipelined_command_reports() {
    let d = own_daemon("refused").await;
    let bad = d.token_file.with_file_name("wrong-token");
    std::fs::write(&bad, "not-the-secret\n").unwrap();
    let out = cli(
        &[
            "describe",
            "-w",
            "whatever",
            "--port",
            &d.port.to_string(),
            "--token-file",
            &bad.to_string_lossy(),
        ],
        None,
    );
    // Not the -32002 (ServerNotInitialized) that the getHandle sent behind it was answered.
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["type"], "UnauthorizedError", "{err}");
    assert_eq!(handles(&d).await, 0);

    // With the secret, the same pipelined describe works over TCP.
    let id = unique("rs-cli-tcp");
    start(&d, &id).await;
    let out = cli(
        &[
            "describe",
            "-w",
            &id,
            "--port",
            &d.port.to_string(),
            "--token-file",
            &d.token_file.to_string_lossy(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(eventually(|| async { handles(&d).await == 0 }).await);
}
