//! Step 4 with the city's network (市内ネットワークとのマッチング): directory
//! entries (NPOs, social welfare corporations, citizen groups) proposed as
//! partners of a case beside the departments, how the desk recorded their
//! answer, and the ranking of entries suggested for a case.
//!
//! A suggestion's score is the sum of its points, each explained:
//! - 3 per topic of the entry among those asked (a descendant of an asked
//!   topic counts for it);
//! - 2 per form of activity among those asked;
//! - 4 per earlier TRIP of the city it supports, 2 per earlier case of the
//!   city on which it agreed to partner (a case counts once, its strongest);
//! - 1 per referral (紹介) between it and an entry that took part in an
//!   earlier case or TRIP of the city;
//! - 2 when it serves the case's city (its own city or one it serves), only
//!   added to an entry that scored otherwise.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// How the organization's answer reached the desk (its contact is not a
/// user of the API: the desk records what was agreed, and how).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementChannel {
    Phone,
    Meeting,
    Email,
    Letter,
    /// The desk visited the organization.
    Visit,
    Other,
}

crate::code::codes!(AgreementChannel {
    Phone => "phone",
    Meeting => "meeting",
    Email => "email",
    Letter => "letter",
    Visit => "visit",
    Other => "other",
});

/// A directory entry that may be suggested.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub resource_id: Uuid,
    pub name: String,
    /// The entry's topics that are asked topics or descendants of one.
    pub matched_topics: Vec<String>,
    /// The entry's forms among the asked forms.
    pub matched_forms: Vec<String>,
    /// It is in the case's city or serves it.
    pub serves_city: bool,
}

/// How an entry took part in an earlier case of the city, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PastRole {
    /// It agreed to partner on the case (an accepted network match).
    AgreedToPartner,
    /// The case's TRIP supports it.
    SupportedByTrip,
}

crate::code::codes!(PastRole {
    AgreedToPartner => "agreed",
    SupportedByTrip => "trip",
});

impl PastRole {
    fn points(self) -> u32 {
        match self {
            PastRole::SupportedByTrip => 4,
            PastRole::AgreedToPartner => 2,
        }
    }
}

/// One earlier case an entry took part in.
#[derive(Debug, Clone)]
pub struct PastInvolvement {
    pub resource_id: Uuid,
    /// The case's reference (`ZLG-2026-0003`).
    pub reference: String,
    pub role: PastRole,
}

/// A referral link between a candidate and an entry that took part in an
/// earlier case (`introduced`: the candidate introduced it).
#[derive(Debug, Clone)]
pub struct Referral {
    pub resource_id: Uuid,
    pub other_name: String,
    pub introduced: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetworkSuggestion {
    pub resource_id: Uuid,
    pub name: String,
    pub score: u32,
    /// One line per point counted, with its points.
    pub reasons: Vec<String>,
}

/// Ranks the candidates, highest score first (ties by name, then id); an
/// entry with no point but its city's is left out; at most `limit`.
pub fn rank(
    candidates: &[Candidate],
    history: &[PastInvolvement],
    referrals: &[Referral],
    limit: usize,
) -> Vec<NetworkSuggestion> {
    // The strongest role per (entry, case).
    let mut strongest: BTreeMap<(Uuid, &str), PastRole> = BTreeMap::new();
    for past in history {
        let role = strongest
            .entry((past.resource_id, past.reference.as_str()))
            .or_insert(past.role);
        if past.role > *role {
            *role = past.role;
        }
    }
    let mut ranked: Vec<NetworkSuggestion> = candidates
        .iter()
        .filter_map(|candidate| {
            let mut score = 0;
            let mut reasons = Vec::new();
            if !candidate.matched_topics.is_empty() {
                let points = 3 * candidate.matched_topics.len() as u32;
                score += points;
                reasons.push(format!(
                    "topics [{}] → {points} points",
                    candidate.matched_topics.join(", ")
                ));
            }
            if !candidate.matched_forms.is_empty() {
                let points = 2 * candidate.matched_forms.len() as u32;
                score += points;
                reasons.push(format!(
                    "forms [{}] → {points} points",
                    candidate.matched_forms.join(", ")
                ));
            }
            for ((_, reference), role) in strongest
                .iter()
                .filter(|((id, _), _)| *id == candidate.resource_id)
            {
                let points = role.points();
                score += points;
                reasons.push(match role {
                    PastRole::SupportedByTrip => {
                        format!("supported by the TRIP of {reference} → {points} points")
                    }
                    PastRole::AgreedToPartner => {
                        format!("agreed to partner on {reference} → {points} points")
                    }
                });
            }
            for referral in referrals
                .iter()
                .filter(|r| r.resource_id == candidate.resource_id)
            {
                score += 1;
                reasons.push(if referral.introduced {
                    format!(
                        "introduced {}, a past partner of the city → 1 point",
                        referral.other_name
                    )
                } else {
                    format!(
                        "introduced by {}, a past partner of the city → 1 point",
                        referral.other_name
                    )
                });
            }
            if score == 0 {
                return None;
            }
            if candidate.serves_city {
                score += 2;
                reasons.push("serves the case's city → 2 points".to_owned());
            }
            Some(NetworkSuggestion {
                resource_id: candidate.resource_id,
                name: candidate.name.clone(),
                score,
                reasons,
            })
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
            .then(a.resource_id.cmp(&b.resource_id))
    });
    ranked.truncate(limit);
    ranked
}

/// What an entry of an organization's history with a city is
/// (`GET /v1/organizations/{id}/history`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    /// It brought a case (proposal or consultation).
    CaseReceived,
    /// Its case reached a final state (`detail` names it).
    CaseClosed,
    /// A department was asked to a hearing on its case.
    Hearing,
    /// A department was matched to its case.
    DepartmentMatch,
    /// A TRIP it takes part in was created.
    TripCreated,
    /// Its directory entry was listed.
    DirectoryEntry,
    /// Its directory entry was proposed as a network partner of a case.
    NetworkMatch,
    /// A TRIP supports its directory entry.
    SupportedByTrip,
}

