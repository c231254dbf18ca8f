//! [`SmtpSink`]: a real SMTP server for the notification tests, on its own
//! thread and runtime (so it keeps answering while a test blocks), that
//! records every message it receives and can be told to answer slowly or
//! to refuse. It records a message as soon as its data is complete, before
//! it answers: a sender killed while waiting for the answer has delivered
//! it, and sends it again later, as with a real server (the case a
//! Message-ID exists to deduplicate).

use base64::Engine;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// How the server answers.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// The pause before answering the end of DATA.
    pub data_delay: Duration,
    /// Refuse every recipient with this reply (e.g. `550 5.1.1 no such user`).
    pub refuse: Option<String>,
}

/// One message as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub recipients: Vec<String>,
    /// The raw message (headers and encoded body).
    pub data: String,
}

impl Received {
    /// A header, unfolded, with RFC 2047 encoded words decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.split("\r\n").find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| decode_words(value.trim()))
        })
    }

    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The Message-ID header, without angle brackets.
    pub fn message_id(&self) -> String {
        self.header("Message-ID")
            .unwrap_or_default()
            .trim_matches(|c| c == '<' || c == '>')
            .to_owned()
    }

    /// The body, decoded from base64 (what the service sends).
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .expect("a base64 body");
        String::from_utf8(bytes).expect("a UTF-8 body")
    }
}

/// Decodes `=?utf-8?b?…?=` words: the space between two of them goes,
/// the space between a word and plain text stays (RFC 2047).
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut last_encoded = false;
    for token in value.split(' ').filter(|t| !t.is_empty()) {
        let lower = token.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && token.ends_with("?=") {
            if !last_encoded && !out.is_empty() {
                out.push(' ');
            }
            let inner = &token[10..token.len() - 2];
            bytes.extend(
                base64::engine::general_purpose::STANDARD
                    .decode(inner)
                    .expect("an encoded word"),
            );
            last_encoded = true;
        } else {
            out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut bytes)));
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(token);
            last_encoded = false;
        }
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    out
}

struct State {
    received: Vec<Received>,
    behaviour: Behaviour,
}

pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpSink {
    /// Starts the server on a random port of 127.0.0.1.
    pub fn start() -> SmtpSink {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("an SMTP port");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State {
            received: Vec::new(),
            behaviour: Behaviour::default(),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("the SMTP sink's runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    let Ok((socket, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(session(socket, Arc::clone(&shared)));
                }
            });
        });
        SmtpSink { port, state }
    }

    /// `smtp://127.0.0.1:<port>` (plain SMTP).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn behave(&self, behaviour: Behaviour) {
        self.state.lock().expect("state").behaviour = behaviour;
    }

    /// Every message received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().expect("state").received.clone()
    }

    /// Waits until `count` messages have arrived (or panics after `timeout`).
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} messages arrived",
                received.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

async fn session(socket: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    let behaviour = || state.lock().expect("state").behaviour.clone();
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut recipients = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: String = if command.starts_with("EHLO") {
            "250-sink\r\n250 8BITMIME\r\n".into()
        } else if command.starts_with("HELO") || command.starts_with("NOOP") {
            "250 OK\r\n".into()
        } else if command.starts_with("MAIL FROM") {
            recipients.clear();
            "250 OK\r\n".into()
        } else if command.starts_with("RCPT TO") {
            match behaviour().refuse {
                Some(refusal) => format!("{refusal}\r\n"),
                None => {
                    let address = line.trim_end()[8..]
                        .trim()
                        .trim_matches(|c| c == '<' || c == '>')
                        .to_owned();
                    recipients.push(address);
                    "250 OK\r\n".into()
                }
            }
        } else if command == "DATA" {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut data = String::new();
            loop {
                line.clear();
                match lines.read_line(&mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if line == ".\r\n" {
                    break;
                }
                let unstuffed = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(unstuffed);
            }
            state.lock().expect("state").received.push(Received {
                recipients: std::mem::take(&mut recipients),
                data,
            });
            tokio::time::sleep(behaviour().data_delay).await;
            "250 2.0.0 queued\r\n".into()
        } else if command.starts_with("RSET") {
            recipients.clear();
            "250 OK\r\n".into()
        } else if command.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            "502 not implemented\r\n".into()
        };
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
