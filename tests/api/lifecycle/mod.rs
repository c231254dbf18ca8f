//! The personal-data lifecycle (issue 21): retention rules applied by a run.

mod retention;
