//! Public intake (issue 15): what an anonymous proposer must acknowledge
//! and declare, how long a submission waits for its contact to prove the
//! e-mail address, and the 法人番号 check.

pub mod corporate_number;

pub use corporate_number::CorporateNumber;

use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

/// Where a submission of the public form stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    /// Waiting for the contact to enter the code mailed to it.
    AwaitingConfirmation,
    /// Confirmed: the case is registered.
    Confirmed,
    /// Too many wrong codes: it can no longer be confirmed.
    Void,
}

crate::code::codes!(SubmissionStatus {
    AwaitingConfirmation => "awaiting_confirmation",
    Confirmed => "confirmed",
    Void => "void",
});

/// The desk's terms a proposer acknowledges (seed 000, 提案の取り扱い), in
/// the version a submission names. A change of wording is a new version;
/// old versions stay here so that what a case acknowledged can be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terms {
    pub version: &'static str,
    pub text_ja: &'static str,
    pub text_en: &'static str,
}

/// Every version ever served, the current last.
pub const TERMS: &[Terms] = &[Terms {
    version: "2026-04-01",
    text_ja: "本窓口は、全ての提案の受け入れや即時事業化を約束するものではなく、本市の重点施策・地域課題との整合性、実現可能性、費用対効果等を踏まえ、慎重に検討・精査を行います。\n本窓口は各課の意思決定を代替するものではなく、あくまで調整・整理機能に特化します。最終的な実施判断は各所管課が担います。\n既存の事務事業を置き換えるものではなく、既存施策との連携・補完を図りながら、官民連携による新たな価値創出を目指します。\n関係課との協議の結果、実施に至らない場合があることを了承いただきます。",
    text_en: "The desk does not promise to accept every proposal or to implement it at once: it examines each carefully against the city's priorities and local issues, feasibility and cost-effectiveness.\nThe desk does not replace the departments' decisions; it coordinates and organizes. The final decision to implement lies with the responsible department.\nIt does not replace existing work; it seeks new value through public-private partnership that links to and complements existing policies.\nYou accept that consultation with the departments may end without implementation.",
}];

/// The terms new submissions acknowledge.
pub fn current_terms() -> &'static Terms {
    &TERMS[TERMS.len() - 1]
}

/// A submission must name the current version: an older one means the
/// form showed outdated text.
pub fn check_terms_version(field: &str, version: &str) -> Result<&'static Terms, ValidationErrors> {
    let current = current_terms();
    if version == current.version {
        Ok(current)
    } else {
        Err(ValidationErrors::single(
            field,
            "outdated_terms",
            format!(
                "acknowledge the current terms, version {} (GET the intake terms)",
                current.version
            ),
        ))
    }
}

/// The eligibility declarations municipalities ask of a proposer. Each must
/// be made (true); a missing or false one is a validation error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Declarations {
    /// The activity has no religious purpose.
    pub no_religious_purpose: Option<bool>,
    /// The activity has no political purpose.
    pub no_political_purpose: Option<bool>,
    /// The activity has no election purpose (supporting or opposing a candidate or party).
    pub no_election_purpose: Option<bool>,
    /// The organization and its officers have no ties to organized crime (暴力団排除).
    pub no_organized_crime_ties: Option<bool>,
}

impl Declarations {
    pub fn check(&self, field: &str) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        for (name, value) in [
            ("no_religious_purpose", self.no_religious_purpose),
            ("no_political_purpose", self.no_political_purpose),
            ("no_election_purpose", self.no_election_purpose),
            ("no_organized_crime_ties", self.no_organized_crime_ties),
        ] {
            if value != Some(true) {
                errors.add(
                    &format!("{field}.{name}"),
                    "declaration_required",
                    "must be declared (true) to submit",
                );
            }
        }
        errors.into_result()
    }
}

/// How long a submission waits for its code (minutes).
pub const CODE_TTL_MINUTES: i64 = 30;
/// Wrong codes a submission survives; the next wrong one voids it.
pub const MAX_CODE_ATTEMPTS: i32 = 5;
/// Submissions per e-mail address within [`LIMIT_WINDOW_SECS`].
pub const MAX_SUBMISSIONS_PER_EMAIL: i32 = 3;
/// Submissions per client address within [`LIMIT_WINDOW_SECS`] (an
/// office behind one NAT address submits for many people).
pub const MAX_SUBMISSIONS_PER_ADDRESS: i32 = 30;
/// Confirmation attempts per client address within [`LIMIT_WINDOW_SECS`]
/// (each submission also voids itself after [`MAX_CODE_ATTEMPTS`]).
pub const MAX_CONFIRMATIONS_PER_ADDRESS: i32 = 60;
pub const LIMIT_WINDOW_SECS: i64 = 3600;

/// Whether `code` (as typed: spaces and full-width digits allowed) is the
/// six digits `expected`.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_current_terms_are_accepted() {
        assert!(check_terms_version("t", current_terms().version).is_ok());
        assert_eq!(
            check_terms_version("t", "2020-01-01").unwrap_err().0[0].code,
            "outdated_terms"
        );
    }

    #[test]
    fn every_declaration_must_be_true() {
        let all = Declarations {
            no_religious_purpose: Some(true),
            no_political_purpose: Some(true),
            no_election_purpose: Some(true),
            no_organized_crime_ties: Some(true),
        };
        assert!(all.check("d").is_ok());
        let missing = Declarations {
            no_election_purpose: None,
            no_organized_crime_ties: Some(false),
            ..all
        };
        let fields: Vec<String> = missing
            .check("d")
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["d.no_election_purpose", "d.no_organized_crime_ties"]
        );
    }

    #[test]
    fn codes_are_read_as_typed() {
        assert_eq!(normalize_code(" 123 456 "), "123456");
        assert_eq!(normalize_code("１２３４５６"), "123456");
    }
}
