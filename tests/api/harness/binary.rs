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
    _data_dir: tempfile::TempDir,
}

impl ServedBinary {
    /// Starts `living-gate serve` over a fresh test database, logging JSON
    /// at `info`, and waits until it listens.
    pub async fn spawn() -> ServedBinary {
        let db = TestDatabase::create().await.expect("a test database");
        let data_dir = tempfile::Builder::new()
            .prefix("lg-binary")
            .tempdir_in("/tmp")
            .expect("tempdir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_living-gate"))
            .env("DATABASE_URL", &db.url)
            .env("LIVING_GATE_MIGRATE", "false")
            .env("LIVING_GATE_DATA_DIR", data_dir.path())
            .env("LIVING_GATE_BIND", "127.0.0.1:0")
            .env("LIVING_GATE_LOG_FORMAT", "json")
            .env("LIVING_GATE_LOG", "info")
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
        let mut served = ServedBinary {
            base: String::new(),
            db,
            child,
            log,
            _data_dir: data_dir,
        };
        let listening = served
            .log_line(START_TIMEOUT, |entry| {
                entry["fields"]["message"] == "listening"
            })
            .expect("living-gate did not start listening");
        let addr = listening["fields"]["addr"].as_str().expect("addr");
        served.base = format!("http://{addr}");
        served
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
