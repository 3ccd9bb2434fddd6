//! Two scenarios run on the same seeds, metric by metric: A, B, the difference B − A and its
//! 95% interval, paired by seed.
//!
//! Numbers are compared by their mean (interval: normal approximation of the mean of the
//! paired differences) and by their median (interval: paired percentile bootstrap). Shares
//! are compared by the paired bootstrap of the difference of shares. The bootstrap is seeded,
//! so a comparison repeats exactly.

use super::RunMetrics;
use super::series::{Kind, Series, series};
use super::stats::{
    Interval, bootstrap_interval, mean_difference_interval, median_difference, median_of, resamples,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a row compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Statistic {
    Mean,
    Median,
    Share,
}

/// One metric's comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The metric's key (as in `sweep --json`'s series, see `docs/sweep-json.md`).
    pub key: String,
    pub statistic: Statistic,
    pub a: f64,
    pub b: f64,
    /// B − A.
    pub difference: f64,
    /// 95% interval of the difference; none with fewer than two paired runs.
    pub interval: Option<Interval>,
    /// Seeds with a value on both sides.
    pub pairs: usize,
    /// The interval lies wholly above or below zero.
    pub excludes_zero: bool,
}

/// A comparison of two sweeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub rows: Vec<Row>,
    /// Metrics only one side has (an objective, inject or pair the other scenario lacks):
    /// not compared.
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
}

/// A metric that exists because the scenario has that objective, inject, pair or sector:
/// missing on one side means the scenarios differ there, not that it never happened.
fn structural(key: &str) -> bool {
    [
        "objective[",
        "inject[",
        "pair[",
        "downtime_sector_hours[",
        "first_notice_abroad_minute[",
    ]
    .iter()
    .any(|p| key.starts_with(p))
}

/// A metric ready to compare: its key, kind and the paired values (A, B) by seed.
type Prepared<'k> = (&'k str, Kind, Vec<(f64, f64)>);

/// Compares runs of A and B; runs are paired by seed (seeds on one side only are left out).
pub fn compare(a: &[RunMetrics], b: &[RunMetrics]) -> Comparison {
    let b_at: BTreeMap<u64, usize> = b.iter().enumerate().map(|(i, r)| (r.seed, i)).collect();
    let paired: Vec<(usize, usize)> = a
        .iter()
        .enumerate()
        .filter_map(|(i, r)| b_at.get(&r.seed).map(|&j| (i, j)))
        .collect();
    let sa = series(a);
    let sb = series(b);
    let b_keys: BTreeMap<&str, &Series> = sb.iter().map(|s| (s.key.as_str(), s)).collect();
    let a_keys: BTreeMap<&str, &Series> = sa.iter().map(|s| (s.key.as_str(), s)).collect();
    let mut only_in_a = Vec::new();
    let mut only_in_b = Vec::new();
    // Keys in A's order, then those only B has (a share B has and A lacks is 0 in A).
    let mut keys: Vec<(&str, Kind)> = Vec::new();
    for s in &sa {
        if b_keys.contains_key(s.key.as_str()) || (s.kind == Kind::Share && !structural(&s.key)) {
            keys.push((&s.key, s.kind));
        } else {
            only_in_a.push(s.key.clone());
        }
    }
    for s in &sb {
        if a_keys.contains_key(s.key.as_str()) {
            continue;
        }
        if s.kind == Kind::Share && !structural(&s.key) {
            keys.push((&s.key, s.kind));
        } else {
            only_in_b.push(s.key.clone());
        }
    }
    let zero_a = vec![Some(0.0); a.len()];
    let zero_b = vec![Some(0.0); b.len()];
    let mut draws: BTreeMap<usize, Vec<Vec<u32>>> = BTreeMap::new();
    let prepared: Vec<Prepared> = keys
        .iter()
        .map(|&(key, kind)| {
            let va = a_keys.get(key).map_or(&zero_a, |s| &s.values);
            let vb = b_keys.get(key).map_or(&zero_b, |s| &s.values);
            let pairs: Vec<(f64, f64)> = paired
                .iter()
                .filter_map(|&(i, j)| Some((va[i]?, vb[j]?)))
                .collect();
            draws
                .entry(pairs.len())
                .or_insert_with(|| resamples(pairs.len()));
            (key, kind, pairs)
        })
        .collect();
    let rows: Vec<Vec<Row>> = prepared
        .par_iter()
        .map(|(key, kind, pairs)| rows_of(key, *kind, pairs, &draws[&pairs.len()]))
        .collect();
    Comparison {
        rows: rows.into_iter().flatten().collect(),
        only_in_a,
        only_in_b,
    }
}

fn rows_of(key: &str, kind: Kind, pairs: &[(f64, f64)], draws: &[Vec<u32>]) -> Vec<Row> {
    if pairs.is_empty() {
        return Vec::new();
    }
    let n = pairs.len() as f64;
    let mean_a = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_b = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let same = pairs.iter().all(|(x, y)| x == y);
    let zero = Interval {
        low: 0.0,
        high: 0.0,
    };
    let row = |statistic, a: f64, b: f64, interval: Option<Interval>| Row {
        key: key.to_string(),
        statistic,
        a,
        b,
        difference: b - a,
        excludes_zero: interval.is_some_and(|i| i.excludes_zero()),
        interval,
        pairs: pairs.len(),
    };
    let mean_diff_bootstrap = || {
        if same {
            return Some(zero);
        }
        let d: Vec<f64> = pairs.iter().map(|(x, y)| y - x).collect();
        mean_bootstrap(&d, draws)
    };
    match kind {
        Kind::Share => vec![row(Statistic::Share, mean_a, mean_b, mean_diff_bootstrap())],
        Kind::Number => {
            let d: Vec<f64> = pairs.iter().map(|(x, y)| y - x).collect();
            let mean_interval = if same {
                (pairs.len() >= 2).then_some(zero)
            } else {
                mean_difference_interval(&d)
            };
            let mut xa: Vec<f64> = pairs.iter().map(|p| p.0).collect();
            let mut xb: Vec<f64> = pairs.iter().map(|p| p.1).collect();
            let median_interval = if same {
                (pairs.len() >= 2).then_some(zero)
            } else {
                bootstrap_interval(pairs, draws, median_difference)
            };
            vec![
                row(Statistic::Mean, mean_a, mean_b, mean_interval),
                row(
                    Statistic::Median,
                    median_of(&mut xa),
                    median_of(&mut xb),
                    median_interval,
                ),
            ]
        }
    }
}

/// The bootstrap interval of a mean, from the differences alone (faster than resampling
/// both sides, the same numbers).
fn mean_bootstrap(d: &[f64], draws: &[Vec<u32>]) -> Option<Interval> {
    if d.len() < 2 {
        return None;
    }
    let n = d.len() as f64;
    let mut estimates: Vec<f64> = draws
        .iter()
        .map(|draw| draw.iter().map(|&i| d[i as usize]).sum::<f64>() / n)
        .collect();
    estimates.sort_by(f64::total_cmp);
    Some(Interval {
        low: super::stats::quantile_sorted(&estimates, 0.025),
        high: super::stats::quantile_sorted(&estimates, 0.975),
    })
}
