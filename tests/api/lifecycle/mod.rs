//! The personal-data lifecycle (issue 21): retention rules applied by a
//! run (a city's own ages among them), closed cases anonymized past their
//! age, one person's disclosure export and anonymization, and the figures
//! unchanged by all of it.

mod cases;
mod disclosure;
mod figures;
mod people;
mod retention;
mod rules;
mod support;
