//! The engine's outcomes, pinned: every shipped scenario, seeds 1 to 20, headless, hashed
//! as the journal hashes them. A change to the engine that is meant to keep the model as it
//! is (speed, structure) must leave every hash as it is; a change of the model updates the
//! pins on purpose (`CYBERDRILL_WRITE_PINS=1 cargo test --test outcome_pins`) and says why
//! in its commit.

use cyberdrill::sim::Sim;
use std::fmt::Write;

const PINS: &str = "tests/fixtures/outcome-pins.txt";

fn hashes() -> String {
    let mut out = String::new();
    for b in cyberdrill::builtin::SCENARIOS {
        let scenario = cyberdrill::scenario::from_str(b.file, b.source).expect("shipped");
        for seed in 1..=20 {
            let mut sim = Sim::headless(&scenario, seed);
            sim.run_to_end();
            let hash = cyberdrill::journal::outcome_hash(&sim.outcome());
            writeln!(out, "{} {seed} {hash}", b.name).unwrap();
        }
    }
    out
}

#[test]
fn every_shipped_scenario_keeps_its_pinned_outcomes() {
    let now = hashes();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PINS);
    if std::env::var_os("CYBERDRILL_WRITE_PINS").is_some() {
        std::fs::write(&path, &now).expect("write the pins");
        return;
    }
    let pinned = std::fs::read_to_string(&path).expect("the pins file");
    let changed: Vec<String> = pinned
        .lines()
        .zip(now.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, _)| a.rsplit_once(' ').map_or(a, |x| x.0).to_string())
        .collect();
    assert!(
        changed.is_empty() && pinned.lines().count() == now.lines().count(),
        "{} of {} outcomes moved (scenario seed): {}",
        changed.len(),
        now.lines().count(),
        changed.join(", ")
    );
}
