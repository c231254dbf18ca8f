//! Time series for charts: one metric over months or fiscal years.

use super::definitions;
use super::facts::{Facts, Period};
use super::histograms::days;
use super::months::{month_label, months_of};
use super::report::{rate, FINAL_DECISIONS};
use super::vocabulary::{FactMetric, Measure};
use crate::desk::workflow::Status;
use crate::fiscal;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a time series can chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    ProposalsReceived,
    CoordinationStarted,
    CoordinationMedianDays,
    CoordinationP90Days,
    WaitingForCoordination,
    Decided,
    Adopted,
    AdoptionRateOfReceived,
    AdoptionRateOfDecided,
    ReceiptToDecisionMedianDays,
    TripsStarted,
    CommunitySupports,
    HearingsHeld,
    MatchesMade,
    MatchesAccepted,
}

/// The width of a time-series point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Month,
    FiscalYear,
}

/// A point of a time series.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Point {
    /// `2026-04` or `FY2026`.
    pub period: String,
    pub starts_on: NaiveDate,
    pub value: Option<f64>,
    /// For rates: the counts the value is made of.
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
}

impl Metric {
    pub fn unit(self) -> &'static str {
        use Metric::*;
        match self {
            CoordinationMedianDays | CoordinationP90Days | ReceiptToDecisionMedianDays => "days",
            AdoptionRateOfReceived | AdoptionRateOfDecided => "ratio",
            TripsStarted | CommunitySupports => "trips",
            HearingsHeld => "hearings",
            MatchesMade | MatchesAccepted => "matches",
            _ => "cases",
        }
    }

    pub fn definition(self) -> &'static str {
        use definitions::*;
        use Metric::*;
        match self {
            ProposalsReceived => PROPOSALS_RECEIVED,
            CoordinationStarted | CoordinationMedianDays | CoordinationP90Days => {
                COORDINATION_LEAD_TIME
            }
            WaitingForCoordination => WAITING,
            Decided | Adopted | AdoptionRateOfReceived | AdoptionRateOfDecided => CONVERSION,
            ReceiptToDecisionMedianDays => STEP_DURATIONS,
            TripsStarted => TRIPS_STARTED,
            CommunitySupports => COMMUNITY_SUPPORTS,
            HearingsHeld => HEARINGS_HELD,
            MatchesMade | MatchesAccepted => MATCHES,
        }
    }

    /// What the metric is computed from: counted facts and duration histograms.
    pub fn sources(self) -> (&'static [FactMetric], &'static [Measure]) {
        use Metric::*;
        match self {
            ProposalsReceived => (&[FactMetric::Received], &[]),
            CoordinationStarted | CoordinationMedianDays | CoordinationP90Days => {
                (&[], &[Measure::FirstContactToCoordination])
            }
            WaitingForCoordination => (&[FactMetric::Waiting], &[]),
            Decided | Adopted => (&[FactMetric::Status], &[]),
            AdoptionRateOfReceived | AdoptionRateOfDecided => {
                (&[FactMetric::Received, FactMetric::Status], &[])
            }
            ReceiptToDecisionMedianDays => (&[], &[Measure::ReceiptToDecision]),
            TripsStarted => (&[FactMetric::TripsStarted], &[]),
            CommunitySupports => (&[FactMetric::CommunitySupports], &[]),
            HearingsHeld => (&[FactMetric::HearingsHeld], &[]),
            MatchesMade => (&[FactMetric::MatchesMade], &[]),
            MatchesAccepted => (&[FactMetric::MatchesAccepted], &[]),
        }
    }

    /// The value of the metric over a period.
    pub fn value(self, facts: &Facts, m: Period) -> (Option<f64>, Option<(i64, i64)>) {
        use Metric::*;
        let count = |metric: FactMetric, key: &str| Some(facts.count(metric, key, m) as f64);
        let ratio = |numerator: i64, denominator: i64| {
            (rate(numerator, denominator), Some((numerator, denominator)))
        };
        let adopted = || facts.count(FactMetric::Status, Status::Adopted.as_str(), m);
        match self {
            ProposalsReceived => (count(FactMetric::Received, "all"), None),
            CoordinationStarted => (
                Some(
                    facts
                        .histogram(Measure::FirstContactToCoordination, m)
                        .count() as f64,
                ),
                None,
            ),
            CoordinationMedianDays => (
                facts
                    .histogram(Measure::FirstContactToCoordination, m)
                    .percentile(0.5)
                    .map(days),
                None,
            ),
            CoordinationP90Days => (
                facts
                    .histogram(Measure::FirstContactToCoordination, m)
                    .percentile(0.9)
                    .map(days),
                None,
            ),
            WaitingForCoordination => (count(FactMetric::Waiting, "all"), None),
            Decided => (Some(facts.status_count(&FINAL_DECISIONS, m) as f64), None),
            Adopted => (Some(adopted() as f64), None),
            AdoptionRateOfReceived => ratio(adopted(), facts.count(FactMetric::Received, "all", m)),
            AdoptionRateOfDecided => ratio(adopted(), facts.status_count(&FINAL_DECISIONS, m)),
            ReceiptToDecisionMedianDays => (
                facts
                    .histogram(Measure::ReceiptToDecision, m)
                    .percentile(0.5)
                    .map(days),
                None,
            ),
            TripsStarted => (count(FactMetric::TripsStarted, "all"), None),
            CommunitySupports => (count(FactMetric::CommunitySupports, "all"), None),
            HearingsHeld => (count(FactMetric::HearingsHeld, "all"), None),
            MatchesMade => (count(FactMetric::MatchesMade, "all"), None),
            MatchesAccepted => (count(FactMetric::MatchesAccepted, "all"), None),
        }
    }
}

