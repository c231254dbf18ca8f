//! Attachments of cases, hearings and logic-model versions (issue 15): the
//! metadata rows, and the bytes in `attachment_contents`, read only by
//! [`content`] so that lists never touch them.

use crate::codes::DbText;
use crate::schema::{attachment_contents, attachments};
use crate::DbResult;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use living_gate_domain::desk::attachment::{AttachedTo, AttachmentSource, ScanStatus};
use living_gate_domain::desk::feed::Visibility;
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = attachments, check_for_backend(diesel::pg::Pg))]
pub struct Attachment {
    pub id: Uuid,
    pub municipality_id: Uuid,
    pub proposal_id: Uuid,
    #[diesel(deserialize_as = DbText<AttachedTo>)]
    pub attached_to: AttachedTo,
    pub hearing_id: Option<Uuid>,
    pub logic_model_version: Option<i32>,
    #[diesel(deserialize_as = DbText<Visibility>)]
    pub visibility: Visibility,
    pub file_name: String,
    pub declared_type: String,
    pub detected_type: Option<String>,
    pub size_bytes: i64,
    pub sha256: String,
    #[diesel(deserialize_as = DbText<AttachmentSource>)]
    pub source: AttachmentSource,
    #[diesel(deserialize_as = DbText<ScanStatus>)]
    pub scan_status: ScanStatus,
    pub scan_verdict: Option<String>,
    pub scanned_at: Option<DateTime<Utc>>,
    pub quarantined: bool,
    pub uploaded_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::Versioned for Attachment {
    fn id(&self) -> Uuid {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attachments)]
pub struct NewAttachment {
    pub id: Uuid,
    pub proposal_id: Uuid,
    #[diesel(serialize_as = DbText<AttachedTo>)]
    pub attached_to: AttachedTo,
    pub hearing_id: Option<Uuid>,
    pub logic_model_version: Option<i32>,
    #[diesel(serialize_as = DbText<Visibility>)]
    pub visibility: Visibility,
    pub file_name: String,
    pub declared_type: String,
    pub detected_type: Option<String>,
    pub size_bytes: i64,
    pub sha256: String,
    #[diesel(serialize_as = DbText<AttachmentSource>)]
    pub source: AttachmentSource,
    #[diesel(serialize_as = DbText<ScanStatus>)]
    pub scan_status: ScanStatus,
    pub scan_verdict: Option<String>,
    pub scanned_at: Option<DateTime<Utc>>,
    pub quarantined: bool,
    pub uploaded_by: Option<Uuid>,
}

/// Stores an attachment and its bytes (in the caller's transaction).
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewAttachment,
    content: &[u8],
) -> DbResult<Attachment> {
    let row: Attachment = diesel::insert_into(attachments::table)
        .values(new.clone())
        .returning(Attachment::as_returning())
        .get_result(conn)
        .await?;
    diesel::insert_into(attachment_contents::table)
        .values((
            attachment_contents::municipality_id.eq(row.municipality_id),
            attachment_contents::attachment_id.eq(row.id),
            attachment_contents::content.eq(content),
        ))
        .execute(conn)
        .await?;
    Ok(row)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<Attachment>> {
    Ok(attachments::table
        .find(id)
        .select(Attachment::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// What a list is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Proposal(Uuid),
    Hearing(Uuid),
    LogicModel { proposal_id: Uuid, version: i32 },
}

/// The attachments of one target, oldest first; `shared_only` hides the
/// internal ones.
pub async fn of_target(
    conn: &mut AsyncPgConnection,
    target: Target,
    shared_only: bool,
) -> DbResult<Vec<Attachment>> {
    let mut query = attachments::table
        .select(Attachment::as_select())
        .order(attachments::id)
        .into_boxed();
    query = match target {
        Target::Proposal(id) => query
            .filter(attachments::proposal_id.eq(id))
            .filter(attachments::attached_to.eq(DbText(AttachedTo::Proposal))),
        Target::Hearing(id) => query.filter(attachments::hearing_id.eq(id)),
        Target::LogicModel {
            proposal_id,
            version,
        } => query
            .filter(attachments::proposal_id.eq(proposal_id))
            .filter(attachments::logic_model_version.eq(version)),
    };
    if shared_only {
        query = query.filter(attachments::visibility.eq(DbText(Visibility::Shared)));
    }
    Ok(query.load(conn).await?)
}

/// The bytes of an attachment.
pub async fn content(conn: &mut AsyncPgConnection, id: Uuid) -> DbResult<Option<Vec<u8>>> {
    Ok(attachment_contents::table
        .filter(attachment_contents::attachment_id.eq(id))
        .select(attachment_contents::content)
        .first(conn)
        .await
        .optional()?)
}
