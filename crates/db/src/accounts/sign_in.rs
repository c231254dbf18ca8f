//! Sign-in with an identity provider and second factors (issue 17): the
//! providers, the links of accounts to a provider's subjects, the pending
//! authorizations of the code flow and the TOTP credentials.

use crate::codes::DbText;
use crate::schema::{identity_links, identity_providers, oidc_authorizations, totp_credentials};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::identity::RecordStatus;
use living_gate_domain::signin::ProviderAudience;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = identity_providers, check_for_backend(diesel::pg::Pg))]
pub struct IdentityProvider {
    pub id: Uuid,
    pub slug: String,
    pub display_name: String,
    #[diesel(deserialize_as = DbText<ProviderAudience>)]
    pub audience: ProviderAudience,
    pub issuer: String,
    pub client_id: String,
    /// Never in the audit log's before/after.
    #[serde(skip)]
    pub client_secret_sealed: Option<Vec<u8>>,
    pub scopes: String,
    pub redirect_uri: String,
    pub municipality_id: Option<Uuid>,
    pub claim_mapping: serde_json::Value,
    pub group_mappings: serde_json::Value,
    #[diesel(deserialize_as = DbText<RecordStatus>)]
    pub status: RecordStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = identity_providers)]
pub struct NewIdentityProvider {
    pub id: Uuid,
    pub slug: String,
    pub display_name: String,
    #[diesel(serialize_as = DbText<ProviderAudience>)]
    pub audience: ProviderAudience,
    pub issuer: String,
    pub client_id: String,
    pub client_secret_sealed: Option<Vec<u8>>,
    pub scopes: String,
    pub redirect_uri: String,
    pub municipality_id: Option<Uuid>,
    pub claim_mapping: serde_json::Value,
    pub group_mappings: serde_json::Value,
}

#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = identity_providers)]
pub struct IdentityProviderChanges {
    pub display_name: Option<String>,
    pub client_id: Option<String>,
    pub client_secret_sealed: Option<Option<Vec<u8>>>,
    pub scopes: Option<String>,
    pub redirect_uri: Option<String>,
    pub claim_mapping: Option<serde_json::Value>,
    pub group_mappings: Option<serde_json::Value>,
    #[diesel(serialize_as = DbText<RecordStatus>)]
    pub status: Option<RecordStatus>,
}

pub mod providers {
    use super::*;
    crate::crud::versioned_crud!(
        identity_providers,
        IdentityProvider,
        NewIdentityProvider,
        IdentityProviderChanges
    );

    pub async fn find_by_slug(
        conn: &mut AsyncPgConnection,
        slug: &str,
    ) -> DbResult<Option<IdentityProvider>> {
        Ok(identity_providers::table
            .filter(identity_providers::slug.eq(slug))
            .select(IdentityProvider::as_select())
            .first(conn)
            .await
            .optional()?)
    }

    /// Every provider (a short list: one per city and GビズID), by slug;
    /// `active_only` for the public list.
    pub async fn list(
        conn: &mut AsyncPgConnection,
        active_only: bool,
        municipality_id: Option<Uuid>,
    ) -> DbResult<Vec<IdentityProvider>> {
        let mut query = identity_providers::table
            .select(IdentityProvider::as_select())
            .order(identity_providers::slug)
            .limit(200)
            .into_boxed();
        if active_only {
            query = query.filter(identity_providers::status.eq(RecordStatus::Active.as_str()));
        }
        if let Some(city) = municipality_id {
            query = query.filter(identity_providers::municipality_id.eq(city));
        }
        Ok(query.load(conn).await?)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = identity_links, check_for_backend(diesel::pg::Pg))]
pub struct IdentityLink {
    pub id: Uuid,
    pub provider_id: Uuid,
    pub subject: String,
    pub user_id: Uuid,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl crate::Versioned for IdentityLink {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        1
    }
}

pub mod links {
    use super::*;

    pub async fn insert(
        conn: &mut AsyncPgConnection,
        provider_id: Uuid,
        subject: &str,
        user_id: Uuid,
    ) -> DbResult<IdentityLink> {
        Ok(diesel::insert_into(identity_links::table)
            .values((
                identity_links::id.eq(Uuid::now_v7()),
                identity_links::provider_id.eq(provider_id),
                identity_links::subject.eq(subject),
                identity_links::user_id.eq(user_id),
            ))
            .returning(IdentityLink::as_returning())
            .get_result(conn)
            .await?)
    }

    pub async fn find(
        conn: &mut AsyncPgConnection,
        provider_id: Uuid,
        subject: &str,
    ) -> DbResult<Option<IdentityLink>> {
        Ok(identity_links::table
            .filter(identity_links::provider_id.eq(provider_id))
            .filter(identity_links::subject.eq(subject))
            .select(IdentityLink::as_select())
            .first(conn)
            .await
            .optional()?)
    }

