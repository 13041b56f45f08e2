//! The command line: per-command flags, the connection flags every command shares, and the
//! checks that make bad usage exit 2 before anything is called (as src/cli/client/args.ts).
use crate::specs::{specs, Spec};
use std::collections::HashMap;
use temporal_handled::Value;

#[derive(Debug, Clone)]
pub struct UsageError {
    pub message: String,
    pub command: Option<String>,
}

pub fn usage(message: impl Into<String>, command: Option<&str>) -> UsageError {
    UsageError {
        message: message.into(),
        command: command.map(String::from),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Jsonl,
    Text,
}

#[derive(Debug, Clone)]
pub enum Target {
    Socket(String),
    Tcp {
        port: u16,
        token_file: Option<String>,
    },
    Spawn {
        daemon_args: Vec<String>,
        address: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Bool,
    Many(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct ClientArgs {
    pub command: String,
    pub help: bool,
    pub output: Format,
    pub target: Target,
    pub namespace: Option<String>,
    pub command_timeout_ms: Option<f64>,
    pub command_timeout_text: Option<String>,
    pub values: HashMap<String, Val>,
    pub positionals: Vec<String>,
}

impl ClientArgs {
    pub fn str(&self, flag: &str) -> Option<&str> {
        match self.values.get(flag) {
            Some(Val::Str(s)) => Some(s),
            _ => None,
        }
    }
    pub fn many(&self, flag: &str) -> Option<&[String]> {
        match self.values.get(flag) {
            Some(Val::Many(v)) => Some(v),
            _ => None,
        }
    }
    pub fn flag(&self, flag: &str) -> bool {
        matches!(self.values.get(flag), Some(Val::Bool))
    }
    pub fn has(&self, flag: &str) -> bool {
        self.values.contains_key(flag)
    }
}

pub const DAEMON_STRING_FLAGS: &[&str] = &[
    "address",
    "api-key",
    "tls-cert-path",
    "tls-key-path",
    "tls-ca-path",
    "tls-server-name",
    "client-authority",
    "profile",
    "config-file",
    "dev-db",
    "temporal-cli",
    "log-file",
    "log-level",
];
pub const DAEMON_BOOLEAN_FLAGS: &[&str] =
    &["dev", "tls", "no-tls", "tls-disable-host-verification"];

struct Opt {
    name: String,
    short: Option<char>,
    string: bool,
    multiple: bool,
}

fn common() -> Vec<Opt> {
    let mut v = vec![
        Opt {
            name: "output".into(),
            short: Some('o'),
            string: true,
            multiple: false,
        },
        Opt {
            name: "socket".into(),
            short: None,
            string: true,
            multiple: false,
        },
        Opt {
            name: "port".into(),
            short: None,
            string: true,
            multiple: false,
        },
        Opt {
            name: "token-file".into(),
            short: None,
            string: true,
            multiple: false,
        },
        Opt {
            name: "namespace".into(),
            short: Some('n'),
            string: true,
            multiple: false,
        },
        Opt {
            name: "command-timeout".into(),
            short: None,
            string: true,
            multiple: false,
        },
        Opt {
            name: "grpc-meta".into(),
            short: None,
            string: true,
            multiple: true,
        },
        Opt {
            name: "help".into(),
            short: Some('h'),
            string: false,
            multiple: false,
        },
    ];
    for f in DAEMON_STRING_FLAGS {
        v.push(Opt {
            name: (*f).into(),
            short: None,
            string: true,
            multiple: false,
        });
    }
    for f in DAEMON_BOOLEAN_FLAGS {
        v.push(Opt {
            name: (*f).into(),
            short: None,
            string: false,
            multiple: false,
        });
    }
    v
}

pub fn is_client_command(s: &str) -> bool {
    s == "help-client" || specs().iter().any(|c| c.name == s)
}

fn option_label(o: &Opt) -> String {
    let short = o.short.map(|c| format!("-{c}, ")).unwrap_or_default();
    if o.string {
        format!("{short}--{} <value>", o.name)
    } else {
        format!("{short}--{}", o.name)
    }
}

/// util.parseArgs-like strict parsing: `--f v`, `--f=v`, `-x v`, booleans without values.
fn parse_words(
    words: &[String],
    opts: &[Opt],
    allow_positionals: bool,
) -> Result<(HashMap<String, Val>, Vec<String>), String> {
    let mut values: HashMap<String, Val> = HashMap::new();
    let mut positionals = Vec::new();
    let mut i = 0;
    let set = |values: &mut HashMap<String, Val>, o: &Opt, v: Option<String>| match v {
        None => {
            values.insert(o.name.clone(), Val::Bool);
        }
        Some(v) if o.multiple => match values.get_mut(&o.name) {
            Some(Val::Many(all)) => all.push(v),
            _ => {
                values.insert(o.name.clone(), Val::Many(vec![v]));
            }
        },
        Some(v) => {
            values.insert(o.name.clone(), Val::Str(v));
        }
    };
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            for rest in &words[i..] {
                if !allow_positionals {
                    return Err(format!("Unexpected argument '{rest}'. This command does not take positional arguments"));
                }
                positionals.push(rest.clone());
            }
            break;
        }
        let (opt, inline): (Option<&Opt>, Option<String>) = if let Some(long) = w.strip_prefix("--")
        {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match opts.iter().find(|o| o.name == name) {
                Some(o) => (Some(o), inline),
                None => return Err(format!("Unknown option '--{name}'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--{name}\"")),
            }
        } else if w.len() >= 2 && w.starts_with('-') && w != "-" {
            let c = w[1..].chars().next().unwrap();
            match opts.iter().find(|o| o.short == Some(c)) {
                Some(o) => {
                    let rest = &w[1 + c.len_utf8()..];
                    if rest.is_empty() {
                        (Some(o), None)
                    } else if o.string {
                        (Some(o), Some(rest.to_string()))
                    } else {
                        return Err(format!("Unknown option '{w}'"));
                    }
                }
                None => return Err(format!("Unknown option '-{c}'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"-{c}\"")),
            }
        } else {
            if !allow_positionals {
                return Err(format!(
                    "Unexpected argument '{w}'. This command does not take positional arguments"
                ));
            }
            positionals.push(w.clone());
            continue;
        };
        let o = opt.unwrap();
        if o.string {
            let v = match inline {
                Some(v) => v,
                None => {
                    let Some(next) = words.get(i) else {
                        return Err(format!("Option '{}' argument missing", option_label(o)));
                    };
                    if next.starts_with('-') {
                        return Err(format!(
                            "Option '{}' argument is ambiguous.\nDid you forget to specify the option argument for '{}'?\nTo specify an option argument starting with a dash use '--{}=-XYZ'.",
                            option_label(o),
                            w,
                            o.name
                        ));
                    }
                    i += 1;
                    next.clone()
                }
            };
            set(&mut values, o, Some(v));
        } else {
            if inline.is_some() {
                return Err(format!(
                    "Option '{}' does not take an argument",
                    option_label(o)
                ));
            }
            set(&mut values, o, None);
        }
    }
    Ok((values, positionals))
}

pub fn find_spec(name: &str) -> Option<Spec> {
    specs().into_iter().find(|s| s.name == name)
}

pub fn parse_client_args(argv: &[String]) -> Result<ClientArgs, UsageError> {
    let command = argv.first().cloned().unwrap_or_default();
    if !is_client_command(&command) {
        return Err(usage(format!("unknown command \"{command}\""), None));
    }
    let cmd = Some(command.as_str());
    let spec = find_spec(&command);
    let mut opts = common();
    if let Some(spec) = &spec {
        for f in &spec.flags {
            opts.retain(|o| o.name != f.flag);
            opts.push(Opt {
                name: f.flag.into(),
                short: f.short,
                string: f.value.is_some(),
                multiple: f.multiple,
            });
        }
    }
    let (values, positionals) =
        parse_words(&argv[1..], &opts, command == "call" || command == "update")
            .map_err(|m| usage(m, cmd))?;
    let get = |f: &str| match values.get(f) {
        Some(Val::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let help = values.contains_key("help") || command == "help-client";
    let output = match get("output").as_deref().unwrap_or("json") {
        "json" => Format::Json,
        "jsonl" => Format::Jsonl,
        "text" => Format::Text,
        other => {
            return Err(usage(
                format!("--output must be text, json or jsonl; got \"{other}\""),
                cmd,
            ))
        }
    };
    let target = connect_target(&values, cmd)?;
    let mut args = ClientArgs {
        command: command.clone(),
        help,
        output,
        target,
        namespace: get("namespace"),
        command_timeout_ms: None,
        command_timeout_text: None,
        values,
        positionals,
    };
    if help {
        return Ok(args);
    }
    if let Some(spec) = &spec {
        for f in spec.flags.iter().filter(|f| f.is_required()) {
            match args.values.get(f.flag) {
                None => return Err(usage(format!("--{} is required", f.flag), cmd)),
                Some(Val::Str(s)) if s.is_empty() => {
                    return Err(usage(format!("--{} is required", f.flag), cmd))
                }
                _ => {}
            }
        }
    }
    if command == "update" {
        let sub = args.positionals.first().map(String::as_str).unwrap_or("");
        if args.positionals.len() != 1 || !["start", "execute", "result", "describe"].contains(&sub)
        {
            return Err(usage(
                "update takes one of start, execute, result, describe",
                cmd,
            ));
        }
        if (sub == "start" || sub == "execute") && args.str("name").is_none_or(str::is_empty) {
            return Err(usage(format!("update {sub} needs --name"), cmd));
        }
        if (sub == "result" || sub == "describe") && args.str("update-id").is_none_or(str::is_empty)
        {
            return Err(usage(format!("update {sub} needs --update-id"), cmd));
        }
    }
    if command == "show" && args.flag("follow") && args.str("output") == Some("json") {
        return Err(usage(
            "--follow streams events: use -o jsonl (one event a line) or -o text",
            cmd,
        ));
    }
    if command == "call" && (args.positionals.is_empty() || args.positionals.len() > 2) {
        return Err(usage(
            "call takes METHOD and optionally its params as one JSON value",
            cmd,
        ));
    }
    if command == "result" && args.flag("follow") && args.flag("no-follow") {
        return Err(usage("--follow and --no-follow contradict each other", cmd));
    }
    if command == "result" && args.flag("progress") && args.flag("no-progress") {
        return Err(usage(
            "--progress and --no-progress contradict each other",
            cmd,
        ));
    }
    if let Some(t) = args.str("command-timeout").map(String::from) {
        let ms = parse_duration(&t, "--command-timeout").map_err(|m| usage(m, cmd))?;
        if ms <= 0.0 {
            return Err(usage("--command-timeout must be positive", cmd));
        }
        args.command_timeout_ms = Some(ms);
        args.command_timeout_text = Some(t);
    }
    Ok(args)
}

fn connect_target(v: &HashMap<String, Val>, cmd: Option<&str>) -> Result<Target, UsageError> {
    let s = |f: &str| match v.get(f) {
        Some(Val::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let daemon_flags: Vec<&str> = DAEMON_STRING_FLAGS
        .iter()
        .chain(DAEMON_BOOLEAN_FLAGS)
        .chain(&["grpc-meta"])
        .copied()
        .filter(|f| v.contains_key(*f))
        .collect();
    let socket = s("socket").or_else(|| {
        if !v.contains_key("port") && daemon_flags.is_empty() {
            std::env::var("TEMPORAL_HANDLED_SOCKET")
                .ok()
                .filter(|s| !s.is_empty())
        } else {
            None
        }
    });
    if v.contains_key("socket") && v.contains_key("port") {
        return Err(usage("--socket and --port contradict each other", cmd));
    }
    if socket.is_some() || v.contains_key("port") {
        if let Some(first) = daemon_flags.first() {
            return Err(usage(format!("--{first} configures a daemon started for the call; it does not apply with --socket or --port"), cmd));
        }
        if let Some(sock) = socket {
            return Ok(Target::Socket(sock));
        }
        let p = s("port").unwrap_or_default();
        let port: u16 = match p.trim().parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) && p.trim() == p => n as u16,
            _ => {
                return Err(usage(
                    format!("--port must be a TCP port number; got \"{p}\""),
                    cmd,
                ))
            }
        };
        return Ok(Target::Tcp {
            port,
            token_file: s("token-file"),
        });
    }
    if v.contains_key("token-file") {
        return Err(usage("--token-file goes with --port", cmd));
    }
    let mut daemon_args = Vec::new();
    for f in DAEMON_STRING_FLAGS {
        if *f != "address" {
            if let Some(x) = s(f) {
                daemon_args.push(format!("--{f}"));
                daemon_args.push(x);
            }
        }
    }
    for f in DAEMON_BOOLEAN_FLAGS {
        if v.contains_key(*f) {
            daemon_args.push(format!("--{f}"));
        }
    }
    if let Some(Val::Many(ms)) = v.get("grpc-meta") {
        for m in ms {
            daemon_args.push("--grpc-meta".into());
            daemon_args.push(m.clone());
        }
    }
    if !v.contains_key("log-level") {
        daemon_args.push("--log-level".into());
        daemon_args.push("error".into());
    }
    Ok(Target::Spawn {
        daemon_args,
        address: s("address"),
    })
}

/// A duration in the syntax of Temporal's CLI (as src/temporal/durations.ts): milliseconds.
pub fn parse_duration(value: &str, what: &str) -> Result<f64, String> {
    let rest0 = value.trim();
    if rest0 == "0" {
        return Ok(0.0);
    }
    if rest0.is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    let bad = || {
        format!("{what} \"{value}\" is not a duration (use units ns, us, ms, s, m, h, e.g. \"1h30m\" or \"1.5s\")")
    };
    let mut rest = rest0;
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        let digits_ok = !num.is_empty()
            && num.matches('.').count() <= 1
            && num != "."
            && (!num.starts_with('.') || num.len() > 1);
        if !digits_ok {
            return Err(bad());
        }
        let after = &rest[num_len..];
        let units = [
            ("ns", 1e-6),
            ("us", 1e-3),
            ("µs", 1e-3),
            ("μs", 1e-3),
            ("ms", 1.0),
            ("s", 1000.0),
            ("m", 60_000.0),
            ("h", 3_600_000.0),
        ];
        let Some((u, mult)) = units.iter().find(|(u, _)| after.starts_with(u)) else {
            return Err(bad());
        };
        let n: f64 = num.parse().map_err(|_| bad())?;
        total += n * mult;
        rest = &after[u.len()..];
    }
    Ok(total)
}

/// One JSON value of a flag, numbers kept exactly as written.
pub fn json_value(text: &str, flag: &str) -> Result<Value, UsageError> {
    serde_json::from_str::<Value>(text).map_err(|e| {
        usage(
            format!(
                "{flag} must be JSON; got {} ({e})",
                serde_json::to_string(text).unwrap()
            ),
            None,
        )
    })
}

pub fn json_values(texts: Option<&[String]>, flag: &str) -> Result<Option<Vec<Value>>, UsageError> {
    match texts {
        None => Ok(None),
        Some(ts) => ts
            .iter()
            .map(|t| json_value(t, flag))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

/// `K=JSON` pairs as an object.
pub fn keyed_json(
    texts: Option<&[String]>,
    flag: &str,
) -> Result<Option<serde_json::Map<String, Value>>, UsageError> {
    let Some(ts) = texts else { return Ok(None) };
    let mut out = serde_json::Map::new();
    for t in ts {
        match t.find('=') {
            Some(i) if i > 0 => {
                let v = json_value(&t[i + 1..], &format!("{flag} {}", &t[..i]))?;
                out.insert(t[..i].to_string(), v);
            }
            _ => {
                return Err(usage(
                    format!(
                        "{flag} takes KEY=JSON; got {}",
                        serde_json::to_string(t).unwrap()
                    ),
                    None,
                ))
            }
        }
    }
    Ok(Some(out))
}

/// An enum flag in either spelling (the Python SDK's or the Temporal CLI's): the protocol's name.
pub fn enum_value(
    text: Option<&str>,
    flag: &str,
    names: &[&str],
) -> Result<Option<String>, UsageError> {
    let Some(t) = text else { return Ok(None) };
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase()
    };
    match names.iter().find(|n| norm(n) == norm(t)) {
        Some(n) => Ok(Some((*n).to_string())),
        None => Err(usage(
            format!("{flag} must be one of {}; got \"{t}\"", names.join(", ")),
            None,
        )),
    }
}
