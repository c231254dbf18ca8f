//! The attachment endpoints: upload and list on a case, a hearing and a
//! logic-model version; metadata and download of one file.
//!
//! An upload is the file's bytes as the raw request body, its type in
//! `Content-Type`, its name in `?file_name=` (no multipart).

use super::access::{attachable, readable, target_of};
use super::store::store_upload;
use super::upload::receive;
use super::view::{Attachment, FileContent};
use crate::auth::Caller;
use crate::http::etag::with_etag;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use living_gate_db::desk::attachments::{self as db, Target};
use living_gate_db::pool;
use living_gate_domain::desk::attachment::{downloadable, AttachmentSource, Withheld};
use living_gate_domain::desk::feed::Visibility;
use living_gate_domain::Role;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The file's name (its path, control characters and a leading dot are
    /// dropped; cut to 255 bytes).
    #[param(min_length = 1, max_length = 1024)]
    pub file_name: String,
    /// On a case: `internal` (staff only; the default for staff) or
    /// `shared` (also the proposer; a partner's files always are). A
    /// hearing's files are internal; a logic-model version's follow it.
    pub visibility: Option<Visibility>,
}

async fn upload(
    state: &AppState,
    caller: &Caller,
    req: &HttpRequest,
    payload: web::Payload,
    target: Target,
    params: &UploadParams,
) -> ApiResult<HttpResponse> {
    if params.file_name.len() > 1024 {
        return Err(ApiError::validation(
            "file_name",
            "too_long",
            "at most 1024 bytes",
        ));
    }
    let (place, visibility) = {
        let mut conn = pool::connection(&state.pool).await?;
        attachable(&mut conn, &caller.actor, target, params.visibility).await?
    };
    let file = receive(req, payload, &params.file_name, state.attachments.max_bytes).await?;
    let source = match caller.actor.role {
        Role::Partner => AttachmentSource::Partner,
        _ => AttachmentSource::Staff,
    };
    let row = store_upload(state, caller, &place, visibility, file, source).await?;
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/attachments/{}", row.id)))
            .take(),
        row.version,
        Attachment::from(row),
    ))
}

async fn list(state: &AppState, caller: &Caller, target: Target) -> ApiResult<HttpResponse> {
    let mut conn = pool::connection(&state.pool).await?;
    let place = readable(&mut conn, &caller.actor, target).await?;
    let rows = db::of_target(&mut conn, target, place.shared_only).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(Attachment::from).collect::<Vec<_>>()))
}

