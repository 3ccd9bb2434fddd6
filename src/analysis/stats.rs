//! The statistics behind `sweep` and `compare`: quantiles, paired intervals and a seeded
//! bootstrap. Deterministic: the bootstrap draws from a ChaCha generator with a fixed seed, so
//! the same runs give the same intervals on every machine.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Resamples drawn for a bootstrap interval.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;
/// The seed of the bootstrap's generator (any fixed number; fixed so intervals repeat).
pub const BOOTSTRAP_SEED: u64 = 0x5EED_C0DE;
/// Two-sided 95% normal quantile, for intervals of a mean difference.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The `q` quantile of sorted values, by the nearest-rank rule on `q · (n − 1)` rounded
/// (the rule `sweep` has always used for p5 and p95).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let i = (q * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The median of sorted values (the mean of the two middle ones for an even count).
pub fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The median of values in any order (reorders them).
pub fn median_of(values: &mut [f64]) -> f64 {
    let n = values.len();
    let (_, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        upper
    } else {
        let lower = values[..n / 2]
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

/// A 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// The interval lies wholly above or below zero.
    pub fn excludes_zero(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

/// The normal-approximation 95% interval of the mean of paired differences (none for fewer
/// than two pairs).
pub fn mean_difference_interval(differences: &[f64]) -> Option<Interval> {
    let n = differences.len();
    if n < 2 {
        return None;
    }
    let mean = differences.iter().sum::<f64>() / n as f64;
    let var = differences.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let half = Z95 * (var / n as f64).sqrt();
    Some(Interval {
        low: mean - half,
        high: mean + half,
    })
}

/// Resampled positions for a paired bootstrap over `n` pairs: one list of `n` positions per
/// resample. Drawn once and shared by every metric of a comparison (common random numbers).
pub fn resamples(n: usize) -> Vec<Vec<u32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(BOOTSTRAP_SEED ^ n as u64);
    (0..BOOTSTRAP_RESAMPLES)
        .map(|_| (0..n).map(|_| rng.random_range(0..n as u32)).collect())
        .collect()
}

/// The percentile bootstrap 95% interval of `statistic` over paired samples `(a, b)`,
/// drawing the pairs by the positions of `draws` (which must index into `pairs`).
pub fn bootstrap_interval(
    pairs: &[(f64, f64)],
    draws: &[Vec<u32>],
    statistic: impl Fn(&mut [f64], &mut [f64]) -> f64,
) -> Option<Interval> {
    if pairs.len() < 2 || draws.is_empty() {
        return None;
    }
    let mut a = Vec::with_capacity(pairs.len());
    let mut b = Vec::with_capacity(pairs.len());
    let mut estimates: Vec<f64> = draws
        .iter()
        .map(|draw| {
            a.clear();
            b.clear();
            for &i in draw {
                let (x, y) = pairs[i as usize];
                a.push(x);
                b.push(y);
            }
            statistic(&mut a, &mut b)
        })
        .collect();
    estimates.sort_by(f64::total_cmp);
    Some(Interval {
        low: quantile_sorted(&estimates, 0.025),
        high: quantile_sorted(&estimates, 0.975),
    })
}

/// Difference of means, B − A.
pub fn mean_difference(a: &mut [f64], b: &mut [f64]) -> f64 {
    let n = a.len().max(1) as f64;
    (b.iter().sum::<f64>() - a.iter().sum::<f64>()) / n
}

/// Difference of medians, B − A.
pub fn median_difference(a: &mut [f64], b: &mut [f64]) -> f64 {
    median_of(b) - median_of(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median_sorted(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median_sorted(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        assert_eq!(median_of(&mut [9.0, 1.0, 4.0, 2.0]), 3.0);
        assert_eq!(median_of(&mut [9.0, 1.0, 2.0]), 2.0);
    }

    #[test]
    fn identical_samples_give_a_zero_interval() {
        let pairs: Vec<(f64, f64)> = (0..50).map(|i| (f64::from(i), f64::from(i))).collect();
        let draws = resamples(pairs.len());
        for statistic in [mean_difference, median_difference] {
            let ci = bootstrap_interval(&pairs, &draws, statistic).unwrap();
            assert_eq!((ci.low, ci.high), (0.0, 0.0));
            assert!(!ci.excludes_zero());
        }
        let d: Vec<f64> = pairs.iter().map(|(a, b)| b - a).collect();
        assert!(!mean_difference_interval(&d).unwrap().excludes_zero());
    }

    #[test]
    fn a_clear_shift_is_found_and_noise_is_not() {
        // B is A plus one, with noise: the interval of the difference sits around one.
        let pairs: Vec<(f64, f64)> = (0..200)
            .map(|i| {
                let noise = f64::from((i * 37) % 11) / 10.0 - 0.5;
                (f64::from(i % 7), f64::from(i % 7) + 1.0 + noise)
            })
            .collect();
        let draws = resamples(pairs.len());
        let ci = bootstrap_interval(&pairs, &draws, mean_difference).unwrap();
        assert!(
            ci.excludes_zero() && ci.low > 0.8 && ci.high < 1.2,
            "{ci:?}"
        );
        let d: Vec<f64> = pairs.iter().map(|(a, b)| b - a).collect();
        let t = mean_difference_interval(&d).unwrap();
        assert!(t.low > 0.8 && t.high < 1.2, "{t:?}");
        // Pure noise around zero: the interval straddles it.
        let noise: Vec<(f64, f64)> = (0..200)
            .map(|i| (0.0, f64::from((i * 37) % 11) - 5.0))
            .collect();
        let ci = bootstrap_interval(&noise, &draws, mean_difference).unwrap();
        assert!(!ci.excludes_zero(), "{ci:?}");
    }

    #[test]
    fn the_bootstrap_repeats() {
        assert_eq!(resamples(30), resamples(30));
    }
}
