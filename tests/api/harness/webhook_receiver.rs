//! [`Receiver`]: a real HTTP server that receives webhooks, records every
//! request (headers and raw body), and answers as told: a status, a delay,
//! or not at all (stopped, its port closed, then back on the same port).

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// Lower-case header names.
    pub headers: HashMap<String, String>,
    pub body: String,
    /// What the receiver answered.
    pub status: u16,
}

impl Delivered {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    /// The body as JSON (a CloudEvent).
    pub fn event(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Delivered>>,
    status: AtomicU16,
    delay_ms: AtomicU64,
}

pub struct Receiver {
    pub url: String,
    port: u16,
    shared: Arc<Shared>,
    server: Mutex<Option<actix_web::dev::ServerHandle>>,
}

async fn receive(req: HttpRequest, body: web::Bytes, shared: web::Data<Shared>) -> HttpResponse {
    let delay = shared.delay_ms.load(Ordering::SeqCst);
    let status = shared.status.load(Ordering::SeqCst);
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    shared.received.lock().unwrap().push(Delivered {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        status,
    });
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap())
        .body("received; a long body the log must cut ".repeat(20))
}

impl Receiver {
    /// Starts on a free port of 127.0.0.1, answering 204.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("port");
        let port = listener.local_addr().expect("addr").port();
        let shared = Arc::new(Shared::default());
        shared.status.store(204, Ordering::SeqCst);
        let receiver = Receiver {
            url: format!("http://127.0.0.1:{port}/hooks/living-gate"),
            port,
            shared,
            server: Mutex::new(None),
        };
        receiver.serve(listener);
        receiver
    }

    fn serve(&self, listener: TcpListener) {
        let shared = web::Data::from(self.shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(0)
        .listen(listener)
        .expect("listen")
        .run();
        *self.server.lock().unwrap() = Some(server.handle());
        tokio::spawn(server);
    }

    /// Answers every next request with `status`.
    pub fn respond_with(&self, status: u16) {
        self.shared.status.store(status, Ordering::SeqCst);
    }

    /// Waits this long before answering.
    pub fn delay(&self, delay: Duration) {
        self.shared
            .delay_ms
            .store(u64::try_from(delay.as_millis()).unwrap(), Ordering::SeqCst);
    }

    /// Stops listening: connections are refused.
    pub async fn down(&self) {
        let handle = self.server.lock().unwrap().take();
        if let Some(handle) = handle {
            handle.stop(false).await;
        }
    }

    /// Listens again on the same port.
    pub async fn up(&self) {
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)) {
                Ok(listener) => break listener,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        self.serve(listener);
    }

    pub fn received(&self) -> Vec<Delivered> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits (at most `timeout`) until `done` holds for what arrived.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&[Delivered]) -> bool,
    ) -> Vec<Delivered> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the receiver did not get what was expected in {timeout:?}; got {:#?}",
                received
                    .iter()
                    .map(|d| (d.status, d.event()["type"].clone()))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// What the Standard Webhooks reference library (Python) says of each
/// delivery verified with `secret`: "ok" or "refused: …".
pub fn verify_with_reference_library(secret: &str, deliveries: &[Delivered]) -> Vec<String> {
    use std::io::Write;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/webhooks/verify.py"
    );
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut input = String::new();
    for d in deliveries {
        let headers: HashMap<&str, &str> = ["webhook-id", "webhook-timestamp", "webhook-signature"]
            .into_iter()
            .map(|h| (h, d.header(h)))
            .collect();
        input.push_str(
            &serde_json::json!({"secret": secret, "headers": headers, "body": d.body}).to_string(),
        );
        input.push('\n');
    }
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "tests/webhooks/verify.py failed (run tests/webhooks/setup.sh): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}
