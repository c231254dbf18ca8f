//! The accounts behind the tokens this instance accepted, so that an
//! authenticated request needs no database round trip for its caller
//! (issue 20; measured in BENCHMARKS.md).
//!
//! An entry is the [`Actor`] an access token (`jti`) was found to stand for:
//! an active account, the token not revoked. Only acceptances are cached;
//! every refusal is read from the database. The cache is trusted only while
//! the instance listens to the channel of migration 000031
//! ([`living_gate_db::accounts::changes`]), on which every instance hears
//! each committed change to an account's status, role or tenancy and each
//! revoked access token, and forgets the entries it names:
//!
//! - while listening, a change is forgotten as soon as its notification
//!   arrives (milliseconds after the commit); an instance that made the
//!   change itself forgets at once ([`AccountCache::forget`] in the handler);
//! - the listener pings the server after [`HEARTBEAT`] of silence and gives
//!   up after another [`HEARTBEAT`] without an answer, so a connection that
//!   died silently is noticed within 2 × [`HEARTBEAT`];
//! - when the listening connection is lost the cache is emptied and not
//!   used until `LISTEN` is active again: meanwhile every request reads the
//!   database, as before the cache;
//! - every entry is also dropped [`MAX_AGE`] after it was read (a second
//!   safety net).
//!
//! The race between reading an account and a notification: every
//! notification, loss and subscription bumps a generation under the same
//! lock as the entries, and a read is stored only if the generation did not
//! move while it ran (so a change that committed during the read is never
//! cached over).

use living_gate_db::accounts::changes::{AccountChange, AccountListener, Heard};
use living_gate_domain::Actor;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The longest an entry is trusted, whatever the channel says.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// Silence on the channel after which the listener pings the server (and
/// how long it waits for the answer).
pub const HEARTBEAT: Duration = Duration::from_secs(2);

/// The first wait before subscribing again after a loss (doubling up to
/// [`RESUBSCRIBE_MAX`]). Meanwhile the database is read for every request.
pub const RESUBSCRIBE_FIRST: Duration = Duration::from_secs(1);
pub const RESUBSCRIBE_MAX: Duration = Duration::from_secs(10);

/// At most this many tokens are remembered (expired entries are swept when
/// it is reached; past it, new reads are not stored).
pub const CAPACITY: usize = 50_000;

#[derive(Default)]
pub struct AccountCache {
    inner: RwLock<Inner>,
}

#[derive(Default)]
struct Inner {
    /// `LISTEN` is active on a live connection: entries may be used.
    listening: bool,
    generation: u64,
    subscriptions: u64,
    losses: u64,
    entries: HashMap<Uuid, Entry>,
}

struct Entry {
    actor: Actor,
    read_at: Instant,
}

/// What the cache is doing (for tests and the operator's curiosity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheState {
    pub listening: bool,
    /// How many times `LISTEN` became active.
    pub subscriptions: u64,
    /// How many times the listening connection was lost.
    pub losses: u64,
    pub entries: usize,
}

/// The generation a read started in (see [`AccountCache::store`]); `None`
/// when the cache is not trusted and the read must not be stored.
#[derive(Debug, Clone, Copy)]
pub struct ReadTicket(Option<u64>);

impl AccountCache {
    /// The actor token `jti` of account `sub` was accepted for, if this
    /// instance is listening and read it less than [`MAX_AGE`] ago.
    pub fn get(&self, jti: Uuid, sub: Uuid) -> Option<Actor> {
        let inner = self.inner.read().ok()?;
        if !inner.listening {
            return None;
        }
        inner
            .entries
            .get(&jti)
            .filter(|e| e.actor.id == sub && e.read_at.elapsed() < MAX_AGE)
            .map(|e| e.actor.clone())
    }

    /// Taken before reading an account from the database.
    pub fn ticket(&self) -> ReadTicket {
        ReadTicket(
            self.inner
                .read()
                .ok()
                .filter(|inner| inner.listening)
                .map(|inner| inner.generation),
        )
    }

    /// Remembers that token `jti` stands for `actor` (read from the
    /// database after `ticket` was taken), unless anything was heard or
    /// lost since.
    pub fn store(&self, ticket: ReadTicket, jti: Uuid, actor: &Actor) {
        let Some(generation) = ticket.0 else { return };
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        if !inner.listening || inner.generation != generation {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.retain(|_, e| e.read_at.elapsed() < MAX_AGE);
            if inner.entries.len() >= CAPACITY {
                return;
            }
        }
        inner.entries.insert(
            jti,
            Entry {
                actor: actor.clone(),
                read_at: Instant::now(),
            },
        );
    }

    /// Forgets what `change` names (heard on the channel, or made by this
    /// instance and forgotten at once, without waiting for the echo).
    pub fn forget(&self, change: AccountChange) {
        let Ok(mut inner) = self.inner.write() else {
            return;
        };
        inner.generation += 1;
        match change {
            AccountChange::Token(jti) => {
                inner.entries.remove(&jti);
            }
            AccountChange::User(id) => inner
                .entries
                .retain(|_, e| e.actor.id != id || e.actor.is_service_account),
            AccountChange::ServiceAccount(id) => inner
                .entries
                .retain(|_, e| e.actor.id != id || !e.actor.is_service_account),
            AccountChange::All => inner.entries.clear(),
        }
    }

