//! One real Temporal dev server with a real worker (the TS harness's, through
//! tests/support/worker-env.js) and one real daemon (`node bin/temporal-handled.js --socket …
//! --port … --token-file …`, under a `/bin/sh` watchdog that stops it when this process ends)
//! per test binary, on free loopback ports.
#![allow(dead_code)]
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use temporal_handled::{Client, SessionOptions};

pub struct Env {
    pub root: PathBuf,
    /// The task queue a real worker of test/fixtures/workflows.ts polls.
    pub task_queue: String,
    pub address: String,
    pub socket: PathBuf,
    pub port: u16,
    pub token_file: PathBuf,
    pub daemon_pid: u32,
    pub dir: PathBuf,
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A free loopback port below the ephemeral range (as the TS harness picks them).
fn free_port() -> u16 {
    let seed = std::process::id() as u64
        ^ Instant::now().elapsed().as_nanos() as u64
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
    let mut x = seed | 1;
    loop {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let port = 20000 + (x % 12000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Runs `cmd` under a shell that kills it once this test process is gone.
fn guarded(cmd: &[String], log: &Path) -> u32 {
    let quoted: Vec<String> = cmd
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let script = format!(
        "{} >>'{}' 2>&1 & child=$!; echo $child; while kill -0 {} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done; kill $child 2>/dev/null",
        quoted.join(" "),
        log.display(),
        std::process::id()
    );
    let mut sh = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .stdin(Stdio::null())
        .spawn()
        .expect("/bin/sh");
    use std::io::BufRead;
    let mut line = String::new();
    std::io::BufReader::new(sh.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    std::mem::forget(sh);
    line.trim().parse().expect("the child's pid")
}

static ENV: OnceLock<Env> = OnceLock::new();

pub fn env() -> &'static Env {
    ENV.get_or_init(|| {
        let root = root();
        assert!(
            root.join(".venv/bin/temporal").exists(),
            ".venv/bin/temporal is missing: run `npm run setup`"
        );
        assert!(
            root.join("dist/test/harness/env.js").exists(),
            "the project is not built: run `npm run build`"
        );
        let dir = std::env::temp_dir().join(format!("th-rust-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // The TS harness's dev server and a real worker (tests/support/worker-env.js); it stops
        // both when its stdin, held open by this process, ends.
        let mut worker = Command::new("node")
            .arg(root.join("clients/rust/tests/support/worker-env.js"))
            .current_dir(&root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("worker-env.log")).unwrap())
            .spawn()
            .expect("node tests/support/worker-env.js");
        let mut line = String::new();
        {
            use std::io::BufRead;
            std::io::BufReader::new(worker.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
        }
        let started: serde_json::Value = serde_json::from_str(line.trim()).unwrap_or_else(|e| {
            let log = std::fs::read_to_string(dir.join("worker-env.log")).unwrap_or_default();
            panic!("the dev server and worker did not start ({e}): {log}")
        });
        let address = started["address"].as_str().unwrap().to_string();
        let task_queue = started["taskQueue"].as_str().unwrap().to_string();
        std::mem::forget(worker);
        let d = spawn_daemon(&root, &dir, &address);
        // Ready when the daemon answers a call that reaches Temporal.
        // On a thread of its own: a test's runtime cannot run another inside it.
        let (sock, logs) = (d.socket.clone(), dir.join("daemon.log"));
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(until_serving(
                &sock,
                &logs,
                "of the tests",
                Duration::from_secs(90),
                || true,
            ));
        })
        .join()
        .expect("the test environment");
        let (socket, tcp, token_file, daemon_pid) = (d.socket, d.port, d.token_file, d.pid);
        Env {
            root,
            task_queue,
            address,
            socket,
            port: tcp,
            token_file,
            daemon_pid,
            dir,
        }
    })
}

pub async fn attach() -> Client {
    Client::attach_unix(&env().socket, SessionOptions::default())
        .await
        .expect("attach to the test daemon")
}

pub fn unique(prefix: &str) -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    format!("{prefix}-{}-{t:x}-{n}", std::process::id())
}

/// Waits (bounded) until `f` holds; false when it never did.
pub async fn eventually<F, Fut>(mut f: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if f().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A daemon of the calling test's own (its own socket, TCP port and token file) on the shared
/// dev server, for a test that counts the daemon's handles: the shared daemon's count moves
/// with every test running beside it.
pub struct OwnDaemon {
    pub socket: PathBuf,
    pub port: u16,
    pub token_file: PathBuf,
}

pub async fn own_daemon(tag: &str) -> OwnDaemon {
    let e = env();
    let dir = e.dir.join(tag);
    std::fs::create_dir_all(&dir).unwrap();
    let d = spawn_daemon(&e.root, &dir, &e.address);
    let token_file = d.token_file.clone();
    until_serving(
        &d.socket,
        &dir.join("daemon.log"),
        tag,
        Duration::from_secs(60),
        || token_file.exists(),
    )
    .await;
    let (socket, port, token_file) = (d.socket, d.port, d.token_file);
    OwnDaemon {
        socket,
        port,
        token_file,
    }
}

/// A daemon started under the guard in `dir` (its socket, a TCP port with a token file, its log).
struct Spawned {
    socket: PathBuf,
    port: u16,
    token_file: PathBuf,
    pid: u32,
}

fn spawn_daemon(root: &Path, dir: &Path, address: &str) -> Spawned {
    let socket = dir.join("d.sock");
    let token_file = dir.join("token");
    let port = free_port();
    let s = |x: &Path| x.to_string_lossy().into_owned();
    let pid = guarded(
        &[
            "node".into(),
            s(&root.join("bin/temporal-handled.js")),
            "--socket".into(),
            s(&socket),
            "--port".into(),
            port.to_string(),
            "--token-file".into(),
            s(&token_file),
            "--address".into(),
            address.to_string(),
            "--log-level".into(),
            "warn".into(),
        ],
        &dir.join("daemon.log"),
    );
    Spawned {
        socket,
        port,
        token_file,
        pid,
    }
}

/// Waits until the daemon at `socket` answers a call that reaches Temporal and `also` holds;
/// past `within`, panics with the daemon's log.
async fn until_serving(
    socket: &Path,
    log: &Path,
    tag: &str,
    within: Duration,
    also: impl Fn() -> bool,
) {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(c) = Client::attach_unix(socket, SessionOptions::default()).await {
            let ok = c
                .request("workflow/count", Some(temporal_handled::json!({})))
                .await
                .is_ok();
            c.close().await;
            if ok && also() {
                return;
            }
        }
        if Instant::now() > deadline {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            panic!(
                "the daemon {tag} did not come up within {} s; its log:\n{text}",
                within.as_secs()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