    pub async fn record_use(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<()> {
        diesel::update(identity_links::table.find(id))
            .set(identity_links::last_used_at.eq(diesel::dsl::now))
            .execute(conn)
            .await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = oidc_authorizations, check_for_backend(diesel::pg::Pg))]
pub struct OidcAuthorization {
    pub id: Uuid,
    pub provider_id: Uuid,
    pub state_hash: Vec<u8>,
    pub nonce: String,
    pub code_verifier_sealed: Vec<u8>,
    pub redirect_uri: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = oidc_authorizations)]
pub struct NewOidcAuthorization {
    pub id: Uuid,
    pub provider_id: Uuid,
    pub state_hash: Vec<u8>,
    pub nonce: String,
    pub code_verifier_sealed: Vec<u8>,
    pub redirect_uri: String,
    pub expires_at: DateTime<Utc>,
}

pub mod authorizations {
    use super::*;

    pub async fn insert(conn: &mut AsyncPgConnection, new: &NewOidcAuthorization) -> DbResult<()> {
        diesel::insert_into(oidc_authorizations::table)
            .values(new)
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Spends the authorization of this state (of this provider), if it is
    /// unused and unexpired: one statement, so two callbacks with one state
    /// cannot both get it.
    pub async fn take(
        conn: &mut AsyncPgConnection,
        provider_id: Uuid,
        state_hash: &[u8],
    ) -> DbResult<Option<OidcAuthorization>> {
        Ok(diesel::update(
            oidc_authorizations::table
                .filter(oidc_authorizations::provider_id.eq(provider_id))
                .filter(oidc_authorizations::state_hash.eq(state_hash))
                .filter(oidc_authorizations::used_at.is_null())
                .filter(oidc_authorizations::expires_at.gt(diesel::dsl::now)),
        )
        .set(oidc_authorizations::used_at.eq(diesel::dsl::now))
        .returning(OidcAuthorization::as_returning())
        .get_result(conn)
        .await
        .optional()?)
    }

    /// Removes authorizations that expired more than a day ago.
    pub async fn sweep(conn: &mut AsyncPgConnection) -> DbResult<usize> {
        Ok(diesel::delete(
            oidc_authorizations::table
                .filter(oidc_authorizations::expires_at.lt(Utc::now() - chrono::Duration::days(1))),
        )
        .execute(conn)
        .await?)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = totp_credentials, check_for_backend(diesel::pg::Pg))]
pub struct TotpCredential {
    pub user_id: Uuid,
    pub seed_sealed: Vec<u8>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_used_step: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub mod totp {
    use super::*;

    /// The account's credential, locked until the end of the transaction
    /// (two logins with one code cannot both pass).
    pub async fn find_for_update(
        conn: &mut AsyncPgConnection,
        user_id: Uuid,
    ) -> DbResult<Option<TotpCredential>> {
        Ok(totp_credentials::table
            .find(user_id)
            .select(TotpCredential::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?)
    }

    pub async fn find(
        conn: &mut AsyncPgConnection,
        user_id: Uuid,
    ) -> DbResult<Option<TotpCredential>> {
        Ok(totp_credentials::table
            .find(user_id)
            .select(TotpCredential::as_select())
            .first(conn)
            .await
            .optional()?)
    }

    /// A new, unconfirmed seed (replacing an unconfirmed one).
    pub async fn enrol(
        conn: &mut AsyncPgConnection,
        user_id: Uuid,
        seed_sealed: &[u8],
    ) -> DbResult<()> {
        diesel::insert_into(totp_credentials::table)
            .values((
                totp_credentials::user_id.eq(user_id),
                totp_credentials::seed_sealed.eq(seed_sealed),
            ))
            .on_conflict(totp_credentials::user_id)
            .do_update()
            .set((
                totp_credentials::seed_sealed.eq(seed_sealed),
                totp_credentials::confirmed_at.eq(None::<DateTime<Utc>>),
                totp_credentials::last_used_step.eq(None::<i64>),
            ))
            .execute(conn)
            .await?;
        Ok(())
    }

    /// Records the time step of a code accepted (and confirms the seed).
    pub async fn use_step(conn: &mut AsyncPgConnection, user_id: Uuid, step: i64) -> DbResult<()> {
        diesel::update(totp_credentials::table.find(user_id))
            .set((
                totp_credentials::last_used_step.eq(step),
                totp_credentials::confirmed_at.eq(diesel::dsl::sql::<
                    diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
                >(
                    "coalesce(confirmed_at, now())"
                )),
            ))
            .execute(conn)
            .await?;
        Ok(())
    }
}
