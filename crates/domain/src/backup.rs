//! Backups (issue 21): which base backups to keep, which archived WAL a
//! point-in-time recovery can no longer need, when the next scheduled base
//! backup is due, and whether the backups are healthy. Pure decisions; the
//! files and PostgreSQL are the api's.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// The base backups to delete: every one but the `keep` newest (by
/// `taken_at`; `keep` is at least 1, so the newest is never deleted).
/// Returns the ids of the ones to delete, oldest first.
pub fn base_backups_to_prune<Id: Clone>(backups: &[(Id, DateTime<Utc>)], keep: usize) -> Vec<Id> {
    let keep = keep.max(1);
    let mut sorted: Vec<&(Id, DateTime<Utc>)> = backups.iter().collect();
    sorted.sort_by_key(|b| std::cmp::Reverse(b.1));
    let mut pruned: Vec<&(Id, DateTime<Utc>)> = sorted.into_iter().skip(keep).collect();
    pruned.sort_by_key(|a| a.1);
    pruned.into_iter().map(|(id, _)| id.clone()).collect()
}

/// The position part of a WAL file name (`TTTTTTTTLLLLLLLLSSSSSSSS`: the
/// log and segment numbers after the timeline), for the segment files and
/// what is named after them (`.backup` labels, `.partial` segments, our
/// `.part` copies in progress); `None` for anything else (`.history`
/// files, which are tiny and every recovery may need).
fn segment_position(name: &str) -> Option<&str> {
    let head = name.get(..24)?;
    if !head.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let rest = &name[24..];
    if !(rest.is_empty() || rest.starts_with('.')) || rest == ".history" {
        return None;
    }
    Some(&head[8..])
}

/// The archived WAL files a recovery from a base backup that starts at
/// segment `oldest_needed` (the oldest kept base backup's `START WAL`
/// file) never reads: those of an earlier position, on any timeline (what
/// `pg_archivecleanup` removes). History files and unknown names stay.
pub fn wal_to_prune(files: &[String], oldest_needed: &str) -> Vec<String> {
    let Some(needed) = segment_position(oldest_needed) else {
        return Vec::new();
    };
    let mut pruned: Vec<String> = files
        .iter()
        .filter(|name| segment_position(name).is_some_and(|position| position < needed))
        .cloned()
        .collect();
    pruned.sort();
    pruned
}

/// When the next scheduled base backup is due: `interval` after the last
/// one, or now when there is none or it is overdue.
pub fn next_base_backup_at(
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    interval: Duration,
) -> DateTime<Utc> {
    match last {
        Some(last) if last + interval > now => last + interval,
        _ => now,
    }
}

/// The overall state of the backups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupStatus {
    /// Base backups are fresh and the WAL archive works.
    Ok,
    /// Something needs an operator: see the reasons.
    Degraded,
    /// Neither scheduled base backups nor WAL archiving (an external
    /// database with its own backups, or both turned off).
    Off,
}

/// What [`assess`] looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupFacts {
    /// The scheduled base backups' interval; `None`: not scheduled.
    pub interval: Option<Duration>,
    /// When the newest base backup finished.
    pub last_base_backup: Option<DateTime<Utc>>,
    /// The newest scheduled attempt failed (its error).
    pub last_attempt_error: Option<String>,
    /// `None`: this server does not archive WAL.
    pub archive: Option<ArchiveFacts>,
}

/// The WAL archiver's counters (`pg_stat_archiver`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveFacts {
    pub last_archived_at: Option<DateTime<Utc>>,
    pub last_failed_at: Option<DateTime<Utc>>,
    pub failed_count: i64,
}

