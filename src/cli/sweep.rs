//! `cyberdrill sweep` (Monte-Carlo over seeds, in parallel) and `merge` (shards into one).
//!
//! The numbers come from [`crate::analysis`]; this module loads, runs and prints.

use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE, load};
use crate::analysis::{self, RunMetrics, SCHEMA, Summary, summarise};
use crate::report::table::{fit, percent};
use crate::sim::view::hhmm_span;
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub use crate::analysis::sweep;

/// What `sweep --json` writes: the summary, and the runs so shards can be merged. Its form is
/// documented in `docs/sweep-json.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    /// The schema version ([`SCHEMA`]); files without one are from before versioning.
    #[serde(default = "unversioned")]
    pub schema: u32,
    pub scenario: String,
    /// SHA-256 of the scenario's text (of the variant's, with `--set`).
    pub scenario_hash: String,
    /// The `--set` overrides the runs were made with, in order.
    #[serde(default)]
    pub sets: Vec<String>,
    /// With `--branch`: the journal and the branch point the runs continue from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<BranchPoint>,
    pub summary: Summary,
    /// The runs, in seed order.
    pub runs: Vec<RunMetrics>,
}

/// Where the runs of a branch sweep start from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BranchPoint {
    pub journal: String,
    /// The branch point, a tick, and the minute it stands for.
    pub tick: u32,
    pub minute: u32,
}

fn unversioned() -> u32 {
    1
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

/// The seeds that `--runs` and `--seeds` name together.
pub fn seed_range(seeds: &super::Seeds) -> Result<std::ops::Range<u64>, String> {
    match (seeds.runs, seeds.seeds) {
        (None, None) => Err("give --runs N or --seeds A..B".into()),
        (Some(0), _) => Err("--runs must be at least 1".into()),
        (Some(n), None) => Ok(0..n),
        (None, Some((a, b))) => Ok(a..b),
        (Some(n), Some((a, b))) => Ok(a..a.saturating_add(n).min(b)),
    }
}

/// A progress bar over runs on stderr, hidden when stderr is not a terminal.
pub fn progress(runs: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(runs);
    let what = if what.is_empty() {
        String::new()
    } else {
        format!(" {what}")
    };
    let template = format!("{{bar:40}} {{pos}}/{{len}} runs{what}, {{eta}} left");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Loads (with overrides) and sweeps; the report, or the exit code after saying why.
pub fn sweep_report(
    reference: &str,
    sets: &[String],
    range: std::ops::Range<u64>,
    jobs: Option<usize>,
    bar: &ProgressBar,
) -> Result<SweepReport, u8> {
    let loaded = load::load_variant(reference, sets).map_err(super::fail)?;
    let runs = sweep(&loaded.scenario, range, jobs, &|| bar.inc(1)).map_err(|e| {
        eprintln!("error: {e}");
        EXIT_USAGE
    })?;
    Ok(SweepReport {
        schema: SCHEMA,
        scenario: loaded.scenario.meta.id.clone(),
        scenario_hash: loaded.hash,
        sets: sets.to_vec(),
        branch: None,
        summary: summarise(&runs),
        runs,
    })
}

/// Sweeps the future of a branch: the journal's past up to the branch point, then per seed
/// the engine playing every team with the future drawn from that seed.
pub fn branch_report(
    parent: &std::path::Path,
    at: &str,
    range: std::ops::Range<u64>,
    jobs: Option<usize>,
    bar: &ProgressBar,
) -> Result<SweepReport, u8> {
    let branch = crate::exercise::branch::Branch::open(parent, at).map_err(super::fail)?;
    let start = |seed: u64| {
        branch
            .sim(&super::run::engine_from_here(Some(seed)))
            .map_err(|e| e.to_string())
    };
    let scenario = &branch.loaded.scenario;
    let runs =
        analysis::sweep_with(scenario, range, jobs, &|| bar.inc(1), &start).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_INVALID
        })?;
    let tick_minutes = scenario.clock.tick_minutes.max(1);
    Ok(SweepReport {
        schema: SCHEMA,
        scenario: scenario.meta.id.clone(),
        scenario_hash: branch.identity(),
        sets: Vec::new(),
        branch: Some(BranchPoint {
            journal: parent.display().to_string(),
            tick: branch.at,
            minute: branch.at * tick_minutes,
        }),
        summary: summarise(&runs),
        runs,
    })
}

