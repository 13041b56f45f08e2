//! A session with a temporal-handled daemon: spawned over stdio, or attached to over a Unix
//! socket or loopback TCP (with the daemon's shared secret).
use crate::connection::{Call, Conn, EndReason};
use crate::error::{Error, Result};
use crate::handle::{UpdateHandle, WorkflowHandle};
use crate::protocol::*;
use crate::stream::Streamed;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

pub const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What every session takes.
#[derive(Debug, Clone, Default)]
pub struct SessionOptions {
    /// The session's default namespace (initialize's `namespace`); default: the daemon's.
    pub namespace: Option<String>,
    /// Sent as initialize's `clientInfo.name` (shown in the daemon's log).
    pub client_name: Option<String>,
}

/// How to start a daemon that serves this client on its stdio.
#[derive(Debug, Clone, Default)]
pub struct SpawnOptions {
    /// The program and its first arguments; default: `node <repository>/bin/temporal-handled.js`
    /// (or `$TEMPORAL_HANDLED_DAEMON`, split on spaces).
    pub command: Option<Vec<String>>,
    /// Extra daemon arguments after `--stdio` (e.g. `--dev`, `--log-level warn`).
    pub args: Vec<String>,
    /// `--address HOST:PORT` of the Temporal server.
    pub address: Option<String>,
    pub session: SessionOptions,
}

/// The default daemon command: `$TEMPORAL_HANDLED_DAEMON`, or Node running the repository's
/// `bin/temporal-handled.js` (found next to the executable, then where this crate was built).
pub fn default_daemon_command() -> Result<Vec<String>> {
    if let Ok(cmd) = std::env::var("TEMPORAL_HANDLED_DAEMON") {
        let words: Vec<String> = cmd.split_whitespace().map(String::from).collect();
        if !words.is_empty() {
            return Ok(words);
        }
    }
    let node = std::env::var("TEMPORAL_HANDLED_NODE").unwrap_or_else(|_| "node".into());
    let mut starts: Vec<PathBuf> = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    for start in starts {
        for dir in start.ancestors() {
            let candidate = dir.join("bin").join("temporal-handled.js");
            if candidate.is_file() {
                return Ok(vec![node, candidate.to_string_lossy().into_owned()]);
            }
        }
    }
    Err(Error::Connection(
        "Cannot find bin/temporal-handled.js: set TEMPORAL_HANDLED_DAEMON to the daemon's command"
            .into(),
    ))
}

/// The daemon's default token file (its TCP shared secret): `$XDG_RUNTIME_DIR` or the
/// temporary directory, `temporal-handled-<uid>.token`.
pub fn default_token_file() -> PathBuf {
    let dir = std::env::var("XDG_RUNTIME_DIR")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("TMPDIR").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "/tmp".into());
    let dir = if dir.len() > 1 {
        dir.trim_end_matches('/').to_string()
    } else {
        dir
    };
    Path::new(&dir).join(format!("temporal-handled-{}.token", uid()))
}

fn uid() -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata("/proc/self") {
            return m.uid().to_string();
        }
        if let Ok(out) = std::process::Command::new("id").arg("-u").output() {
            return String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
    }
    "user".into()
}

enum Transport {
    Socket,
    Spawned(Arc<Mutex<Option<Child>>>),
}

/// A session with the daemon.
pub struct Client {
    pub(crate) conn: Arc<Conn>,
    init: InitializeResult,
    init_value: Value,
    transport: Transport,
}

impl Client {
    /// Attaches to a daemon's Unix socket (its `--socket PATH`).
    #[cfg(unix)]
    pub async fn attach_unix(path: impl AsRef<Path>, opts: SessionOptions) -> Result<Client> {
        Client::begin_attach_unix(path, opts).await?.finish().await
    }

    /// As `attach_unix`, returning once `initialize` is sent rather than answered: see `Connecting`.
    #[cfg(unix)]
    pub async fn begin_attach_unix(
        path: impl AsRef<Path>,
        opts: SessionOptions,
    ) -> Result<Connecting> {
        let path = path.as_ref();
        let s = tokio::net::UnixStream::connect(path).await.map_err(|e| {
            Error::Connection(format!(
                "Cannot connect to the daemon at {}: {}",
                path.display(),
                e
            ))
        })?;
        let (r, w) = s.into_split();
        let conn = Conn::new(r, w, None);
        Ok(Connecting::send(conn, Transport::Socket, &opts, None))
    }

