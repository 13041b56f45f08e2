//! One JSON-RPC connection: LSP base-protocol framing over any byte stream, requests
//! matched to answers by id, `$/progress` routed by token, and `$/cancelRequest` sent when
//! a call's future is dropped before its answer.
use crate::error::{Error, Result};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

type Answer = Result<Value>;
/// Says why the connection ended (for a spawned daemon: its exit code and last stderr lines).
pub(crate) type EndReason =
    Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = String> + Send>> + Send>;

/// The largest message body accepted from the daemon.
const MAX_BODY: usize = 256 * 1024 * 1024;

#[derive(Default)]
struct State {
    pending: HashMap<u64, oneshot::Sender<Answer>>,
    progress: HashMap<String, mpsc::UnboundedSender<Value>>,
    /// Set once the connection ended: the error every later call fails with.
    closed: Option<String>,
}

pub(crate) struct Conn {
    state: Mutex<State>,
    out: Mutex<Option<mpsc::UnboundedSender<Vec<u8>>>>,
    next_id: AtomicU64,
    next_token: AtomicU64,
    token_prefix: String,
    writer_done: Mutex<Option<oneshot::Receiver<()>>>,
}

fn frame(msg: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(msg).expect("a JSON value serializes");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

impl Conn {
    pub(crate) fn new<R, W>(reader: R, writer: W, end_reason: Option<EndReason>) -> Arc<Conn>
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let (done_tx, done_rx) = oneshot::channel();
        let pid = std::process::id();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let conn = Arc::new(Conn {
            state: Mutex::new(State::default()),
            out: Mutex::new(Some(tx)),
            next_id: AtomicU64::new(1),
            next_token: AtomicU64::new(1),
            token_prefix: format!("rs-{pid}-{nanos:x}"),
            writer_done: Mutex::new(Some(done_rx)),
        });
        tokio::spawn(async move {
            // Buffered: the messages queued together (initialize, initialized and the requests
            // pipelined behind it) leave in one write, which wakes the daemon once.
            let mut w = tokio::io::BufWriter::with_capacity(16 * 1024, writer);
            while let Some(buf) = rx.recv().await {
                if w.write_all(&buf).await.is_err() {
                    break;
                }
                // Write whatever else is queued before flushing.
                let mut failed = false;
                while let Ok(more) = rx.try_recv() {
                    if w.write_all(&more).await.is_err() {
                        failed = true;
                        break;
                    }
                }
                if failed || w.flush().await.is_err() {
                    break;
                }
            }
            let _ = w.shutdown().await;
            let _ = done_tx.send(());
        });
        let weak = Arc::downgrade(&conn);
        tokio::spawn(async move {
            let mut r = BufReader::new(reader);
            let why = loop {
                match read_frame(&mut r).await {
                    Ok(Some(body)) => {
                        let Some(conn) = weak.upgrade() else { return };
                        match serde_json::from_slice::<Value>(&body) {
                            Ok(msg) => conn.deliver(msg),
                            Err(e) => {
                                break format!("the daemon sent a message that is not JSON: {e}")
                            }
                        }
                    }
                    Ok(None) => break String::new(),
                    Err(e) => break e,
                }
            };
            let extra = match end_reason {
                Some(f) => f().await,
                None => why,
            };
            if let Some(conn) = weak.upgrade() {
                conn.end(if extra.is_empty() {
                    "The connection to the daemon closed".to_string()
                } else {
                    format!("The connection to the daemon closed: {extra}")
                });
            }
        });
        conn
    }

    fn deliver(&self, msg: Value) {
        let method = msg.get("method").and_then(Value::as_str);
        match (method, msg.get("id")) {
            (Some("$/progress"), _) => {
                let params = msg.get("params");
                let token = params.and_then(|p| p.get("token")).map(token_key);
                let value = params
                    .and_then(|p| p.get("value"))
                    .cloned()
                    .unwrap_or(Value::Null);
                if let Some(token) = token {
                    let st = self.state.lock().unwrap();
                    if let Some(tx) = st.progress.get(&token) {
                        let _ = tx.send(value);
                    }
                }
            }
            (Some(_), Some(id)) => {
                // A request from the daemon: this client serves none.
                let answer = json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "The client handles no requests"}});
                let _ = self.send_raw(frame(&answer));
            }
            (Some(_), None) => {} // window/logMessage and other notifications: not asked for
            (None, Some(id)) => {
                let Some(id) = id.as_u64() else { return };
                let tx = self.state.lock().unwrap().pending.remove(&id);
                if let Some(tx) = tx {
                    let answer = match msg.get("error") {
                        Some(e) if !e.is_null() => Err(Error::from_answer(e)),
                        _ => Ok(msg.get("result").cloned().unwrap_or(Value::Null)),
                    };
                    let _ = tx.send(answer);
                }
            }
            (None, None) => {}
        }
    }

    fn end(&self, why: String) {
        let pending = {
            let mut st = self.state.lock().unwrap();
            if st.closed.is_none() {
                st.closed = Some(why.clone());
            }
            st.progress.clear();
            std::mem::take(&mut st.pending)
        };
        for (_, tx) in pending {
            let _ = tx.send(Err(Error::Connection(why.clone())));
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.state.lock().unwrap().closed.is_some()
    }

    /// A fresh progress token routed to the returned receiver.
    pub(crate) fn progress_route(&self) -> (String, mpsc::UnboundedReceiver<Value>) {
        let token = format!(
            "{}-{}",
            self.token_prefix,
            self.next_token.fetch_add(1, Ordering::Relaxed)
        );
        let (tx, rx) = mpsc::unbounded_channel();
        self.state
            .lock()
            .unwrap()
            .progress
            .insert(token.clone(), tx);
        (token, rx)
    }

    /// Sends a request now; the returned call resolves to its answer. Dropping the call before
    /// it resolves sends `$/cancelRequest`.
    pub(crate) fn call(
        self: &Arc<Self>,
        method: &str,
        params: Option<Value>,
        token: Option<String>,
    ) -> Call {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let mut st = self.state.lock().unwrap();
            if let Some(why) = &st.closed {
                let _ = tx.send(Err(Error::Connection(why.clone())));
            } else {
                st.pending.insert(id, tx);
            }
        }
        let mut msg = Map::new();
        msg.insert("jsonrpc".into(), "2.0".into());
        msg.insert("id".into(), id.into());
        msg.insert("method".into(), method.into());
        if let Some(p) = params {
            msg.insert("params".into(), p);
        }
        if !self.send_raw(frame(&Value::Object(msg))) {
            self.end("The connection to the daemon closed".into());
        }
        Call {
            conn: self.clone(),
            id,
            rx,
            token,
            done: false,
        }
    }

    pub(crate) fn notify(&self, method: &str, params: Option<Value>) {
        let mut msg = json!({"jsonrpc": "2.0", "method": method});
        if let Some(p) = params {
            msg["params"] = p;
        }
        let _ = self.send_raw(frame(&msg));
    }

    /// Waits until everything queued so far is written, then shuts the writing side down.
    pub(crate) async fn finish_writing(&self) {
        drop(self.out.lock().unwrap().take());
        let rx = self.writer_done.lock().unwrap().take();
        if let Some(rx) = rx {
            let _ = rx.await;
        }
    }

    fn send_raw(&self, buf: Vec<u8>) -> bool {
        match &*self.out.lock().unwrap() {
            Some(tx) => tx.send(buf).is_ok(),
            None => false,
        }
    }
}

