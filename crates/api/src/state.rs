//! What every handler can reach: the pool, the signing keys, the settings.

use crate::auth::account_cache::{self, AccountCache};
use crate::auth::keys::KeySet;
use crate::auth::sealing::SealingKeys;
use crate::auth::tokens::VerifiedTokens;
use crate::ops::backup::schedule::BackupSettings;
use crate::startup::config::{AttachmentConfig, AuthConfig};
use crate::startup::webhook_config::WebhookConfig;
use living_gate_db::reads::Reads;
use living_gate_db::DbPool;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub keys: Arc<KeySet>,
    pub auth: Arc<AuthConfig>,
    /// The generated OpenAPI document, served at `/openapi.json` and used to
    /// answer 405 with `Allow` for known paths.
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// Claims of tokens already verified (a cache; never decides alone).
    pub verified_tokens: Arc<VerifiedTokens>,
    /// The accounts behind accepted tokens, trusted only while this
    /// instance listens for account changes ([`AppState::listen_for_account_changes`]).
    pub accounts: Arc<AccountCache>,
    /// The attachment limit and virus scanner ([`AppState::with_attachments`]).
    pub attachments: Arc<AttachmentConfig>,
    /// Seals and opens secrets at rest ([`AppState::with_sealing`]; a random
    /// key otherwise).
    pub sealing: Arc<SealingKeys>,
    /// Which callbacks may be called, and how deliveries pace themselves.
    pub webhooks: Arc<WebhookConfig>,
    /// The HTTP client for identity providers, with its caches.
    pub oidc: Arc<crate::auth::oidc::client::OidcClient>,
    /// Where the backups are and how they are scheduled
    /// ([`AppState::with_backups`]; none otherwise).
    pub backups: Arc<BackupSettings>,
    /// Where public directory and KPI reads go: a read replica when one is
    /// configured and fresh enough ([`AppState::with_reads`]; the primary,
    /// `pool`, otherwise).
    pub reads: Reads,
}

impl AppState {
    /// `openapi` is the document built at start-up
    /// ([`crate::http::openapi::document`]), handed in so that no handler's
    /// module depends on the module that lists every handler.
    pub fn new(
        pool: DbPool,
        keys: KeySet,
        auth: AuthConfig,
        openapi: utoipa::openapi::OpenApi,
    ) -> AppState {
        AppState {
            pool,
            keys: Arc::new(keys),
            auth: Arc::new(auth),
            openapi: Arc::new(openapi),
            verified_tokens: Arc::new(VerifiedTokens::default()),
            accounts: Arc::new(AccountCache::default()),
            attachments: Arc::new(AttachmentConfig::default()),
            sealing: Arc::new(SealingKeys::random()),
            webhooks: Arc::new(WebhookConfig::default()),
            oidc: Arc::new(crate::auth::oidc::client::OidcClient::new()),
            backups: Arc::new(BackupSettings::default()),
            reads: Reads::default(),
        }
    }

    /// The state with these attachment settings (the defaults otherwise:
    /// 20 MiB, no scanner).
    pub fn with_attachments(mut self, attachments: AttachmentConfig) -> AppState {
        self.attachments = Arc::new(attachments);
        self
    }

    /// The state with these backup settings.
    pub fn with_backups(mut self, backups: BackupSettings) -> AppState {
        self.backups = Arc::new(backups);
        self
    }

    /// The state with this read routing (a replica of `pool`).
    pub fn with_reads(mut self, reads: Reads) -> AppState {
        self.reads = reads;
        self
    }

    /// The state with these sealing keys.
    pub fn with_sealing(mut self, sealing: SealingKeys) -> AppState {
        self.sealing = Arc::new(sealing);
        self
    }

    /// The state with these webhook settings.
    pub fn with_webhooks(mut self, webhooks: WebhookConfig) -> AppState {
        self.webhooks = Arc::new(webhooks);
        self
    }

    /// Starts listening for account changes on `database_url` (the
    /// service's), so that the account cache is used; without it every
    /// request reads its caller from the database. Call once per instance,
    /// inside the runtime; aborting the handle stops listening.
    pub fn listen_for_account_changes(&self, database_url: &str) -> tokio::task::JoinHandle<()> {
        account_cache::spawn_listener(self.accounts.clone(), database_url.to_owned())
    }
}
