//! The vocabulary of a TRIP (共創プロジェクト), the project an adopted case becomes.

use serde::{Deserialize, Serialize};

// Where a TRIP is. (Not a doc comment: the OpenAPI schema has had no
// description.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TripStatus {
    Planning,
    Active,
    Completed,
    Discontinued,
}

crate::code::codes!(TripStatus {
    Planning => "planning",
    Active => "active",
    Completed => "completed",
    Discontinued => "discontinued",
});
