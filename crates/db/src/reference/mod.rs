//! Reference data: municipalities, their departments, and partner
//! organizations.

pub mod departments;
pub mod municipalities;
pub mod organizations;
