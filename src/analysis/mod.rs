//! Analysis over many runs: what `sweep`, `merge` and `compare` compute.
//!
//! [`RunMetrics`] are the numbers kept from one headless run; [`summary`] turns the runs of
//! one scenario into distributions and shares; [`compare`] sets two scenarios' runs side by
//! side, paired by seed, with confidence intervals from [`stats`]. The JSON forms are a
//! versioned schema (`docs/sweep-json.md`); [`SCHEMA`] is its version.

pub mod compare;
pub mod series;
pub mod stats;
pub mod summary;

use crate::scenario::{InjectKind, Rung, Scenario, Valid};
use crate::sim::{Outcome, Sim};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use summary::{Distribution, Summary, summarise};

/// Version of the JSON that `sweep --json`, `merge --json` and `compare --json` write.
/// Raised whenever a field changes meaning or goes away (adding a field does not raise it).
pub const SCHEMA: u32 = 2;

/// An objective's result in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveRun {
    pub id: String,
    pub met: bool,
    /// The cause code the engine recorded when it decided the objective (`met`,
    /// `held-for-clearance`, `bounced`, ...); none while undecided.
    pub cause: Option<String>,
}

/// An inject and the minute it fired in one run (none: it did not).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectRun {
    pub id: String,
    pub fired_minute: Option<u32>,
}

/// The peak rung a pair of states reached in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairRun {
    pub a: String,
    pub b: String,
    pub peak: Rung,
}

/// An incident's timings in one run (minutes from its start, except `detected_minute` and
/// `contained_minute`, which count from the start of the exercise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentRun {
    pub id: String,
    pub detected_minute: Option<u32>,
    pub contained_minute: Option<u32>,
    pub first_notice_abroad_minute: Option<u32>,
}

/// Whom a state blamed for an incident at the end of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlameRun {
    pub state: String,
    pub incident: String,
    /// The state's top suspect (private belief); none while no one stands out.
    pub suspect: Option<String>,
    /// Whom it blamed publicly, if anyone.
    pub public: Option<String>,
    /// The responsible party (ground truth).
    pub truth: String,
}

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
    /// Sector-hours of downtime per sector.
    pub downtime: BTreeMap<String, f64>,
    pub bounced: usize,
    /// Kaplan–Meier median minutes to acknowledge (none: fewer than half acknowledged).
    pub median_minutes_to_ack: Option<f64>,
    /// Share of messages acknowledged within 2 hours.
    pub acked_within_2h: f64,
    pub first_detection_minute: Option<u32>,
    /// Minutes from an incident's start to the first notice another state received, earliest
    /// over incidents.
    pub first_notice_abroad_minute: Option<u32>,
    pub objectives_met: usize,
    pub objectives: Vec<ObjectiveRun>,
    /// Every inject, in scenario order.
    pub injects: Vec<InjectRun>,
    /// Every pair of states, in scenario order.
    pub pairs: Vec<PairRun>,
    pub incidents: Vec<IncidentRun>,
    pub blame: Vec<BlameRun>,
}

impl RunMetrics {
    /// The metrics of an outcome; `victims` are the (victim state, incident) pairs of the
    /// scenario's incidents.
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
            first_detection_minute: outcome
                .incidents
                .iter()
                .filter_map(|i| i.detected_minute)
                .min(),
            first_notice_abroad_minute: outcome.first_notice_abroad_minute,
            objectives_met: outcome
                .objectives
                .iter()
                .filter(|o| o.status == "met")
                .count(),
            objectives: outcome
                .objectives
                .iter()
                .map(|o| ObjectiveRun {
                    id: o.id.clone(),
                    met: o.status == "met",
                    cause: o.cause.clone(),
                })
                .collect(),
            injects: outcome
                .injects
                .iter()
                .map(|f| InjectRun {
                    id: f.id.clone(),
                    fired_minute: f.fired_minute,
                })
                .collect(),
            pairs: outcome
                .pairs
                .iter()
                .map(|p| PairRun {
                    a: p.a.clone(),
                    b: p.b.clone(),
                    peak: p.peak,
                })
                .collect(),
            incidents: outcome
                .incidents
                .iter()
                .map(|i| IncidentRun {
                    id: i.id.clone(),
                    detected_minute: i.detected_minute,
                    contained_minute: i.contained_minute,
                    first_notice_abroad_minute: i.first_notice_abroad_minute,
                })
                .collect(),
            blame: outcome
                .blame
                .iter()
                .map(|b| BlameRun {
                    state: b.state.clone(),
                    incident: b.incident.clone(),
                    suspect: b.blamed.clone(),
                    public: b.public.clone(),
                    truth: b.truth.clone(),
                })
                .collect(),
        }
    }
}

/// The (victim state, incident id) pairs of a scenario's scripted incidents.
pub fn victims(scenario: &Scenario) -> Vec<(String, String)> {
    scenario
        .injects
        .iter()
        .filter_map(|i| match &i.kind {
            InjectKind::Incident { target, .. } => {
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
pub fn run_seed(scenario: &Valid, victims: &[(String, String)], seed: u64) -> RunMetrics {
    let mut sim = Sim::headless(scenario, seed);
    sim.run_to_end();
    RunMetrics::of(&sim.outcome(), victims)
}

/// Runs the seeds on `jobs` threads (all cores when none); results in seed order whatever
/// the number of threads. `done` is called after each run (from any thread), for progress.
pub fn sweep(
    scenario: &Valid,
    seeds: std::ops::Range<u64>,
    jobs: Option<usize>,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<RunMetrics>, String> {
    sweep_with(scenario, seeds, jobs, done, &|seed| {
        Ok(Sim::headless(scenario, seed))
    })
}

/// Like [`sweep`], with each seed's run made by `start` (a branch's past with the seed's
/// future, for instance) and then run to the end.
pub fn sweep_with(
    scenario: &Valid,
    seeds: std::ops::Range<u64>,
    jobs: Option<usize>,
    done: &(dyn Fn() + Sync),
    start: &(dyn Fn(u64) -> Result<Sim, String> + Sync),
) -> Result<Vec<RunMetrics>, String> {
    let victims = victims(scenario);
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(j) = jobs {
        builder = builder.num_threads(j.max(1));
    }
    let pool = builder.build().map_err(|e| e.to_string())?;
    let seeds: Vec<u64> = seeds.collect();
    pool.install(|| {
        seeds
            .par_iter()
            .map(|&s| {
                let mut sim = start(s)?;
                sim.run_to_end();
                let run = RunMetrics::of(&sim.outcome(), &victims);
                done();
                Ok(run)
            })
            .collect()
    })
}
