//! Durations as histograms of whole hours, and the statistics computed
//! from them (count, mean, interpolated percentiles, max), in days.

use serde::Serialize;
use utoipa::ToSchema;

/// How many durations took each number of whole hours: `self.0[h]`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Histogram(pub(super) Vec<i64>);

impl Histogram {
    /// Counts `n` more durations of `hours` (negative ones as 0).
    pub fn add(&mut self, hours: i64, n: i64) {
        let slot = usize::try_from(hours.max(0)).unwrap_or(usize::MAX);
        if slot >= self.0.len() {
            self.0.resize(slot + 1, 0);
        }
        self.0[slot] += n;
    }

    pub(super) fn merge(&mut self, counts: &[i64]) {
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
pub(super) fn days(hours: f64) -> f64 {
    (hours / 24.0 * 100.0).round() / 100.0
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
}
