//! `cyberdrill sweep` (Monte-Carlo over seeds, in parallel with rayon) and `merge`.

use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE, load};
use crate::scenario::{Rung, Scenario};
use crate::sim::{Outcome, Sim};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The numbers kept from one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    pub seed: u64,
    pub peak_rung: Rung,
    pub public_attributions: usize,
    pub wrongful_attributions: usize,
    /// Some victim state's top suspect at the end is not the true culprit.
    pub misattributed: bool,
    pub downtime_total: f64,
    pub downtime: BTreeMap<String, f64>,
    pub bounced: usize,
    /// Kaplan–Meier median minutes to acknowledge (none: fewer than half acknowledged).
    pub median_minutes_to_ack: Option<f64>,
    /// Share of messages acknowledged within 2 hours.
    pub acked_within_2h: f64,
    pub first_detection_minute: Option<u32>,
    /// Minutes from an incident's start to the first notice another state received.
    pub first_notice_abroad_minute: Option<u32>,
    pub objectives_met: usize,
    /// Each objective: (id, met, cause code when decided).
    pub objectives: Vec<(String, bool, Option<String>)>,
    /// Every inject, in scenario order: (id, minute it fired, none if it did not).
    pub injects: Vec<(String, Option<u32>)>,
    /// Peak rung of every pair of states: (a, b, peak), in scenario order.
    pub pair_peaks: Vec<(String, String, Rung)>,
}

impl RunMetrics {
    /// The metrics of an outcome.
    pub fn of(outcome: &Outcome, victims: &[(String, String)]) -> RunMetrics {
        RunMetrics {
            seed: outcome.seed,
            peak_rung: outcome.peak_rung,
            public_attributions: outcome.public_attributions,
            wrongful_attributions: outcome.wrongful_attributions,
            misattributed: outcome.blame.iter().any(|b| {
                b.correct == Some(false)
                    && victims
                        .iter()
                        .any(|(state, inc)| *state == b.state && *inc == b.incident)
            }),
            downtime_total: outcome.downtime.values().sum(),
            downtime: outcome.downtime.clone(),
            bounced: outcome.messages.bounced,
            median_minutes_to_ack: outcome.messages.median_minutes_to_ack,
            acked_within_2h: outcome.messages.acked_within_2h,
            first_notice_abroad_minute: outcome.first_notice_abroad_minute,
            objectives: outcome
                .objectives
                .iter()
                .map(|o| (o.id.clone(), o.status == "met", o.cause.clone()))
                .collect(),
            injects: outcome
                .injects
                .iter()
                .map(|f| (f.id.clone(), f.fired_minute))
                .collect(),
            pair_peaks: outcome
                .pairs
                .iter()
                .map(|p| (p.a.clone(), p.b.clone(), p.peak))
                .collect(),
            first_detection_minute: outcome
                .incidents
                .iter()
                .filter_map(|i| i.detected_minute)
                .min(),
            objectives_met: outcome
                .objectives
                .iter()
                .filter(|o| o.status == "met")
                .count(),
        }
    }
}

/// Mean and 5th/95th percentiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub mean: f64,
    pub p5: f64,
    pub p95: f64,
    pub n: usize,
}

impl Distribution {
    pub fn of(values: &[f64]) -> Option<Distribution> {
        if values.is_empty() {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let at = |q: f64| {
            sorted[((q * (sorted.len() - 1) as f64).round() as usize).min(sorted.len() - 1)]
        };
        Some(Distribution {
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            p5: at(0.05),
            p95: at(0.95),
            n: sorted.len(),
        })
    }
}

/// What a sweep reports: the summary, and the runs so shards can be merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    pub scenario: String,
    pub scenario_hash: String,
    pub summary: Summary,
    pub runs: Vec<RunMetrics>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub runs: usize,
    pub metrics: BTreeMap<String, Distribution>,
    /// Share of runs whose peak rung reached each rung.
    pub reached: BTreeMap<String, f64>,
    pub share_wrongful_attribution: f64,
    pub share_misattributed: f64,
    /// Per objective, in scenario order: (id, share of runs met, most common cause when
    /// missed).
    pub objectives: Vec<(String, f64, Option<String>)>,
    /// Per pair of states that ever leaves Routine: (a, b, share of runs reaching each rung
    /// from Concern up, in ladder order).
    pub pairs: Vec<PairReach>,
    /// Branch coverage, per inject in scenario order: (id, share of runs it fired in, median
    /// minute it fired at over those runs; none if it never fired).
    pub injects: Vec<(String, f64, Option<u32>)>,
}