    /// Attaches to a daemon's loopback TCP port (its `--port N`) with its shared secret
    /// (the contents of its `--token-file`; `None` reads the default token file).
    pub async fn attach_tcp(
        port: u16,
        auth_token: Option<String>,
        opts: SessionOptions,
    ) -> Result<Client> {
        Client::begin_attach_tcp(port, auth_token, opts)
            .await?
            .finish()
            .await
    }

    /// As `attach_tcp`, returning once `initialize` is sent rather than answered: see `Connecting`.
    pub async fn begin_attach_tcp(
        port: u16,
        auth_token: Option<String>,
        opts: SessionOptions,
    ) -> Result<Connecting> {
        let token = match auth_token {
            Some(t) => t,
            None => read_token_file(&default_token_file())?,
        };
        let where_ = format!("127.0.0.1:{port}");
        let s = tokio::net::TcpStream::connect(&where_).await.map_err(|e| {
            Error::Connection(format!("Cannot connect to the daemon at {where_}: {e}"))
        })?;
        let _ = s.set_nodelay(true);
        let (r, w) = s.into_split();
        let conn = Conn::new(r, w, None);
        Ok(Connecting::send(
            conn,
            Transport::Socket,
            &opts,
            Some(token),
        ))
    }

    /// Starts a daemon serving this client on its stdio; `close` stops it.
    pub async fn spawn(opts: SpawnOptions) -> Result<Client> {
        Client::begin_spawn(opts).await?.finish().await
    }

    /// As `spawn`, returning once `initialize` is sent rather than answered: see `Connecting`.
    pub async fn begin_spawn(opts: SpawnOptions) -> Result<Connecting> {
        let command = match opts.command.clone() {
            Some(c) if !c.is_empty() => c,
            _ => default_daemon_command()?,
        };
        let mut cmd = Command::new(&command[0]);
        cmd.args(&command[1..]).arg("--stdio");
        if let Some(a) = &opts.address {
            cmd.args(["--address", a]);
        }
        if let Some(ns) = &opts.session.namespace {
            cmd.args(["--namespace", ns]);
        }
        cmd.args(&opts.args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| {
            Error::Connection(format!("Cannot start the daemon ({}): {e}", command[0]))
        })?;
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let tail: Arc<Mutex<Vec<String>>> = Arc::default();
        let tail2 = tail.clone();
        let stderr_done = tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stderr).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                if l.trim().is_empty() {
                    continue;
                }
                let mut t = tail2.lock().unwrap();
                t.push(l);
                if t.len() > 20 {
                    t.remove(0);
                }
            }
        });
        let child = Arc::new(Mutex::new(Some(child)));
        let child2 = child.clone();
        let reason: EndReason = Box::new(move || {
            Box::pin(async move {
                let status = tokio::time::timeout(Duration::from_secs(1), async {
                    let taken = child2.lock().unwrap().take();
                    match taken {
                        Some(mut c) => {
                            let st = c.wait().await.ok();
                            *child2.lock().unwrap() = Some(c);
                            st
                        }
                        None => None,
                    }
                })
                .await
                .ok()
                .flatten();
                let _ = tokio::time::timeout(Duration::from_millis(500), stderr_done).await;
                let status = match status {
                    Some(s) => match s.code() {
                        Some(c) => format!("the daemon exited with code {c}"),
                        None => "the daemon was killed by a signal".to_string(),
                    },
                    None => String::new(),
                };
                let lines = tail.lock().unwrap().join("\n");
                [status, lines]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("; its last output:\n")
            })
        });
        let conn = Conn::new(stdout, stdin, Some(reason));
        Ok(Connecting::send(
            conn,
            Transport::Spawned(child),
            &opts.session,
            None,
        ))
    }
}

