//! The vocabulary of steps 3 and 4: hearings with departments and matches
//! of departments with a case.
//!
//! Types without a doc comment keep their OpenAPI schemas as they were
//! (a doc comment becomes the schema's description).

use serde::{Deserialize, Serialize};

// Where a hearing is: the desk requested it, the department answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HearingStatus {
    Requested,
    Answered,
}

crate::code::codes!(HearingStatus {
    Requested => "requested",
    Answered => "answered",
});

// A department's interest in a case, as it answered its hearing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Interest {
    Interested,
    NotInterested,
    NeedsInformation,
}

crate::code::codes!(Interest {
    Interested => "interested",
    NotInterested => "not_interested",
    NeedsInformation => "needs_information",
});

// What a matched department is to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchRole {
    /// The responsible department (所管課): it decides in step 6.
    Lead,
    Support,
}

crate::code::codes!(MatchRole {
    Lead => "lead",
    Support => "support",
});

// Where a match is: proposed by the desk, then accepted or declined by the
// department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchStatus {
    Proposed,
    Accepted,
    Declined,
}

crate::code::codes!(MatchStatus {
    Proposed => "proposed",
    Accepted => "accepted",
    Declined => "declined",
});
