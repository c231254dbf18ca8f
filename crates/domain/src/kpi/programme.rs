//! The desk's own logic model (seed 000's ロジックモデル of ZAMA Living
//! Gate itself, issue 18): inputs → activities → outputs → outcomes →
//! impact and the causal chain, as a city's data per fiscal year. Each
//! output and outcome may carry a figure: one the system computes from the
//! fiscal year's KPI report, or one the desk records (a survey's
//! satisfaction, say). Served as JSON and CSV for the annual report.

use super::Report;
use crate::desk::workflow::Status;
use crate::names::bounded_text;
use crate::ValidationErrors;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A figure the system computes for a fiscal year, from `GET /v1/kpis`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeMetric {
    /// 提案受付件数: cases received (KPI 1).
    ProposalsReceived,
    /// 庁内調整案件: cases received in the year that entered step 3, the
    /// hearings with departments (the funnel).
    CasesCoordinated,
    /// マッチング実施件数: matches proposed in the year.
    MatchesMade,
    /// 共創案件の形成数（検討段階含）: cases received in the year that reached
    /// step 5, the trial logic model, whatever the decision (the funnel).
    CasesFormed,
    /// 提案から案件化までの期間: median days from first contact to the start of
    /// internal coordination (KPI 2).
    DaysToCoordination,
    /// 官民連携案件の創出: TRIPs started in the year (KPI 4).
    TripsCreated,
    /// 企業連携による地域活動支援件数: TRIPs supporting community activity (KPI 5).
    CommunitySupports,
}

impl ProgrammeMetric {
    pub const ALL: [ProgrammeMetric; 7] = [
        ProgrammeMetric::ProposalsReceived,
        ProgrammeMetric::CasesCoordinated,
        ProgrammeMetric::MatchesMade,
        ProgrammeMetric::CasesFormed,
        ProgrammeMetric::DaysToCoordination,
        ProgrammeMetric::TripsCreated,
        ProgrammeMetric::CommunitySupports,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgrammeMetric::ProposalsReceived => "proposals_received",
            ProgrammeMetric::CasesCoordinated => "cases_coordinated",
            ProgrammeMetric::MatchesMade => "matches_made",
            ProgrammeMetric::CasesFormed => "cases_formed",
            ProgrammeMetric::DaysToCoordination => "days_to_coordination",
            ProgrammeMetric::TripsCreated => "trips_created",
            ProgrammeMetric::CommunitySupports => "community_supports",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            ProgrammeMetric::DaysToCoordination => "days",
            ProgrammeMetric::MatchesMade => "matches",
            ProgrammeMetric::TripsCreated | ProgrammeMetric::CommunitySupports => "trips",
            _ => "cases",
        }
    }

    /// What the figure counts, in the words of the KPI report.
    pub fn definition(self, report: &Report) -> &'static str {
        match self {
            ProgrammeMetric::ProposalsReceived => report.proposals_received.definition,
            ProgrammeMetric::CasesCoordinated | ProgrammeMetric::CasesFormed => {
                report.funnel.definition
            }
            ProgrammeMetric::MatchesMade => report.matches.definition,
            ProgrammeMetric::DaysToCoordination => report.coordination_lead_time.definition,
            ProgrammeMetric::TripsCreated => report.trips_started.definition,
            ProgrammeMetric::CommunitySupports => report.community_supports.trips.definition,
        }
    }

    /// The figure in a fiscal year's report (`None`: nothing to compute it
    /// from, e.g. a median without any case).
    pub fn value(self, report: &Report) -> Option<f64> {
        let funnel = |step: Status| {
            report
                .funnel
                .steps
                .iter()
                .find(|s| s.step == step)
                .map(|s| s.cases as f64)
        };
        match self {
            ProgrammeMetric::ProposalsReceived => Some(report.proposals_received.total as f64),
            ProgrammeMetric::CasesCoordinated => funnel(Status::Hearing),
            ProgrammeMetric::MatchesMade => Some(report.matches.made as f64),
            ProgrammeMetric::CasesFormed => funnel(Status::LogicModel),
            ProgrammeMetric::DaysToCoordination => {
                report.coordination_lead_time.distribution.median_days
            }
            ProgrammeMetric::TripsCreated => Some(report.trips_started.count as f64),
            ProgrammeMetric::CommunitySupports => {
                Some(report.community_supports.trips.count as f64)
            }
        }
    }
}

