//! The desk's KPIs (seed 000, 主なKPI): counts, and the speed and quality of
//! the work (how long each step takes, how many cases reach each step, how
//! many become projects), per fiscal year and per month.
//!
//! The figures are computed from counted facts (a metric, a key and a
//! month, with a count), which the database keeps exact in the writing
//! transaction. Durations are counted in whole hours and reported in days.
//! Case figures follow the cohort of cases *received* in the period; hearings,
//! matches and TRIPs count in the period they were held, made or started.

use crate::fiscal;
use crate::proposal::{Channel, Kind, Theme};
use crate::workflow::{Status, STEPS};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// One counted fact: `n` rows contributed (`metric`, `key`) in `month`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub month: NaiveDate,
    pub metric: String,
    pub key: String,
    pub n: i64,
}

/// The durations of one measure in one month: `counts[h]` took `h` whole hours.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramRow {
    pub month: NaiveDate,
    pub measure: String,
    pub counts: Vec<i64>,
}

/// The durations of one measure in a whole fiscal year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearHistogramRow {
    pub fiscal_year: i32,
    pub measure: String,
    pub counts: Vec<i64>,
}

/// Which part of the loaded facts a figure covers.
#[derive(Debug, Clone, Copy)]
pub enum Period<'a> {
    /// Everything loaded (a report loads one fiscal year).
    All,
    Months(&'a [NaiveDate]),
    FiscalYear(i32),
}

/// The facts of a period, indexed by (metric, key) or measure, and month
/// or fiscal year.
#[derive(Debug, Default)]
pub struct Facts {
    series: BTreeMap<(String, String), BTreeMap<NaiveDate, i64>>,
    histograms: BTreeMap<String, BTreeMap<NaiveDate, Histogram>>,
    year_histograms: BTreeMap<String, BTreeMap<i32, Histogram>>,
}

impl Facts {
    pub fn new(
        facts: impl IntoIterator<Item = Fact>,
        months: impl IntoIterator<Item = HistogramRow>,
        years: impl IntoIterator<Item = YearHistogramRow>,
    ) -> Facts {
        let mut all = Facts::default();
        for fact in facts {
            *all.series
                .entry((fact.metric, fact.key))
                .or_default()
                .entry(fact.month)
                .or_default() += fact.n;
        }
        for row in months {
            all.histograms
                .entry(row.measure)
                .or_default()
                .entry(row.month)
                .or_default()
                .merge(&row.counts);
        }
        for row in years {
            all.year_histograms
                .entry(row.measure)
                .or_default()
                .entry(row.fiscal_year)
                .or_default()
                .merge(&row.counts);
        }
        all
    }

    /// The count of (`metric`, `key`) in the period.
    pub fn count(&self, metric: &str, key: &str, period: Period) -> i64 {
        let Some(by_month) = self.series.get(&(metric.to_owned(), key.to_owned())) else {
            return 0;
        };
        let sum = |months: &[NaiveDate]| months.iter().filter_map(|m| by_month.get(m)).sum();
        match period {
            Period::All => by_month.values().sum(),
            Period::Months(months) => sum(months),
            Period::FiscalYear(year) => sum(&months_of(year)),
        }
    }

    /// The durations of a measure in the period.
    pub fn histogram(&self, measure: &str, period: Period) -> Histogram {
        let mut histogram = Histogram::default();
        match period {
            Period::Months(months) => {
                if let Some(by_month) = self.histograms.get(measure) {
                    for h in months.iter().filter_map(|m| by_month.get(m)) {
                        histogram.merge(&h.0);
                    }
                }
            }
            Period::All | Period::FiscalYear(_) => {
                if let Some(by_year) = self.year_histograms.get(measure) {
                    for (year, h) in by_year {
                        if matches!(period, Period::All)
                            || matches!(period, Period::FiscalYear(y) if y == *year)
                        {
                            histogram.merge(&h.0);
                        }
                    }
                }
            }
        }
        histogram
    }

