//! Keeping the directory true: the entries of the caller's city due for
//! re-verification, and recording a verification (when, how, by whom) —
//! kept apart from `updated_at`, which only a change of content moves.

use crate::auth::Caller;
use crate::directory::editing::{audited, authorize_edit};
use crate::directory::entry_view::{publication_of, reader_for, HiddenReads, Resource};
use crate::http::body::Json;
use crate::http::etag::{with_etag, IfMatch};
use crate::http::pagination::{decode_cursor, encode_cursor, Paginated};
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Change, EventKind, FeedEvent};
use crate::state::AppState;
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::directory::details as details_db;
use living_gate_db::directory::resources as db;
use living_gate_db::pool;
use living_gate_domain::directory::details::VerificationMethod;
use serde::Deserialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueParams {
    /// Due when last verified more than this many days ago (or never):
    /// 1 to 3,650, default 365.
    #[param(minimum = 1, maximum = 3650, example = 365)]
    pub older_than_days: Option<u32>,
    /// Page size, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200, example = 50)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The entries of the caller's city never verified or last verified more
/// than `older_than_days` ago, in creation order (the desk of that city).
#[utoipa::path(operation_id = "listResourcesDueForVerification", tag = "directory", params(DueParams), security(("bearer" = [])),
    responses((status = 200, description = "A page of entries due", body = Paginated<Resource>),
        (status = 403, description = "Only a city's desk lists its entries due", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/resources/due-for-verification")]
pub async fn due(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<DueParams>,
) -> ApiResult<HttpResponse> {
    let city = caller.actor.municipality_id.ok_or(ApiError::Forbidden)?;
    authorize_edit(&caller, city)?;
    let days = params.older_than_days.unwrap_or(365);
    if !(1..=3650).contains(&days) {
        return Err(ApiError::validation(
            "older_than_days",
            "out_of_range",
            "must be between 1 and 3650",
        ));
    }
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::validation(
            "limit",
            "out_of_range",
            "must be between 1 and 200",
        ));
    }
    let after = params.cursor.as_deref().map(decode_cursor).transpose()?;
    let before = Utc::now() - Duration::days(i64::from(days));
    let mut conn = pool::connection(&state.pool).await?;
    let reader = reader_for(&mut conn, Some(&caller.actor)).await?;
    let limit = usize::try_from(limit).unwrap_or(200);
    let mut rows = details_db::due_for_verification(
        &mut conn,
        city,
        before,
        after,
        i64::try_from(limit).unwrap_or(200),
    )
    .await?;
    let next = (rows.len() > limit).then(|| rows[limit - 1].id);
    rows.truncate(limit);
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let locations = db::locations(&mut conn, &ids).await?;
    let coarse = db::coarse_positions(&mut conn, &ids).await?;
    let details = details_db::of(&mut conn, &ids).await?;
    let mut reads = HiddenReads::default();
    let items: Vec<Resource> = rows
        .into_iter()
        .map(|r| Resource::view(r, &locations, &details, &reader, None, &coarse, &mut reads))
        .collect();
    record::audit_hidden_reads(
        &mut conn,
        Some(&caller as _),
        &reads.0,
        "listResourcesDueForVerification",
    )
    .await?;
    Ok(HttpResponse::Ok().json(Paginated {
        items,
        next_cursor: next.map(encode_cursor),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"method": "phone", "verified_at": "2026-12-03T10:00:00+09:00"}))]
pub struct RecordVerification {
    /// How the entry was checked with the organization.
    pub method: VerificationMethod,
    /// When (default: now); not in the future, not before 2000.
    pub verified_at: Option<DateTime<Utc>>,
}

/// Records that the owning city's desk checked the entry with the
/// organization: `last_verified_at`, `last_verified_by` (the caller) and
/// `verification_method` change, `updated_at` does not; the `ETag` does.
#[utoipa::path(operation_id = "verifyResource", tag = "directory", request_body = RecordVerification, security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "The ETag you read")),
    responses((status = 200, description = "Verified", body = Resource, headers(("ETag" = String))),
        (status = 403, description = "Only the desk of the entry's city verifies it", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/resources/{id}/verifications")]
pub async fn verify(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<RecordVerification>,
) -> ApiResult<HttpResponse> {
    let now = Utc::now();
    let verified_at = body.verified_at.unwrap_or(now);
    if verified_at > now + Duration::minutes(5) {
        return Err(ApiError::validation(
            "verified_at",
            "in_future",
            "must not be in the future",
        ));
    }
    if verified_at.date_naive() < chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default() {
        return Err(ApiError::validation(
            "verified_at",
            "out_of_range",
            "must not be before 2000",
        ));
    }
    let id = *id;
    let mut conn = pool::connection(&state.pool).await?;
    let (row, locations, coarse, details) = conn
        .transaction(async |conn| {
            let before = db::find_for_update(conn, id)
                .await?
                .ok_or(ApiError::NotFound)?;
            authorize_edit(&caller, before.municipality_id)?;
            if_match.check(before.version)?;
            let locations = db::locations(conn, &[id]).await?;
            let introduced = db::introduced(conn, id).await?;
            let coarse = db::coarse_positions(conn, &[id]).await?;
            let publication = publication_of(&before, &coarse);
            let before_details = details_db::of(conn, &[id])
                .await?
                .remove(&id)
                .unwrap_or_default();
            let mut after_details = before_details.clone();
            after_details.verification_method = Some(body.method);
            details_db::set(conn, id, &after_details).await?;
            let after =
                details_db::record_verification(conn, id, verified_at, caller.actor.id).await?;
            record::write(
                conn,
                &caller,
                Change {
                    action: "resource.verify".into(),
                    ..Change::updated(
                        "resource",
                        &audited(
                            &before,
                            &locations,
                            &introduced,
                            publication,
                            &before_details,
                        ),
                        &audited(&after, &locations, &introduced, publication, &after_details),
                        FeedEvent::entry(id, EventKind::ResourceVerified),
                    )
                },
            )
            .await?;
            Ok::<_, ApiError>((
                after,
                locations,
                coarse,
                HashMap::from([(id, after_details)]),
            ))
        })
        .await?;
    let version = row.version;
    let reader = living_gate_domain::directory::Reader::of(Some(&caller.actor), &[]);
    Ok(with_etag(
        HttpResponse::Ok(),
        version,
        Resource::view(
            row,
            &locations,
            &details,
            &reader,
            None,
            &coarse,
            &mut HiddenReads::default(),
        ),
    ))
}