/// A session whose `initialize` (and `initialized`) is sent but not yet answered. The daemon
/// dispatches a connection's messages in the order it reads them, and marks the session
/// initialized as it dispatches `initialize`, so a request sent now behind it is served as one
/// sent after its answer (unless `initialize` fails: then it is refused, and `finish` reports
/// the failure of `initialize`).
pub struct Connecting {
    conn: Arc<Conn>,
    init: Call,
    transport: Transport,
}

impl Connecting {
    fn send(
        conn: Arc<Conn>,
        transport: Transport,
        opts: &SessionOptions,
        auth_token: Option<String>,
    ) -> Connecting {
        let mut params = json!({
            "clientInfo": {"name": opts.client_name.as_deref().unwrap_or("temporal-handled-rust"), "version": CLIENT_VERSION}
        });
        if let Some(ns) = &opts.namespace {
            params["namespace"] = ns.clone().into();
        }
        if let Some(t) = auth_token {
            params["authToken"] = t.into();
        }
        let init = conn.call(method::INITIALIZE, Some(params), None);
        // Sent now, behind initialize (the daemon reads a connection's messages in order).
        conn.notify("initialized", Some(json!({})));
        Connecting {
            conn,
            init,
            transport,
        }
    }

    /// A handle whose `workflow/getHandle` is sent now, behind `initialize`: one round trip
    /// fewer before the handle's first call. Its error, if any, comes with that first call; if
    /// `initialize` fails, `finish` says so and the handle is never used.
    pub fn get_workflow_handle_now(
        &self,
        workflow_id: &str,
        run_id: Option<&str>,
        first_execution_run_id: Option<&str>,
    ) -> WorkflowHandle {
        WorkflowHandle::asked_now(
            self.conn.clone(),
            workflow_id.to_string(),
            run_id.map(String::from),
            first_execution_run_id.map(String::from),
        )
    }

    /// Waits for the answer to `initialize`: the session, or why the daemon refused it.
    pub async fn finish(self) -> Result<Client> {
        let init_value = self.init.await?;
        let init: InitializeResult = decode(init_value.clone())?;
        Ok(Client {
            conn: self.conn,
            init,
            init_value,
            transport: self.transport,
        })
    }
}

impl Client {
    /// What the daemon answered to `initialize`.
    pub fn initialize_result(&self) -> &InitializeResult {
        &self.init
    }

    /// The `initialize` answer as sent.
    pub fn initialize_value(&self) -> &Value {
        &self.init_value
    }

