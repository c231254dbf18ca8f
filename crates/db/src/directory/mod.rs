//! The resource directory: entries and their locations, search, taxonomy
//! terms, survey campaigns, confidential-access grants and suggested
//! corrections.

pub mod confidential_access;
pub mod details;
pub mod resource_search;
pub mod resources;
pub mod suggestions;
pub mod surveys;
pub mod taxonomy;
