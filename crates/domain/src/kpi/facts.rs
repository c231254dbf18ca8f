//! The counted facts a figure is computed from, as loaded from the
//! database, indexed by metric and key or by measure, and by month or
//! fiscal year.

use super::histograms::Histogram;
use super::months::months_of;
use super::vocabulary::{FactMetric, Measure};
use crate::desk::workflow::Status;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One counted fact: `n` rows contributed (`metric`, `key`) in `month`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub month: NaiveDate,
    pub metric: FactMetric,
    pub key: String,
    pub n: i64,
}

/// The durations of one measure in one month: `counts[h]` took `h` whole hours.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramRow {
    pub month: NaiveDate,
    pub measure: Measure,
    pub counts: Vec<i64>,
}

/// The durations of one measure in a whole fiscal year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearHistogramRow {
    pub fiscal_year: i32,
    pub measure: Measure,
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

/// The facts of a period, indexed by metric and key or by measure, and by
/// month or fiscal year.
#[derive(Debug, Default)]
pub struct Facts {
    series: BTreeMap<FactMetric, BTreeMap<String, BTreeMap<NaiveDate, i64>>>,
    histograms: BTreeMap<Measure, BTreeMap<NaiveDate, Histogram>>,
    year_histograms: BTreeMap<Measure, BTreeMap<i32, Histogram>>,
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
                .entry(fact.metric)
                .or_default()
                .entry(fact.key)
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
    pub fn count(&self, metric: FactMetric, key: &str, period: Period) -> i64 {
        let Some(by_month) = self.series.get(&metric).and_then(|keys| keys.get(key)) else {
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
    pub fn histogram(&self, measure: Measure, period: Period) -> Histogram {
        let mut histogram = Histogram::default();
        match period {
            Period::Months(months) => {
                if let Some(by_month) = self.histograms.get(&measure) {
                    for h in months.iter().filter_map(|m| by_month.get(m)) {
                        histogram.merge(&h.0);
                    }
                }
            }
            Period::All | Period::FiscalYear(_) => {
                if let Some(by_year) = self.year_histograms.get(&measure) {
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

    pub(super) fn status_count(&self, statuses: &[Status], period: Period) -> i64 {
        statuses
            .iter()
            .map(|s| self.count(FactMetric::Status, s.as_str(), period))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_merge_the_histograms_of_the_months_asked_for() {
        let april = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let may = NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        let row = |month, counts: &[i64]| HistogramRow {
            month,
            measure: Measure::InReceived,
            counts: counts.to_vec(),
        };
        // April: one of 1 h, two of 2 h; May: one of 4 h.
        let facts = Facts::new(
            [],
            [row(april, &[0, 1, 2]), row(may, &[0, 0, 0, 0, 1])],
            [YearHistogramRow {
                fiscal_year: 2026,
                measure: Measure::InReceived,
                counts: vec![0, 1, 2, 0, 1],
            }],
        );
        let all = facts.histogram(Measure::InReceived, Period::All);
        assert_eq!(
            (all.count(), all.max(), all.percentile(0.5)),
            (4, Some(4), Some(2.0))
        );
        let april_only = facts.histogram(Measure::InReceived, Period::Months(&[april]));
        assert_eq!((april_only.count(), april_only.max()), (3, Some(2)));
        assert_eq!(
            facts
                .histogram(Measure::InReceived, Period::FiscalYear(2025))
                .count(),
            0
        );
        assert_eq!(
            facts.histogram(Measure::InOrganizing, Period::All).count(),
            0
        );
    }
}
