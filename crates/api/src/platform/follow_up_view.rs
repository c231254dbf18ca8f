//! A follow-up of a liaison meeting as callers see it and as they give it:
//! shared by the meetings (which carry theirs) and the follow-up list.

use crate::http::problem::{ApiError, ApiResult};
use chrono::{DateTime, NaiveDate, Utc};
use living_gate_db::accounts::users;
use living_gate_db::platform::meetings::{self as db, NewFollowUp};
use living_gate_db::AsyncPgConnection;
use living_gate_domain::names::bounded_text;
use living_gate_domain::platform::meeting::{FollowUpStatus, MAX_ITEM_TEXT};
use living_gate_domain::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"description": "海老名市の居場所一覧を次回までに共有する",
    "owner_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e21", "due_on": "2026-12-10"}))]
pub struct GiveFollowUp {
    /// What is to be done.
    #[schema(min_length = 1, max_length = 1000)]
    pub description: String,
    /// The account of staff (desk or department) of a city that took part.
    pub owner_id: Uuid,
    /// Not before the meeting's day.
    pub due_on: NaiveDate,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9fc1",
    "meeting_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9fb1",
    "description": "海老名市の居場所一覧を次回までに共有する",
    "owner_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e21", "owner_name": "海老名 太郎",
    "owner_municipality_id": "0192f1c2-7d3e-7a10-9c55-6a3c1c2d9e04", "due_on": "2026-12-10",
    "status": "open", "done_at": null, "done_by": null, "version": 1,
    "created_at": "2026-11-10T06:00:00Z", "updated_at": "2026-11-10T06:00:00Z"}))]
pub struct FollowUp {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub description: String,
    pub owner_id: Uuid,
    pub owner_name: String,
    pub owner_municipality_id: Option<Uuid>,
    pub due_on: NaiveDate,
    pub status: FollowUpStatus,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The follow-ups with their owners' names (one query for all).
pub async fn shown(
    conn: &mut AsyncPgConnection,
    rows: Vec<db::FollowUp>,
) -> ApiResult<Vec<FollowUp>> {
    let mut owners: std::collections::HashMap<Uuid, users::User> = std::collections::HashMap::new();
    for row in &rows {
        if !owners.contains_key(&row.owner_id) {
            if let Some(user) = users::find(conn, row.owner_id).await? {
                owners.insert(user.id, user);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let owner = owners.get(&row.owner_id);
            FollowUp {
                id: row.id,
                meeting_id: row.meeting_id,
                description: row.description,
                owner_id: row.owner_id,
                owner_name: owner.map(|u| u.display_name.clone()).unwrap_or_default(),
                owner_municipality_id: owner.and_then(|u| u.municipality_id),
                due_on: row.due_on,
                status: row.status,
                done_at: row.done_at,
                done_by: row.done_by,
                version: row.version,
                created_at: row.created_at,
                updated_at: row.updated_at,
            }
        })
        .collect())
}

/// Checks a follow-up given for a meeting held on `held_on` by the cities
/// `cities`: the text, the due date, and an owner who is staff of one of
/// them. `field` is where it sits in the body (`follow_ups[0]`).
pub async fn checked(
    conn: &mut AsyncPgConnection,
    field: &str,
    given: &GiveFollowUp,
    meeting_id: Uuid,
    held_on: NaiveDate,
    cities: &[Uuid],
) -> ApiResult<NewFollowUp> {
    let description = bounded_text(
        &format!("{field}description"),
        &given.description,
        1,
        MAX_ITEM_TEXT,
    )?;
    if given.due_on < held_on {
        return Err(ApiError::validation(
            &format!("{field}due_on"),
            "before_meeting",
            "must not be before the meeting's day",
        ));
    }
    let owner = users::find(conn, given.owner_id).await?;
    let takes_part = owner.as_ref().is_some_and(|u| {
        matches!(u.role, Role::Desk | Role::Department)
            && u.municipality_id.is_some_and(|m| cities.contains(&m))
    });
    if !takes_part {
        return Err(ApiError::validation(
            &format!("{field}owner_id"),
            "not_taking_part",
            "the owner must be an account of the desk or a department of a city that took part",
        ));
    }
    Ok(NewFollowUp {
        id: Uuid::now_v7(),
        meeting_id,
        description,
        owner_id: given.owner_id,
        due_on: given.due_on,
    })
}
