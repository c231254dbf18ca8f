//! Match suggestions: departments ranked by how their past cases overlap a
//! proposal's themes and SDG goals, with the arithmetic behind each rank.
//!
//! For each past case of a department that shares something with the
//! proposal: `(2 × shared themes + shared SDG goals) × weight`, where the
//! weight is 2 when the department led the case to adoption and 1 when it
//! accepted a match on it or said it was interested at a hearing. A case
//! counts once per department, with its strongest involvement.

use crate::desk::proposal::Theme;
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// How a department took part in a past case, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Involvement {
    InterestedAtHearing,
    AcceptedMatch,
    LedAdoption,
}

// The names the history query gives them.
crate::code::codes!(Involvement {
    InterestedAtHearing => "hearing",
    AcceptedMatch => "match",
    LedAdoption => "adoption",
});

impl Involvement {
    fn weight(self) -> u32 {
        match self {
            Involvement::LedAdoption => 2,
            Involvement::AcceptedMatch | Involvement::InterestedAtHearing => 1,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Involvement::LedAdoption => "led to adoption",
            Involvement::AcceptedMatch => "accepted a match",
            Involvement::InterestedAtHearing => "interested at a hearing",
        }
    }
}

/// One past case of a department.
#[derive(Debug, Clone)]
pub struct PastCase {
    pub department_id: Uuid,
    pub reference: String,
    pub themes: Vec<Theme>,
    pub sdg_goals: Vec<i16>,
    pub involvement: Involvement,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    pub department_id: Uuid,
    pub score: u32,
    /// One line per past case that counted, with its points.
    pub reasons: Vec<String>,
}

/// Ranks departments for a proposal with `themes` and `sdg_goals`, highest
/// score first (ties by department id); departments scoring 0 are left out.
pub fn rank(themes: &[Theme], sdg_goals: &[i16], history: &[PastCase]) -> Vec<Suggestion> {
    // Strongest involvement per (department, case).
    let mut strongest: BTreeMap<(Uuid, &str), &PastCase> = BTreeMap::new();
    for case in history {
        let entry = strongest
            .entry((case.department_id, case.reference.as_str()))
            .or_insert(case);
        if case.involvement > entry.involvement {
            *entry = case;
        }
    }
    let mut by_department: BTreeMap<Uuid, Suggestion> = BTreeMap::new();
    for case in strongest.values() {
        let shared_themes: Vec<Theme> = case
            .themes
            .iter()
            .copied()
            .filter(|t| themes.contains(t))
            .collect();
        let shared_goals: Vec<i16> = case
            .sdg_goals
            .iter()
            .copied()
            .filter(|g| sdg_goals.contains(g))
            .collect();
        let base = 2 * shared_themes.len() as u32 + shared_goals.len() as u32;
        if base == 0 {
            continue;
        }
        let points = base * case.involvement.weight();
        let goals = shared_goals
            .iter()
            .map(i16::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let themes = shared_themes
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let reason = format!(
            "{} ({}, ×{}): themes [{}], SDG [{}] → {} points",
            case.reference,
            case.involvement.label(),
            case.involvement.weight(),
            themes,
            goals,
            points
        );
        let suggestion = by_department
            .entry(case.department_id)
            .or_insert_with(|| Suggestion {
                department_id: case.department_id,
                score: 0,
                reasons: Vec::new(),
            });
        suggestion.score += points;
        suggestion.reasons.push(reason);
    }
    let mut ranked: Vec<Suggestion> = by_department.into_values().collect();
    ranked.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.department_id.cmp(&b.department_id))
    });
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_by_weighted_overlap_and_explains_each_point() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let case =
            |department_id, reference: &str, themes: &[Theme], goals: &[i16], involvement| {
                PastCase {
                    department_id,
                    reference: reference.into(),
                    themes: themes.to_vec(),
                    sdg_goals: goals.to_vec(),
                    involvement,
                }
            };
        let history = vec![
            // a: led one adoption sharing a theme and SDG 11 → (2 + 1) × 2 = 6.
            case(
                a,
                "ZLG-2026-0001",
                &[Theme::CommunitySupport],
                &[11, 4],
                Involvement::LedAdoption,
            ),
            // ...and the same case's hearing counts no more.
            case(
                a,
                "ZLG-2026-0001",
                &[Theme::CommunitySupport],
                &[11, 4],
                Involvement::InterestedAtHearing,
            ),
            // b: two cases, 2 × 1 + (1) × 1 = 3.
            case(
                b,
                "ZLG-2026-0002",
                &[Theme::CommunitySupport],
                &[],
                Involvement::AcceptedMatch,
            ),
            case(
                b,
                "ZLG-2026-0003",
                &[Theme::Other],
                &[3],
                Involvement::InterestedAtHearing,
            ),
            // c: nothing in common → left out.
            case(
                c,
                "ZLG-2026-0004",
                &[Theme::LocalStrengths],
                &[8],
                Involvement::LedAdoption,
            ),
        ];
        let ranked = rank(&[Theme::CommunitySupport], &[3, 11], &history);
        assert_eq!(ranked.len(), 2);
        assert_eq!((ranked[0].department_id, ranked[0].score), (a, 6));
        assert_eq!(ranked[0].reasons, vec!["ZLG-2026-0001 (led to adoption, ×2): themes [community_support], SDG [11] → 6 points"]);
        assert_eq!((ranked[1].department_id, ranked[1].score), (b, 3));
        assert_eq!(ranked[1].reasons.len(), 2);
    }
}
