//! The WAL archive as the server sees it: `archive_mode` and
//! `pg_stat_archiver` (readable by any role, so the service's own).

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;

/// The server's WAL archiver.
#[derive(Debug, Clone, Serialize, ToSchema, diesel::QueryableByName, PartialEq, Eq)]
#[schema(example = json!({"archive_mode": "on", "archived_count": 42,
    "last_archived_wal": "00000001000000000000002A", "last_archived_at": "2026-12-02T16:45:00Z",
    "failed_count": 0, "last_failed_wal": null, "last_failed_at": null}))]
pub struct ArchiverState {
    /// `archive_mode`: `on`, `always` or `off` (then nothing is archived
    /// here; an external database may keep its own PITR).
    #[diesel(sql_type = Text)]
    pub archive_mode: String,
    #[diesel(sql_type = BigInt)]
    pub archived_count: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_archived_wal: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_archived_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = BigInt)]
    pub failed_count: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_failed_wal: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_failed_at: Option<DateTime<Utc>>,
}

impl ArchiverState {
    pub fn archiving(&self) -> bool {
        self.archive_mode != "off"
    }

    pub fn facts(&self) -> living_gate_domain::backup::ArchiveFacts {
        living_gate_domain::backup::ArchiveFacts {
            last_archived_at: self.last_archived_at,
            last_failed_at: self.last_failed_at,
            failed_count: self.failed_count,
        }
    }
}

/// The archiver's state on the server at `conn`.
pub async fn state(conn: &mut AsyncPgConnection) -> Result<ArchiverState, diesel::result::Error> {
    diesel::sql_query(
        "SELECT current_setting('archive_mode') AS archive_mode, archived_count, \
         last_archived_wal, last_archived_time AS last_archived_at, failed_count, \
         last_failed_wal, last_failed_time AS last_failed_at FROM pg_stat_archiver",
    )
    .get_result(conn)
    .await
}
