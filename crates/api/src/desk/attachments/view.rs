//! An attachment as the API shows it, and the body schema of an upload.

use chrono::{DateTime, Utc};
use living_gate_db::desk::attachments as db;
use living_gate_domain::desk::attachment::{
    downloadable, AttachedTo, AttachmentSource, ScanStatus,
};
use living_gate_domain::desk::feed::Visibility;
use serde::Serialize;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9f01", "proposal_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e50",
    "attached_to": "proposal", "hearing_id": null, "logic_model_version": null, "visibility": "shared",
    "file_name": "企画書.pdf", "declared_type": "application/pdf", "detected_type": "application/pdf",
    "size_bytes": 482113, "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "source": "partner", "scan_status": "clean", "scan_verdict": null, "scanned_at": "2026-05-10T00:31:00Z",
    "quarantined": false, "downloadable": true, "uploaded_by": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e11",
    "created_at": "2026-05-10T00:31:00Z"
}))]
pub struct Attachment {
    pub id: Uuid,
    /// The case it belongs to (a hearing's and a logic model's files too).
    pub proposal_id: Uuid,
    pub attached_to: AttachedTo,
    pub hearing_id: Option<Uuid>,
    pub logic_model_version: Option<i32>,
    /// `internal`: staff only; `shared`: also the proposer.
    pub visibility: Visibility,
    /// Sanitized: no path, no control characters, at most 255 bytes.
    pub file_name: String,
    /// The uploader's `Content-Type`.
    pub declared_type: String,
    /// What the bytes are (magic numbers), when recognised.
    pub detected_type: Option<String>,
    pub size_bytes: i64,
    /// SHA-256 of the content, lower-case hex (also the download's ETag).
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    pub source: AttachmentSource,
    pub scan_status: ScanStatus,
    /// The scanner's words: the signature found, or its error.
    pub scan_verdict: Option<String>,
    pub scanned_at: Option<DateTime<Utc>>,
    /// An infected file: kept, never handed out.
    pub quarantined: bool,
    /// Whether `GET /v1/attachments/{id}/content` hands the bytes out.
    pub downloadable: bool,
    /// `null` for the public intake.
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<db::Attachment> for Attachment {
    fn from(a: db::Attachment) -> Self {
        let downloadable = downloadable(
            a.source,
            a.scan_status,
            a.quarantined,
            a.scan_verdict.as_deref(),
        )
        .is_ok();
        Attachment {
            id: a.id,
            proposal_id: a.proposal_id,
            attached_to: a.attached_to,
            hearing_id: a.hearing_id,
            logic_model_version: a.logic_model_version,
            visibility: a.visibility,
            file_name: a.file_name,
            declared_type: a.declared_type,
            detected_type: a.detected_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            source: a.source,
            scan_status: a.scan_status,
            scan_verdict: a.scan_verdict,
            scanned_at: a.scanned_at,
            quarantined: a.quarantined,
            downloadable,
            uploaded_by: a.uploaded_by,
            created_at: a.created_at,
        }
    }
}

/// The bytes of a file (an upload's body, a download).
pub struct FileContent;

impl utoipa::PartialSchema for FileContent {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .description(Some("The file's bytes"))
                .build(),
        ))
    }
}

impl ToSchema for FileContent {}
