//! The summary of a sweep: distributions of the numbers, shares of what happened, per
//! objective, pair, inject and blame. Computed from the runs alone, so merged shards give
//! exactly the summary of one big sweep.

use super::RunMetrics;
use super::series::{Kind, series};
use super::stats::{median_sorted, quantile_sorted};
use crate::scenario::Rung;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Mean, median and 5th/95th percentiles of a number over the runs that have it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub mean: f64,
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
    /// How many runs have a value (a run without notice abroad has no time to it).
    pub n: usize,
}

impl Distribution {
    pub fn of(values: &[f64]) -> Option<Distribution> {
        if values.is_empty() {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Distribution {
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            median: median_sorted(&sorted),
            p5: quantile_sorted(&sorted, 0.05),
            p95: quantile_sorted(&sorted, 0.95),
            n: sorted.len(),
        })
    }
}

/// The share of runs reaching a rung.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RungShare {
    pub rung: Rung,
    pub share: f64,
}

/// An objective over the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveSummary {
    pub id: String,
    /// Share of runs in which it was met.
    pub met: f64,
    /// The most common cause in the runs that missed it (ties: the first code in order).
    pub missed_because: Option<String>,
    /// How many missed runs had each cause (`undecided`: the run ended with it open).
    pub causes: BTreeMap<String, usize>,
}

/// A pair of states that left Routine in some run: the share of runs reaching each rung
/// from Concern up, in ladder order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairSummary {
    pub a: String,
    pub b: String,
    pub reached: Vec<RungShare>,
}

/// Branch coverage of an inject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectSummary {
    pub id: String,
    /// Share of runs in which it fired.
    pub fired: f64,
    /// Median minute it fired at, over the runs it fired in; none if it never fired.
    pub median_minute: Option<u32>,
}

/// A candidate and the share of runs in which it was blamed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateShare {
    pub candidate: String,
    pub share: f64,
}

/// Whom a state blamed for an incident, over the runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlameSummary {
    pub state: String,
    pub incident: String,
    /// The responsible party (ground truth).
    pub truth: String,
    /// Share of runs in which each candidate was the state's top suspect at the end (most
    /// often first); the rest of the runs it had no clear suspect.
    pub suspect: Vec<CandidateShare>,
    /// Share of runs in which the state publicly blamed each candidate.
    pub public: Vec<CandidateShare>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub runs: usize,
    /// Every number of a run (see `docs/sweep-json.md` for the keys).
    pub metrics: BTreeMap<String, Distribution>,
    /// Share of runs whose peak rung over all pairs reached each rung, in ladder order.
    pub reached: Vec<RungShare>,
    pub share_wrongful_attribution: f64,
    pub share_misattributed: f64,
    /// In scenario order.
    pub objectives: Vec<ObjectiveSummary>,
    /// In scenario order.
    pub pairs: Vec<PairSummary>,
    /// In scenario order.
    pub injects: Vec<InjectSummary>,
    /// By incident, then state.
    pub blame: Vec<BlameSummary>,
}

/// Summarises runs.
pub fn summarise(runs: &[RunMetrics]) -> Summary {
    let n = runs.len().max(1) as f64;
    let share = |k: usize| k as f64 / n;
    let mut metrics = BTreeMap::new();
    for s in series(runs) {
        if s.kind == Kind::Number {
            let values: Vec<f64> = s.values.iter().flatten().copied().collect();
            if let Some(d) = Distribution::of(&values) {
                metrics.insert(s.key, d);
            }
        }
    }
    let reached = Rung::ALL[1..]
        .iter()
        .map(|&rung| RungShare {
            rung,
            share: share(runs.iter().filter(|r| r.peak_rung >= rung).count()),
        })
        .collect();
    let first = runs.first();
    let objectives = first.map_or_else(Vec::new, |first| {
        first
            .objectives
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let mut causes: BTreeMap<String, usize> = BTreeMap::new();
                let mut met = 0;
                for r in runs {
                    match r.objectives.get(i) {
                        Some(x) if x.met => met += 1,
                        Some(x) => {
                            let cause = x.cause.clone().unwrap_or_else(|| "undecided".into());
                            *causes.entry(cause).or_default() += 1;
                        }
                        None => {}
                    }
                }
                let missed_because = causes
                    .iter()
                    .fold(None::<(&String, usize)>, |best, (c, k)| match best {
                        Some((_, bk)) if bk >= *k => best,
                        _ => Some((c, *k)),
                    })
                    .map(|(c, _)| c.clone());
                ObjectiveSummary {
                    id: o.id.clone(),
                    met: share(met),
                    missed_because,
                    causes,
                }
            })
            .collect()
    });
    let pairs = first.map_or_else(Vec::new, |first| {
        first
            .pairs
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let reached: Vec<RungShare> = Rung::ALL[1..]
                    .iter()
                    .map(|&rung| RungShare {
                        rung,
                        share: share(
                            runs.iter()
                                .filter(|r| r.pairs.get(i).is_some_and(|x| x.peak >= rung))
                                .count(),
                        ),
                    })
                    .collect();
                (reached[0].share > 0.0).then(|| PairSummary {
                    a: p.a.clone(),
                    b: p.b.clone(),
                    reached,
                })
            })
            .collect()
    });
    let injects = first.map_or_else(Vec::new, |first| {
        first
            .injects
            .iter()
            .enumerate()
            .map(|(i, inject)| {
                let mut minutes: Vec<u32> = runs
                    .iter()
                    .filter_map(|r| r.injects.get(i).and_then(|x| x.fired_minute))
                    .collect();
                minutes.sort_unstable();
                InjectSummary {
                    id: inject.id.clone(),
                    fired: share(minutes.len()),
                    median_minute: minutes.get(minutes.len() / 2).copied(),
                }
            })
            .collect()
    });
    Summary {
        runs: runs.len(),
        metrics,
        reached,
        share_wrongful_attribution: share(
            runs.iter().filter(|r| r.wrongful_attributions > 0).count(),
        ),
        share_misattributed: share(runs.iter().filter(|r| r.misattributed).count()),
        objectives,
        pairs,
        injects,
        blame: blame(runs, n),
    }
}

fn blame(runs: &[RunMetrics], n: f64) -> Vec<BlameSummary> {
    type Counts = BTreeMap<String, usize>;
    let mut by: BTreeMap<(String, String), (String, Counts, Counts)> = BTreeMap::new();
    for r in runs {
        for b in &r.blame {
            let entry = by
                .entry((b.incident.clone(), b.state.clone()))
                .or_insert_with(|| (b.truth.clone(), Counts::new(), Counts::new()));
            if let Some(s) = &b.suspect {
                *entry.1.entry(s.clone()).or_default() += 1;
            }
            if let Some(p) = &b.public {
                *entry.2.entry(p.clone()).or_default() += 1;
            }
        }
    }
    let ranked = |counts: Counts| {
        let mut shares: Vec<CandidateShare> = counts
            .into_iter()
            .map(|(candidate, k)| CandidateShare {
                candidate,
                share: k as f64 / n,
            })
            .collect();
        shares.sort_by(|x, y| y.share.total_cmp(&x.share));
        shares
    };
    by.into_iter()
        .map(
            |((incident, state), (truth, suspect, public))| BlameSummary {
                state,
                incident,
                truth,
                suspect: ranked(suspect),
                public: ranked(public),
            },
        )
        .collect()
}
