//! The resource directory: entries and their locations, search, taxonomy
//! terms and survey campaigns.

pub mod resource_search;
pub mod resources;
pub mod surveys;
pub mod taxonomy;
