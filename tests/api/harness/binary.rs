//! [`ServedBinary`]: the real `living-gate` binary serving over a test
//! database of its own, its JSON log read line by line, for tests of what
//! reaches the log.

use living_gate_test_db::TestDatabase;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the binary may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(60);

pub struct ServedBinary {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The binary's database (a migrated clone, no fixtures).
    pub db: TestDatabase,
    child: Child,
    log: Receiver<Value>,
    data_dir: tempfile::TempDir,
}

impl ServedBinary {
    /// Starts `living-gate serve` over a fresh test database, logging JSON
    /// at `info`, and waits until it listens.
    pub async fn spawn() -> ServedBinary {
        ServedBinary::spawn_with(&[]).await
    }

    /// [`ServedBinary::spawn`] with extra environment variables.
    pub async fn spawn_with(env: &[(&str, &str)]) -> ServedBinary {
        let db = TestDatabase::create().await.expect("a test database");
        let data_dir = tempfile::Builder::new()
            .prefix("lg-binary")
            .tempdir_in("/tmp")
            .expect("tempdir");
        let (child, log) = start(&db.app_url, data_dir.path(), env);
        let mut served = ServedBinary {
            base: String::new(),
            db,
            child,
            log,
            data_dir,
        };
        served.wait_listening();
        served
    }

    /// SIGKILLs the binary (no graceful shutdown: in-flight requests die
    /// with it) and starts it again on the same database and data
    /// directory (so the same signing keys), with `env`.
    pub fn kill_and_restart(&mut self, env: &[(&str, &str)]) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, log) = start(&self.db.app_url, self.data_dir.path(), env);
        self.child = child;
        self.log = log;
        self.wait_listening();
    }

    /// Runs `living-gate <args>` once over the binary's database, with
    /// `stdin`; panics unless it succeeds.
    pub fn run(&self, args: &[&str], stdin: &str) {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_living-gate"))
            .args(args)
            .env("DATABASE_URL", &self.db.app_url)
            .env("LIVING_GATE_MIGRATE", "false")
            .env("LIVING_GATE_DATA_DIR", self.data_dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run living-gate");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        assert!(
            child.wait().expect("wait").success(),
            "living-gate {args:?}"
        );
    }

    fn wait_listening(&mut self) {
        let listening = self
            .log_line(START_TIMEOUT, |entry| {
                entry["fields"]["message"] == "listening"
            })
            .expect("living-gate did not start listening");
        let addr = listening["fields"]["addr"].as_str().expect("addr");
        self.base = format!("http://{addr}");
    }

    /// The first log line from now on that `matches`, waiting at most
    /// `timeout` (blocking: call it from a multi-threaded test).
    pub fn log_line(&self, timeout: Duration, matches: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(entry) if matches(&entry) => return Some(entry),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

impl Drop for ServedBinary {
    /// Stops the binary before its database is dropped.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(url: &str, data_dir: &std::path::Path, env: &[(&str, &str)]) -> (Child, Receiver<Value>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_living-gate"))
        .env("DATABASE_URL", url)
        .env("LIVING_GATE_MIGRATE", "false")
        .env("LIVING_GATE_DATA_DIR", data_dir)
        .env("LIVING_GATE_BIND", "127.0.0.1:0")
        .env("LIVING_GATE_LOG_FORMAT", "json")
        .env("LIVING_GATE_LOG", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start living-gate");
    let stdout = child.stdout.take().expect("stdout");
    let (send, log) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(entry) = serde_json::from_str::<Value>(&line) {
                if send.send(entry).is_err() {
                    break;
                }
            }
        }
    });
    (child, log)
}