/// Uploads a file to a case (a 企画書, slides): the desk and departments
/// choose `internal` or `shared`, a partner's files are shared.
#[utoipa::path(operation_id = "uploadProposalAttachment", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case"), UploadParams),
    request_body(content = inline(FileContent), content_type = "application/octet-stream",
        description = "The file's bytes; its type in `Content-Type` (any media type)"),
    responses((status = 201, description = "Stored (and scanned, when a scanner is configured)", body = Attachment, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Admins, analysts, and a partner asking for `internal`", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file exceeds LIVING_GATE_ATTACHMENT_MAX_BYTES (default 20 MiB); nothing is stored", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 414, description = "The path and query exceed 8192 bytes (a file name of 1024 characters outside ASCII, percent-encoded, can)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty file, or no usable file name", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/attachments")]
pub async fn upload_to_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<UploadParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    upload(
        &state,
        &caller,
        &req,
        payload,
        Target::Proposal(*id),
        &params,
    )
    .await
}

/// The files of a case, oldest first (a partner: the shared ones).
#[utoipa::path(operation_id = "listProposalAttachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case")),
    responses((status = 200, description = "The files", body = Vec<Attachment>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/attachments")]
pub async fn list_of_proposal(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    list(&state, &caller, Target::Proposal(*id)).await
}

/// Uploads a file to a hearing (its minutes): the desk, or the department
/// asked. Internal: only the desk and that department see it.
#[utoipa::path(operation_id = "uploadHearingAttachment", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The hearing"), UploadParams),
    request_body(content = inline(FileContent), content_type = "application/octet-stream",
        description = "The file's bytes; its type in `Content-Type` (any media type)"),
    responses((status = 201, description = "Stored (and scanned, when a scanner is configured)", body = Attachment, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Hearings are internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file exceeds LIVING_GATE_ATTACHMENT_MAX_BYTES (default 20 MiB); nothing is stored", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 414, description = "The path and query exceed 8192 bytes (a file name of 1024 characters outside ASCII, percent-encoded, can)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty file, no usable file name, or `shared` asked", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/hearings/{id}/attachments")]
pub async fn upload_to_hearing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    params: web::Query<UploadParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    upload(
        &state,
        &caller,
        &req,
        payload,
        Target::Hearing(*id),
        &params,
    )
    .await
}

/// The files of a hearing, oldest first: the desk and the department asked.
#[utoipa::path(operation_id = "listHearingAttachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The hearing")),
    responses((status = 200, description = "The files", body = Vec<Attachment>),
        (status = 403, description = "Hearings are internal: not for proposers, admins or analysts", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/hearings/{id}/attachments")]
pub async fn list_of_hearing(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    list(&state, &caller, Target::Hearing(*id)).await
}

/// Uploads a file to a version of a case's logic model (the desk). Its
/// visibility follows the version: a draft's files are internal.
#[utoipa::path(operation_id = "uploadLogicModelAttachment", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case"), ("version" = i32, Path, description = "The version number, from 1"), UploadParams),
    request_body(content = inline(FileContent), content_type = "application/octet-stream",
        description = "The file's bytes; its type in `Content-Type` (any media type)"),
    responses((status = 201, description = "Stored (and scanned, when a scanner is configured)", body = Attachment, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Only the desk writes logic models", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file exceeds LIVING_GATE_ATTACHMENT_MAX_BYTES (default 20 MiB); nothing is stored", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 414, description = "The path and query exceed 8192 bytes (a file name of 1024 characters outside ASCII, percent-encoded, can)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty file, no usable file name, or `shared` on a draft", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[post("/proposals/{id}/logic-model/versions/{version}/attachments")]
pub async fn upload_to_logic_model(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
    params: web::Query<UploadParams>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (proposal_id, version) = path.into_inner();
    let target = Target::LogicModel {
        proposal_id,
        version,
    };
    upload(&state, &caller, &req, payload, target, &params).await
}

/// The files of a logic-model version, oldest first (drafts: the desk).
#[utoipa::path(operation_id = "listLogicModelAttachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The case"), ("version" = i32, Path, description = "The version number, from 1")),
    responses((status = 200, description = "The files", body = Vec<Attachment>),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/proposals/{id}/logic-model/versions/{version}/attachments")]
pub async fn list_of_logic_model(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
) -> ApiResult<HttpResponse> {
    let (proposal_id, version) = path.into_inner();
    let target = Target::LogicModel {
        proposal_id,
        version,
    };
    list(&state, &caller, target).await
}

/// The attachment if the caller may see it (404 otherwise).
async fn visible_attachment(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<(pool::Conn, db::Attachment)> {
    let mut conn = pool::connection(&state.pool).await?;
    let row = db::find(&mut conn, id).await?.ok_or(ApiError::NotFound)?;
    let place = readable(&mut conn, &caller.actor, target_of(&row)).await?;
    if place.shared_only && row.visibility != Visibility::Shared {
        return Err(ApiError::NotFound);
    }
    Ok((conn, row))
}

/// One file's metadata: for whoever sees what it is attached to.
#[utoipa::path(operation_id = "getAttachment", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The attachment")),
    responses((status = 200, description = "The file's metadata", body = Attachment, headers(("ETag" = String))),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/attachments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let (_, row) = visible_attachment(&state, &caller, *id).await?;
    Ok(with_etag(
        HttpResponse::Ok(),
        row.version,
        Attachment::from(row),
    ))
}

/// `filename*` of RFC 5987/6266: UTF-8, percent-encoded.
const FILENAME_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        utf8_percent_encode(file_name, FILENAME_UNRESERVED)
    )
}

/// Downloads a file's bytes, as an attachment, with the ETag of its hash
/// (`If-None-Match` answers 304). A quarantined file, or a public upload
/// not scanned clean, is never handed out (409).
#[utoipa::path(operation_id = "downloadAttachment", tag = "attachments", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The attachment")),
    responses((status = 200, description = "The bytes, with the stored type as Content-Type", content_type = "*/*", body = inline(FileContent),
            headers(("ETag" = String, description = "`\"sha256-<hex>\"`"), ("Content-Disposition" = String, description = "`attachment` with `filename*` (RFC 5987)"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 403, description = "Admins and analysts get no case content", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Quarantined (the scanner's verdict in the detail), or a public file not scanned clean", body = crate::http::problem::Problem, content_type = "application/problem+json")))]
#[get("/attachments/{id}/content")]
pub async fn download(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let (mut conn, row) = visible_attachment(&state, &caller, *id).await?;
    match downloadable(
        row.source,
        row.scan_status,
        row.quarantined,
        row.scan_verdict.as_deref(),
    ) {
        Ok(()) => {}
        Err(Withheld::Quarantined { verdict }) => {
            return Err(ApiError::Conflict {
                detail: format!("the file is quarantined: the virus scanner found {verdict}"),
                extra: None,
            })
        }
        Err(Withheld::Unscanned) => {
            return Err(ApiError::Conflict {
                detail: "a public upload is handed out only once scanned clean; this one was not"
                    .into(),
                extra: None,
            })
        }
    }
    let content = db::content(&mut conn, row.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let content_type = row.detected_type.as_deref().unwrap_or(&row.declared_type);
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition(&row.file_name),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .insert_header((header::ETAG, format!("\"sha256-{}\"", row.sha256)))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .body(content))
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn the_disposition_names_the_file_in_ascii_and_in_utf8() {
        assert_eq!(
            content_disposition("企画書 v2.pdf"),
            "attachment; filename=\"___ v2.pdf\"; filename*=UTF-8''%E4%BC%81%E7%94%BB%E6%9B%B8%20v2.pdf"
        );
        assert_eq!(
            content_disposition("a\"b;c.txt"),
            "attachment; filename=\"a_b;c.txt\"; filename*=UTF-8''a%22b%3Bc.txt"
        );
    }
}
