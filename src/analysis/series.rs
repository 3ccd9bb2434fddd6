//! Every metric of a sweep as one value per run, under a stable key, so two sweeps can be
//! compared metric by metric and seed by seed.
//!
//! Keys: plain names for run-level numbers (`peak_rung`, `median_minutes_to_ack`); a name
//! with a bracketed part for per-sector, per-incident, per-objective, per-pair and per-blame
//! metrics (`downtime_sector_hours[Energy]`, `objective[obj-ack].met`,
//! `pair[varesh,kelmora].reached[Sanctions]`, `blame[varesh,ddos-vcb].suspect[kelmora]`).

use super::RunMetrics;
use crate::scenario::Rung;

/// What kind of value a metric has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A number per run (a count, minutes, sector-hours); compared by mean and median.
    Number,
    /// Whether something happened in a run (1 or 0); compared as a share of runs. A share
    /// missing from a run counts as 0 (that suspect was not blamed, that rung not reached).
    Share,
}

/// One metric's value in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub key: String,
    pub kind: Kind,
    pub value: f64,
}

fn number(out: &mut Vec<Value>, key: impl Into<String>, value: Option<f64>) {
    if let Some(value) = value {
        out.push(Value {
            key: key.into(),
            kind: Kind::Number,
            value,
        });
    }
}

fn share(out: &mut Vec<Value>, key: impl Into<String>, happened: bool) {
    out.push(Value {
        key: key.into(),
        kind: Kind::Share,
        value: if happened { 1.0 } else { 0.0 },
    });
}

/// The metrics of one run, in a fixed order (numbers first, then shares, each in the order
/// `sweep` prints them). A number with no value in this run (no notice abroad, fewer than
/// half the messages acknowledged) is left out; a share is 1 or 0.
pub fn values(run: &RunMetrics) -> Vec<Value> {
    let mut out = Vec::new();
    let v = &mut out;
    number(v, "peak_rung", Some(run.peak_rung.level() as f64));
    number(v, "objectives_met", Some(run.objectives_met as f64));
    number(
        v,
        "public_attributions",
        Some(run.public_attributions as f64),
    );
    number(
        v,
        "wrongful_attributions",
        Some(run.wrongful_attributions as f64),
    );
    number(
        v,
        "first_detection_minute",
        run.first_detection_minute.map(f64::from),
    );
    number(
        v,
        "first_notice_abroad_minute",
        run.first_notice_abroad_minute.map(f64::from),
    );
    for i in &run.incidents {
        number(
            v,
            format!("first_notice_abroad_minute[{}]", i.id),
            i.first_notice_abroad_minute.map(f64::from),
        );
    }
    number(v, "median_minutes_to_ack", run.median_minutes_to_ack);
    number(v, "acked_within_2h", Some(run.acked_within_2h));
    number(v, "bounced_messages", Some(run.bounced as f64));
    number(v, "downtime_total_sector_hours", Some(run.downtime_total));
    for (sector, hours) in &run.downtime {
        number(v, format!("downtime_sector_hours[{sector}]"), Some(*hours));
    }
    for rung in &Rung::ALL[1..] {
        share(v, format!("reached[{rung:?}]"), run.peak_rung >= *rung);
    }
    share(v, "wrongful_attribution", run.wrongful_attributions > 0);
    share(v, "misattributed", run.misattributed);
    for o in &run.objectives {
        share(v, format!("objective[{}].met", o.id), o.met);
    }
    for p in &run.pairs {
        for rung in &Rung::ALL[1..] {
            share(
                v,
                format!("pair[{},{}].reached[{rung:?}]", p.a, p.b),
                p.peak >= *rung,
            );
        }
    }
    for i in &run.injects {
        share(
            v,
            format!("inject[{}].fired", i.id),
            i.fired_minute.is_some(),
        );
    }
    for b in &run.blame {
        if let Some(s) = &b.suspect {
            share(
                v,
                format!("blame[{},{}].suspect[{s}]", b.state, b.incident),
                true,
            );
        }
        if let Some(p) = &b.public {
            share(
                v,
                format!("blame[{},{}].public[{p}]", b.state, b.incident),
                true,
            );
        }
    }
    out
}

/// A metric over many runs: its key, kind and the value in each run (none: a number that
/// run does not have).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub key: String,
    pub kind: Kind,
    pub values: Vec<Option<f64>>,
}

/// Every metric over the runs, keyed and in first-seen order (the runs' order decides
/// it, so it is the same for the same runs). A share absent from a run is 0 there.
pub fn series(runs: &[RunMetrics]) -> Vec<Series> {
    let mut order: Vec<Series> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (r, run) in runs.iter().enumerate() {
        for value in values(run) {
            let at = *index.entry(value.key.clone()).or_insert_with(|| {
                order.push(Series {
                    key: value.key.clone(),
                    kind: value.kind,
                    values: vec![None; runs.len()],
                });
                order.len() - 1
            });
            order[at].values[r] = Some(value.value);
        }
    }
    for s in &mut order {
        if s.kind == Kind::Share {
            s.values
                .iter_mut()
                .for_each(|v| *v = Some(v.unwrap_or(0.0)));
        }
    }
    order
}
