//! Temporal's WorkflowHandle and WorkflowUpdateHandle over the daemon's handle tokens.
use crate::client::{decode, to_map};
use crate::connection::{Call, Conn};
use crate::error::{Error, Result};
use crate::protocol::*;
use crate::stream::Streamed;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// A workflow: its IDs, and the daemon's handle token (made on first use for a handle got by ID).
pub struct WorkflowHandle {
    conn: Arc<Conn>,
    pub workflow_id: String,
    /// Used by describe, query and signal.
    pub run_id: Option<String>,
    /// Used by result.
    pub result_run_id: Option<String>,
    /// Used by cancel and terminate.
    pub first_execution_run_id: Option<String>,
    pub namespace: Option<String>,
    token: tokio::sync::Mutex<Token>,
}

/// The daemon's handle token: not asked for yet, asked for (`workflow/getHandle` sent, its
/// answer not read), or known.
enum Token {
    None,
    Asked(Call),
    Known(String),
}

impl WorkflowHandle {
    pub(crate) fn new(
        conn: Arc<Conn>,
        workflow_id: String,
        run_id: Option<String>,
        first_execution_run_id: Option<String>,
        namespace: Option<String>,
    ) -> Self {
        WorkflowHandle {
            conn,
            workflow_id,
            result_run_id: run_id.clone(),
            run_id,
            first_execution_run_id,
            namespace,
            token: tokio::sync::Mutex::new(Token::None),
        }
    }

    /// As `new`, with `workflow/getHandle` sent at once (its answer read on first use): a
    /// request queued behind `initialize` leaves with it instead of one round trip later.
    pub(crate) fn asked_now(
        conn: Arc<Conn>,
        workflow_id: String,
        run_id: Option<String>,
        first_execution_run_id: Option<String>,
    ) -> Self {
        let h = Self::new(conn, workflow_id, run_id, first_execution_run_id, None);
        let call = h.get_handle_call();
        *h.token.try_lock().expect("a new handle's token is free") = Token::Asked(call);
        h
    }

    fn get_handle_call(&self) -> Call {
        let params = WorkflowGetHandleParams {
            workflow_id: self.workflow_id.clone(),
            run_id: self.run_id.clone(),
            first_execution_run_id: self.first_execution_run_id.clone(),
            namespace: self.namespace.clone(),
            ..Default::default()
        };
        self.conn.call(
            method::WORKFLOW_GET_HANDLE,
            Some(serde_json::to_value(&params).unwrap()),
            None,
        )
    }

    pub(crate) fn from_info(conn: Arc<Conn>, info: HandleInfo) -> Self {
        WorkflowHandle {
            conn,
            workflow_id: info.workflow_id,
            run_id: info.run_id,
            result_run_id: info.result_run_id,
            first_execution_run_id: info.first_execution_run_id,
            namespace: Some(info.namespace),
            token: tokio::sync::Mutex::new(Token::Known(info.handle)),
        }
    }

    /// The daemon's handle token, made with `workflow/getHandle` on first use.
    pub async fn token(&self) -> Result<String> {
        let mut t = self.token.lock().await;
        let call = match std::mem::replace(&mut *t, Token::None) {
            Token::Known(tok) => {
                *t = Token::Known(tok.clone());
                return Ok(tok);
            }
            Token::Asked(call) => call,
            Token::None => self.get_handle_call(),
        };
        // On an error the token stays unknown: the next use asks again.
        let info: HandleInfo = decode(call.await?)?;
        *t = Token::Known(info.handle.clone());
        Ok(info.handle)
    }

    fn with_handle(token: String, mut params: Map<String, Value>) -> Value {
        params.insert("handle".into(), Value::String(token));
        Value::Object(params)
    }

    /// Any method that takes this handle, with the rest of its params; the raw answer.
    pub async fn call_value(&self, method: &str, params: Map<String, Value>) -> Result<Value> {
        let token = self.token().await?;
        self.conn
            .call(method, Some(Self::with_handle(token, params)), None)
            .await
    }

