//! The allocator's thresholds (issue 20: resident memory).
//!
//! glibc serves an allocation above `M_MMAP_THRESHOLD` with its own
//! mapping, returned to the kernel when freed, but by default it raises
//! that threshold to the size of every such block freed (up to 32 MiB).
//! After the first password hash (Argon2id, m = 19 MiB) the next 19 MiB
//! blocks therefore came from the heap arenas and stayed resident: the
//! server sat at 191 MiB right after start-up (the demo accounts are
//! hashed then) and at 363 MiB after eight logins. With the threshold
//! fixed at 1 MiB, measured in the same run: 77 MiB and 78 MiB
//! (BENCHMARKS.md). Fixing it also stops the dynamic trim threshold.

/// Fixes glibc's mmap threshold at 1 MiB; a no-op with other C libraries.
pub fn fix_allocation_thresholds() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; it takes
    // the allocator's own locks and has no other precondition.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}
