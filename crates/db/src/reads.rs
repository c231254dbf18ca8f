//! Reads that a streaming replica may answer (issue 20): public directory
//! traffic and KPI reads go to the replica of `LIVING_GATE_READ_DATABASE_URL`
//! when it is up, its lag is within the bound and it has replayed what the
//! caller needs to see; everything else, and every write, goes to the
//! primary. Without a replica ([`Reads::default`]) every read is the
//! primary's, as before.
//!
//! - Lag: [`Reads::monitor`] asks the primary for its WAL position and the
//!   replica for the position it has replayed every poll interval. The lag
//!   is how long ago the primary was first seen at a position the replica
//!   has not replayed yet (an idle primary with a replica that has caught up
//!   has no lag, however long ago the last transaction was, unlike
//!   `now() - pg_last_xact_replay_timestamp()`).
//! - Read-your-writes: after a write commits, its request asks the primary
//!   for its WAL position ([`Reads::primary_position`], one statement) and
//!   the caller's reads need a replica that has replayed at least that far
//!   ([`Reads::remember`], per actor and per instance; the position also
//!   goes back to the client, which may send it to another instance).
//! - A replica that does not answer is down: reads go to the primary until
//!   a poll answers again. A read whose replica connection fails on checkout
//!   falls back to the primary too.

use crate::pool::{self, Conn, DbPool};
use crate::{DbError, DbResult};
use diesel::sql_types::{BigInt, Nullable};
use diesel_async::RunQueryDsl;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A position in the primary's write-ahead log (PostgreSQL's `pg_lsn`),
/// written as PostgreSQL writes it (`16/B374D848`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position(pub u64);

impl Position {
    /// `X/Y` in hexadecimal (PostgreSQL's text form); `None` for anything else.
    pub fn parse(raw: &str) -> Option<Position> {
        let (high, low) = raw.trim().split_once('/')?;
        let valid = |part: &str| {
            !part.is_empty() && part.len() <= 8 && part.chars().all(|c| c.is_ascii_hexdigit())
        };
        if !valid(high) || !valid(low) {
            return None;
        }
        let high = u64::from_str_radix(high, 16).ok()?;
        let low = u64::from_str_radix(low, 16).ok()?;
        Some(Position((high << 32) | low))
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// How a replica is used: its pool, the lag bound and how often it is polled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSettings {
    /// Past this lag, reads go to the primary.
    pub max_lag: Duration,
    /// How often [`Reads::monitor`] polls.
    pub poll_interval: Duration,
}

impl Default for ReplicaSettings {
    fn default() -> Self {
        ReplicaSettings {
            max_lag: Duration::from_millis(1000),
            poll_interval: Duration::from_millis(200),
        }
    }
}

/// Where reads go (cheap to clone: one replica's state, shared).
#[derive(Clone, Default)]
pub struct Reads {
    replica: Option<Arc<Replica>>,
}

struct Replica {
    pool: DbPool,
    settings: ReplicaSettings,
    state: Mutex<State>,
    /// The last position each actor wrote at, on this instance.
    written: Mutex<HashMap<Uuid, Position>>,
}

/// What the last poll found.
#[derive(Debug, Clone)]
struct State {
    /// The last poll answered, as a replica (in recovery).
    up: bool,
    /// When the replica last answered.
    answered: Option<Instant>,
    replayed: Position,
    lag: Duration,
    /// The primary's positions seen since the replica last caught up,
    /// oldest first: the lag is the age of the first one not replayed.
    ahead: VecDeque<(Instant, Position)>,
}

/// Where a read would go ([`Reads::route`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Replica,
    Primary,
}

/// How many actors' last writes an instance remembers; past it, the oldest
/// half of what the replica has replayed anyway is forgotten first (a
/// client that sends its position back is unaffected).
const REMEMBERED_WRITERS: usize = 10_000;

/// The longest a replica query may take before the replica counts as down.
const REPLICA_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(diesel::QueryableByName)]
struct Lsn {
    #[diesel(sql_type = Nullable<BigInt>)]
    lsn: Option<i64>,
}

fn position_of(row: Lsn) -> Option<Position> {
    row.lsn.and_then(|v| u64::try_from(v).ok()).map(Position)
}

