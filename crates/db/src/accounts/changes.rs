//! Account changes as they commit: the channel the triggers of migration
//! 000031 notify (`user:<id>`, `service_account:<id>`, `token:<jti>`,
//! `all`), read on a dedicated connection (never one of the pool's: a
//! pooled connection would stop listening when it is recycled).

use crate::{DbError, DbResult};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use std::time::Duration;
use uuid::Uuid;

/// The channel of migration 000031.
pub const CHANNEL: &str = "living_gate_accounts";

/// The `application_name` of the listening connection (how an operator, or
/// a test, finds its backend in `pg_stat_activity`).
pub const APPLICATION_NAME: &str = "living_gate_account_listener";

/// One committed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    User(Uuid),
    ServiceAccount(Uuid),
    /// An access token revoked before its expiry (its `jti`).
    Token(Uuid),
    /// A table was truncated, or the payload was not understood: forget
    /// everything.
    All,
}

impl AccountChange {
    /// The change a notification's payload names ([`AccountChange::All`]
    /// for anything else: forgetting too much is safe).
    pub fn parse(payload: &str) -> AccountChange {
        let (kind, id) = match payload.split_once(':') {
            Some(parts) => parts,
            None => return AccountChange::All,
        };
        let Ok(id) = Uuid::parse_str(id) else {
            return AccountChange::All;
        };
        match kind {
            "user" => AccountChange::User(id),
            "service_account" => AccountChange::ServiceAccount(id),
            "token" => AccountChange::Token(id),
            _ => AccountChange::All,
        }
    }
}

/// A connection subscribed to [`CHANNEL`].
pub struct AccountListener {
    conn: AsyncPgConnection,
}

/// What [`AccountListener::next`] saw.
#[derive(Debug)]
pub enum Heard {
    Change(AccountChange),
    /// Nothing within the wait, and the connection answered a `SELECT 1`.
    Quiet,
}

impl AccountListener {
    /// Connects and runs `LISTEN`: once this returns, every change that
    /// commits afterwards is heard.
    pub async fn subscribe(database_url: &str) -> DbResult<AccountListener> {
        let mut conn = AsyncPgConnection::establish(database_url)
            .await
            .map_err(|e| DbError::Unavailable(e.to_string()))?;
        diesel::sql_query(format!("SET application_name = '{APPLICATION_NAME}'"))
            .execute(&mut conn)
            .await?;
        diesel::sql_query(format!("LISTEN {CHANNEL}"))
            .execute(&mut conn)
            .await?;
        Ok(AccountListener { conn })
    }

    /// The next change, or [`Heard::Quiet`] after `wait` without one once
    /// the server answered a ping within `wait` too. An error means the
    /// connection is lost (or silent): notifications may have been missed.
    pub async fn next(&mut self, wait: Duration) -> DbResult<Heard> {
        let heard = {
            let mut stream = std::pin::pin!(self.conn.notifications_stream());
            tokio::time::timeout(wait, stream.next()).await
        };
        match heard {
            Ok(Some(Ok(notification))) => {
                Ok(Heard::Change(AccountChange::parse(&notification.payload)))
            }
            Ok(Some(Err(e))) => Err(e.into()),
            Ok(None) => Err(DbError::Unavailable(
                "the listening connection closed".into(),
            )),
            Err(_) => {
                let ping = diesel::sql_query("SELECT 1").execute(&mut self.conn);
                match tokio::time::timeout(wait, ping).await {
                    Ok(Ok(_)) => Ok(Heard::Quiet),
                    Ok(Err(e)) => Err(e.into()),
                    Err(_) => Err(DbError::Unavailable(
                        "the listening connection does not answer".into(),
                    )),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads() {
        let id = Uuid::now_v7();
        assert_eq!(
            AccountChange::parse(&format!("user:{id}")),
            AccountChange::User(id)
        );
        assert_eq!(
            AccountChange::parse(&format!("service_account:{id}")),
            AccountChange::ServiceAccount(id)
        );
        assert_eq!(
            AccountChange::parse(&format!("token:{id}")),
            AccountChange::Token(id)
        );
        assert_eq!(AccountChange::parse("all"), AccountChange::All);
        assert_eq!(AccountChange::parse("user:nope"), AccountChange::All);
        assert_eq!(
            AccountChange::parse(&format!("other:{id}")),
            AccountChange::All
        );
    }
}
