//! The report flattened into figures, one row each, for CSV.

use super::definitions;
use super::histograms::Distribution;
use super::report::Report;

/// One figure as a CSV row.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    /// `FY2026` or a month, `2026-04`.
    pub period: String,
    pub metric: &'static str,
    /// What the figure is broken down by (`kind:proposal`, `step:hearing`, `median`…).
    pub key: String,
    /// What the key names, in words: for an indicator, the TRIP's title and
    /// the indicator's name (`高齢者見守りIoT実証：見守り登録世帯数`); empty
    /// where the key says it all.
    pub label: String,
    pub value: Option<f64>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub unit: &'static str,
    pub definition: &'static str,
}

pub const FIGURE_HEADERS: [&str; 9] = [
    "period",
    "metric",
    "key",
    "label",
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
            self.label.clone(),
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
                label: String::new(),
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
        // Last, so that `push` (which borrows `rows`) is done with.
        for i in &self.indicators.items {
            rows.push(FigureRow {
                period: period.clone(),
                metric: "indicator_progress",
                key: format!("{}:{}", i.trip_id, i.indicator_id),
                label: format!("{}：{}", i.trip_title, i.indicator),
                value: i.progress,
                numerator: None,
                denominator: None,
                unit: "ratio",
                definition: INDICATORS,
            });
        }
        rows
    }
}