/// A pair of states and the share of runs reaching each rung: (a, b, [(rung, share)]).
pub type PairReach = (String, String, Vec<(Rung, f64)>);

/// Summarises runs.
pub fn summarise(runs: &[RunMetrics]) -> Summary {
    let n = runs.len().max(1) as f64;
    let mut metrics = BTreeMap::new();
    let mut put = |name: &str, values: Vec<f64>| {
        if let Some(d) = Distribution::of(&values) {
            metrics.insert(name.to_string(), d);
        }
    };
    put(
        "peak_rung",
        runs.iter().map(|r| r.peak_rung.level() as f64).collect(),
    );
    put(
        "public_attributions",
        runs.iter().map(|r| r.public_attributions as f64).collect(),
    );
    put(
        "wrongful_attributions",
        runs.iter()
            .map(|r| r.wrongful_attributions as f64)
            .collect(),
    );
    put(
        "downtime_total_sector_hours",
        runs.iter().map(|r| r.downtime_total).collect(),
    );
    put(
        "bounced_messages",
        runs.iter().map(|r| r.bounced as f64).collect(),
    );
    put(
        "median_minutes_to_ack",
        runs.iter()
            .filter_map(|r| r.median_minutes_to_ack)
            .collect(),
    );
    put(
        "acked_within_2h",
        runs.iter().map(|r| r.acked_within_2h).collect(),
    );
    put(
        "first_notice_abroad_minute",
        runs.iter()
            .filter_map(|r| r.first_notice_abroad_minute.map(f64::from))
            .collect(),
    );
    put(
        "first_detection_minute",
        runs.iter()
            .filter_map(|r| r.first_detection_minute.map(f64::from))
            .collect(),
    );
    put(
        "objectives_met",
        runs.iter().map(|r| r.objectives_met as f64).collect(),
    );
    let sectors: std::collections::BTreeSet<&String> =
        runs.iter().flat_map(|r| r.downtime.keys()).collect();
    for sector in sectors {
        put(
            &format!("downtime_{}", sector.to_lowercase()),
            runs.iter()
                .map(|r| r.downtime.get(sector).copied().unwrap_or(0.0))
                .collect(),
        );
    }
    let reached = Rung::ALL
        .iter()
        .skip(1)
        .map(|rung| {
            (
                format!("{rung:?}"),
                runs.iter().filter(|r| r.peak_rung >= *rung).count() as f64 / n,
            )
        })
        .collect();
    let mut objectives: Vec<(String, f64, Option<String>)> = Vec::new();
    if let Some(first) = runs.first() {
        for (i, (id, _, _)) in first.objectives.iter().enumerate() {
            let met = runs
                .iter()
                .filter(|r| r.objectives.get(i).is_some_and(|o| o.1))
                .count();
            let mut causes: BTreeMap<&str, usize> = BTreeMap::new();
            for r in runs {
                if let Some((_, false, Some(c))) = r.objectives.get(i) {
                    *causes.entry(c.as_str()).or_default() += 1;
                }
            }
            let common = causes
                .iter()
                .fold(None::<(&str, usize)>, |best, (c, n)| match best {
                    Some((_, bn)) if bn >= *n => best,
                    _ => Some((c, *n)),
                })
                .map(|(c, _)| c.to_string());
            objectives.push((id.clone(), met as f64 / n, common));
        }
    }
    let mut pairs = Vec::new();
    if let Some(first) = runs.first() {
        for (i, (a, b, _)) in first.pair_peaks.iter().enumerate() {
            let reached: Vec<(Rung, f64)> = Rung::ALL
                .iter()
                .skip(1)
                .map(|&rung| {
                    let k = runs
                        .iter()
                        .filter(|r| r.pair_peaks.get(i).is_some_and(|p| p.2 >= rung))
                        .count();
                    (rung, k as f64 / n)
                })
                .collect();
            if reached.first().is_some_and(|x| x.1 > 0.0) {
                pairs.push((a.clone(), b.clone(), reached));
            }
        }
    }
    let injects = runs.first().map_or_else(Vec::new, |first| {
        first
            .injects
            .iter()
            .enumerate()
            .map(|(i, (id, _))| {
                let mut minutes: Vec<u32> = runs
                    .iter()
                    .filter_map(|r| r.injects.get(i).and_then(|x| x.1))
                    .collect();
                minutes.sort_unstable();
                let median = minutes.get(minutes.len() / 2).copied();
                (id.clone(), minutes.len() as f64 / n, median)
            })
            .collect()
    });
    Summary {
        objectives,
        pairs,
        injects,
        runs: runs.len(),
        metrics,
        reached,
        share_wrongful_attribution: runs.iter().filter(|r| r.wrongful_attributions > 0).count()
            as f64
            / n,
        share_misattributed: runs.iter().filter(|r| r.misattributed).count() as f64 / n,
    }
}

