//! `manifest.json`: what a backup holds and how to check it.

use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// The dump's file name in a backup directory.
pub const DUMP_FILE: &str = "dump.pgdump";
/// The manifest's file name in a backup directory.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The manifest format this binary writes and reads.
pub const FORMAT: &str = "living-gate-logical-backup/1";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: String,
    /// When the snapshot was taken (the server's clock).
    pub taken_at: chrono::DateTime<chrono::Utc>,
    /// `server_version_num` of the server backed up, e.g. 150014.
    pub server_version_num: u32,
    /// The newest applied diesel migration.
    pub migration_version: Option<String>,
    /// The database's name.
    pub database: String,
    /// Roles that hold privileges in the database (cluster-wide objects
    /// pg_dump does not dump); a restore creates the missing ones NOLOGIN.
    pub roles: Vec<String>,
    /// `schema.table` → rows, counted in the dump's snapshot.
    pub row_counts: BTreeMap<String, i64>,
    /// SHA-256 of [`DUMP_FILE`], hex.
    pub dump_sha256: String,
    pub dump_bytes: u64,
}

impl Manifest {
    pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
        let path = dir.join(MANIFEST_FILE);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let manifest: Manifest =
            serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        anyhow::ensure!(
            manifest.format == FORMAT,
            "{} is of format {:?}, this binary reads {FORMAT:?}",
            path.display(),
            manifest.format
        );
        Ok(manifest)
    }

    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(MANIFEST_FILE);
        std::fs::write(&path, serde_json::to_string_pretty(self)? + "\n")
            .with_context(|| format!("writing {}", path.display()))
    }

    /// Fails unless the dump's checksum is the manifest's.
    pub fn check_dump(&self, dir: &Path) -> anyhow::Result<()> {
        let (digest, _) = sha256_file(&dir.join(DUMP_FILE))?;
        anyhow::ensure!(
            digest == self.dump_sha256,
            "the dump {} is corrupted: its SHA-256 is {digest}, the manifest says {}",
            dir.join(DUMP_FILE).display(),
            self.dump_sha256
        );
        Ok(())
    }
}

/// SHA-256 (hex) and length of a file.
pub fn sha256_file(path: &Path) -> anyhow::Result<(String, u64)> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        total += read as u64;
        hasher.update(&buffer[..read]);
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// The tables whose counts differ, as `table: expected X, found Y` lines.
pub fn count_mismatches(
    expected: &BTreeMap<String, i64>,
    found: &BTreeMap<String, i64>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (table, rows) in expected {
        match found.get(table) {
            Some(have) if have == rows => {}
            Some(have) => lines.push(format!("{table}: expected {rows} rows, found {have}")),
            None => lines.push(format!(
                "{table}: expected {rows} rows, the table is missing"
            )),
        }
    }
    for (table, have) in found {
        if !expected.contains_key(table) {
            lines.push(format!("{table}: not in the backup, found {have} rows"));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mismatches_name_the_table_both_ways() {
        let expected = BTreeMap::from([("public.a".to_owned(), 2), ("public.b".to_owned(), 1)]);
        let found = BTreeMap::from([("public.a".to_owned(), 3), ("public.c".to_owned(), 0)]);
        let lines = count_mismatches(&expected, &found);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("public.a: expected 2 rows, found 3"));
        assert!(lines[1].contains("public.b") && lines[1].contains("missing"));
        assert!(lines[2].contains("public.c"));
        assert!(count_mismatches(&expected, &expected).is_empty());
    }
}
