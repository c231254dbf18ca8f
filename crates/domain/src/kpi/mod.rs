//! The desk's KPIs (seed 000, 主なKPI): counts, and the speed and quality of
//! the work (how long each step takes, how many cases reach each step, how
//! many become projects), per fiscal year and per month.
//!
//! The figures are computed from counted facts (a metric, a key and a
//! month, with a count), which the database keeps exact in the writing
//! transaction. Durations are counted in whole hours and reported in days.
//! Case figures follow the cohort of cases *received* in the period; hearings,
//! matches and TRIPs count in the period they were held, made or started.
//!
//! The modules, re-exported here so callers write `kpi::X`:
//!
//! - `facts`: the counted facts loaded for a period (`Facts`);
//! - `histograms`: durations in whole hours and their statistics;
//! - `report`: the fiscal year's report built from the facts;
//! - `figures`: the report flattened into CSV rows;
//! - `series`: one metric over months or fiscal years, for charts;
//! - `months`: the months of a fiscal year and their labels;
//! - `vocabulary`: the names facts and durations are counted under;
//! - `definitions`: what each figure counts, in words.

pub mod definitions;
mod facts;
mod figures;
mod histograms;
mod months;
pub mod programme;
mod report;
mod series;
mod vocabulary;

pub use facts::{Fact, Facts, HistogramRow, Period, YearHistogramRow};
pub use figures::{FigureRow, FIGURE_HEADERS};
pub use histograms::{Distribution, Histogram};
pub use months::{japanese_label, months_of};
pub use report::{
    rate, report, AgainstTarget, CommunitySupports, Conversion, CoordinationLeadTime, Count,
    Funnel, FunnelStep, IndicatorProgress, Indicators, KeyCount, Matches, MonthFigures,
    ProposalsReceived, Report, ReportInputs, StepDuration, StepDurations, Targets, Waiting,
    WaitingCase,
};
pub use series::{buckets, series, Bucket, Metric, Point, Span, MAX_POINTS};
pub use vocabulary::{FactMetric, Measure, UnknownKpiName};