crate::code::codes!(HistoryKind {
    CaseReceived => "case_received",
    CaseClosed => "case_closed",
    Hearing => "hearing",
    DepartmentMatch => "department_match",
    TripCreated => "trip_created",
    DirectoryEntry => "directory_entry",
    NetworkMatch => "network_match",
    SupportedByTrip => "supported_by_trip",
});

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(n: u128, name: &str, topics: &[&str], forms: &[&str], serves: bool) -> Candidate {
        Candidate {
            resource_id: Uuid::from_u128(n),
            name: name.into(),
            matched_topics: topics.iter().map(|t| t.to_string()).collect(),
            matched_forms: forms.iter().map(|f| f.to_string()).collect(),
            serves_city: serves,
        }
    }

    #[test]
    fn ranks_by_topic_form_involvement_and_city_and_explains_each_point() {
        let candidates = vec![
            // 2 topics (6) + 1 form (2) + serves (2) = 10.
            candidate(
                1,
                "こども食堂ざま",
                &["kodomo", "hitorioya"],
                &["ibasho"],
                true,
            ),
            // A TRIP (4) and an agreement on the same case counts once; another
            // case's agreement (2); a referral (1); not serving: 7.
            candidate(2, "さがみ福祉会", &[], &[], false),
            // Only its city: left out.
            candidate(3, "座間の会", &[], &[], true),
        ];
        let history = vec![
            PastInvolvement {
                resource_id: Uuid::from_u128(2),
                reference: "ZLG-2026-0001".into(),
                role: PastRole::AgreedToPartner,
            },
            PastInvolvement {
                resource_id: Uuid::from_u128(2),
                reference: "ZLG-2026-0001".into(),
                role: PastRole::SupportedByTrip,
            },
            PastInvolvement {
                resource_id: Uuid::from_u128(2),
                reference: "ZLG-2026-0002".into(),
                role: PastRole::AgreedToPartner,
            },
        ];
        let referrals = vec![Referral {
            resource_id: Uuid::from_u128(2),
            other_name: "ひだまり".into(),
            introduced: false,
        }];
        let ranked = rank(&candidates, &history, &referrals, 10);
        assert_eq!(ranked.len(), 2);
        assert_eq!(
            (ranked[0].resource_id, ranked[0].score),
            (Uuid::from_u128(1), 10)
        );
        assert_eq!(
            ranked[0].reasons,
            vec![
                "topics [kodomo, hitorioya] → 6 points",
                "forms [ibasho] → 2 points",
                "serves the case's city → 2 points"
            ]
        );
        assert_eq!(
            (ranked[1].resource_id, ranked[1].score),
            (Uuid::from_u128(2), 7)
        );
        assert_eq!(
            ranked[1].reasons,
            vec![
                "supported by the TRIP of ZLG-2026-0001 → 4 points",
                "agreed to partner on ZLG-2026-0002 → 2 points",
                "introduced by ひだまり, a past partner of the city → 1 point"
            ]
        );
        assert_eq!(rank(&candidates, &history, &referrals, 1).len(), 1);
    }
}
