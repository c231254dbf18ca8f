//! Files of the public intake: once the contact has confirmed with the
//! mailed code, the web form uploads the 企画書 and other files to the new
//! case with the submission's token (header `Submission-Token`), for
//! [`UPLOAD_DAYS`] days after confirmation while the case is open, at most
//! [`MAX_PUBLIC_FILES`] files. Always scanned: refused with 409 when no
//! scanner is configured; stored shared (the proposer's own), written by
//! the contact's account, and handed out only once scanned clean.

use crate::auth::secrets;
use crate::desk::attachments::store::store_public;
use crate::desk::attachments::upload::receive;
use crate::desk::attachments::view::{Attachment, FileContent};
use crate::desk::intake::address_limit;
use crate::http::etag::with_etag;
use crate::http::problem::{ApiError, ApiResult};
use crate::http::rate_limit::RateLimits;
use crate::http::request_context::RequestMeta;
use crate::record::Background;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{Duration, Utc};
use living_gate_db::accounts::users;
use living_gate_db::desk::attachments::{self as attachments_db, Target};
use living_gate_db::desk::intake_submissions as db;
use living_gate_db::pool;
use living_gate_domain::access::row_scope::RowScope;
use living_gate_domain::desk::attachment::AttachmentSource;
use living_gate_domain::intake::SubmissionStatus;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Days after confirmation during which the form may upload files.
pub const UPLOAD_DAYS: i64 = 7;
/// Files the public intake may attach to one case.
pub const MAX_PUBLIC_FILES: usize = 10;
/// Uploads per client address within the intake's window.
pub const MAX_UPLOADS_PER_ADDRESS: i32 = 60;
/// The header that carries the submission's token.
pub const TOKEN_HEADER: &str = "Submission-Token";

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IntakeUploadParams {
    /// The file's name (its path, control characters and a leading dot are
    /// dropped; cut to 255 bytes).
    #[param(min_length = 1, max_length = 1024)]
    pub file_name: String,
}

/// Uploads a file of the public intake to the case it registered
/// (anonymous, with the submission's token in `Submission-Token`). The
/// file is scanned before it is stored; an infected one is kept
/// quarantined and the desk is told.
#[utoipa::path(operation_id = "uploadIntakeAttachment", tag = "intake", security(()),
    params(("id" = Uuid, Path, description = "The submission"), IntakeUploadParams,
        ("Submission-Token" = String, Header, description = "The `submission_token` of the submission's answer")),
    request_body(content = inline(FileContent), content_type = "application/octet-stream",
        description = "The file's bytes; its type in `Content-Type` (any media type)"),
    responses((status = 201, description = "Scanned and stored on the case (`downloadable` once clean)", body = Attachment, headers(("ETag" = String), ("Location" = String))),
        (status = 404, description = "Unknown submission or wrong token", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not confirmed yet, the upload window has closed, the case is closed, the case has its maximum of files, or no virus scanner is configured", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file exceeds LIVING_GATE_ATTACHMENT_MAX_BYTES (default 20 MiB); nothing is stored", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 414, description = "The path and query exceed 8192 bytes (a file name of 1024 characters outside ASCII, percent-encoded, can)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty file, or no usable file name", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many uploads from this address", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/intake-submissions/{id}/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    meta: RequestMeta,
    id: web::Path<Uuid>,
    params: web::Query<IntakeUploadParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let mut limits = RateLimits::default();
    let result = store(&state, &meta, *id, &params, &req, payload, &mut limits).await;
    limits.apply(result)
}

async fn store(
    state: &AppState,
    meta: &RequestMeta,
    id: Uuid,
    params: &IntakeUploadParams,
    req: &HttpRequest,
    payload: web::Payload,
    limits: &mut RateLimits,
) -> ApiResult<HttpResponse> {
    let token = req
        .headers()
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 100)
        .ok_or(ApiError::NotFound)?;
    let mut conn = pool::connection(&state.pool).await?;
    address_limit(&mut conn, limits, meta, ("upload", MAX_UPLOADS_PER_ADDRESS)).await?;
    // The submission's city is not known before it is found.
    conn.rescope(&RowScope::All).await?;
    let submission = db::find(&mut conn, id, &secrets::token_hash(token))
        .await?
        .ok_or(ApiError::NotFound)?;
    conn.rescope(&RowScope::Municipality(submission.municipality_id))
        .await?;
    let (Some(proposal_id), Some(confirmed_at), Some(contact_id)) = (
        submission.proposal_id,
        submission.confirmed_at,
        submission.contact_user_id,
    ) else {
        return Err(conflict(
            "confirm the submission with the mailed code first; files go to the registered case",
        ));
    };
    if submission.status != SubmissionStatus::Confirmed
        || Utc::now() > confirmed_at + Duration::days(UPLOAD_DAYS)
    {
        return Err(conflict(
            "the upload window of this submission has closed; send further files to the desk",
        ));
    }
    let public_files = attachments_db::of_target(&mut conn, Target::Proposal(proposal_id), false)
        .await?
        .into_iter()
        .filter(|a| a.source == AttachmentSource::Public)
        .count();
    if public_files >= MAX_PUBLIC_FILES {
        return Err(conflict(&format!(
            "the case has its {MAX_PUBLIC_FILES} files from the form; send further files to the desk"
        )));
    }
    let contact = users::find(&mut conn, contact_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Only now read the body: nobody sends 20 MiB to learn the token was wrong.
    let file = receive(req, payload, &params.file_name, state.attachments.max_bytes).await?;
    let author = Background {
        actor: contact.actor(),
        meta: meta.clone(),
    };
    let row = store_public(state, &mut conn, &author, proposal_id, file).await?;
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/attachments/{}", row.id)))
            .insert_header(("Cache-Control", "no-store"))
            .take(),
        row.version,
        Attachment::from(row),
    ))
}

fn conflict(detail: &str) -> ApiError {
    ApiError::Conflict {
        detail: detail.to_owned(),
        extra: None,
    }
}
