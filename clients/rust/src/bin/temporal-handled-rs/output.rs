//! What the commands write: results on stdout (json, jsonl or text), errors as one JSON
//! object on stderr, and the live progress line of `result` (as src/cli/client/output.ts).
use crate::args::{Format, UsageError};
use serde_json::{Map, Value};
use std::io::{IsTerminal, Write};

/// Why a command ended without its result.
#[derive(Debug, Clone)]
pub enum Failure {
    Usage(UsageError),
    Client(temporal_handled::Error),
    /// Any other named error (CommandTimeout, Interrupted, InternalError).
    Named(&'static str, String),
}

impl From<UsageError> for Failure {
    fn from(u: UsageError) -> Self {
        Failure::Usage(u)
    }
}
impl From<temporal_handled::Error> for Failure {
    fn from(e: temporal_handled::Error) -> Self {
        Failure::Client(e)
    }
}

pub fn exit_code(f: &Failure) -> i32 {
    match f {
        Failure::Usage(_) => 2,
        Failure::Client(e) => match e.type_name() {
            "WorkflowFailureError"
            | "WorkflowContinuedAsNewError"
            | "WorkflowUpdateFailedError" => 1,
            "InvalidParams" | "MethodNotFound" if e.code().is_some() => 2,
            _ => 3,
        },
        Failure::Named("Interrupted", _) => 130,
        Failure::Named(..) => 3,
    }
}

/// The JSON object an error is reported as: `{type, message, code?, grpcCode?, ...data}`.
pub fn error_object(f: &Failure) -> Value {
    let mut o = Map::new();
    match f {
        Failure::Usage(u) => {
            o.insert("type".into(), "UsageError".into());
            o.insert("message".into(), u.message.clone().into());
        }
        Failure::Named(t, m) => {
            o.insert("type".into(), (*t).into());
            o.insert("message".into(), m.clone().into());
        }
        Failure::Client(e) => {
            o.insert("type".into(), e.type_name().into());
            o.insert("message".into(), e.message().into());
            if let Some(c) = e.code() {
                o.insert("code".into(), c.into());
            }
            if let Some(data) = e.data() {
                if let Some(g) = data.get("code") {
                    o.insert("grpcCode".into(), g.clone());
                }
                for (k, v) in data {
                    if k != "type" && k != "code" {
                        o.insert(k.clone(), v.clone());
                    }
                }
            }
        }
    }
    Value::Object(o)
}

pub fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into())
}