    fn status_count(&self, statuses: &[Status], period: Period) -> i64 {
        statuses
            .iter()
            .map(|s| self.count("status", s.as_str(), period))
            .sum()
    }
}

/// How many durations took each number of whole hours: `self.0[h]`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Histogram(Vec<i64>);

impl Histogram {
    /// Counts `n` more durations of `hours` (negative ones as 0).
    pub fn add(&mut self, hours: i64, n: i64) {
        let slot = usize::try_from(hours.max(0)).unwrap_or(usize::MAX);
        if slot >= self.0.len() {
            self.0.resize(slot + 1, 0);
        }
        self.0[slot] += n;
    }

    fn merge(&mut self, counts: &[i64]) {
        if counts.len() > self.0.len() {
            self.0.resize(counts.len(), 0);
        }
        for (slot, n) in self.0.iter_mut().zip(counts) {
            *slot += n;
        }
    }

    pub fn count(&self) -> i64 {
        self.0.iter().sum()
    }

    /// The value at a 0-based rank of the sorted durations.
    fn at_rank(&self, rank: i64) -> Option<i64> {
        let mut seen = 0;
        for (hours, &n) in self.0.iter().enumerate() {
            seen += n;
            if rank < seen {
                return i64::try_from(hours).ok();
            }
        }
        None
    }

    /// The `p` quantile with linear interpolation between the two nearest
    /// ranks (PostgreSQL's `percentile_cont`, Excel's `PERCENTILE.INC`).
    pub fn percentile(&self, p: f64) -> Option<f64> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        let position = p.clamp(0.0, 1.0) * (count - 1) as f64;
        let low = position.floor();
        let below = self.at_rank(low as i64)? as f64;
        let above = self.at_rank(position.ceil() as i64)? as f64;
        Some(below + (above - below) * (position - low))
    }

    pub fn mean(&self) -> Option<f64> {
        let count = self.count();
        (count > 0).then(|| {
            self.0
                .iter()
                .enumerate()
                .map(|(hours, n)| hours as f64 * *n as f64)
                .sum::<f64>()
                / count as f64
        })
    }

    pub fn max(&self) -> Option<i64> {
        self.0
            .iter()
            .rposition(|n| *n != 0)
            .and_then(|h| i64::try_from(h).ok())
    }
}

/// Days, rounded to two decimals, from a number of hours.
fn days(hours: f64) -> f64 {
    (hours / 24.0 * 100.0).round() / 100.0
}

/// A rate rounded to four decimals; `None` when the denominator is zero.
pub fn rate(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator > 0).then(|| (numerator as f64 / denominator as f64 * 10_000.0).round() / 10_000.0)
}

/// The twelve months of a fiscal year, April to March (first days).
pub fn months_of(fiscal_year: i32) -> Vec<NaiveDate> {
    let april = NaiveDate::from_ymd_opt(fiscal_year, 4, 1).unwrap_or(NaiveDate::MIN);
    (0..12)
        .filter_map(|i| april.checked_add_months(Months::new(i)))
        .collect()
}

/// `令和8年度` for FY2026 (Reiwa years are the fiscal year − 2018).
pub fn japanese_label(fiscal_year: i32) -> String {
    match fiscal_year - 2018 {
        1 => "令和元年度".to_owned(),
        n if n >= 1 => format!("令和{n}年度"),
        _ => format!("{fiscal_year}年度"),
    }
}

fn month_label(month: NaiveDate) -> String {
    format!("{:04}-{:02}", month.year(), month.month())
}

/// The statistics of a duration, in days.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Distribution {
    /// How many durations were measured.
    pub count: i64,
    pub mean_days: Option<f64>,
    pub median_days: Option<f64>,
    /// 90th percentile.
    pub p90_days: Option<f64>,
    pub max_days: Option<f64>,
}

