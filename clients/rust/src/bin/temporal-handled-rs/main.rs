//! `temporal-handled-rs`: the shell client's commands (start, describe, query, signal, cancel,
//! terminate, result, update, update-with-start, show, list, count, metadata, stack, call,
//! status, batch) with the Node client's flags, JSON output and exit codes, as a native binary.
mod args;
mod commands;
mod output;
mod specs;

use args::{find_spec, parse_client_args, Format, Target};
use commands::{is_batch, prepare, run, Ctx};
use output::{exit_code, Failure, Output};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;
use temporal_handled::{
    default_token_file, read_token_file, Client, Connecting, Error, SessionOptions, SpawnOptions,
    Value,
};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("--version") {
        println!("temporal-handled-rs {VERSION}");
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let code = rt.block_on(run_client(argv));
    rt.shutdown_background();
    std::process::exit(code);
}

async fn connect(a: &args::ClientArgs) -> Result<Connecting, Error> {
    let opts = SessionOptions {
        namespace: a.namespace.clone(),
        client_name: Some(format!(
            "temporal-handled-rs {} (rust cli {VERSION})",
            a.command
        )),
    };
    match &a.target {
        Target::Socket(p) => Client::begin_attach_unix(p, opts).await,
        Target::Tcp { port, token_file } => {
            let tf = token_file
                .as_ref()
                .map(PathBuf::from)
                .unwrap_or_else(default_token_file);
            let token = read_token_file(&tf)?;
            Client::begin_attach_tcp(*port, Some(token), opts).await
        }
        Target::Spawn {
            daemon_args,
            address,
        } => {
            Client::begin_spawn(SpawnOptions {
                command: None,
                args: daemon_args.clone(),
                address: address.clone(),
                session: opts,
            })
            .await
        }
    }
}

fn usage_failure(mut u: args::UsageError) -> Failure {
    let hint = match &u.command {
        Some(c) => format!("temporal-handled {c} --help"),
        None => "temporal-handled help-client".into(),
    };
    u.message = format!("{} (see: {hint})", u.message);
    Failure::Usage(u)
}

