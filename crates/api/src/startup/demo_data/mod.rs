//! Reference and demo data: the four municipalities, Zama's departments, a
//! few partner organizations, and demo accounts with fresh passwords.
//! Idempotent: existing rows (by natural key) are left alone.

mod accounts;
mod cases;
mod directory;
mod reference;

pub use accounts::{demo_accounts, DemoAccount};
pub use cases::demo_cases;
pub use directory::demo_directory;
pub use reference::{
    demo_organizations, reference_data, DEMO_ORGANIZATIONS, MUNICIPALITIES, ZAMA_DEPARTMENTS,
};
