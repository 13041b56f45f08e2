//! Errors: the daemon's error answers, named by the protocol's `data.type`, and a connection
//! that could not be made or ended.
use serde_json::{Map, Value};
use std::fmt;

/// An error answer of the daemon.
#[derive(Debug, Clone, PartialEq)]
pub struct DaemonError {
    /// The JSON-RPC error code.
    pub code: i64,
    pub message: String,
    /// `data.type`: `RPCError`, `WorkflowFailureError`, `InvalidParams`, ... (`DaemonError` when the answer names none).
    pub type_name: String,
    /// The error's `data`, as sent.
    pub data: Map<String, Value>,
}

/// What a call can end with instead of its result.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The daemon answered with an error.
    Daemon(Box<DaemonError>),
    /// The daemon could not be reached, or the connection ended before the answer (`ConnectionError`).
    Connection(String),
    /// The answer did not have the shape the contract gives it.
    Decode(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The protocol's name of the error (`data.type`), `ConnectionError` or `DecodeError`.
    pub fn type_name(&self) -> &str {
        match self {
            Error::Daemon(d) => &d.type_name,
            Error::Connection(_) => "ConnectionError",
            Error::Decode(_) => "DecodeError",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::Daemon(d) => &d.message,
            Error::Connection(m) | Error::Decode(m) => m,
        }
    }

    /// The JSON-RPC code of a daemon error.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Daemon(d) => Some(d.code),
            _ => None,
        }
    }

    /// The error's `data` (empty for a connection error).
    pub fn data(&self) -> Option<&Map<String, Value>> {
        match self {
            Error::Daemon(d) => Some(&d.data),
            _ => None,
        }
    }

    /// `data.cause`: the Failure of a `WorkflowFailureError` or `WorkflowUpdateFailedError`.
    pub fn failure(&self) -> Option<&Value> {
        self.data()?.get("cause")
    }

    /// Whether the error is of this protocol type.
    pub fn is(&self, type_name: &str) -> bool {
        self.type_name() == type_name
    }

    pub(crate) fn from_answer(error: &Value) -> Error {
        let code = error
            .get("code")
            .and_then(|c| c.as_i64().or_else(|| c.as_f64().map(|f| f as i64)))
            .unwrap_or(0);
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let data = match error.get("data") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        let type_name = data
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("DaemonError")
            .to_string();
        Error::Daemon(Box::new(DaemonError {
            code,
            message,
            type_name,
            data,
        }))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.type_name(), self.message())
    }
}

impl std::error::Error for Error {}
