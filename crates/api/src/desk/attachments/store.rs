//! Storing a received file: scanned first when a scanner is configured
//! (outside any transaction: a scan may take seconds), then its row, its
//! bytes, its audit entry and its feed event in one transaction. An
//! infected file is kept but quarantined, and its event is
//! `attachment_quarantined` (internal: the desk hears of it, the proposer
//! does not).
//!
//! Public uploads (the anonymous intake) must be scanned: [`scan`] refuses
//! them with 409 when no scanner is configured. The intake calls
//! [`store_public`].

use super::access::Place;
use super::clamav::{Scanner, Verdict};
use super::upload::Received;
use crate::http::problem::{ApiError, ApiResult};
use crate::record::{self, Author, EventKind, FeedEvent, Visibility};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use living_gate_db::desk::attachments::{self as db, Attachment, NewAttachment, Target};
use living_gate_db::{pool, AsyncPgConnection};
use living_gate_domain::desk::attachment::{AttachedTo, AttachmentSource, ScanStatus};
use uuid::Uuid;

/// The detail of the refusal of a public upload without a scanner.
pub const NO_SCANNER: &str = "public uploads are refused: no virus scanner is configured \
     (LIVING_GATE_CLAMD_SOCKET or LIVING_GATE_CLAMD_ADDR)";

/// A received file and what the scanner said of it.
#[derive(Debug, Clone)]
pub struct Scanned {
    pub file: Received,
    pub source: AttachmentSource,
    pub status: ScanStatus,
    pub verdict: Option<String>,
    pub scanned_at: Option<DateTime<Utc>>,
}

/// The configured scanner, if any.
pub fn scanner(state: &AppState) -> Option<Scanner> {
    state.attachments.clamd.clone().map(|address| Scanner {
        address,
        timeout: state.attachments.clamd_timeout,
    })
}

/// Scans `file` when a scanner is configured. A public file without a
/// scanner is refused (409); a staff or partner file is `not_scanned`.
pub async fn scan(
    state: &AppState,
    file: Received,
    source: AttachmentSource,
) -> ApiResult<Scanned> {
    let Some(scanner) = scanner(state) else {
        if source == AttachmentSource::Public {
            return Err(ApiError::Conflict {
                detail: NO_SCANNER.into(),
                extra: None,
            });
        }
        return Ok(Scanned {
            file,
            source,
            status: ScanStatus::NotScanned,
            verdict: None,
            scanned_at: None,
        });
    };
    let verdict = scanner.scan(&file.content).await;
    let (status, verdict) = match verdict {
        Verdict::Clean => (ScanStatus::Clean, None),
        Verdict::Infected(signature) => (ScanStatus::Infected, Some(signature)),
        Verdict::Error(reason) => {
            tracing::warn!(error = %reason, "virus scan failed");
            (ScanStatus::Error, Some(reason))
        }
    };
    Ok(Scanned {
        file,
        source,
        status,
        verdict: verdict.map(|v| v.chars().take(500).collect()),
        scanned_at: Some(Utc::now()),
    })
}

/// Stores a scanned file at `place` with `visibility`, in the caller's
/// transaction, with its audit entry and feed event.
pub async fn save(
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    place: &Place,
    visibility: Visibility,
    scanned: &Scanned,
) -> ApiResult<Attachment> {
    let infected = scanned.status == ScanStatus::Infected;
    let new = NewAttachment {
        id: Uuid::now_v7(),
        proposal_id: place.proposal_id,
        attached_to: place.attached_to,
        hearing_id: place.hearing_id,
        logic_model_version: place.logic_model_version,
        visibility,
        file_name: scanned.file.file_name.clone(),
        declared_type: scanned.file.declared_type.clone(),
        detected_type: scanned.file.detected_type.clone(),
        size_bytes: i64::try_from(scanned.file.content.len()).unwrap_or(i64::MAX),
        sha256: scanned.file.sha256.clone(),
        source: scanned.source,
        scan_status: scanned.status,
        scan_verdict: scanned.verdict.clone(),
        scanned_at: scanned.scanned_at,
        quarantined: infected,
        uploaded_by: (scanned.source != AttachmentSource::Public).then_some(author.actor().id),
    };
    let row = db::insert(conn, &new, &scanned.file.content).await?;
    let (kind, event_visibility) = if infected {
        (EventKind::AttachmentQuarantined, Visibility::Internal)
    } else {
        (EventKind::AttachmentAdded, visibility)
    };
    let mut event = FeedEvent::case(row.proposal_id, kind, event_visibility).subject(row.id);
    if let Some(department) = place.department_id {
        event = event.for_department(department);
    }
    record::created(conn, author, "attachment", &row, event).await?;
    Ok(row)
}

/// Stores a file of the public intake on its case (shared: the proposer's
/// own), scanned first; refused with 409 when no scanner is configured or
/// the case is closed.
/// For the intake, whose `author` stands for the anonymous proposer; read
/// the body with [`super::upload::receive`]. The scan runs before the
/// write, on `conn`'s time: called inside an open transaction, it holds
/// that transaction for up to `LIVING_GATE_CLAMD_TIMEOUT`, so prefer to
/// call it after the case is committed (the write itself is a savepoint
/// when `conn` is in a transaction).
pub async fn store_public(
    state: &AppState,
    conn: &mut AsyncPgConnection,
    author: &dyn Author,
    proposal_id: Uuid,
    file: Received,
) -> ApiResult<Attachment> {
    let scanned = scan(state, file, AttachmentSource::Public).await?;
    let place = Place {
        target: Target::Proposal(proposal_id),
        proposal_id,
        attached_to: AttachedTo::Proposal,
        hearing_id: None,
        logic_model_version: None,
        department_id: None,
        default_visibility: Visibility::Shared,
        widest: Visibility::Shared,
        shared_only: true,
    };
    conn.transaction(async |conn| {
        crate::desk::cases::lock_open_case(conn, proposal_id).await?;
        save(conn, author, &place, Visibility::Shared, &scanned).await
    })
    .await
}

/// Scans and stores an upload of a signed-in caller in its own transaction
/// (refusing a closed case).
pub async fn store_upload(
    state: &AppState,
    author: &dyn Author,
    place: &Place,
    visibility: Visibility,
    file: Received,
    source: AttachmentSource,
) -> ApiResult<Attachment> {
    let scanned = scan(state, file, source).await?;
    let mut conn = pool::connection(&state.pool).await?;
    conn.transaction(async |conn| {
        crate::desk::cases::lock_open_case(conn, place.proposal_id).await?;
        save(conn, author, place, visibility, &scanned).await
    })
    .await
}