    /// A streamed method that takes this handle (progress values, then the answer).
    pub async fn streamed(
        &self,
        method: &str,
        params: Map<String, Value>,
        token_param: &str,
    ) -> Result<Streamed> {
        let token = self.token().await?;
        let mut params = params;
        params.insert("handle".into(), Value::String(token));
        Ok(Streamed::start(&self.conn, method, params, token_param))
    }

    async fn typed<P: Serialize>(&self, method: &str, params: &P) -> Result<Value> {
        let mut m = to_map(params)?;
        m.remove("handle");
        self.call_value(method, m).await
    }

    /// Describes the run (`run_id`, or the latest).
    pub async fn describe(&self) -> Result<WorkflowExecutionDescription> {
        decode(self.call_value(method::HANDLE_DESCRIBE, Map::new()).await?)
    }

    /// Queries the workflow; the query's value.
    pub async fn query(&self, query: &str, args: Vec<Value>) -> Result<Value> {
        self.query_with(HandleQueryParams {
            query: query.into(),
            args: Some(args),
            ..Default::default()
        })
        .await
    }

    /// Queries with every option of `handle/query` (`handle` is filled in).
    pub async fn query_with(&self, params: HandleQueryParams) -> Result<Value> {
        let r = self.typed(method::HANDLE_QUERY, &params).await?;
        Ok(r.get("value").cloned().unwrap_or(Value::Null))
    }

    pub async fn signal(&self, signal: &str, args: Vec<Value>) -> Result<()> {
        self.signal_with(HandleSignalParams {
            signal: signal.into(),
            args: Some(args),
            ..Default::default()
        })
        .await
    }

    pub async fn signal_with(&self, params: HandleSignalParams) -> Result<()> {
        self.typed(method::HANDLE_SIGNAL, &params).await.map(|_| ())
    }

    pub async fn cancel(&self, params: HandleCancelParams) -> Result<()> {
        self.typed(method::HANDLE_CANCEL, &params).await.map(|_| ())
    }

    pub async fn terminate(&self, params: HandleTerminateParams) -> Result<()> {
        self.typed(method::HANDLE_TERMINATE, &params)
            .await
            .map(|_| ())
    }

    /// Waits for the result (from `result_run_id`, following the run chain unless
    /// `follow_runs` is false): `{value, runId}`. A failed run is a `WorkflowFailureError`.
    pub async fn result(&self, params: HandleResultParams) -> Result<HandleResultResult> {
        decode(self.typed(method::HANDLE_RESULT, &params).await?)
    }

    /// As `result`, with the daemon's work-done progress (`begin`, a `report` per run, `end`) as a stream.
    pub async fn result_with_progress(&self, params: HandleResultParams) -> Result<Streamed> {
        let mut m = to_map(&params)?;
        m.remove("handle");
        self.streamed(method::HANDLE_RESULT, m, "workDoneToken")
            .await
    }

    /// The run's whole history, replay-ready.
    pub async fn fetch_history(
        &self,
        params: HandleFetchHistoryParams,
    ) -> Result<HandleFetchHistoryResult> {
        decode(self.typed(method::HANDLE_FETCH_HISTORY, &params).await?)
    }

    /// One page of history.
    pub async fn fetch_history_events(
        &self,
        params: HandleFetchHistoryEventsParams,
    ) -> Result<HandleFetchHistoryEventsResult> {
        decode(
            self.typed(method::HANDLE_FETCH_HISTORY_EVENTS, &params)
                .await?,
        )
    }

    /// Watches the run chain: each `{runId, events}` batch as a stream, then `{runId, status}`.
    pub async fn watch(&self, params: HandleWatchParams) -> Result<Streamed> {
        let mut m = to_map(&params)?;
        m.remove("handle");
        m.remove("partialResultToken");
        self.streamed(method::HANDLE_WATCH, m, "partialResultToken")
            .await
    }