impl From<&Histogram> for Distribution {
    fn from(h: &Histogram) -> Distribution {
        Distribution {
            count: h.count(),
            mean_days: h.mean().map(days),
            median_days: h.percentile(0.5).map(days),
            p90_days: h.percentile(0.9).map(days),
            max_days: h.max().map(|m| days(m as f64)),
        }
    }
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
    /// adopted + not_adopted + declined.
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

const FINAL_DECISIONS: [Status; 3] = [Status::Adopted, Status::NotAdopted, Status::Declined];

pub mod definitions {
    pub const PROPOSALS_RECEIVED: &str = "Cases (proposals and consultations) registered by the desk with a receipt time in the period (Asia/Tokyo), whatever happened to them later; by kind, theme (a case may have several) and channel.";
    pub const COORDINATION_LEAD_TIME: &str = "Days from the proposer's first contact to the start of internal coordination (the first hearing request or the move to `hearing`), for cases received in the period whose coordination has started. Durations are counted in whole hours; median and p90 interpolate linearly between the nearest ranks.";
    pub const WAITING: &str = "Cases received in the period, not final (withdrawn, declined, adopted, not adopted), whose internal coordination has not started; age is days since first contact.";
    pub const CONVERSION: &str = "Of the cases received in the period: adopted ÷ received (all cases, including withdrawn, declined and still open ones) and adopted ÷ decided (decided = adopted + not adopted + declined by the desk; withdrawn and open cases are left out).";
    pub const TRIPS_STARTED: &str = "Co-creation projects (TRIPs) whose start date falls in the period (the planned start date, or the day of adoption when none is set), against the target set for the fiscal year.";
    pub const COMMUNITY_SUPPORTS: &str = "TRIPs started in the period through which a company supports community activity (supports_community_activity), and the distinct directory organizations they support.";
    pub const FUNNEL: &str = "Of the cases received in the period, how many entered each of the six steps at least once, and how many were adopted; share = cases ÷ received.";
    pub const STEP_DURATIONS: &str = "Days a case spent in each step, from entering it to entering the next step (for `awaiting_decision`: to the department's decision), for cases received in the period that left the step; and from receipt to the decision (adopted, not adopted or declined). Whole hours, reported in days.";
    pub const HEARINGS_HELD: &str = "Hearings with departments held (answered with a date) in the period, by the date they were held.";
    pub const MATCHES: &str = "Matches of cases with departments made in the period, and how many of them the department accepted.";
    pub const INDICATORS: &str = "Each TRIP indicator measured in the period: its latest measurement in the period against its target in the latest shared logic model; progress = (latest − baseline) ÷ (target − baseline).";
}

/// Builds a fiscal year's report.
pub fn report(inputs: ReportInputs) -> Report {
    use definitions::*;
    let facts = &inputs.facts;
    let months = months_of(inputs.fiscal_year);
    let received = facts.count("received", "all", Period::All);
    let keyed = |prefix: &str, keys: &mut dyn Iterator<Item = &'static str>| {
        keys.map(|key| KeyCount {
            key: key.to_owned(),
            count: facts.count("received", &format!("{prefix}:{key}"), Period::All),
        })
        .collect::<Vec<_>>()
    };
    let adopted = facts.count("status", Status::Adopted.as_str(), Period::All);
    let decided = facts.status_count(&FINAL_DECISIONS, Period::All);
    let mut steps: Vec<FunnelStep> = STEPS
        .iter()
        .map(|&step| FunnelStep {
            step,
            cases: if step == Status::Received {
                received
            } else {
                facts.count("reached", step.as_str(), Period::All)
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
    let trips_started = facts.count("trips_started", "all", Period::All);
    let community_supports = facts.count("community_supports", "all", Period::All);
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
                &facts.histogram("first_contact_to_coordination", Period::All),
            ),
            waiting: Waiting {
                definition: WAITING,
                count: facts.count("waiting", "all", Period::All),
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
            steps: STEPS
                .iter()
                .map(|&step| StepDuration {
                    step,
                    distribution: Distribution::from(&facts.histogram(step.as_str(), Period::All)),
                })
                .collect(),
            receipt_to_decision: Distribution::from(
                &facts.histogram("receipt_to_decision", Period::All),
            ),
        },
        hearings_held: Count {
            definition: HEARINGS_HELD,
            count: facts.count("hearings_held", "all", Period::All),
        },
        matches: Matches {
            definition: MATCHES,
            made: facts.count("matches_made", "all", Period::All),
            accepted: facts.count("matches_accepted", "all", Period::All),
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
                let coordination = facts.histogram("first_contact_to_coordination", only);
                MonthFigures {
                    month: month_label(month),
                    proposals_received: facts.count("received", "all", only),
                    coordination_started: coordination.count(),
                    coordination_median_days: coordination.percentile(0.5).map(days),
                    decided: facts.status_count(&FINAL_DECISIONS, only),
                    adopted: facts.count("status", Status::Adopted.as_str(), only),
                    trips_started: facts.count("trips_started", "all", only),
                    community_supports: facts.count("community_supports", "all", only),
                    hearings_held: facts.count("hearings_held", "all", only),
                    matches_made: facts.count("matches_made", "all", only),
                    matches_accepted: facts.count("matches_accepted", "all", only),
                }
            })
            .collect(),
    }
}