/// The pool of a replica: the primary's settings with short timeouts, so
/// that a replica that went away costs a read a second at most before it
/// falls back to the primary.
pub fn replica_pool_settings(max_size: usize) -> pool::PoolSettings {
    pool::PoolSettings {
        max_size,
        wait_timeout: REPLICA_TIMEOUT,
        create_timeout: REPLICA_TIMEOUT,
        recycle_timeout: REPLICA_TIMEOUT,
    }
}

impl Reads {
    /// Reads over the replica of `pool`; down until the first poll answers.
    pub fn replica(pool: DbPool, settings: ReplicaSettings) -> Reads {
        Reads {
            replica: Some(Arc::new(Replica {
                pool,
                settings,
                state: Mutex::new(State {
                    up: false,
                    answered: None,
                    replayed: Position(0),
                    lag: Duration::ZERO,
                    ahead: VecDeque::new(),
                }),
                written: Mutex::new(HashMap::new()),
            })),
        }
    }

    /// A replica is configured (so writes tell their position).
    pub fn is_replicated(&self) -> bool {
        self.replica.is_some()
    }

    /// A connection for a read that needs at least `needed` replayed: the
    /// replica's when it is up, within the lag bound and far enough, else
    /// `primary`'s. Inside a pinned request (an idempotent write) always
    /// the request's own connection.
    pub async fn connection(&self, primary: &DbPool, needed: Option<Position>) -> DbResult<Conn> {
        if let Some(replica) = &self.replica {
            if !pool::is_pinned() && replica.usable(needed) {
                match pool::checkout(&replica.pool).await {
                    Ok(conn) => return Ok(Conn::Pooled(Box::new(conn))),
                    Err(e) => {
                        replica.mark_down(&e);
                    }
                }
            }
        }
        pool::connection(primary).await
    }

    /// Where a read that needs `needed` would go now.
    pub fn route(&self, needed: Option<Position>) -> Route {
        match &self.replica {
            Some(replica) if replica.usable(needed) => Route::Replica,
            _ => Route::Primary,
        }
    }

    /// The position `actor`'s reads need: the later of what it last wrote
    /// on this instance and what its client sent.
    pub fn needed(&self, actor: Option<Uuid>, sent: Option<Position>) -> Option<Position> {
        let remembered = match (&self.replica, actor) {
            (Some(replica), Some(actor)) => replica.lock_written().get(&actor).copied(),
            _ => None,
        };
        remembered.max(sent)
    }

    /// Remembers that `actor` wrote at `position` (bounded; see
    /// [`REMEMBERED_WRITERS`]).
    pub fn remember(&self, actor: Uuid, position: Position) {
        let Some(replica) = &self.replica else {
            return;
        };
        let replayed = replica.lock_state().replayed;
        let mut written = replica.lock_written();
        if written.len() >= REMEMBERED_WRITERS && !written.contains_key(&actor) {
            written.retain(|_, p| *p > replayed);
            if written.len() >= REMEMBERED_WRITERS {
                written.clear();
            }
        }
        let entry = written.entry(actor).or_insert(position);
        *entry = (*entry).max(position);
    }

    /// The primary's WAL position now: after a commit, at or past it.
    pub async fn primary_position(primary: &DbPool) -> DbResult<Position> {
        let mut conn = primary.get().await?;
        let row: Lsn =
            diesel::sql_query("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS lsn")
                .get_result(&mut conn)
                .await?;
        position_of(row).ok_or_else(|| DbError::Unavailable("no WAL position".into()))
    }

    /// Polls the replica against `primary` every poll interval until `stop`
    /// turns true (or its sender goes away).
    pub async fn monitor(self, primary: DbPool, mut stop: tokio::sync::watch::Receiver<bool>) {
        let Some(replica) = self.replica else {
            return;
        };
        let mut tick = tokio::time::interval(replica.settings.poll_interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => replica.poll(&primary).await,
                changed = stop.changed() => {
                    if changed.is_err() || *stop.borrow() {
                        return;
                    }
                }
            }
        }
    }

    /// One poll now (what [`Reads::monitor`] does every interval).
    pub async fn poll(&self, primary: &DbPool) {
        if let Some(replica) = &self.replica {
            replica.poll(primary).await;
        }
    }
}

