//! Rebuilds the crate when a migration changes (they are embedded), and
//! exposes a hash of all migrations so test templates are rebuilt when the
//! schema changes.

use sha2::{Digest, Sha256};
use std::path::Path;

fn main() {
    // Read at run time, not compiled in (`env!`): cargo reuses a build
    // script's binary across checkouts of the workspace (a copied target/,
    // worktrees), and a compiled-in path would hash another checkout's
    // migrations.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    let dir = Path::new(&manifest_dir).join("../../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        println!("cargo:rerun-if-changed={}", file.display());
        hasher.update(
            file.strip_prefix(&dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(std::fs::read(&file).unwrap_or_default());
    }
    let hash = hex::encode(hasher.finalize());
    println!(
        "cargo:rustc-env=LIVING_GATE_MIGRATIONS_HASH={}",
        &hash[..16]
    );
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
