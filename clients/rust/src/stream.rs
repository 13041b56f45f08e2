//! A streamed call: its `$/progress` values as a `Stream`, then its answer.
use crate::connection::{Call, Conn};
use crate::error::Result;
use serde_json::{Map, Value};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// A call sent with a fresh progress token. Poll it as a [`futures_core::Stream`] (or with
/// [`Streamed::next`]) for each `$/progress` value; the stream ends when the answer came, which
/// [`Streamed::answer`] then returns. Dropping it before the answer cancels the call.
pub struct Streamed {
    call: Option<Call>,
    answer: Option<Result<Value>>,
    progress: mpsc::UnboundedReceiver<Value>,
}

impl Streamed {
    pub(crate) fn start(
        conn: &Arc<Conn>,
        method: &str,
        mut params: Map<String, Value>,
        token_param: &str,
    ) -> Streamed {
        let (token, progress) = conn.progress_route();
        params.insert(token_param.to_string(), Value::String(token.clone()));
        let call = conn.call(method, Some(Value::Object(params)), Some(token));
        Streamed {
            call: Some(call),
            answer: None,
            progress,
        }
    }

    /// The next progress value; `None` once the answer has come and every value was read.
    pub async fn next(&mut self) -> Option<Value> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// The call's answer (after reading the stream to its end, or dropping what was not read).
    pub async fn answer(mut self) -> Result<Value> {
        if let Some(a) = self.answer.take() {
            return a;
        }
        match self.call.take() {
            Some(c) => c.await,
            None => Err(crate::Error::Connection(
                "the answer was already taken".into(),
            )),
        }
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Value>> {
        if let Poll::Ready(Some(v)) = self.progress.poll_recv(cx) {
            return Poll::Ready(Some(v));
        }
        if self.answer.is_none() {
            if let Some(call) = self.call.as_mut() {
                match Pin::new(call).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(a) => {
                        self.answer = Some(a);
                    }
                }
            }
        }
        // The answer came: every progress value sent before it is already queued.
        match self.progress.try_recv() {
            Ok(v) => Poll::Ready(Some(v)),
            Err(_) => Poll::Ready(None),
        }
    }
}

use std::future::Future;

impl futures_core::Stream for Streamed {
    type Item = Value;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Value>> {
        self.get_mut().poll_item(cx)
    }
}
