//! Fixed-window counters for login rate limiting, kept in PostgreSQL so the
//! limit holds across any number of API instances.

use crate::DbResult;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The state of one bucket after an increment or a look.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct Window {
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// Seconds until the window resets (at least 1).
    #[diesel(sql_type = BigInt)]
    pub retry_after_secs: i64,
}

/// Counts one attempt in `bucket` and returns the window's state. A window
/// older than `window_secs` restarts at 1.
pub async fn hit(conn: &mut AsyncPgConnection, bucket: &str, window_secs: i64) -> DbResult<Window> {
    Ok(diesel::sql_query(
        "INSERT INTO login_throttle AS t (bucket, window_started_at, attempts) VALUES ($1, now(), 1)
         ON CONFLICT (bucket) DO UPDATE SET
           attempts = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2) THEN 1 ELSE t.attempts + 1 END,
           window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => $2) THEN now() ELSE t.window_started_at END
         RETURNING attempts,
           GREATEST(1, CEIL(EXTRACT(EPOCH FROM (window_started_at + make_interval(secs => $2) - now()))))::bigint AS retry_after_secs",
    )
    .bind::<Text, _>(bucket)
    .bind::<BigInt, _>(window_secs)
    .get_result(conn)
    .await?)
}

/// The current window of `bucket`, if one is running.
pub async fn peek(
    conn: &mut AsyncPgConnection,
    bucket: &str,
    window_secs: i64,
) -> DbResult<Option<Window>> {
    use diesel::OptionalExtension;
    Ok(diesel::sql_query(
        "SELECT attempts,
           GREATEST(1, CEIL(EXTRACT(EPOCH FROM (window_started_at + make_interval(secs => $2) - now()))))::bigint AS retry_after_secs
         FROM login_throttle
         WHERE bucket = $1 AND window_started_at > now() - make_interval(secs => $2)",
    )
    .bind::<Text, _>(bucket)
    .bind::<BigInt, _>(window_secs)
    .get_result(conn)
    .await
    .optional()?)
}

pub async fn reset(conn: &mut AsyncPgConnection, bucket: &str) -> DbResult<()> {
    diesel::sql_query("DELETE FROM login_throttle WHERE bucket = $1")
        .bind::<Text, _>(bucket)
        .execute(conn)
        .await?;
    Ok(())
}