/// Text for people: strings as they are, scalars and arrays as JSON, objects as `Key  value` rows.
pub fn to_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => {
            let width = m.keys().map(|k| k.chars().count()).max().unwrap_or(0);
            m.iter()
                .map(|(k, v)| {
                    let mut label: String =
                        k.chars().take(1).flat_map(char::to_uppercase).collect();
                    label.extend(k.chars().skip(1));
                    let shown = match v {
                        Value::Null => "-".to_string(),
                        Value::String(s) => s.clone(),
                        other => compact(other),
                    };
                    format!("{label:<w$}{shown}", w = width + 2)
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
        other => pretty(other),
    }
}

pub struct Output {
    pub format: Format,
    progress_shown: bool,
    tty: bool,
    /// In a batch: results and errors are captured instead of printed.
    pub captured: Option<(Option<Value>, Option<Value>)>,
}

impl Output {
    pub fn new(format: Format) -> Self {
        Output {
            format,
            progress_shown: false,
            tty: std::io::stderr().is_terminal(),
            captured: None,
        }
    }

    pub fn capturing() -> Self {
        let mut o = Output::new(Format::Jsonl);
        o.captured = Some((None, None));
        o
    }

    pub fn result(&mut self, v: &Value, title: Option<&str>) {
        self.result_as(v, title, to_text)
    }

    /// Writes a result; its text form is `as_text`'s.
    pub fn result_as(&mut self, v: &Value, title: Option<&str>, as_text: fn(&Value) -> String) {
        if let Some(c) = &mut self.captured {
            c.0 = Some(v.clone());
            return;
        }
        let text = match self.format {
            Format::Json => pretty(v),
            Format::Jsonl => compact(v),
            Format::Text => {
                let body = as_text(v);
                [title.map(String::from), Some(body)]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    }

    pub fn usage(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    pub fn error(&mut self, f: &Failure) {
        if let Some(c) = &mut self.captured {
            c.1 = Some(error_object(f));
            return;
        }
        self.clear_progress();
        let mut o = Map::new();
        o.insert("error".into(), error_object(f));
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{}", compact(&Value::Object(o)));
    }

    /// A `$/progress` value of result as a live line on stderr (rewritten in place on a terminal).
    pub fn progress(&mut self, p: &Value) {
        if self.captured.is_some() {
            return;
        }
        let s = |k: &str| p.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
        let kind = s("kind").unwrap_or("");
        let line = match kind {
            "begin" => format!(
                "waiting for {}{}...",
                s("workflowId").unwrap_or(""),
                s("runId")
                    .map(|r| format!(" (run {r})"))
                    .unwrap_or_default()
            ),
            "report" => format!(
                "{}: {} {} -> {}; waiting...",
                s("workflowId").unwrap_or(""),
                s("reason").unwrap_or(""),
                s("previousRunId").unwrap_or(""),
                s("runId").unwrap_or("")
            ),
            _ => format!(
                "{}{}",
                p.get("status")
                    .and_then(Value::as_str)
                    .or(s("message"))
                    .unwrap_or("ended"),
                s("runId")
                    .map(|r| format!(" (run {r})"))
                    .unwrap_or_default()
            ),
        };
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = write!(err, "\r\x1b[K{line}");
            self.progress_shown = kind != "end";
            if kind == "end" {
                let _ = write!(err, "\r\x1b[K");
            }
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }

    fn clear_progress(&mut self) {
        if self.progress_shown && self.tty {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
        self.progress_shown = false;
    }
}

/// `describe -o text` (as src/cli/client/describe-text.ts): the description's own fields as rows,
/// then a section for each detail that is not empty, each entry's non-empty fields indented.
pub fn describe_text(d: &Value) -> String {
    const SECTIONS: &[(&str, &str)] = &[
        ("pendingActivities", "Pending activities"),
        ("pendingChildren", "Pending children"),
        ("pendingNexusOperations", "Pending Nexus operations"),
        ("callbacks", "Callbacks"),
        ("pendingWorkflowTask", "Pending workflow task"),
        ("versioningInfo", "Versioning"),
        ("priority", "Priority"),
    ];
    let Some(m) = d.as_object() else {
        return to_text(d);
    };
    let not_row = |k: &str| {
        SECTIONS.iter().any(|(s, _)| *s == k) || k == "raw" || k == "typedSearchAttributes"
    };
    let is_empty = |v: &Value| match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    let indent = |t: &str| {
        t.split('\n')
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let entry_text = |e: &Value| match e {
        Value::Object(o) => to_text(&Value::Object(
            o.iter()
                .filter(|(_, v)| !is_empty(v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )),
        other => to_text(other),
    };
    let rows: Map<String, Value> = m
        .iter()
        .filter(|(k, _)| !not_row(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut parts = vec![to_text(&Value::Object(rows))];
    for (key, title) in SECTIONS {
        let Some(v) = m.get(*key) else { continue };
        if is_empty(v) {
            continue;
        }
        match v {
            Value::Array(items) => parts.push(format!(
                "\n{title} ({})\n{}",
                items.len(),
                items
                    .iter()
                    .map(|e| indent(&entry_text(e)))
                    .collect::<Vec<_>>()
                    .join("\n\n")
            )),
            other => parts.push(format!("\n{title}\n{}", indent(&entry_text(other)))),
        }
    }
    parts.join("\n")
}
