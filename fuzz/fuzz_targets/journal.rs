//! Any bytes as a journal (`Journal::parse`, as `replay`, `report`, `diff` and `--resume`
//! read one), then, when it parses, replayed against the built-in scenario it names (the
//! flagship when it names none) the way `replay` and `play --resume` do, through the library.
//! The scenario hash is not required to match: anyone can write the right one.
#![no_main]

use cyberdrill::exercise::replay;
use cyberdrill::journal::{self, Journal};
use cyberdrill_fuzz::{builtin, flagship};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Replays stop here: about a simulated day at 5-minute ticks.
const CAP: u32 = 288;

fuzz_target!(|data: &[u8]| {
    let Ok(j) = Journal::parse(data) else {
        return;
    };
    let _ = journal::current_humans(&j);
    let _ = journal::prefix_hash(&j, j.reached);
    let scenario = builtin(&j.scenario).unwrap_or_else(flagship);
    let path = Path::new("fuzz.jsonl");
    let sim = if j.reached <= CAP {
        replay::resume(&j, scenario, path)
    } else {
        replay::rebuild(&j, scenario, CAP, path)
    };
    let Ok(sim) = sim else {
        return;
    };
    for t in &scenario.teams {
        let _ = sim.team_view(&t.id);
    }
    let outcome = sim.outcome();
    if let Some((_, hash)) = &j.end {
        let _ = *hash == journal::outcome_hash(&outcome);
    }
});