/// Where an item's figure comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "source", rename_all = "snake_case", deny_unknown_fields)]
pub enum FigureSource {
    /// Computed by the system from the fiscal year's KPIs.
    Computed { metric: ProgrammeMetric },
    /// Recorded by the desk, e.g. from a short survey of partners and departments.
    Recorded {
        value: f64,
        #[schema(min_length = 1, max_length = 50)]
        unit: String,
        /// The day the figure was taken.
        as_of: Option<NaiveDate>,
        /// Where it comes from (e.g. 「連携先アンケート（回答23件）」).
        #[serde(default)]
        #[schema(max_length = 500)]
        note: String,
    },
}

/// An output or outcome of the model, with its figure when it has one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeItem {
    #[schema(min_length = 1, max_length = 500)]
    pub text: String,
    #[serde(default)]
    pub figure: Option<FigureSource>,
}

/// The desk's own logic model of one fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeModel {
    #[serde(default)]
    pub inputs: Vec<String>,
    #[serde(default)]
    pub activities: Vec<String>,
    #[serde(default)]
    pub outputs: Vec<ProgrammeItem>,
    #[serde(default)]
    pub short_term_outcomes: Vec<ProgrammeItem>,
    #[serde(default)]
    pub mid_term_outcomes: Vec<ProgrammeItem>,
    #[serde(default)]
    pub impact: Vec<String>,
    /// ロジックの核: the causal chain, in order.
    #[serde(default)]
    pub causal_chain: Vec<String>,
}

const MAX_ITEMS: usize = 50;

