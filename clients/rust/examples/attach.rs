//! The README's example: `cargo run --example attach -- /path/to/daemon.sock`.
use temporal_handled::protocol::{HandleResultParams, IdReusePolicy, WorkflowStartParams};
use temporal_handled::{json, Client, SessionOptions};

#[tokio::main(flavor = "current_thread")]
async fn main() -> temporal_handled::Result<()> {
    let client = Client::attach_unix(
        std::env::args().nth(1).as_deref().unwrap_or("/tmp/th.sock"),
        SessionOptions::default(),
    )
    .await?;
    let handle = client
        .start_workflow(WorkflowStartParams {
            workflow_type: "greet".into(),
            task_queue: "greetings".into(),
            workflow_id: "greet-1".into(),
            args: Some(vec![json!("World")]),
            id_reuse_policy: Some(IdReusePolicy::AllowDuplicate),
            ..Default::default()
        })
        .await?;
    println!("{}", handle.describe().await?.status.unwrap_or_default());
    match handle.result(HandleResultParams::default()).await {
        Ok(r) => println!("result {}", r.value),
        Err(e) if e.is("WorkflowFailureError") => println!("failed: {}", e.failure().unwrap()),
        Err(e) => return Err(e),
    }
    handle.release().await?;
    client.close().await;
    Ok(())
}
