//! The vocabulary of a proposal: kind, themes, channel, SDG goals.

use crate::ValidationErrors;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 提案: a concrete proposal.
    Proposal,
    /// 相談: a consultation.
    Consultation,
}

/// The kinds of case named in seed 000, plus `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// 地域の強みを活用した企業等との連携による魅力創出.
    LocalStrengths,
    /// 企業等による市民協働・地域コミュニティ・NPO活動等の支援.
    CommunitySupport,
    Other,
}

/// How the proposal reached the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    Phone,
    Visit,
    Email,
    Referral,
}

crate::code::codes!(Kind {
    Proposal => "proposal",
    Consultation => "consultation",
});

crate::code::codes!(Theme {
    LocalStrengths => "local_strengths",
    CommunitySupport => "community_support",
    Other => "other",
});

crate::code::codes!(Channel {
    Web => "web",
    Phone => "phone",
    Visit => "visit",
    Email => "email",
    Referral => "referral",
});

/// SDG goals: each 1–17, no repeats; returned sorted.
pub fn sdg_goals(field: &str, goals: &[i16]) -> Result<Vec<i16>, ValidationErrors> {
    if let Some(bad) = goals.iter().find(|g| !(1..=17).contains(*g)) {
        return Err(ValidationErrors::single(
            field,
            "out_of_range",
            format!("{bad} is not an SDG goal (1-17)"),
        ));
    }
    let mut sorted = goals.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != goals.len() {
        return Err(ValidationErrors::single(
            field,
            "duplicate",
            "lists a goal twice",
        ));
    }
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdg_goals_are_one_to_seventeen_without_repeats() {
        assert_eq!(sdg_goals("g", &[17, 3, 11]), Ok(vec![3, 11, 17]));
        assert_eq!(
            sdg_goals("g", &[0]).expect_err("0").0[0].code,
            "out_of_range"
        );
        assert_eq!(
            sdg_goals("g", &[18]).expect_err("18").0[0].code,
            "out_of_range"
        );
        assert_eq!(
            sdg_goals("g", &[3, 3]).expect_err("dup").0[0].code,
            "duplicate"
        );
    }
}
