//! The fiscal year's report (`GET /v1/kpis`): what it holds, and how it is
//! built from the counted facts.

use super::definitions;
use super::facts::{Facts, Period};
use super::histograms::{days, Distribution};
use super::months::{japanese_label, month_label, months_of};
use super::vocabulary::{FactMetric, Measure};
use crate::desk::proposal::{Channel, Kind, Theme};
use crate::desk::workflow::{Status, STEPS};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A rate rounded to four decimals; `None` when the denominator is zero.
pub fn rate(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| (numerator as f64 / denominator as f64 * 10_000.0).round() / 10_000.0)
}

/// A count under a key (a kind, a theme, a channel).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KeyCount {
    pub key: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProposalsReceived {
    pub definition: &'static str,
    pub total: i64,
    pub by_kind: Vec<KeyCount>,
    /// A case may have several themes: these may add up to more than `total`.
    pub by_theme: Vec<KeyCount>,
    pub by_channel: Vec<KeyCount>,
    /// The target set for the fiscal year, if any, and total ÷ target.
    pub target: Option<i64>,
    pub progress: Option<f64>,
}

/// An open case whose internal coordination has not started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WaitingCase {
    pub reference: String,
    pub status: Status,
    pub first_contact_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    /// Days since first contact, at the time of the report.
    pub age_days: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Waiting {
    pub definition: &'static str,
    pub count: i64,
    /// The longest-waiting cases, oldest first (at most 20).
    pub oldest: Vec<WaitingCase>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoordinationLeadTime {
    pub definition: &'static str,
    #[serde(flatten)]
    pub distribution: Distribution,
    pub waiting: Waiting,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Conversion {
    pub definition: &'static str,
    pub adopted: i64,
    pub received: i64,
    /// adopted + not_adopted + open_procurement + declined.
    pub decided: i64,
    /// adopted ÷ received.
    pub rate_of_received: Option<f64>,
    /// adopted ÷ decided.
    pub rate_of_decided: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AgainstTarget {
    pub definition: &'static str,
    pub count: i64,
    /// The target set for the fiscal year, if any.
    pub target: Option<i64>,
    /// count ÷ target.
    pub progress: Option<f64>,
    /// Whether the count reached the target.
    pub met: Option<bool>,
}

impl AgainstTarget {
    fn new(definition: &'static str, count: i64, target: Option<i64>) -> AgainstTarget {
        AgainstTarget {
            definition,
            count,
            target,
            progress: target.and_then(|t| rate(count, t)),
            met: target.map(|t| count >= t),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CommunitySupports {
    #[serde(flatten)]
    pub trips: AgainstTarget,
    /// Directory organizations these TRIPs support.
    pub supported_resources: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FunnelStep {
    pub step: Status,
    pub cases: i64,
    /// cases ÷ received.
    pub share: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Funnel {
    pub definition: &'static str,
    /// The six steps, then `adopted`.
    pub steps: Vec<FunnelStep>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StepDuration {
    pub step: Status,
    #[serde(flatten)]
    pub distribution: Distribution,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct StepDurations {
    pub definition: &'static str,
    pub steps: Vec<StepDuration>,
    pub receipt_to_decision: Distribution,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Count {
    pub definition: &'static str,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Matches {
    pub definition: &'static str,
    pub made: i64,
    pub accepted: i64,
}

/// The latest measurement of one indicator of a TRIP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorProgress {
    pub trip_id: Uuid,
    pub trip_title: String,
    pub indicator_id: Uuid,
    pub indicator: String,
    pub unit: String,
    pub baseline: Option<f64>,
    pub target: f64,
    pub latest_value: f64,
    pub measured_on: NaiveDate,
    /// (latest − baseline) ÷ (target − baseline), baseline 0 when unset.
    pub progress: Option<f64>,
}

impl IndicatorProgress {
    pub fn compute_progress(&mut self) {
        let baseline = self.baseline.unwrap_or(0.0);
        let span = self.target - baseline;
        self.progress = (span != 0.0)
            .then(|| ((self.latest_value - baseline) / span * 10_000.0).round() / 10_000.0);
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Indicators {
    pub definition: &'static str,
    pub items: Vec<IndicatorProgress>,
    /// True when more indicators exist than are listed (200 at most).
    pub truncated: bool,
}

/// One month of the fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MonthFigures {
    /// `2026-04`.
    pub month: String,
    pub proposals_received: i64,
    pub coordination_started: i64,
    pub coordination_median_days: Option<f64>,
    pub decided: i64,
    pub adopted: i64,
    pub trips_started: i64,
    pub community_supports: i64,
    pub hearings_held: i64,
    pub matches_made: i64,
    pub matches_accepted: i64,
}

/// The fiscal year's figures (`GET /v1/kpis`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Report {
    pub fiscal_year: i32,
    /// `令和8年度`.
    pub label_ja: String,
    /// April 1, Japan time.
    pub starts_on: NaiveDate,
    /// March 31, Japan time.
    pub ends_on: NaiveDate,
    pub generated_at: DateTime<Utc>,
    pub proposals_received: ProposalsReceived,
    pub coordination_lead_time: CoordinationLeadTime,
    pub conversion: Conversion,
    pub trips_started: AgainstTarget,
    pub community_supports: CommunitySupports,
    pub funnel: Funnel,
    pub step_durations: StepDurations,
    pub hearings_held: Count,
    pub matches: Matches,
    pub indicators: Indicators,
    /// April to March; months without data are zero.
    pub months: Vec<MonthFigures>,
}

/// The targets of a fiscal year.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Targets {
    pub proposals_received: Option<i64>,
    pub trips_started: Option<i64>,
    pub community_supports: Option<i64>,
}

/// What a report is made of, besides the counted facts.
pub struct ReportInputs {
    pub fiscal_year: i32,
    pub facts: Facts,
    pub waiting_oldest: Vec<WaitingCase>,
    pub indicators: Vec<IndicatorProgress>,
    pub indicators_truncated: bool,
    pub targets: Targets,
    pub supported_resources: i64,
    pub now: DateTime<Utc>,
}

pub(super) const FINAL_DECISIONS: [Status; 4] = [
    Status::Adopted,
    Status::NotAdopted,
    Status::OpenProcurement,
    Status::Declined,
];

/// Builds a fiscal year's report.
pub fn report(inputs: ReportInputs) -> Report {
    use definitions::*;
    let facts = &inputs.facts;
    let months = months_of(inputs.fiscal_year);
    let received = facts.count(FactMetric::Received, "all", Period::All);
    let keyed = |prefix: &str, keys: &mut dyn Iterator<Item = &'static str>| {
        keys.map(|key| KeyCount {
            key: key.to_owned(),
            count: facts.count(
                FactMetric::Received,
                &format!("{prefix}:{key}"),
                Period::All,
            ),
        })
        .collect::<Vec<_>>()
    };
    let adopted = facts.count(FactMetric::Status, Status::Adopted.as_str(), Period::All);
    let decided = facts.status_count(&FINAL_DECISIONS, Period::All);
    let mut steps: Vec<FunnelStep> = STEPS
        .iter()
        .map(|&step| FunnelStep {
            step,
            cases: if step == Status::Received {
                received
            } else {
                facts.count(FactMetric::Reached, step.as_str(), Period::All)
            },
            share: None,
        })
        .collect();
    steps.push(FunnelStep {
        step: Status::Adopted,
        cases: adopted,
        share: None,
    });
    for step in &mut steps {
        step.share = rate(step.cases, received);
    }
    let trips_started = facts.count(FactMetric::TripsStarted, "all", Period::All);
    let community_supports = facts.count(FactMetric::CommunitySupports, "all", Period::All);
    Report {
        fiscal_year: inputs.fiscal_year,
        label_ja: japanese_label(inputs.fiscal_year),
        starts_on: months[0],
        ends_on: NaiveDate::from_ymd_opt(inputs.fiscal_year + 1, 3, 31).unwrap_or(NaiveDate::MAX),
        generated_at: inputs.now,
        proposals_received: ProposalsReceived {
            definition: PROPOSALS_RECEIVED,
            total: received,
            by_kind: keyed("kind", &mut Kind::ALL.iter().map(|k| k.as_str())),
            by_theme: keyed("theme", &mut Theme::ALL.iter().map(|t| t.as_str())),
            by_channel: keyed("channel", &mut Channel::ALL.iter().map(|c| c.as_str())),
            target: inputs.targets.proposals_received,
            progress: inputs
                .targets
                .proposals_received
                .and_then(|t| rate(received, t)),
        },
        coordination_lead_time: CoordinationLeadTime {
            definition: COORDINATION_LEAD_TIME,
            distribution: Distribution::from(
                &facts.histogram(Measure::FirstContactToCoordination, Period::All),
            ),
            waiting: Waiting {
                definition: WAITING,
                count: facts.count(FactMetric::Waiting, "all", Period::All),
                oldest: inputs
                    .waiting_oldest
                    .into_iter()
                    .map(|mut case| {
                        let hours = (inputs.now - case.first_contact_at).num_hours();
                        case.age_days = days(hours as f64);
                        case
                    })
                    .collect(),
            },
        },
        conversion: Conversion {
            definition: CONVERSION,
            adopted,
            received,
            decided,
            rate_of_received: rate(adopted, received),
            rate_of_decided: rate(adopted, decided),
        },
        trips_started: AgainstTarget::new(
            TRIPS_STARTED,
            trips_started,
            inputs.targets.trips_started,
        ),
        community_supports: CommunitySupports {
            trips: AgainstTarget::new(
                COMMUNITY_SUPPORTS,
                community_supports,
                inputs.targets.community_supports,
            ),
            supported_resources: inputs.supported_resources,
        },
        funnel: Funnel {
            definition: FUNNEL,
            steps,
        },
        step_durations: StepDurations {
            definition: STEP_DURATIONS,
            steps: Measure::IN_STEPS
                .iter()
                .map(|&(step, measure)| StepDuration {
                    step,
                    distribution: Distribution::from(&facts.histogram(measure, Period::All)),
                })
                .collect(),
            receipt_to_decision: Distribution::from(
                &facts.histogram(Measure::ReceiptToDecision, Period::All),
            ),
        },
        hearings_held: Count {
            definition: HEARINGS_HELD,
            count: facts.count(FactMetric::HearingsHeld, "all", Period::All),
        },
        matches: Matches {
            definition: MATCHES,
            made: facts.count(FactMetric::MatchesMade, "all", Period::All),
            accepted: facts.count(FactMetric::MatchesAccepted, "all", Period::All),
        },
        indicators: Indicators {
            definition: INDICATORS,
            items: inputs.indicators,
            truncated: inputs.indicators_truncated,
        },
        months: months
            .iter()
            .map(|&month| {
                let only = Period::Months(std::slice::from_ref(&month));
                let coordination = facts.histogram(Measure::FirstContactToCoordination, only);
                MonthFigures {
                    month: month_label(month),
                    proposals_received: facts.count(FactMetric::Received, "all", only),
                    coordination_started: coordination.count(),
                    coordination_median_days: coordination.percentile(0.5).map(days),
                    decided: facts.status_count(&FINAL_DECISIONS, only),
                    adopted: facts.count(FactMetric::Status, Status::Adopted.as_str(), only),
                    trips_started: facts.count(FactMetric::TripsStarted, "all", only),
                    community_supports: facts.count(FactMetric::CommunitySupports, "all", only),
                    hearings_held: facts.count(FactMetric::HearingsHeld, "all", only),
                    matches_made: facts.count(FactMetric::MatchesMade, "all", only),
                    matches_accepted: facts.count(FactMetric::MatchesAccepted, "all", only),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_keep_four_decimals_and_refuse_zero_denominators() {
        assert_eq!(rate(1, 3), Some(0.3333));
        assert_eq!(rate(0, 0), None);
    }
}