    /// The session's default namespace.
    pub fn namespace(&self) -> &str {
        self.init_value
            .pointer("/temporal/namespace")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// Any method by name with its params (an object, an array for params by position, or nothing).
    /// Dropping the future before it resolves cancels the request.
    pub fn request(&self, method: &str, params: Option<Value>) -> Call {
        self.conn.call(method, params, None)
    }

    /// A method of the contract with its typed params, decoded into its typed result.
    pub async fn call<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<R> {
        let v = self
            .conn
            .call(method, Some(to_value(params)?), None)
            .await?;
        decode(v)
    }

    /// A streamed call: its `$/progress` values (work-done progress or partial-result batches)
    /// as a stream, then its answer. `token_param` is the param the fresh token goes in.
    pub fn streamed(
        &self,
        method: &str,
        params: Map<String, Value>,
        token_param: &str,
    ) -> Streamed {
        Streamed::start(&self.conn, method, params, token_param)
    }

    /// Starts a workflow (signal-with-start when `start_signal` is given) and returns its handle.
    pub async fn start_workflow(&self, params: WorkflowStartParams) -> Result<WorkflowHandle> {
        let info: HandleInfo = self.call(method::WORKFLOW_START, &params).await?;
        Ok(WorkflowHandle::from_info(self.conn.clone(), info))
    }

    /// A handle for an existing workflow; the daemon's handle is made on first use.
    pub fn get_workflow_handle(
        &self,
        workflow_id: &str,
        run_id: Option<&str>,
        first_execution_run_id: Option<&str>,
    ) -> WorkflowHandle {
        WorkflowHandle::new(
            self.conn.clone(),
            workflow_id.to_string(),
            run_id.map(String::from),
            first_execution_run_id.map(String::from),
            None,
        )
    }

    /// The daemon's status.
    pub async fn status(&self) -> Result<Value> {
        self.conn
            .call(method::DAEMON_STATUS, Some(json!({})), None)
            .await
    }

    /// Lists runs matching a visibility query, the executions of each page as they arrive.
    pub fn list(&self, params: WorkflowListParams) -> Result<Streamed> {
        Ok(self.streamed(
            method::WORKFLOW_LIST,
            to_map(&params)?,
            "partialResultToken",
        ))
    }

    /// Counts runs matching a visibility query (with GROUP BY, each group).
    pub async fn count(&self, params: WorkflowCountParams) -> Result<WorkflowCountResult> {
        self.call(method::WORKFLOW_COUNT, &params).await
    }

    /// Update-with-start, returning once the update reached `wait_for_stage`.
    pub async fn start_update_with_start(
        &self,
        params: WorkflowStartUpdateWithStartParams,
    ) -> Result<(WorkflowHandle, UpdateHandle)> {
        let r: Value = self
            .call(method::WORKFLOW_START_UPDATE_WITH_START, &params)
            .await?;
        let info: HandleInfo = decode(r.get("handle").cloned().unwrap_or(Value::Null))?;
        let update: UpdateHandleInfo = decode(r.get("update").cloned().unwrap_or(Value::Null))?;
        Ok((
            WorkflowHandle::from_info(self.conn.clone(), info),
            UpdateHandle::new(self.conn.clone(), update),
        ))
    }

    /// Update-with-start, waiting for the update's outcome: both handles and the value.
    pub async fn execute_update_with_start(
        &self,
        params: WorkflowExecuteUpdateWithStartParams,
    ) -> Result<(WorkflowHandle, UpdateHandle, Value)> {
        let r: Value = self
            .call(method::WORKFLOW_EXECUTE_UPDATE_WITH_START, &params)
            .await?;
        let info: HandleInfo = decode(r.get("handle").cloned().unwrap_or(Value::Null))?;
        let update: UpdateHandleInfo = decode(r.get("update").cloned().unwrap_or(Value::Null))?;
        Ok((
            WorkflowHandle::from_info(self.conn.clone(), info),
            UpdateHandle::new(self.conn.clone(), update),
            r.get("value").cloned().unwrap_or(Value::Null),
        ))
    }

    /// Ends the session. A spawned daemon gets `shutdown` and `exit` and is waited for (killed
    /// if it lingers); on a socket, `exit` alone closes the connection (the daemon answers every
    /// request it read first), which saves a round trip.
    pub async fn close(self) {
        let spawned = matches!(self.transport, Transport::Spawned(_));
        if !self.conn.is_closed() {
            if spawned {
                let _ = tokio::time::timeout(
                    Duration::from_secs(5),
                    self.conn.call(method::SHUTDOWN, None, None),
                )
                .await;
            }
            self.conn.notify("exit", None);
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), self.conn.finish_writing()).await;
        if let Transport::Spawned(child) = &self.transport {
            let taken = child.lock().unwrap().take();
            if let Some(mut c) = taken {
                if tokio::time::timeout(Duration::from_secs(10), c.wait())
                    .await
                    .is_err()
                {
                    let _ = c.start_kill();
                    let _ = c.wait().await;
                }
            }
        }
    }
}

/// Reads a token file's secret (trimmed).
pub fn read_token_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .map_err(|e| {
            Error::Connection(format!(
                "Cannot read the daemon's token file {}: {e}",
                path.display()
            ))
        })
}

pub(crate) fn decode<T: DeserializeOwned>(v: Value) -> Result<T> {
    serde_json::from_value(v)
        .map_err(|e| Error::Decode(format!("an answer did not match the contract: {e}")))
}

pub(crate) fn to_value<P: Serialize>(p: &P) -> Result<Value> {
    serde_json::to_value(p).map_err(|e| Error::Decode(format!("params that do not serialize: {e}")))
}

pub(crate) fn to_map<P: Serialize>(p: &P) -> Result<Map<String, Value>> {
    match to_value(p)? {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        other => Err(Error::Decode(format!(
            "params must be an object, not {other}"
        ))),
    }
}