/// The CLI entry point.
pub fn run(
    reference: Option<&str>,
    branch: &super::BranchArgs,
    seeds: &super::Seeds,
    sets: &[String],
    json: bool,
) -> u8 {
    let range = match seed_range(seeds) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let bar = progress(range.end - range.start, "");
    let report = match (reference, &branch.branch, &branch.at) {
        (None, Some(parent), Some(at)) if sets.is_empty() => {
            branch_report(parent, at, range, seeds.jobs, &bar)
        }
        (Some(reference), None, _) => sweep_report(reference, sets, range, seeds.jobs, &bar),
        (None, None, _) => {
            eprintln!(
                "error: give a scenario (a file or builtin:NAME), or --branch JOURNAL --at TIME"
            );
            return EXIT_USAGE;
        }
        _ => {
            eprintln!(
                "error: a branch sweep runs its journal's scenario as it was: no scenario and no --set with --branch"
            );
            return EXIT_USAGE;
        }
    };
    let report = match report {
        Ok(r) => r,
        Err(code) => return code,
    };
    bar.finish_and_clear();
    crate::report::table::emit(&report, json, human);
    EXIT_OK
}

/// The readable report: aligned tables no wider than 100 columns.
pub fn human(report: &SweepReport) -> String {
    use std::fmt::Write;
    let s = &report.summary;
    let mut out = String::new();
    let seeds = match (report.runs.first(), report.runs.last()) {
        (Some(a), Some(b)) => format!(" (seeds {}..{})", a.seed, b.seed + 1),
        _ => String::new(),
    };
    let _ = writeln!(out, "{}: {} runs{seeds}", report.scenario, s.runs);
    for set in &report.sets {
        let _ = writeln!(out, "  with --set {set}");
    }
    if let Some(b) = &report.branch {
        let _ = writeln!(
            out,
            "  from {} at {}: the past as played, then per seed the engine playing every team",
            b.journal,
            hhmm_span(b.minute)
        );
    }
    let _ = writeln!(
        out,
        "\n  {:<46} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "metric", "mean", "median", "p5", "p95", "runs"
    );
    let order = analysis::series::series(&report.runs);
    for key in order.iter().map(|x| &x.key) {
        if let Some(d) = s.metrics.get(key) {
            let _ = writeln!(
                out,
                "  {:<46} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>6}",
                fit(key, 46),
                d.mean,
                d.median,
                d.p5,
                d.p95,
                d.n
            );
        }
    }
    let _ = writeln!(out, "\n  share of runs reaching each rung (any pair)");
    for r in &s.reached {
        let _ = writeln!(out, "  {:<46} {:>7}", r.rung.label(), percent(r.share));
    }
    if !s.pairs.is_empty() {
        let _ = writeln!(
            out,
            "\n  {:<34} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
            "pair: share of runs reaching",
            "Concern",
            "Démar.",
            "Sanct.",
            "Counter",
            "Retal.",
            "Armed"
        );
        for p in &s.pairs {
            let cells: Vec<String> = p
                .reached
                .iter()
                .map(|x| format!("{:>8}", percent(x.share)))
                .collect();
            let _ = writeln!(
                out,
                "  {:<34} {}",
                fit(&format!("{}–{}", p.a, p.b), 34),
                cells.join(" ")
            );
        }
    }
    let _ = writeln!(
        out,
        "\n  {:<46} {:>7}\n  {:<46} {:>7}",
        "runs with a wrongful public attribution",
        percent(s.share_wrongful_attribution),
        "runs where a victim suspects the wrong party",
        percent(s.share_misattributed)
    );
    if !s.objectives.is_empty() {
        let _ = writeln!(
            out,
            "\n  {:<40} {:>7}  most common cause when missed (share of misses)",
            "objective", "met"
        );
        for o in &s.objectives {
            let missed: usize = o.causes.values().sum();
            let cause = o.missed_because.as_ref().map_or(String::new(), |c| {
                let k = o.causes.get(c).copied().unwrap_or(0);
                format!("{} ({})", c, percent(k as f64 / missed.max(1) as f64))
            });
            let _ = writeln!(
                out,
                "  {:<40} {:>7}  {}",
                fit(&o.id, 40),
                percent(o.met),
                fit(&cause, 48)
            );
        }
    }
    if !s.blame.is_empty() {
        let _ = writeln!(
            out,
            "\n  blame at the end: share of runs naming each candidate (* the responsible party)"
        );
        let mut incident = "";
        for b in &s.blame {
            if b.incident != incident {
                incident = &b.incident;
                let _ = writeln!(
                    out,
                    "  {} (responsible: {})",
                    fit(&b.incident, 60),
                    fit(&b.truth, 30)
                );
            }
            for (i, (what, shares)) in [("suspects", &b.suspect), ("public", &b.public)]
                .iter()
                .filter(|x| !x.1.is_empty())
                .enumerate()
            {
                let cells: Vec<String> = shares
                    .iter()
                    .map(|c| {
                        let mark = if c.candidate == b.truth { "*" } else { "" };
                        format!("{}{mark} {}", c.candidate, percent(c.share))
                    })
                    .collect();
                let state = if i == 0 {
                    fit(&b.state, 14)
                } else {
                    String::new()
                };
                for (j, line) in crate::report::table::wrap(&cells, "  ", 100 - 30)
                    .iter()
                    .enumerate()
                {
                    let (state, what) = if j == 0 {
                        (state.as_str(), *what)
                    } else {
                        ("", "")
                    };
                    let _ = writeln!(out, "    {state:<14} {what:<9} {line}");
                }
            }
        }
    }
    if !s.injects.is_empty() {
        let _ = writeln!(out, "\n  {:<46} {:>7}  median time", "inject", "fired");
        for i in &s.injects {
            let _ = writeln!(
                out,
                "  {:<46} {:>7}  {}",
                fit(&i.id, 46),
                percent(i.fired),
                i.median_minute.map_or("never fired".to_string(), hhmm_span)
            );
        }
    }
    crate::report::table::trim_lines(&out)
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
                    "error: {} is not sweep JSON (from `sweep --json`, schema {SCHEMA}): {e}",
                    path.display()
                );
                return EXIT_INVALID;
            }
        };
        if report.schema != SCHEMA {
            eprintln!(
                "error: {} is sweep JSON of schema {}, this cyberdrill reads schema {SCHEMA}; \
                 run its sweep again with this version",
                path.display(),
                report.schema
            );
            return EXIT_INVALID;
        }
        match &mut merged {
            None => merged = Some(report),
            Some(m) => {
                if m.scenario_hash != report.scenario_hash {
                    eprintln!(
                        "error: {} comes from a different scenario, variant or version than the \
                         first file",
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
    crate::report::table::emit(&m, json, human);
    EXIT_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_ranges_from_runs_and_seeds() {
        let r = |runs, seeds| {
            seed_range(&crate::cli::Seeds {
                runs,
                seeds,
                jobs: None,
            })
        };
        assert_eq!(r(Some(5), None), Ok(0..5));
        assert_eq!(r(None, Some((3, 9))), Ok(3..9));
        assert_eq!(r(Some(2), Some((3, 9))), Ok(3..5));
        assert_eq!(r(Some(20), Some((3, 9))), Ok(3..9));
        assert!(r(None, None).is_err());
        assert!(r(Some(0), None).is_err());
    }

    #[test]
    fn the_readable_report_fits_100_columns() {
        let b = crate::builtin::find("flagship").unwrap();
        let scenario = crate::scenario::from_str(b.file, b.source).unwrap();
        let runs = sweep(&scenario, 0..6, Some(1), &|| {}).unwrap();
        let report = SweepReport {
            schema: SCHEMA,
            scenario: "flagship".into(),
            scenario_hash: String::new(),
            sets: vec![],
            branch: None,
            summary: summarise(&runs),
            runs,
        };
        let text = human(&report);
        for line in text.lines() {
            assert!(
                line.chars().count() <= 100,
                "{} wide: {line}",
                line.chars().count()
            );
        }
        assert!(text.contains("blame at the end"), "{text}");
    }
}
