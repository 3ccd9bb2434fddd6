//! The scenario library: every `scenarios/*.ron` is valid with no warnings, is built into the
//! binary, runs headless to the end, and gives different outcomes over 200 seeds (a scenario
//! whose every run ends the same way teaches nothing a facilitator can discuss).
//!
//! The spread test prints, per scenario, the peak rung and the objectives-met count over the
//! seeds (`cargo test --test scenario_library -- --nocapture` shows it).

use cyberdrill::scenario::{Rung, check_bytes};
use cyberdrill::sim::Sim;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Seeds per scenario in the spread test (the same number the scenario headers quote).
const SEEDS: u64 = 200;

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Every `.ron` file in `scenarios/`, as (relative path, contents), in name order.
fn library() -> Vec<(String, Vec<u8>)> {
    let dir = repo_file("scenarios");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ron"))
        .map(|path| {
            let name = format!(
                "scenarios/{}",
                path.file_name().expect("a file name").to_string_lossy()
            );
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (name, bytes)
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 6,
        "expected at least 6 scenarios in scenarios/, found {}",
        files.len()
    );
    files
}

fn load(name: &str, bytes: &[u8]) -> cyberdrill::scenario::Valid {
    let checked = check_bytes(name, bytes);
    let rendered = checked.render(false);
    checked
        .into_valid()
        .unwrap_or_else(|| panic!("{name} is not valid:\n{rendered}"))
}

#[test]
fn every_scenario_is_valid_without_warnings() {
    let mut failures = Vec::new();
    for (name, bytes) in library() {
        let checked = check_bytes(&name, &bytes);
        if !checked.is_valid() || checked.warnings() > 0 {
            failures.push(format!(
                "{name}: {} error(s), {} warning(s)\n{}",
                checked.errors(),
                checked.warnings(),
                checked.render(false)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_scenario_is_built_in() {
    for (name, bytes) in library() {
        let builtin = cyberdrill::builtin::SCENARIOS
            .iter()
            .find(|b| b.file == name)
            .unwrap_or_else(|| panic!("{name} is not in src/builtin.rs"));
        assert_eq!(
            builtin.source.as_bytes(),
            bytes.as_slice(),
            "the built-in copy of {name} differs from the file"
        );
        let stem = name
            .trim_start_matches("scenarios/")
            .trim_end_matches(".ron");
        assert_eq!(builtin.name, stem, "built-in name of {name}");
    }
}

#[test]
fn every_scenario_runs_to_the_end_headless() {
    for (name, bytes) in library() {
        let scenario = load(&name, &bytes);
        let mut sim = Sim::headless(&scenario, 7);
        sim.run_to_end();
        let outcome = sim.outcome();
        assert!(outcome.finished, "{name}: the run stopped before the end");
        assert_eq!(
            outcome.objectives.len(),
            scenario.objectives.len(),
            "{name}: every objective has an outcome"
        );
        assert!(
            outcome.objectives.iter().all(|o| o.status != "open"),
            "{name}: an objective is still open at the end"
        );
    }
}

/// Peak rung and objectives met of one headless run.
fn summary(scenario: &cyberdrill::scenario::Valid, seed: u64) -> (Rung, usize, bool) {
    let mut sim = Sim::headless(scenario, seed);
    sim.run_to_end();
    let outcome = sim.outcome();
    let met = outcome
        .objectives
        .iter()
        .filter(|o| o.status == "met")
        .count();
    (outcome.peak_rung, met, outcome.finished)
}

#[test]
fn outcomes_vary_across_seeds() {
    let mut dull = Vec::new();
    for (name, bytes) in library() {
        let scenario = load(&name, &bytes);
        let runs: Vec<(Rung, usize, bool)> = (0..SEEDS)
            .into_par_iter()
            .map(|seed| summary(&scenario, seed))
            .collect();
        assert!(
            runs.iter().all(|r| r.2),
            "{name}: some runs did not reach the end"
        );
        let mut peaks: BTreeMap<Rung, usize> = BTreeMap::new();
        let mut met: BTreeMap<usize, usize> = BTreeMap::new();
        for &(rung, m, _) in &runs {
            *peaks.entry(rung).or_default() += 1;
            *met.entry(m).or_default() += 1;
        }
        let peaks_text: Vec<String> = peaks.iter().map(|(r, n)| format!("{r:?} {n}")).collect();
        let met_text: Vec<String> = met.iter().map(|(m, n)| format!("{m}: {n}")).collect();
        println!(
            "{name} over {SEEDS} seeds: peak rung [{}]; objectives met of {} [{}]",
            peaks_text.join(", "),
            scenario.objectives.len(),
            met_text.join(", ")
        );
        if peaks.len() < 2 && met.len() < 2 {
            dull.push(name);
        }
    }
    assert!(
        dull.is_empty(),
        "every run ends the same way (one peak rung and one objectives-met count) in: {}",
        dull.join(", ")
    );
}