/// The status and, when degraded, why (one sentence each).
pub fn assess(facts: &BackupFacts, now: DateTime<Utc>) -> (BackupStatus, Vec<String>) {
    let mut reasons = Vec::new();
    if let Some(interval) = facts.interval {
        match facts.last_base_backup {
            None => reasons.push("no base backup yet".to_owned()),
            // Stale once two turns were missed.
            Some(last) if now - last > interval * 2 => reasons.push(format!(
                "the newest base backup is {} hours old (scheduled every {} hours)",
                (now - last).num_hours(),
                interval.num_hours().max(1)
            )),
            Some(_) => {}
        }
        if let Some(error) = &facts.last_attempt_error {
            reasons.push(format!("the last scheduled base backup failed: {error}"));
        }
    }
    if let Some(archive) = &facts.archive {
        let failing = match (archive.last_failed_at, archive.last_archived_at) {
            (Some(failed), Some(archived)) => failed > archived,
            (Some(_), None) => true,
            _ => false,
        };
        if failing {
            reasons.push(format!(
                "WAL archiving is failing ({} failures; see the PostgreSQL log)",
                archive.failed_count
            ));
        }
    }
    let status = if !reasons.is_empty() {
        BackupStatus::Degraded
    } else if facts.interval.is_none() && facts.archive.is_none() {
        BackupStatus::Off
    } else {
        BackupStatus::Ok
    };
    (status, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        format!("2026-12-0{}T{:02}:00:00Z", 1 + hour / 24, hour % 24)
            .parse()
            .expect("time")
    }

    #[test]
    fn the_newest_backups_are_kept() {
        let backups = vec![("c", at(48)), ("a", at(0)), ("d", at(72)), ("b", at(24))];
        assert_eq!(base_backups_to_prune(&backups, 2), vec!["a", "b"]);
        assert_eq!(base_backups_to_prune(&backups, 4), Vec::<&str>::new());
        assert_eq!(base_backups_to_prune(&backups, 7), Vec::<&str>::new());
        // Keeping none is keeping one: the newest survives.
        assert_eq!(base_backups_to_prune(&backups, 0), vec!["a", "b", "c"]);
        assert!(base_backups_to_prune::<&str>(&[], 3).is_empty());
    }

    #[test]
    fn wal_before_the_oldest_kept_backup_is_pruned() {
        let files: Vec<String> = [
            "000000010000000000000001",
            "000000010000000000000002",
            "000000010000000000000002.00000028.backup",
            "000000010000000000000003",
            "0000000100000000000000FF",
            "000000010000000100000000",
            "000000020000000000000001.partial",
            "000000020000000000000004",
            "00000002.history",
            "000000010000000000000001.part",
            "README",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(
            wal_to_prune(&files, "000000010000000000000003"),
            vec![
                "000000010000000000000001",
                "000000010000000000000001.part",
                "000000010000000000000002",
                "000000010000000000000002.00000028.backup",
                "000000020000000000000001.partial",
            ]
        );
        // Across a log boundary: 0/FF is before 1/00.
        assert_eq!(
            wal_to_prune(&files, "000000010000000100000000").len(),
            8,
            "0/FF goes too, and timeline 2's 0/4"
        );
        // Nothing is pruned against a name that is not a segment.
        assert!(wal_to_prune(&files, "00000002.history").is_empty());
        assert!(wal_to_prune(&files, "garbage").is_empty());
    }

    #[test]
    fn the_next_backup_is_an_interval_after_the_last_or_now() {
        let day = Duration::hours(24);
        assert_eq!(next_base_backup_at(None, at(5), day), at(5));
        assert_eq!(next_base_backup_at(Some(at(1)), at(5), day), at(25));
        assert_eq!(next_base_backup_at(Some(at(1)), at(30), day), at(30));
    }

    #[test]
    fn stale_or_failing_backups_are_degraded() {
        let day = Duration::hours(24);
        let fresh = BackupFacts {
            interval: Some(day),
            last_base_backup: Some(at(0)),
            last_attempt_error: None,
            archive: Some(ArchiveFacts {
                last_archived_at: Some(at(10)),
                last_failed_at: Some(at(9)),
                failed_count: 1,
            }),
        };
        assert_eq!(assess(&fresh, at(30)), (BackupStatus::Ok, vec![]));
        let (status, reasons) = assess(&fresh, at(49));
        assert_eq!(status, BackupStatus::Degraded);
        assert!(reasons[0].contains("49 hours old"), "{reasons:?}");

        let failing = BackupFacts {
            archive: Some(ArchiveFacts {
                last_archived_at: Some(at(10)),
                last_failed_at: Some(at(11)),
                failed_count: 3,
            }),
            ..fresh.clone()
        };
        let (status, reasons) = assess(&failing, at(12));
        assert_eq!(status, BackupStatus::Degraded);
        assert!(reasons[0].contains("3 failures"), "{reasons:?}");

        let never = BackupFacts {
            last_base_backup: None,
            last_attempt_error: Some("disk full".to_owned()),
            ..fresh.clone()
        };
        let (_, reasons) = assess(&never, at(12));
        assert_eq!(reasons.len(), 2, "{reasons:?}");

        assert_eq!(
            assess(&BackupFacts::default(), at(1)),
            (BackupStatus::Off, vec![])
        );
        // Archiving only (scheduled base backups off): judged on the archive.
        let archive_only = BackupFacts {
            interval: None,
            ..failing
        };
        assert_eq!(assess(&archive_only, at(12)).0, BackupStatus::Degraded);
    }
}