    pub fn state(&self) -> CacheState {
        match self.inner.read() {
            Ok(inner) => CacheState {
                listening: inner.listening,
                subscriptions: inner.subscriptions,
                losses: inner.losses,
                entries: inner.entries.len(),
            },
            Err(_) => CacheState {
                listening: false,
                subscriptions: 0,
                losses: 0,
                entries: 0,
            },
        }
    }

    /// `LISTEN` is active: start from nothing (whatever changed while
    /// nobody listened was not heard).
    fn subscribed(&self) {
        if let Ok(mut inner) = self.inner.write() {
            inner.generation += 1;
            inner.entries.clear();
            inner.listening = true;
            inner.subscriptions += 1;
        }
    }

    /// The listening connection is gone: stop trusting the cache.
    fn lost(&self) {
        if let Ok(mut inner) = self.inner.write() {
            inner.generation += 1;
            inner.entries.clear();
            inner.listening = false;
            inner.losses += 1;
        }
    }
}

/// Listens for account changes on `database_url` for as long as the task
/// runs, subscribing again after every loss. Spawn it once per instance
/// ([`spawn_listener`]).
pub async fn listen(cache: Arc<AccountCache>, database_url: String) {
    let mut wait = RESUBSCRIBE_FIRST;
    loop {
        match AccountListener::subscribe(&database_url).await {
            Ok(mut listener) => {
                cache.subscribed();
                wait = RESUBSCRIBE_FIRST;
                tracing::debug!("listening for account changes");
                loop {
                    match listener.next(HEARTBEAT).await {
                        Ok(Heard::Change(change)) => cache.forget(change),
                        Ok(Heard::Quiet) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "lost the account-change listener; reading accounts from the database until it is back");
                            break;
                        }
                    }
                }
                cache.lost();
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "cannot listen for account changes; reading accounts from the database");
            }
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(RESUBSCRIBE_MAX);
    }
}

/// Starts [`listen`] on the runtime; the cache is used once it subscribed.
/// Aborting the handle stops listening (the cache then stays unused).
pub fn spawn_listener(
    cache: Arc<AccountCache>,
    database_url: String,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(listen(cache, database_url))
}

#[cfg(test)]
mod tests {
    use super::*;
    use living_gate_domain::Role;

    fn actor(id: Uuid, is_service_account: bool) -> Actor {
        Actor {
            id,
            role: Role::Desk,
            municipality_id: None,
            department_id: None,
            organization_id: None,
            is_service_account,
        }
    }

    #[test]
    fn unused_until_subscribed_and_after_a_loss() {
        let cache = AccountCache::default();
        let (jti, user) = (Uuid::now_v7(), Uuid::now_v7());
        cache.store(cache.ticket(), jti, &actor(user, false));
        assert_eq!(cache.get(jti, user), None, "not listening: nothing stored");
        cache.subscribed();
        cache.store(cache.ticket(), jti, &actor(user, false));
        assert_eq!(cache.get(jti, user), Some(actor(user, false)));
        assert_eq!(cache.get(jti, Uuid::now_v7()), None, "another subject");
        cache.lost();
        assert_eq!(cache.get(jti, user), None);
        assert_eq!(cache.state().entries, 0);
        cache.subscribed();
        assert_eq!(
            cache.get(jti, user),
            None,
            "a new subscription starts empty"
        );
    }

    #[test]
    fn a_read_that_overlapped_a_change_is_not_stored() {
        let cache = AccountCache::default();
        cache.subscribed();
        let (jti, user) = (Uuid::now_v7(), Uuid::now_v7());
        let ticket = cache.ticket();
        cache.forget(AccountChange::User(user));
        cache.store(ticket, jti, &actor(user, false));
        assert_eq!(cache.get(jti, user), None);
        let ticket = cache.ticket();
        cache.lost();
        cache.subscribed();
        cache.store(ticket, jti, &actor(user, false));
        assert_eq!(cache.get(jti, user), None, "a read across a loss");
    }

    #[test]
    fn changes_forget_what_they_name() {
        let cache = AccountCache::default();
        cache.subscribed();
        let (user, service, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let tokens: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        cache.store(cache.ticket(), tokens[0], &actor(user, false));
        cache.store(cache.ticket(), tokens[1], &actor(user, false));
        cache.store(cache.ticket(), tokens[2], &actor(service, true));
        cache.store(cache.ticket(), tokens[3], &actor(other, false));
        cache.forget(AccountChange::Token(tokens[3]));
        assert_eq!(cache.get(tokens[3], other), None);
        cache.forget(AccountChange::ServiceAccount(user));
        assert!(
            cache.get(tokens[0], user).is_some(),
            "a user is no service account"
        );
        cache.forget(AccountChange::User(user));
        assert_eq!(cache.get(tokens[0], user), None);
        assert_eq!(cache.get(tokens[1], user), None);
        assert!(cache.get(tokens[2], service).is_some());
        cache.forget(AccountChange::ServiceAccount(service));
        assert_eq!(cache.state().entries, 0);
        cache.store(cache.ticket(), tokens[0], &actor(user, false));
        cache.forget(AccountChange::All);
        assert_eq!(cache.state().entries, 0);
    }
}
