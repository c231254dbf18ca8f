//! A ClamAV client: clamd's `INSTREAM` command over its unix socket or TCP
//! (`zINSTREAM\0`, then chunks each prefixed by its length as 4 bytes big
//! endian, then a zero-length chunk; the reply is `stream: OK`,
//! `stream: <signature> FOUND` or `<reason> ERROR`, NUL-terminated).
//!
//! A file larger than clamd's `StreamMaxLength` is refused by clamd
//! (`INSTREAM size limit exceeded. ERROR`, and it may close the connection
//! mid-stream): that is a scanner error, never "clean".

use crate::startup::config::ClamdAddress;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Bytes sent per chunk.
const CHUNK: usize = 64 * 1024;
/// The longest reply read.
const MAX_REPLY: u64 = 4096;

/// What clamd said about a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The signature that matched.
    Infected(String),
    /// Why there is no verdict (unreachable, timeout, refused).
    Error(String),
}

/// A configured clamd.
#[derive(Debug, Clone)]
pub struct Scanner {
    pub address: ClamdAddress,
    pub timeout: Duration,
}

impl Scanner {
    /// Scans `content`; never fails: a broken scanner is [`Verdict::Error`].
    pub async fn scan(&self, content: &[u8]) -> Verdict {
        let scan = async {
            match &self.address {
                ClamdAddress::Unix(path) => {
                    let stream = tokio::net::UnixStream::connect(path).await?;
                    instream(stream, content).await
                }
                ClamdAddress::Tcp(addr) => {
                    let stream = tokio::net::TcpStream::connect(addr.as_str()).await?;
                    instream(stream, content).await
                }
            }
        };
        match tokio::time::timeout(self.timeout, scan).await {
            Ok(Ok(reply)) => parse_reply(&reply),
            Ok(Err(error)) => Verdict::Error(format!("clamd unreachable: {error}")),
            Err(_) => Verdict::Error(format!(
                "clamd did not answer within {} s",
                self.timeout.as_secs()
            )),
        }
    }
}

async fn instream<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    content: &[u8],
) -> std::io::Result<String> {
    let sent = async {
        stream.write_all(b"zINSTREAM\0").await?;
        for chunk in content.chunks(CHUNK) {
            let length = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
            stream.write_all(&length.to_be_bytes()).await?;
            stream.write_all(chunk).await?;
        }
        stream.write_all(&0u32.to_be_bytes()).await?;
        stream.flush().await
    }
    .await;
    // clamd may refuse mid-stream (StreamMaxLength) and close: its reply
    // says why, so read it whatever the writing met.
    let mut reply = Vec::new();
    let read = (&mut stream).take(MAX_REPLY).read_to_end(&mut reply).await;
    if reply.is_empty() {
        sent?;
        read?;
    }
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

/// Reads clamd's reply to `INSTREAM`.
pub fn parse_reply(reply: &str) -> Verdict {
    let reply = reply.trim_end_matches(['\0', '\n', '\r']).trim();
    let body = reply
        .strip_prefix("stream:")
        .map(str::trim)
        .unwrap_or(reply);
    if body == "OK" {
        Verdict::Clean
    } else if let Some(signature) = body.strip_suffix(" FOUND") {
        Verdict::Infected(signature.trim().to_owned())
    } else if reply.is_empty() {
        Verdict::Error("clamd closed the connection without a verdict".into())
    } else {
        Verdict::Error(reply.chars().take(400).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_read_as_verdicts() {
        assert_eq!(parse_reply("stream: OK\0"), Verdict::Clean);
        assert_eq!(
            parse_reply("stream: Eicar-Signature FOUND\0"),
            Verdict::Infected("Eicar-Signature".into())
        );
        assert_eq!(
            parse_reply("INSTREAM size limit exceeded. ERROR\0"),
            Verdict::Error("INSTREAM size limit exceeded. ERROR".into())
        );
        assert!(matches!(parse_reply(""), Verdict::Error(_)));
        assert!(matches!(parse_reply("stream: OKAY"), Verdict::Error(_)));
    }

    #[tokio::test]
    async fn the_stream_is_framed_in_length_prefixed_chunks() {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        let content = vec![7u8; CHUNK + 10];
        let server = tokio::spawn(async move {
            let mut received = vec![0u8; 10 + 4 + CHUNK + 4 + 10 + 4];
            server.read_exact(&mut received).await.expect("the request");
            server.write_all(b"stream: OK\0").await.expect("reply");
            received
        });
        let reply = instream(client, &content).await.expect("a reply");
        assert_eq!(parse_reply(&reply), Verdict::Clean);
        let received = server.await.expect("server");
        assert_eq!(&received[..10], b"zINSTREAM\0");
        assert_eq!(&received[10..14], &(CHUNK as u32).to_be_bytes());
        let second = 14 + CHUNK;
        assert_eq!(&received[second..second + 4], &10u32.to_be_bytes());
        assert_eq!(&received[received.len() - 4..], &[0, 0, 0, 0]);
    }
}