impl ProgrammeModel {
    /// Trims every text and checks the bounds (50 items a column, 500
    /// characters an item, finite recorded values).
    pub fn checked(mut self) -> Result<ProgrammeModel, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        for (field, texts) in [
            ("inputs", &mut self.inputs),
            ("activities", &mut self.activities),
            ("impact", &mut self.impact),
            ("causal_chain", &mut self.causal_chain),
        ] {
            if texts.len() > MAX_ITEMS {
                errors.add(field, "too_many", format!("at most {MAX_ITEMS} items"));
            }
            *texts = texts
                .iter()
                .enumerate()
                .filter_map(|(n, t)| {
                    errors.check(bounded_text(&format!("{field}[{n}]"), t, 1, 500))
                })
                .collect();
        }
        for (field, items) in [
            ("outputs", &mut self.outputs),
            ("short_term_outcomes", &mut self.short_term_outcomes),
            ("mid_term_outcomes", &mut self.mid_term_outcomes),
        ] {
            if items.len() > MAX_ITEMS {
                errors.add(field, "too_many", format!("at most {MAX_ITEMS} items"));
            }
            for (n, item) in items.iter_mut().enumerate() {
                if let Some(text) = errors.check(bounded_text(
                    &format!("{field}[{n}].text"),
                    &item.text,
                    1,
                    500,
                )) {
                    item.text = text;
                }
                if let Some(FigureSource::Recorded {
                    value, unit, note, ..
                }) = &mut item.figure
                {
                    let at = format!("{field}[{n}].figure");
                    if !value.is_finite() {
                        errors.add(
                            &format!("{at}.value"),
                            "not_a_number",
                            "must be a finite number",
                        );
                    }
                    if let Some(u) = errors.check(bounded_text(&format!("{at}.unit"), unit, 1, 50))
                    {
                        *unit = u;
                    }
                    if note.trim().is_empty() {
                        note.clear();
                    } else if let Some(n) =
                        errors.check(bounded_text(&format!("{at}.note"), note, 1, 500))
                    {
                        *note = n;
                    }
                }
            }
        }
        errors.into_result().map(|()| self)
    }

    /// The columns with figures, in order, for the served model and the CSV.
    pub fn figure_columns(&self) -> [(&'static str, &Vec<ProgrammeItem>); 3] {
        [
            ("outputs", &self.outputs),
            ("short_term_outcomes", &self.short_term_outcomes),
            ("mid_term_outcomes", &self.mid_term_outcomes),
        ]
    }

    pub fn text_columns(&self) -> [(&'static str, &Vec<String>); 4] {
        [
            ("inputs", &self.inputs),
            ("activities", &self.activities),
            ("impact", &self.impact),
            ("causal_chain", &self.causal_chain),
        ]
    }

    /// Seed 000's model of ZAMA Living Gate (令和8年度 試行), the model served
    /// for a fiscal year a city has not saved its own for.
    pub fn seed_000() -> ProgrammeModel {
        let texts = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        let computed = |text: &str, metric| ProgrammeItem {
            text: text.into(),
            figure: Some(FigureSource::Computed { metric }),
        };
        let plain = |text: &str| ProgrammeItem {
            text: text.into(),
            figure: None,
        };
        ProgrammeModel {
            inputs: texts(&[
                "担当者の多分野の実務経験（非営利・企業・行政・学会）",
                "庁内関係課との連携体制",
                "民間事業者・企業・団体とのネットワーク",
                "本市の強み（地域資源）",
            ]),
            activities: texts(&[
                "提案・相談の受付",
                "庁内関係課との調整・コーディネート",
                "民間事業者等とのマッチング支援",
                "地域の強みを活用した連携企画の検討",
                "市民活動・NPO等との連携支援",
            ]),
            outputs: vec![
                computed("提案受付件数の増加", ProgrammeMetric::ProposalsReceived),
                computed("庁内調整案件の可視化", ProgrammeMetric::CasesCoordinated),
                computed("マッチング実施件数", ProgrammeMetric::MatchesMade),
                computed(
                    "共創案件の形成数（検討段階含）",
                    ProgrammeMetric::CasesFormed,
                ),
            ],
            short_term_outcomes: vec![
                computed(
                    "提案から案件化までの期間短縮",
                    ProgrammeMetric::DaysToCoordination,
                ),
                computed(
                    "官民連携案件の創出（1件以上）",
                    ProgrammeMetric::TripsCreated,
                ),
                plain("庁内連携プロセスの標準化（一本化効果）"),
            ],
            mid_term_outcomes: vec![
                plain("地域の強みを活用した企業連携による新規事業の創出"),
                computed(
                    "企業による市民協働・地域活動支援の拡大",
                    ProgrammeMetric::CommunitySupports,
                ),
                plain("官民連携に対する企業・庁内双方の信頼性向上"),
            ],
            impact: texts(&[
                "地域課題の持続的な解決",
                "地域魅力の向上（関係人口・企業投資の呼び込み）",
                "「座間モデル」としての官民連携の確立",
            ]),
            causal_chain: texts(&[
                "窓口の明示",
                "調整の迅速化",
                "案件化の加速",
                "成功事例の創出",
                "信頼の形成",
                "連携の拡大",
                "地域価値の向上",
            ]),
        }
    }
}

/// Where a served figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FigureKind {
    Computed,
    Recorded,
}

/// An item's figure for one fiscal year: its source, its value and unit,
/// and what it counts (computed) or where it comes from (recorded).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProgrammeFigure {
    pub source: FigureKind,
    /// The computed figure (`null` for a recorded one).
    pub metric: Option<ProgrammeMetric>,
    /// The value for the fiscal year (`null`: nothing to compute it from).
    pub value: Option<f64>,
    pub unit: String,
    /// What a computed figure counts, or the note of a recorded one.
    pub definition: String,
    /// The day a recorded figure was taken.
    pub as_of: Option<NaiveDate>,
}

/// The figure of an item in a fiscal year's report.
pub fn figure_of(source: &FigureSource, report: &Report) -> ProgrammeFigure {
    match source {
        FigureSource::Computed { metric } => ProgrammeFigure {
            source: FigureKind::Computed,
            metric: Some(*metric),
            value: metric.value(report),
            unit: metric.unit().to_owned(),
            definition: metric.definition(report).to_owned(),
            as_of: None,
        },
        FigureSource::Recorded {
            value,
            unit,
            as_of,
            note,
        } => ProgrammeFigure {
            source: FigureKind::Recorded,
            metric: None,
            value: Some(*value),
            unit: unit.clone(),
            definition: note.clone(),
            as_of: *as_of,
        },
    }
}

