//! The vocabulary of the event log: what happened (the kind of an event) and
//! who may read it (the visibility of an event or a message).

use serde::{Deserialize, Serialize};

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A case was received.
    Created,
    StatusChanged,
    HearingRequested,
    HearingAnswered,
    MessagePosted,
    MatchProposed,
    MatchAccepted,
    MatchDeclined,
    LogicModelSaved,
    /// Directory events: about an entry, not a case.
    ResourceCreated,
    ResourceUpdated,
    ResourceImported,
    SurveyAnswered,
}

crate::code::codes!(EventKind {
    Created => "created",
    StatusChanged => "status_changed",
    HearingRequested => "hearing_requested",
    HearingAnswered => "hearing_answered",
    MessagePosted => "message_posted",
    MatchProposed => "match_proposed",
    MatchAccepted => "match_accepted",
    MatchDeclined => "match_declined",
    LogicModelSaved => "logic_model_saved",
    ResourceCreated => "resource_created",
    ResourceUpdated => "resource_updated",
    ResourceImported => "resource_imported",
    SurveyAnswered => "survey_answered",
});

// Who reads an event or a message. (Not a doc comment: the OpenAPI schema
// has had no description.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The desk and the departments involved.
    Internal,
    /// Also the proposer.
    Shared,
}

crate::code::codes!(Visibility {
    Internal => "internal",
    Shared => "shared",
});