async fn run_client(argv: Vec<String>) -> i32 {
    let mut out = Output::new(Format::Json);
    let a = match parse_client_args(&argv) {
        Ok(a) => a,
        Err(u) => {
            let f = usage_failure(u);
            out.error(&f);
            return exit_code(&f);
        }
    };
    if a.help {
        let text = match find_spec(&a.command) {
            Some(spec) if a.command != "help-client" => specs::command_help(&spec),
            _ => specs::client_help(),
        };
        out.usage(&text);
        return 0;
    }
    out.format = a.output;
    let p = match prepare(a) {
        Ok(p) => p,
        Err(u) => {
            let f = usage_failure(u);
            out.error(&f);
            return exit_code(&f);
        }
    };

    // SIGINT, SIGTERM and --command-timeout end the call: dropping its future cancels it.
    let timeout_text = p.args.command_timeout_text.clone().unwrap_or_default();
    let timeout_ms = p.args.command_timeout_ms;
    let mut stop = Box::pin(async move {
        use tokio::signal::unix::{signal, SignalKind};
        let mut int = signal(SignalKind::interrupt()).ok();
        let mut term = signal(SignalKind::terminate()).ok();
        let timer = async {
            match timeout_ms {
                Some(ms) => tokio::time::sleep(Duration::from_secs_f64(ms / 1000.0)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = async { match int.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => Failure::Named("Interrupted", "interrupted by SIGINT".into()),
            _ = async { match term.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => Failure::Named("Interrupted", "interrupted by SIGTERM".into()),
            _ = timer => Failure::Named("CommandTimeout", format!("--command-timeout {timeout_text} elapsed")),
        }
    });

    let handles = Rc::new(RefCell::new(HashMap::new()));
    // A command on a workflow's handle sends its workflow/getHandle right behind initialize
    // (one write, one round trip fewer): the daemon dispatches them in order.
    let connected = async {
        let c = connect(&p.args).await?;
        if p.uses_handle() && !is_batch(&p) {
            let a = &p.args;
            let h = c.get_workflow_handle_now(
                a.str("workflow-id").unwrap_or_default(),
                a.str("run-id"),
                a.str("first-execution-run-id"),
            );
            handles
                .borrow_mut()
                .insert(commands::handle_key(a), Rc::new(h));
        }
        c.finish().await
    };
    let client = tokio::select! {
        c = connected => match c {
            Ok(c) => c,
            Err(e) => {
                let f = Failure::Client(e);
                out.error(&f);
                return exit_code(&f);
            }
        },
        f = &mut stop => {
            out.error(&f);
            return exit_code(&f);
        }
    };
    let attached = !matches!(p.args.target, Target::Spawn { .. });
    let code = {
        let mut ctx = Ctx {
            client: &client,
            out: &mut out,
            attached,
            handles: handles.clone(),
        };
        let outcome = tokio::select! {
            r = async {
                if is_batch(&p) { batch(&mut ctx).await } else { run(&p, &mut ctx).await }
            } => r,
            f = &mut stop => Err(f),
        };
        match outcome {
            Ok(code) => code,
            Err(f) => {
                ctx.out.error(&f);
                exit_code(&f)
            }
        }
    };
    if attached {
        let hs: Vec<_> = handles.borrow_mut().drain().map(|(_, h)| h).collect();
        release_all(hs).await;
    }
    client.close().await;
    code
}

/// Releases the handles made (the daemon outlives this command), waiting for every answer but
/// the last one's. The daemon dispatches a connection's requests in the order it reads them and
/// handles what it read before the end of input, so the last `handle/release` is carried out
/// after this process is gone. Any answer left unread when the socket closes (which makes the
/// daemon's next read fail with ECONNRESET and end the session at once) can only be that last
/// release's, written after it was carried out; every earlier request was answered and read.
async fn release_all(hs: Vec<Rc<temporal_handled::WorkflowHandle>>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    let mut calls = Vec::new();
    for h in hs {
        if let Ok(Ok(Some(c))) = tokio::time::timeout_at(deadline, h.start_release()).await {
            calls.push(c);
        }
    }
    let Some(last) = calls.pop() else { return };
    for c in calls {
        let _ = tokio::time::timeout_at(deadline, c).await;
    }
    last.detach();
}

/// Splits a command line into words as a POSIX shell does for quotes and backslashes (no expansions).
pub fn split_words(line: &str) -> Result<Vec<String>, args::UsageError> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        if ch == '\'' {
            let Some(end) = chars[i + 1..].iter().position(|&c| c == '\'') else {
                return Err(args::usage("unterminated single quote", None));
            };
            word.extend(&chars[i + 1..i + 1 + end]);
            i += end + 1;
            in_word = true;
        } else if ch == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' && j + 1 < chars.len() && "\"\\$`".contains(chars[j + 1]) {
                    j += 1;
                }
                word.push(chars[j]);
                j += 1;
            }
            if j >= chars.len() {
                return Err(args::usage("unterminated double quote", None));
            }
            i = j;
            in_word = true;
        } else if ch == '\\' && i + 1 < chars.len() {
            i += 1;
            word.push(chars[i]);
            in_word = true;
        } else if ch.is_whitespace() {
            if in_word {
                words.push(std::mem::take(&mut word));
            }
            word.clear();
            in_word = false;
        } else {
            word.push(ch);
            in_word = true;
        }
        i += 1;
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// A flag that chooses or configures a daemon: a batch has one connection, so its lines may not.
fn reach_flag(w: &str) -> bool {
    if w == "-o" {
        return true;
    }
    let Some(rest) = w.strip_prefix("--") else {
        return false;
    };
    let name = rest.split('=').next().unwrap_or("");
    const NAMES: &[&str] = &[
        "socket",
        "port",
        "token-file",
        "address",
        "dev",
        "dev-db",
        "api-key",
        "tls",
        "no-tls",
        "grpc-meta",
        "client-authority",
        "profile",
        "config-file",
        "temporal-cli",
        "log-file",
        "log-level",
        "command-timeout",
        "output",
    ];
    NAMES.contains(&name)
        || (name.starts_with("tls-")
            && name.len() > 4
            && name[4..]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'))
}

async fn batch(ctx: &mut Ctx<'_>) -> Result<i32, Failure> {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut worst = 0;
    let mut n = 0;
    let mut printer = Output::new(Format::Jsonl);
    while let Ok(Some(raw)) = lines.next_line().await {
        n += 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut captured = Output::capturing();
        let mut command: Option<String> = None;
        let code = {
            let prepared = (|| -> Result<commands::Prepared, Failure> {
                let words = if line.starts_with('[') {
                    json_words(line)?
                } else {
                    split_words(line)?
                };
                command = words.first().cloned();
                if command.as_deref() == Some("batch") {
                    return Err(args::usage("batch cannot be nested", None).into());
                }
                if let Some(w) = words.iter().skip(1).find(|w| reach_flag(w)) {
                    return Err(args::usage(
                        format!(
                            "{w} belongs on the batch command line, not on a line of the batch"
                        ),
                        command.as_deref(),
                    )
                    .into());
                }
                let a = parse_client_args(&words)?;
                if a.help {
                    return Err(args::usage(
                        "help is not available inside a batch",
                        Some(&a.command),
                    )
                    .into());
                }
                Ok(prepare(a)?)
            })();
            match prepared {
                Err(f) => {
                    captured.error(&f);
                    exit_code(&f)
                }
                Ok(p) => {
                    let mut line_ctx = Ctx {
                        client: ctx.client,
                        out: &mut captured,
                        attached: ctx.attached,
                        handles: ctx.handles.clone(),
                    };
                    match run(&p, &mut line_ctx).await {
                        Ok(c) => c,
                        Err(f) => {
                            line_ctx.out.error(&f);
                            exit_code(&f)
                        }
                    }
                }
            }
        };
        worst = worst.max(code);
        let mut o = temporal_handled::Map::new();
        o.insert("line".into(), n.into());
        o.insert(
            "command".into(),
            command.map(Value::String).unwrap_or(Value::Null),
        );
        o.insert("exitCode".into(), code.into());
        if let Some((result, error)) = captured.captured.take() {
            if let Some(r) = result {
                o.insert("result".into(), r);
            }
            if let Some(e) = error {
                o.insert("error".into(), e);
            }
        }
        printer.result(&Value::Object(o), None);
    }
    Ok(worst)
}

fn json_words(line: &str) -> Result<Vec<String>, args::UsageError> {
    let v: Value = serde_json::from_str(line).map_err(|e| {
        args::usage(
            format!("a line starting with \"[\" must be a JSON array of words: {e}"),
            None,
        )
    })?;
    match v {
        Value::Array(items) if items.iter().all(Value::is_string) => Ok(items
            .into_iter()
            .map(|w| w.as_str().unwrap().to_string())
            .collect()),
        _ => Err(args::usage("a JSON line must be an array of strings", None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn splits_lines_as_a_shell_does() {
        assert_eq!(
            split_words(r#"start --type echo -i '"a b"' -i "{\"k\": 1}" -w x\ y"#).unwrap(),
            words(&[
                "start",
                "--type",
                "echo",
                "-i",
                "\"a b\"",
                "-i",
                "{\"k\": 1}",
                "-w",
                "x y"
            ])
        );
        assert!(split_words("query -w 'open")
            .unwrap_err()
            .message
            .contains("unterminated single quote"));
        assert!(split_words("query -w \"open")
            .unwrap_err()
            .message
            .contains("unterminated double quote"));
    }

    #[test]
    fn durations_as_temporal_cli_writes_them() {
        assert_eq!(args::parse_duration("1h30m", "d").unwrap(), 5_400_000.0);
        assert_eq!(args::parse_duration("1.5s", "d").unwrap(), 1500.0);
        assert_eq!(args::parse_duration("300ms", "d").unwrap(), 300.0);
        assert!(args::parse_duration("soon", "--command-timeout")
            .unwrap_err()
            .contains("--command-timeout \"soon\" is not a duration"));
        assert!(
            args::parse_duration("5", "d").is_err(),
            "a bare number has no unit"
        );
    }

    #[test]
    fn flags_that_choose_a_daemon_are_refused_on_batch_lines() {
        for w in [
            "--socket",
            "--port=1",
            "-o",
            "--tls-ca-path",
            "--output",
            "--dev",
        ] {
            assert!(reach_flag(w), "{w}");
        }
        for w in ["--type", "-w", "--tls-", "--name"] {
            assert!(!reach_flag(w), "{w}");
        }
    }

    #[test]
    fn bad_usage_names_what_was_wrong() {
        let err = |v: &[&str]| {
            parse_client_args(&words(v))
                .and_then(commands::prepare)
                .err()
                .expect("bad usage")
                .message
        };
        assert_eq!(err(&["start", "-w", "x"]), "--type is required");
        assert!(err(&["nope"]).contains("unknown command \"nope\""));
        assert!(err(&["describe", "-w", "x", "--bogus"]).contains("Unknown option '--bogus'"));
        assert!(err(&[
            "start",
            "--type",
            "t",
            "-t",
            "q",
            "-w",
            "x",
            "-i",
            "{not json"
        ])
        .starts_with("--input must be JSON"));
        assert!(err(&[
            "start",
            "--type",
            "t",
            "-t",
            "q",
            "-w",
            "x",
            "--id-reuse-policy",
            "Sometimes"
        ])
        .contains("ALLOW_DUPLICATE"));
        assert!(
            err(&["start", "--type", "t", "-t", "q", "-w", "x", "--memo", "novalue"])
                .contains("--memo takes KEY=JSON")
        );
        assert!(err(&["status", "--socket", "/s", "--address", "a:1"])
            .contains("--address configures a daemon"));
        assert!(err(&["status", "--port", "70000"]).contains("--port must be a TCP port number"));
        assert!(err(&["list", "--limit", "0"]).contains("--limit must be a positive integer"));
        assert!(err(&["update", "result", "-w", "x"]).contains("needs --update-id"));
        assert!(err(&["call"]).contains("call takes METHOD"));
        assert!(err(&["call", "daemon/status", "3"]).contains("must be a JSON object"));
        // The CLI's spelling of an enum is the protocol's name.
        let a = parse_client_args(&words(&[
            "query",
            "-w",
            "x",
            "--name",
            "q",
            "--reject-condition",
            "not_open",
        ]))
        .unwrap();
        assert!(commands::prepare(a).is_ok());
    }
}