/// The CSV header of the served model: one row per item of every column.
pub const CSV_HEADERS: [&str; 9] = [
    "fiscal_year",
    "column",
    "position",
    "text",
    "source",
    "metric",
    "value",
    "unit",
    "note",
];

/// The CSV rows of a model with its figures for a fiscal year.
pub fn csv_rows(fiscal_year: i32, model: &ProgrammeModel, report: &Report) -> Vec<[String; 9]> {
    let mut rows = Vec::new();
    let blank = String::new;
    for (column, texts) in model.text_columns() {
        for (n, text) in texts.iter().enumerate() {
            rows.push([
                fiscal_year.to_string(),
                column.to_owned(),
                (n + 1).to_string(),
                text.clone(),
                blank(),
                blank(),
                blank(),
                blank(),
                blank(),
            ]);
        }
    }
    for (column, items) in model.figure_columns() {
        for (n, item) in items.iter().enumerate() {
            let figure = item.figure.as_ref().map(|f| figure_of(f, report));
            let (source, metric, note) = match &item.figure {
                Some(FigureSource::Computed { metric }) => {
                    ("computed", metric.as_str(), String::new())
                }
                Some(FigureSource::Recorded { note, as_of, .. }) => (
                    "recorded",
                    "",
                    match as_of {
                        Some(day) if note.is_empty() => day.to_string(),
                        Some(day) => format!("{note} ({day})"),
                        None => note.clone(),
                    },
                ),
                None => ("", "", String::new()),
            };
            rows.push([
                fiscal_year.to_string(),
                column.to_owned(),
                (n + 1).to_string(),
                item.text.clone(),
                source.to_owned(),
                metric.to_owned(),
                figure
                    .as_ref()
                    .and_then(|f| f.value)
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                figure.map(|f| f.unit).unwrap_or_default(),
                note,
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_000s_model_ties_every_system_figure_once() {
        let model = ProgrammeModel::seed_000();
        let mut metrics: Vec<&str> = model
            .figure_columns()
            .iter()
            .flat_map(|(_, items)| items.iter())
            .filter_map(|i| match &i.figure {
                Some(FigureSource::Computed { metric }) => Some(metric.as_str()),
                _ => None,
            })
            .collect();
        metrics.sort_unstable();
        let mut all: Vec<&str> = ProgrammeMetric::ALL.iter().map(|m| m.as_str()).collect();
        all.sort_unstable();
        assert_eq!(metrics, all);
        assert_eq!(
            model.causal_chain.first().map(String::as_str),
            Some("窓口の明示")
        );
        assert_eq!(
            model.causal_chain.last().map(String::as_str),
            Some("地域価値の向上")
        );
        assert_eq!(model.clone().checked(), Ok(model));
    }

    #[test]
    fn bad_items_are_named_by_their_place() {
        let mut model = ProgrammeModel::seed_000();
        model.outputs[1].text = "  ".into();
        model.short_term_outcomes[2].figure = Some(FigureSource::Recorded {
            value: f64::NAN,
            unit: "".into(),
            as_of: None,
            note: String::new(),
        });
        model.causal_chain = vec!["x".into(); 51];
        let errors = model.checked().expect_err("refused");
        let fields: Vec<(&str, &str)> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert!(fields.contains(&("causal_chain", "too_many")), "{fields:?}");
        assert!(
            fields.iter().any(|(f, _)| *f == "outputs[1].text"),
            "{fields:?}"
        );
        assert!(
            fields.contains(&("short_term_outcomes[2].figure.value", "not_a_number")),
            "{fields:?}"
        );
        assert!(
            fields
                .iter()
                .any(|(f, _)| *f == "short_term_outcomes[2].figure.unit"),
            "{fields:?}"
        );
    }
}
