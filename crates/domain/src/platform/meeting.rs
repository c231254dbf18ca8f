//! Liaison meetings of the four cities (seed 002: 支援調整会議 monthly,
//! 担当者レベルの連携会議): the day, the kind, the cities and organizations
//! that took part, the agenda, the decisions and the follow-ups, each with
//! an owner and a due date.

use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// Which meeting of the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// 支援調整会議: the monthly coordination of support across the cities.
    SupportCoordination,
    /// 担当者レベルの連携会議: the working-level liaison of the staff.
    StaffLiaison,
    Other,
}

crate::code::codes!(MeetingKind {
    SupportCoordination => "support_coordination",
    StaffLiaison => "staff_liaison",
    Other => "other",
});

/// Where a follow-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    Open,
    Done,
}

crate::code::codes!(FollowUpStatus {
    Open => "open",
    Done => "done",
});

/// At most this many cities, entries, organizations, decisions or
/// follow-ups on one meeting.
pub const MAX_ITEMS: usize = 50;
/// The agenda's length in characters.
pub const MAX_AGENDA: usize = 4000;
/// One decision's or follow-up's length in characters.
pub const MAX_ITEM_TEXT: usize = 1000;

/// A list of texts, each trimmed, non-empty and at most `max_len`
/// characters, at most [`MAX_ITEMS`] of them.
pub fn check_texts(
    field: &str,
    items: &[String],
    max_len: usize,
) -> Result<Vec<String>, ValidationErrors> {
    if items.len() > MAX_ITEMS {
        return Err(ValidationErrors::single(
            field,
            "too_many",
            format!("at most {MAX_ITEMS} items"),
        ));
    }
    items
        .iter()
        .map(|t| crate::names::bounded_text(field, t, 1, max_len))
        .collect()
}

/// A list of ids, each kept once, at most [`MAX_ITEMS`]; `required`: at
/// least one.
pub fn check_ids(
    field: &str,
    ids: &[uuid::Uuid],
    required: bool,
) -> Result<Vec<uuid::Uuid>, ValidationErrors> {
    let ids = crate::validation::dedup(ids);
    if required && ids.is_empty() {
        return Err(ValidationErrors::single(
            field,
            "required",
            "name at least one",
        ));
    }
    if ids.len() > MAX_ITEMS {
        return Err(ValidationErrors::single(
            field,
            "too_many",
            format!("at most {MAX_ITEMS} items"),
        ));
    }
    Ok(ids)
}

/// The move of a follow-up to `done`: only an open one.
pub fn can_complete(status: FollowUpStatus) -> bool {
    status == FollowUpStatus::Open
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_counted() {
        let t = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_texts("decisions", &t(&[" 次回は綾瀬市 "]), 10).unwrap(),
            t(&["次回は綾瀬市"])
        );
        assert!(check_texts("decisions", &t(&["  "]), 10).is_err());
        assert!(check_texts("decisions", &t(&["12345678901"]), 10).is_err());
        let many: Vec<String> = (0..51).map(|i| i.to_string()).collect();
        assert_eq!(
            check_texts("decisions", &many, 10).unwrap_err().0[0].code,
            "too_many"
        );
    }

    #[test]
    fn ids_are_kept_once_and_a_city_is_required() {
        let a = uuid::Uuid::now_v7();
        assert_eq!(
            check_ids("municipality_ids", &[a, a], true).unwrap(),
            vec![a]
        );
        assert_eq!(
            check_ids("municipality_ids", &[], true).unwrap_err().0[0].code,
            "required"
        );
        assert!(check_ids("resource_ids", &[], false).unwrap().is_empty());
    }

    #[test]
    fn only_an_open_follow_up_is_completed() {
        assert!(can_complete(FollowUpStatus::Open));
        assert!(!can_complete(FollowUpStatus::Done));
    }
}