/// The (victim state, incident id) pairs of a scenario's scripted incidents.
pub fn victims(scenario: &Scenario) -> Vec<(String, String)> {
    scenario
        .injects
        .iter()
        .filter_map(|i| match &i.kind {
            crate::scenario::InjectKind::Incident { target, .. } => {
                let state = scenario
                    .assets
                    .iter()
                    .find(|a| &a.id == target)?
                    .state
                    .clone();
                Some((state, i.id.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Runs one seed headless.
pub fn run_seed(scenario: &Scenario, victims: &[(String, String)], seed: u64) -> RunMetrics {
    let mut sim = Sim::headless(scenario, seed);
    sim.run_to_end();
    RunMetrics::of(&sim.outcome(), victims)
}

/// Runs the seeds on `jobs` threads; results in seed order.
pub fn sweep(
    scenario: &Scenario,
    seeds: std::ops::Range<u64>,
    jobs: Option<usize>,
) -> Result<Vec<RunMetrics>, String> {
    let victims = victims(scenario);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(j) = jobs {
        builder = builder.num_threads(j.max(1));
    }
    let pool = builder.build().map_err(|e| e.to_string())?;
    let seeds: Vec<u64> = seeds.collect();
    Ok(pool.install(|| {
        seeds
            .par_iter()
            .map(|&s| run_seed(scenario, &victims, s))
            .collect()
    }))
}

/// Parses `A..B`.
pub fn parse_range(text: &str) -> Result<(u64, u64), String> {
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| format!("`{text}` is not a range; write A..B, e.g. 0..1000"))?;
    let a: u64 = a
        .trim()
        .parse()
        .map_err(|_| format!("`{a}` is not a seed number"))?;
    let b: u64 = b
        .trim()
        .parse()
        .map_err(|_| format!("`{b}` is not a seed number"))?;
    if b <= a {
        return Err(format!("the range {a}..{b} is empty"));
    }
    Ok((a, b))
}

/// The CLI entry point.
pub fn run(
    reference: &str,
    runs: Option<u64>,
    seeds: Option<(u64, u64)>,
    jobs: Option<usize>,
    json: bool,
) -> u8 {
    let range = match (runs, seeds) {
        (None, None) => {
            eprintln!("error: give --runs N or --seeds A..B");
            return EXIT_USAGE;
        }
        (Some(0), _) => {
            eprintln!("error: --runs must be at least 1");
            return EXIT_USAGE;
        }
        (Some(n), None) => 0..n,
        (None, Some((a, b))) => a..b,
        (Some(n), Some((a, b))) => a..(a + n).min(b),
    };
    let loaded = match load::load(reference) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let runs = match sweep(&loaded.scenario, range, jobs) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let report = SweepReport {
        scenario: loaded.scenario.meta.id.clone(),
        scenario_hash: loaded.hash,
        summary: summarise(&runs),
        runs,
    };
    print_report(&report, json);
    EXIT_OK
}

fn print_report(report: &SweepReport, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        );
        return;
    }
    let s = &report.summary;
    println!("{}: {} runs", report.scenario, s.runs);
    println!(
        "\n  {:<32} {:>9} {:>9} {:>9}",
        "metric", "mean", "p5", "p95"
    );
    for (name, d) in &s.metrics {
        println!("  {name:<32} {:>9.2} {:>9.2} {:>9.2}", d.mean, d.p5, d.p95);
    }
    println!("\n  share of runs reaching each rung (any pair)");
    for rung in Rung::ALL.iter().skip(1) {
        let share = s.reached.get(&format!("{rung:?}")).copied().unwrap_or(0.0);
        println!("  {:<32} {:>8.1}%", format!("{rung:?}"), share * 100.0);
    }
    if !s.pairs.is_empty() {
        println!(
            "\n  {:<28} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "pair: share reaching", "Concern", "Démar.", "Sanct.", "Count.", "Retal.", "Armed"
        );
        for (a, b, reached) in &s.pairs {
            let cells: Vec<String> = reached
                .iter()
                .map(|(_, x)| format!("{:>6.1}%", x * 100.0))
                .collect();
            println!("  {:<28} {}", format!("{a}–{b}"), cells.join(" "));
        }
    }
    if !s.injects.is_empty() {
        println!("\n  {:<40} {:>7}  median time", "inject", "fired");
        for (id, share, median) in &s.injects {
            println!(
                "  {id:<40} {:>6.1}%  {}",
                share * 100.0,
                median.map_or("never fired".to_string(), crate::sim::view::hhmm_span)
            );
        }
    }
    println!(
        "\n  runs with a wrongful public attribution  {:>6.1}%",
        s.share_wrongful_attribution * 100.0
    );
    println!(
        "  runs where a victim suspects the wrong party {:>6.1}%",
        s.share_misattributed * 100.0
    );
    if !s.objectives.is_empty() {
        println!(
            "\n  {:<40} {:>6}  most common cause when missed",
            "objective", "met"
        );
        for (id, share, cause) in &s.objectives {
            println!(
                "  {id:<40} {:>5.1}%  {}",
                share * 100.0,
                cause.as_deref().unwrap_or("")
            );
        }
    }
}

/// `cyberdrill merge FILE...`: concatenates shards (same scenario), recomputes the summary.
pub fn merge(files: &[PathBuf], json: bool) -> u8 {
    let mut merged: Option<SweepReport> = None;
    for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        };
        let report: SweepReport = match serde_json::from_str(&text) {
            Ok(r) => r,
            Err(e) => {
                eprintln!(
                    "error: {} is not sweep JSON (from `sweep --json`): {e}",
                    path.display()
                );
                return EXIT_INVALID;
            }
        };
        match &mut merged {
            None => merged = Some(report),
            Some(m) => {
                if m.scenario_hash != report.scenario_hash {
                    eprintln!(
                        "error: {} comes from a different scenario or version than the first file",
                        path.display()
                    );
                    return EXIT_INVALID;
                }
                m.runs.extend(report.runs);
            }
        }
    }
    let Some(mut m) = merged else {
        return EXIT_USAGE;
    };
    m.runs.sort_by_key(|r| r.seed);
    m.runs.dedup_by_key(|r| r.seed);
    m.summary = summarise(&m.runs);
    print_report(&m, json);
    EXIT_OK
}
