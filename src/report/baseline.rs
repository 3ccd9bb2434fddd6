//! A played run against the engine: the same scenario run N times with the engine playing
//! every team, and the played run placed in that distribution.

use crate::analysis::{RunMetrics, victims};
use crate::scenario::Valid;
use crate::sim::Outcome;
use rayon::prelude::*;
use serde::Serialize;

/// One objective: how the played run did, and how often the engine meets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveBaseline {
    pub id: String,
    pub title: String,
    pub played: String,
    /// Share of the engine's runs that met it.
    pub engine_met: f64,
}

/// One measure: the played value and where it falls among the engine's runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasureBaseline {
    pub measure: String,
    /// The played run's value (none: it has none, e.g. no notice abroad).
    pub played: Option<f64>,
    /// Share of the engine's runs (with a value) below the played value, plus half of those
    /// equal to it: 0.5 is the middle.
    pub percentile: Option<f64>,
    pub engine_median: Option<f64>,
    pub engine_p5: Option<f64>,
    pub engine_p95: Option<f64>,
    pub engine_min: Option<f64>,
    pub engine_max: Option<f64>,
    /// How many engine runs have a value.
    pub engine_runs: usize,
}

/// The played run among the engine's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    pub runs: usize,
    pub seeds: (u64, u64),
    /// When the played run stopped before the end: the minute the engine's runs are
    /// stopped at too, so both are compared at the same moment.
    pub at_minute: Option<u32>,
    pub objectives: Vec<ObjectiveBaseline>,
    pub measures: Vec<MeasureBaseline>,
}

impl Baseline {
    /// The sentence that says what the run is placed among.
    pub fn summary(&self) -> String {
        format!(
            "The same scenario run {} times (seeds {}..{}) with the engine playing every team; this run placed among them{}.",
            self.runs,
            self.seeds.0,
            self.seeds.1,
            self.at_minute.map_or(String::new(), |m| format!(
                ", both at {} where this run stopped",
                crate::sim::view::hhmm_span(m)
            ))
        )
    }
}

impl MeasureBaseline {
    /// The cells a report shows: this run's value, its percentile, and the engine's median
    /// with p5–p95.
    pub fn cells(&self) -> [String; 3] {
        let num = |x: Option<f64>| x.map_or("—".to_string(), |x| format!("{x:.2}"));
        [
            num(self.played),
            self.percentile.map_or("—".to_string(), |p| {
                super::ordinal((p * 100.0).round() as u32)
            }),
            format!(
                "{} ({}–{})",
                num(self.engine_median),
                num(self.engine_p5),
                num(self.engine_p95)
            ),
        ]
    }
}

/// The measures compared, and how to read each from a run.
type Measure = (&'static str, fn(&RunMetrics) -> Option<f64>);

const MEASURES: [Measure; 7] = [
    ("peak rung (0 Routine … 6 ArmedConflict)", |r| {
        Some(r.peak_rung.level() as f64)
    }),
    ("objectives met", |r| Some(r.objectives_met as f64)),
    ("wrongful public attributions", |r| {
        Some(r.wrongful_attributions as f64)
    }),
    ("downtime (sector-hours)", |r| Some(r.downtime_total)),
    ("first notice abroad (minutes from the incident)", |r| {
        r.first_notice_abroad_minute.map(f64::from)
    }),
    ("median minutes to acknowledge", |r| r.median_minutes_to_ack),
    ("share acknowledged within 2 h", |r| Some(r.acked_within_2h)),
];

/// Runs the scenario on `runs` seeds with the engine playing and places `played` among them
/// (at the moment `played` stopped, when it did not reach the end).
pub fn baseline(scenario: &Valid, played: &Outcome, runs: u64) -> Result<Baseline, String> {
    if runs == 0 {
        return Err("--baseline needs at least one run".into());
    }
    let victims = victims(scenario);
    let stop = (!played.finished).then_some(played.minutes);
    let engine: Vec<RunMetrics> = (0..runs)
        .into_par_iter()
        .map(|seed| {
            let mut sim = crate::sim::Sim::headless(scenario, seed);
            match stop {
                Some(minute) => while sim.minute() < minute && sim.step() {},
                None => sim.run_to_end(),
            }
            RunMetrics::of(&sim.outcome(), &victims)
        })
        .collect();
    let mine = RunMetrics::of(played, &victims);
    let objectives = played
        .objectives
        .iter()
        .map(|o| ObjectiveBaseline {
            id: o.id.clone(),
            title: o.title.clone(),
            played: o.status.clone(),
            engine_met: engine
                .iter()
                .filter(|r| r.objectives.iter().any(|x| x.id == o.id && x.met))
                .count() as f64
                / engine.len().max(1) as f64,
        })
        .collect();
    let measures = MEASURES
        .iter()
        .map(|(name, read)| {
            let mut values: Vec<f64> = engine.iter().filter_map(read).collect();
            values.sort_by(f64::total_cmp);
            let value = read(&mine);
            let q = |p: f64| {
                (!values.is_empty()).then(|| crate::analysis::stats::quantile_sorted(&values, p))
            };
            MeasureBaseline {
                measure: name.to_string(),
                played: value,
                percentile: value.filter(|_| !values.is_empty()).map(|v| {
                    let below = values.iter().filter(|x| **x < v).count() as f64;
                    let equal = values.iter().filter(|x| **x == v).count() as f64;
                    (below + equal / 2.0) / values.len() as f64
                }),
                engine_median: (!values.is_empty())
                    .then(|| crate::analysis::stats::median_sorted(&values)),
                engine_p5: q(0.05),
                engine_p95: q(0.95),
                engine_min: values.first().copied(),
                engine_max: values.last().copied(),
                engine_runs: values.len(),
            }
        })
        .collect();
    Ok(Baseline {
        runs: engine.len(),
        seeds: (0, runs),
        at_minute: stop,
        objectives,
        measures,
    })
}