/// The most points a time series may have (20 years of months).
pub const MAX_POINTS: usize = 240;

/// One point's span of time.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// `2026-04` or `FY2026`.
    pub label: String,
    pub starts_on: NaiveDate,
    /// A month's first day, or none for a whole fiscal year.
    pub month: Option<NaiveDate>,
    pub fiscal_year: i32,
}

/// The spans from the month of `from` to the month of `to`, both included:
/// months, or fiscal years (the years of those months).
pub fn buckets(from: NaiveDate, to: NaiveDate, bucket: Bucket) -> Vec<Span> {
    let first = from.with_day(1).unwrap_or(from);
    let last = to.with_day(1).unwrap_or(to);
    match bucket {
        Bucket::Month => {
            std::iter::successors(Some(first), |m| m.checked_add_months(Months::new(1)))
                .take_while(|m| *m <= last)
                .take(MAX_POINTS + 1)
                .map(|m| Span {
                    label: month_label(m),
                    starts_on: m,
                    month: Some(m),
                    fiscal_year: fiscal::fiscal_year_of_date(m),
                })
                .collect()
        }
        Bucket::FiscalYear => (fiscal::fiscal_year_of_date(first)
            ..=fiscal::fiscal_year_of_date(last))
            .take(MAX_POINTS + 1)
            .map(|year| Span {
                label: format!("FY{year}"),
                starts_on: months_of(year)[0],
                month: None,
                fiscal_year: year,
            })
            .collect(),
    }
}

/// The series of `metric` over the spans.
pub fn series(metric: Metric, facts: &Facts, spans: &[Span]) -> Vec<Point> {
    spans
        .iter()
        .map(|span| {
            let period = match &span.month {
                Some(month) => Period::Months(std::slice::from_ref(month)),
                None => Period::FiscalYear(span.fiscal_year),
            };
            let (value, fraction) = metric.value(facts, period);
            Point {
                period: span.label.clone(),
                starts_on: span.starts_on,
                value,
                numerator: fraction.map(|f| f.0),
                denominator: fraction.map(|f| f.1),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_the_range_inclusively() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let months = buckets(d(2026, 2, 15), d(2026, 4, 1), Bucket::Month);
        let labels: Vec<_> = months.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2026-02", "2026-03", "2026-04"]);
        let years = buckets(d(2026, 2, 15), d(2026, 4, 1), Bucket::FiscalYear);
        let labels: Vec<_> = years.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["FY2025", "FY2026"]);
    }
}