impl Replica {
    fn lock_state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_written(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Position>> {
        self.written.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Up, answered recently, within the bound and replayed far enough.
    fn usable(&self, needed: Option<Position>) -> bool {
        let state = self.lock_state();
        // A monitor that stopped polling (or a poll that hangs) must not
        // keep an old verdict alive.
        let fresh = state.answered.is_some_and(|at| {
            at.elapsed()
                <= self.settings.max_lag + self.settings.poll_interval * 2 + REPLICA_TIMEOUT
        });
        state.up
            && fresh
            && state.lag <= self.settings.max_lag
            && needed.is_none_or(|needed| state.replayed >= needed)
    }

    fn mark_down(&self, error: &DbError) {
        let mut state = self.lock_state();
        if state.up {
            tracing::warn!(error = %error, "the read replica does not answer: reads go to the primary");
        }
        state.up = false;
    }

    async fn poll(&self, primary: &DbPool) {
        // The primary first: a position the replica has replayed by the
        // time it answers is not counted as lag.
        let primary_at = match Reads::primary_position(primary).await {
            Ok(position) => Some((Instant::now(), position)),
            Err(e) => {
                tracing::debug!(error = %e, "polling the primary's WAL position");
                None
            }
        };
        let replayed = tokio::time::timeout(REPLICA_TIMEOUT, self.replayed()).await;
        let mut state = self.lock_state();
        if let Some(sample) = primary_at {
            if state.ahead.back().is_none_or(|(_, last)| *last < sample.1) {
                state.ahead.push_back(sample);
            }
        }
        match replayed {
            Ok(Ok(Some(replayed))) => {
                if !state.up {
                    tracing::info!(replayed = %replayed, "the read replica answers: reads may go to it");
                }
                state.up = true;
                state.answered = Some(Instant::now());
                state.replayed = state.replayed.max(replayed);
                let replayed = state.replayed;
                while state.ahead.front().is_some_and(|(_, p)| *p <= replayed) {
                    state.ahead.pop_front();
                }
                let lag = state
                    .ahead
                    .front()
                    .map_or(Duration::ZERO, |(seen, _)| seen.elapsed());
                if lag > self.settings.max_lag && state.lag <= self.settings.max_lag {
                    tracing::warn!(
                        lag_ms = lag.as_millis() as u64,
                        "the read replica lags past the bound: reads go to the primary"
                    );
                }
                state.lag = lag;
            }
            Ok(Ok(None)) => {
                if state.up {
                    tracing::warn!("the read database is not in recovery (not a replica): reads go to the primary");
                }
                state.up = false;
            }
            Ok(Err(e)) => {
                if state.up {
                    tracing::warn!(error = %e, "the read replica does not answer: reads go to the primary");
                }
                state.up = false;
            }
            Err(_) => {
                if state.up {
                    tracing::warn!(
                        "the read replica did not answer in time: reads go to the primary"
                    );
                }
                state.up = false;
            }
        }
        // A replica that stays behind: the lag is past the bound long
        // before this many samples; older ones add nothing.
        let keep = usize::try_from(
            self.settings.max_lag.as_millis() / self.settings.poll_interval.as_millis().max(1),
        )
        .unwrap_or(usize::MAX)
        .saturating_add(16);
        while state.ahead.len() > keep {
            state.ahead.pop_back();
        }
    }

    /// The position the replica has replayed; `None` when it is not in
    /// recovery.
    async fn replayed(&self) -> DbResult<Option<Position>> {
        let mut conn = self.pool.get().await?;
        let row: Lsn =
            diesel::sql_query("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS lsn")
                .get_result(&mut conn)
                .await?;
        Ok(position_of(row))
    }
}

#[cfg(test)]
mod tests {
    use super::Position;

    #[test]
    fn positions_read_and_write_as_postgresql_does() {
        let p = Position::parse("16/B374D848").expect("valid");
        assert_eq!(p.0, (0x16 << 32) | 0xB374_D848);
        assert_eq!(p.to_string(), "16/B374D848");
        assert_eq!(Position::parse("0/0"), Some(Position(0)));
        assert!(Position::parse("0/3000148") < Position::parse("1/0"));
        for bad in [
            "",
            "/",
            "1/",
            "/1",
            "x/1",
            "1/2/3",
            "123456789/0",
            "-1/0",
            "+1/0",
            "1 /0",
        ] {
            assert_eq!(Position::parse(bad), None, "{bad}");
        }
    }
}