/// One figure as a CSV row.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    /// `FY2026` or a month, `2026-04`.
    pub period: String,
    pub metric: &'static str,
    /// What the figure is broken down by (`kind:proposal`, `step:hearing`, `median`…).
    pub key: String,
    pub value: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub unit: &'static str,
    pub definition: &'static str,
}

pub const FIGURE_HEADERS: [&str; 8] = [
    "period",
    "metric",
    "key",
    "value",
    "numerator",
    "denominator",
    "unit",
    "definition",
];

impl FigureRow {
    pub fn cells(&self) -> Vec<String> {
        let number = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        vec![
            self.period.clone(),
            self.metric.to_owned(),
            self.key.clone(),
            self.value.map(|v| v.to_string()).unwrap_or_default(),
            number(self.numerator),
            number(self.denominator),
            self.unit.to_owned(),
            self.definition.to_owned(),
        ]
    }
}

impl Report {
    /// Every figure of the report, one row each, for CSV.
    pub fn rows(&self) -> Vec<FigureRow> {
        use definitions::*;
        let period = format!("FY{}", self.fiscal_year);
        let mut rows = Vec::new();
        let mut push = |period: &str,
                        metric: &'static str,
                        key: String,
                        value: Option<f64>,
                        fraction: Option<(i64, i64)>,
                        unit: &'static str,
                        definition: &'static str| {
            rows.push(FigureRow {
                period: period.to_owned(),
                metric,
                key,
                value,
                numerator: fraction.map(|f| f.0),
                denominator: fraction.map(|f| f.1),
                unit,
                definition,
            })
        };
        let count = |n: i64| Some(n as f64);
        let received = &self.proposals_received;
        push(
            &period,
            "proposals_received",
            "all".into(),
            count(received.total),
            None,
            "cases",
            PROPOSALS_RECEIVED,
        );
        push(
            &period,
            "proposals_received",
            "target".into(),
            received.target.map(|t| t as f64),
            None,
            "cases",
            PROPOSALS_RECEIVED,
        );
        push(
            &period,
            "proposals_received",
            "progress".into(),
            received.progress,
            received.target.map(|t| (received.total, t)),
            "ratio",
            PROPOSALS_RECEIVED,
        );
        for (prefix, list) in [
            ("kind", &received.by_kind),
            ("theme", &received.by_theme),
            ("channel", &received.by_channel),
        ] {
            for c in list {
                push(
                    &period,
                    "proposals_received",
                    format!("{prefix}:{}", c.key),
                    count(c.count),
                    None,
                    "cases",
                    PROPOSALS_RECEIVED,
                );
            }
        }
        let mut distribution =
            |metric: &'static str, key: &str, d: &Distribution, definition: &'static str| {
                push(
                    &period,
                    metric,
                    format!("{key}count"),
                    count(d.count),
                    None,
                    "cases",
                    definition,
                );
                for (stat, value) in [
                    ("mean", d.mean_days),
                    ("median", d.median_days),
                    ("p90", d.p90_days),
                    ("max", d.max_days),
                ] {
                    push(
                        &period,
                        metric,
                        format!("{key}{stat}"),
                        value,
                        None,
                        "days",
                        definition,
                    );
                }
            };
        distribution(
            "coordination_lead_time",
            "",
            &self.coordination_lead_time.distribution,
            COORDINATION_LEAD_TIME,
        );
        for step in &self.step_durations.steps {
            distribution(
                "step_duration",
                &format!("{}:", step.step.as_str()),
                &step.distribution,
                STEP_DURATIONS,
            );
        }
        distribution(
            "step_duration",
            "receipt_to_decision:",
            &self.step_durations.receipt_to_decision,
            STEP_DURATIONS,
        );
        let waiting = &self.coordination_lead_time.waiting;
        push(
            &period,
            "waiting_for_coordination",
            "all".into(),
            count(waiting.count),
            None,
            "cases",
            WAITING,
        );
        for case in &waiting.oldest {
            push(
                &period,
                "waiting_for_coordination",
                format!("age:{}", case.reference),
                Some(case.age_days),
                None,
                "days",
                WAITING,
            );
        }
        let c = &self.conversion;
        push(
            &period,
            "conversion",
            "adopted".into(),
            count(c.adopted),
            None,
            "cases",
            CONVERSION,
        );
        push(
            &period,
            "conversion",
            "decided".into(),
            count(c.decided),
            None,
            "cases",
            CONVERSION,
        );
        push(
            &period,
            "conversion",
            "rate_of_received".into(),
            c.rate_of_received,
            Some((c.adopted, c.received)),
            "ratio",
            CONVERSION,
        );
        push(
            &period,
            "conversion",
            "rate_of_decided".into(),
            c.rate_of_decided,
            Some((c.adopted, c.decided)),
            "ratio",
            CONVERSION,
        );
        for (metric, t) in [
            ("trips_started", &self.trips_started),
            ("community_supports", &self.community_supports.trips),
        ] {
            push(
                &period,
                metric,
                "count".into(),
                count(t.count),
                None,
                "trips",
                t.definition,
            );
            push(
                &period,
                metric,
                "target".into(),
                t.target.map(|v| v as f64),
                None,
                "trips",
                t.definition,
            );
            push(
                &period,
                metric,
                "progress".into(),
                t.progress,
                t.target.map(|target| (t.count, target)),
                "ratio",
                t.definition,
            );
        }
        push(
            &period,
            "community_supports",
            "supported_resources".into(),
            count(self.community_supports.supported_resources),
            None,
            "organizations",
            COMMUNITY_SUPPORTS,
        );
        for step in &self.funnel.steps {
            push(
                &period,
                "funnel",
                format!("step:{}", step.step.as_str()),
                count(step.cases),
                Some((step.cases, received.total)),
                "cases",
                FUNNEL,
            );
        }
        push(
            &period,
            "hearings_held",
            "all".into(),
            count(self.hearings_held.count),
            None,
            "hearings",
            HEARINGS_HELD,
        );
        push(
            &period,
            "matches",
            "made".into(),
            count(self.matches.made),
            None,
            "matches",
            MATCHES,
        );
        push(
            &period,
            "matches",
            "accepted".into(),
            count(self.matches.accepted),
            None,
            "matches",
            MATCHES,
        );
        for i in &self.indicators.items {
            push(
                &period,
                "indicator_progress",
                format!("{}:{}", i.trip_id, i.indicator_id),
                i.progress,
                None,
                "ratio",
                INDICATORS,
            );
        }
        for m in &self.months {
            for (metric, value, unit, definition) in [
                (
                    "proposals_received",
                    Some(m.proposals_received as f64),
                    "cases",
                    PROPOSALS_RECEIVED,
                ),
                (
                    "coordination_started",
                    Some(m.coordination_started as f64),
                    "cases",
                    COORDINATION_LEAD_TIME,
                ),
                (
                    "coordination_median",
                    m.coordination_median_days,
                    "days",
                    COORDINATION_LEAD_TIME,
                ),
                ("decided", Some(m.decided as f64), "cases", CONVERSION),
                ("adopted", Some(m.adopted as f64), "cases", CONVERSION),
                (
                    "trips_started",
                    Some(m.trips_started as f64),
                    "trips",
                    TRIPS_STARTED,
                ),
                (
                    "community_supports",
                    Some(m.community_supports as f64),
                    "trips",
                    COMMUNITY_SUPPORTS,
                ),
                (
                    "hearings_held",
                    Some(m.hearings_held as f64),
                    "hearings",
                    HEARINGS_HELD,
                ),
                (
                    "matches_made",
                    Some(m.matches_made as f64),
                    "matches",
                    MATCHES,
                ),
                (
                    "matches_accepted",
                    Some(m.matches_accepted as f64),
                    "matches",
                    MATCHES,
                ),
            ] {
                push(
                    &m.month,
                    metric,
                    "all".into(),
                    value,
                    None,
                    unit,
                    definition,
                );
            }
        }
        rows
    }
}

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

    /// What the metric is computed from: counted facts (`kpi_facts.metric`)
    /// and duration histograms (`kpi_histograms.measure`).
    pub fn sources(self) -> (&'static [&'static str], &'static [&'static str]) {
        use Metric::*;
        match self {
            ProposalsReceived => (&["received"], &[]),
            CoordinationStarted | CoordinationMedianDays | CoordinationP90Days => {
                (&[], &["first_contact_to_coordination"])
            }
            WaitingForCoordination => (&["waiting"], &[]),
            Decided | Adopted => (&["status"], &[]),
            AdoptionRateOfReceived | AdoptionRateOfDecided => (&["received", "status"], &[]),
            ReceiptToDecisionMedianDays => (&[], &["receipt_to_decision"]),
            TripsStarted => (&["trips_started"], &[]),
            CommunitySupports => (&["community_supports"], &[]),
            HearingsHeld => (&["hearings_held"], &[]),
            MatchesMade => (&["matches_made"], &[]),
            MatchesAccepted => (&["matches_accepted"], &[]),
        }
    }

    /// The value of the metric over a period.
    pub fn value(self, facts: &Facts, m: Period) -> (Option<f64>, Option<(i64, i64)>) {
        use Metric::*;
        let count = |metric: &str, key: &str| Some(facts.count(metric, key, m) as f64);
        let ratio = |numerator: i64, denominator: i64| {
            (rate(numerator, denominator), Some((numerator, denominator)))
        };
        let adopted = || facts.count("status", Status::Adopted.as_str(), m);
        match self {
            ProposalsReceived => (count("received", "all"), None),
            CoordinationStarted => (
                Some(facts.histogram("first_contact_to_coordination", m).count() as f64),
                None,
            ),
            CoordinationMedianDays => (
                facts
                    .histogram("first_contact_to_coordination", m)
                    .percentile(0.5)
                    .map(days),
                None,
            ),
            CoordinationP90Days => (
                facts
                    .histogram("first_contact_to_coordination", m)
                    .percentile(0.9)
                    .map(days),
                None,
            ),
            WaitingForCoordination => (count("waiting", "all"), None),
            Decided => (Some(facts.status_count(&FINAL_DECISIONS, m) as f64), None),
            Adopted => (Some(adopted() as f64), None),
            AdoptionRateOfReceived => ratio(adopted(), facts.count("received", "all", m)),
            AdoptionRateOfDecided => ratio(adopted(), facts.status_count(&FINAL_DECISIONS, m)),
            ReceiptToDecisionMedianDays => (
                facts
                    .histogram("receipt_to_decision", m)
                    .percentile(0.5)
                    .map(days),
                None,
            ),
            TripsStarted => (count("trips_started", "all"), None),
            CommunitySupports => (count("community_supports", "all"), None),
            HearingsHeld => (count("hearings_held", "all"), None),
            MatchesMade => (count("matches_made", "all"), None),
            MatchesAccepted => (count("matches_accepted", "all"), None),
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

    fn histogram(values: &[i64]) -> Histogram {
        let mut h = Histogram::default();
        for &v in values {
            h.add(v, 1);
        }
        h
    }

    #[test]
    fn percentiles_interpolate_like_percentile_cont() {
        // Sorted: 1 2 3 4 10. Median rank 2 → 3; p90 at 3.6 → 4 + 0.6 × 6 = 7.6.
        let h = histogram(&[10, 3, 1, 4, 2]);
        assert_eq!(h.percentile(0.5), Some(3.0));
        assert!((h.percentile(0.9).unwrap() - 7.6).abs() < 1e-9);
        assert_eq!(h.mean(), Some(4.0));
        assert_eq!(h.max(), Some(10));
        // Even count: the median is halfway between the two middle values.
        assert_eq!(histogram(&[24, 48, 72, 96]).percentile(0.5), Some(60.0));
    }

    #[test]
    fn an_empty_histogram_has_no_statistics() {
        let h = Histogram::default();
        assert_eq!(h.percentile(0.5), None);
        assert_eq!(h.mean(), None);
        assert_eq!(Distribution::from(&h).count, 0);
    }

    #[test]
    fn removing_counts_takes_values_out() {
        let mut h = histogram(&[5, 5, 7]);
        h.add(5, -2);
        assert_eq!(h.count(), 1);
        assert_eq!(h.percentile(0.5), Some(7.0));
    }

    #[test]
    fn facts_merge_the_histograms_of_the_months_asked_for() {
        let april = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let may = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let row = |month, counts: &[i64]| HistogramRow {
            month,
            measure: "received".to_owned(),
            counts: counts.to_vec(),
        };
        // April: one of 1 h, two of 2 h; May: one of 4 h.
        let facts = Facts::new(
            [],
            [row(april, &[0, 1, 2]), row(may, &[0, 0, 0, 0, 1])],
            [YearHistogramRow {
                fiscal_year: 2026,
                measure: "received".to_owned(),
                counts: vec![0, 1, 2, 0, 1],
            }],
        );
        let all = facts.histogram("received", Period::All);
        assert_eq!(
            (all.count(), all.max(), all.percentile(0.5)),
            (4, Some(4), Some(2.0))
        );
        let april_only = facts.histogram("received", Period::Months(&[april]));
        assert_eq!((april_only.count(), april_only.max()), (3, Some(2)));
        assert_eq!(
            facts
                .histogram("received", Period::FiscalYear(2025))
                .count(),
            0
        );
        assert_eq!(facts.histogram("organizing", Period::All).count(), 0);
    }

    #[test]
    fn a_fiscal_year_has_twelve_months_from_april() {
        let months = months_of(2026);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(months[11], NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        assert_eq!(japanese_label(2026), "令和8年度");
        assert_eq!(japanese_label(2019), "令和元年度");
    }

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

    #[test]
    fn rates_keep_four_decimals_and_refuse_zero_denominators() {
        assert_eq!(rate(1, 3), Some(0.3333));
        assert_eq!(rate(0, 0), None);
    }
}
