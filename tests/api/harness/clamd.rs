//! A real `clamd` of the test's own: a temporary directory with a config
//! (`LocalSocket`, `Foreground`, `User root`), and a signature database of
//! one entry, the MD5 of the EICAR test file as written by
//! `sigtool --md5` (freshclam cannot reach its servers here). Started by
//! [`Clamd::start`], which waits for the socket and fails loudly when
//! clamd or sigtool is missing: a scanner test never skips. Killed on drop.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The EICAR anti-virus test file (68 bytes).
pub const EICAR: &[u8] = br"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// The signature name clamd reports for [`EICAR`] with that database.
pub const EICAR_SIGNATURE: &str = "eicar.com.UNOFFICIAL";

pub struct Clamd {
    pub socket: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Clamd {
    /// clamd with its `StreamMaxLength` at 25 MiB (above the default limit).
    pub async fn start() -> Clamd {
        Clamd::start_with_stream_max("25M").await
    }

    /// clamd with this `StreamMaxLength` (`1K`, `25M`).
    pub async fn start_with_stream_max(stream_max: &str) -> Clamd {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database = dir.path().join("db");
        std::fs::create_dir(&database).expect("database directory");
        let sample = dir.path().join("eicar.com");
        std::fs::write(&sample, EICAR).expect("the EICAR file");
        let signature = Command::new("sigtool")
            .arg("--md5")
            .arg(&sample)
            .output()
            .unwrap_or_else(|e| {
                panic!("sigtool is missing ({e}): install clamav (apt-get install -y clamav clamav-daemon)")
            });
        assert!(signature.status.success(), "sigtool --md5 failed");
        std::fs::write(database.join("test.hdb"), &signature.stdout).expect("test.hdb");
        let socket = dir.path().join("clamd.sock");
        let config = dir.path().join("clamd.conf");
        std::fs::write(
            &config,
            format!(
                "LocalSocket {}\nDatabaseDirectory {}\nForeground yes\nUser root\n\
                 LogFile {}\nStreamMaxLength {stream_max}\n",
                socket.display(),
                database.display(),
                dir.path().join("clamd.log").display()
            ),
        )
        .expect("clamd.conf");
        let child = Command::new("clamd")
            .arg(format!("--config-file={}", config.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("clamd is missing ({e}): install clamav-daemon (apt-get install -y clamav clamav-daemon)")
            });
        let mut clamd = Clamd {
            socket,
            child,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while tokio::net::UnixStream::connect(&clamd.socket)
            .await
            .is_err()
        {
            if let Ok(Some(status)) = clamd.child.try_wait() {
                panic!("clamd exited at start ({status})");
            }
            assert!(
                Instant::now() < deadline,
                "clamd did not open its socket within 60 s"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        clamd
    }
}

impl Drop for Clamd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