fn token_key(t: &Value) -> String {
    match t {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Reads one `Content-Length` framed body; `None` at a clean end of input.
async fn read_frame<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
) -> std::result::Result<Option<Vec<u8>>, String> {
    let mut len: Option<usize> = None;
    let mut line = String::new();
    let mut any = false;
    loop {
        line.clear();
        let n = r.read_line(&mut line).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return if any {
                Err("the daemon's output ended inside a message header".into())
            } else {
                Ok(None)
            };
        }
        any = true;
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            if len.is_some() {
                break;
            }
            continue;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                len = Some(
                    v.trim()
                        .parse()
                        .map_err(|_| format!("bad Content-Length header {l:?}"))?,
                );
            }
        }
    }
    let len = len.unwrap();
    if len > MAX_BODY {
        return Err(format!("the daemon sent a message of {len} bytes"));
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).await.map_err(|e| e.to_string())?;
    Ok(Some(body))
}

/// A request sent to the daemon: a future of its answer. Dropping it before the answer
/// cancels the request (`$/cancelRequest`).
pub struct Call {
    conn: Arc<Conn>,
    id: u64,
    rx: oneshot::Receiver<Answer>,
    token: Option<String>,
    done: bool,
}

impl Call {
    /// The request's JSON-RPC id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Gives up the answer without cancelling the request: the daemon still carries it out
    /// (it was sent already) and its answer is dropped when it comes.
    pub fn detach(mut self) {
        self.done = true;
        self.conn.state.lock().unwrap().pending.remove(&self.id);
    }
}

impl Future for Call {
    type Output = Result<Value>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.done {
            return Poll::Ready(Err(Error::Connection(
                "the call's answer was already taken".into(),
            )));
        }
        match Pin::new(&mut self.rx).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(r) => {
                self.done = true;
                Poll::Ready(r.unwrap_or_else(|_| {
                    Err(Error::Connection(
                        "The connection to the daemon closed".into(),
                    ))
                }))
            }
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        let mut st = self.conn.state.lock().unwrap();
        if let Some(t) = &self.token {
            st.progress.remove(t);
        }
        if !self.done && st.pending.remove(&self.id).is_some() {
            drop(st);
            self.conn
                .notify("$/cancelRequest", Some(json!({"id": self.id})));
        }
    }
}