    pub async fn metadata(&self) -> Result<Value> {
        self.call_value(method::HANDLE_METADATA, Map::new()).await
    }

    pub async fn stack_trace(&self) -> Result<String> {
        let r = self
            .call_value(method::HANDLE_STACK_TRACE, Map::new())
            .await?;
        Ok(r.get("stackTrace")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }

    /// Sends an update and waits for its outcome: `{value, updateId}`.
    pub async fn execute_update(
        &self,
        params: HandleExecuteUpdateParams,
    ) -> Result<HandleExecuteUpdateResult> {
        decode(self.typed(method::HANDLE_EXECUTE_UPDATE, &params).await?)
    }

    /// Sends an update and returns its handle at `wait_for_stage`.
    pub async fn start_update(&self, params: HandleStartUpdateParams) -> Result<UpdateHandle> {
        let info: UpdateHandleInfo =
            decode(self.typed(method::HANDLE_START_UPDATE, &params).await?)?;
        Ok(UpdateHandle::new(self.conn.clone(), info))
    }

    pub async fn get_update_handle(
        &self,
        params: HandleGetUpdateHandleParams,
    ) -> Result<UpdateHandle> {
        let info: UpdateHandleInfo = decode(
            self.typed(method::HANDLE_GET_UPDATE_HANDLE, &params)
                .await?,
        )?;
        Ok(UpdateHandle::new(self.conn.clone(), info))
    }

    /// Releases the daemon's handle (nothing to do when it was never made).
    pub async fn release(&self) -> Result<()> {
        match self.start_release().await? {
            Some(call) => call.await.map(|_| ()),
            None => Ok(()),
        }
    }

    /// Sends `handle/release` and returns it unanswered (`None` when no handle was made; a
    /// `workflow/getHandle` still unanswered is waited for first). The daemon carries out the
    /// requests of a connection in the order it reads them, also after the client's end of
    /// input: a program that ends right after sending may `detach` the call.
    pub async fn start_release(&self) -> Result<Option<Call>> {
        let mut t = self.token.lock().await;
        let tok = match std::mem::replace(&mut *t, Token::None) {
            Token::Known(tok) => tok,
            Token::Asked(call) => decode::<HandleInfo>(call.await?)?.handle,
            Token::None => return Ok(None),
        };
        Ok(Some(self.conn.call(
            method::HANDLE_RELEASE,
            Some(json!({ "handle": tok })),
            None,
        )))
    }
}

/// An update of a workflow: its IDs and the daemon's update token.
pub struct UpdateHandle {
    conn: Arc<Conn>,
    pub info: UpdateHandleInfo,
}

impl UpdateHandle {
    pub(crate) fn new(conn: Arc<Conn>, info: UpdateHandleInfo) -> Self {
        UpdateHandle { conn, info }
    }

    pub fn update_id(&self) -> &str {
        &self.info.update_id
    }

    /// Waits for the update's outcome: its value, or a `WorkflowUpdateFailedError`.
    pub async fn result(&self) -> Result<Value> {
        let r = self
            .conn
            .call(
                method::UPDATE_RESULT,
                Some(json!({"update": self.info.update})),
                None,
            )
            .await?;
        Ok(r.get("value").cloned().unwrap_or(Value::Null))
    }

    /// The update's stage and outcome, without waiting (the raw answer).
    pub async fn describe_value(&self) -> Result<Value> {
        self.conn
            .call(
                method::UPDATE_DESCRIBE,
                Some(json!({"update": self.info.update})),
                None,
            )
            .await
    }

    pub async fn describe(&self) -> Result<UpdateDescription> {
        decode(self.describe_value().await?)
    }

    pub async fn release(&self) -> Result<()> {
        self.conn
            .call(
                method::UPDATE_RELEASE,
                Some(json!({"update": self.info.update})),
                None,
            )
            .await
            .map(|_| ())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Decode(e.to_string())
    }
}
