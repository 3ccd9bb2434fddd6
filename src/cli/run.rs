//! `cyberdrill run SCENARIO [--seed N] [--journal FILE] [--json]`

use super::{EXIT_OK, EXIT_USAGE, load};
use crate::exercise::header;
use crate::journal::{self, JournalWriter, Line, Mode};
use crate::sim::{Outcome, Sim};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;

/// Runs a scenario headless to the end and prints its outcome; with a branch, continues a
/// journaled run from its branch point with the engine playing every team.
pub fn run(
    reference: Option<&str>,
    seed: Option<u64>,
    branch: &super::BranchArgs,
    journal_path: Option<&Path>,
    json: bool,
    timeline: bool,
) -> u8 {
    if let (Some(parent), Some(at)) = (&branch.branch, &branch.at) {
        if reference.is_some() {
            eprintln!(
                "error: give a scenario or --branch, not both (a branch runs its journal's scenario)"
            );
            return EXIT_USAGE;
        }
        return run_branch(parent, at, seed, journal_path, json, timeline);
    }
    let Some(reference) = reference else {
        eprintln!("error: give a scenario (a file or builtin:NAME), or --branch JOURNAL --at TIME");
        return EXIT_USAGE;
    };
    let seed = seed.unwrap_or(1);
    let loaded = match load::load(reference) {
        Ok(l) => l,
        Err(e) => return super::fail(e),
    };
    let writer = match journal_path {
        Some(path) => match JournalWriter::create(path, header(&loaded, seed, Mode::Headless)) {
            Ok(w) => Some(w),
            Err(e) => {
                eprintln!("error: cannot write journal {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
        None => None,
    };
    let sim = Sim::headless(&loaded.scenario, seed);
    finish(sim, writer, json, timeline)
}

/// What the engine plays from the branch point: every team, from the parent's random stream
/// or from a new seed.
pub fn engine_from_here(seed: Option<u64>) -> Vec<crate::sim::Control> {
    let mut then = vec![crate::sim::Control::Players { humans: Vec::new() }];
    if let Some(seed) = seed {
        then.push(crate::sim::Control::Reseed { seed });
    }
    then
}

fn run_branch(
    parent: &Path,
    at: &str,
    seed: Option<u64>,
    journal_path: Option<&Path>,
    json: bool,
    timeline: bool,
) -> u8 {
    let branch = match crate::exercise::branch::Branch::open(parent, at) {
        Ok(b) => b,
        Err(e) => return super::fail(e),
    };
    let then = engine_from_here(seed);
    let sim = match branch.sim(&then) {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    let writer = match journal_path {
        Some(path) => {
            let opened = branch
                .write(path, None, &then)
                .and_then(|()| JournalWriter::append_to(path).map_err(|e| e.to_string()));
            match opened {
                Ok(w) => Some(w),
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_USAGE;
                }
            }
        }
        None => None,
    };
    eprintln!(
        "branch of {} at {}: the engine plays every team from here{}",
        parent.display(),
        crate::sim::view::hhmm_span(branch.at * sim.tick_minutes()),
        seed.map_or(String::new(), |s| format!(
            ", the future drawn from seed {s}"
        ))
    );
    finish(sim, writer, json, timeline)
}

/// Runs to the end, ends the journal, prints.
fn finish(mut sim: Sim, mut writer: Option<JournalWriter>, json: bool, timeline: bool) -> u8 {
    let bar = progress(u64::from(sim.end_tick()));
    while sim.step() {
        if sim.tick().is_multiple_of(64) {
            bar.set_position(u64::from(sim.tick()));
        }
    }
    bar.finish_and_clear();
    let outcome = sim.outcome();
    if timeline {
        for (minute, line) in sim.facilitator_view().timeline {
            println!("{} {line}", crate::sim::view::hhmm_span(minute));
        }
        println!();
    }
    if let Some(w) = writer.as_mut()
        && let Err(e) = w.append(&Line::End {
            tick: sim.tick(),
            outcome_hash: journal::outcome_hash(&outcome),
        })
    {
        eprintln!("error: cannot write journal {}: {e}", w.path().display());
        return EXIT_USAGE;
    }
    print_outcome(&outcome, json);
    EXIT_OK
}

/// A progress bar on stderr, hidden when stderr is not a terminal.
pub fn progress(len: u64) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} ticks")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// Prints an outcome as JSON or as a readable summary.
pub fn print_outcome(outcome: &Outcome, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(outcome).unwrap_or_default()
        );
    } else {
        print!("{}", summary(outcome));
    }
}

/// The readable summary `run` prints.
pub fn summary(o: &Outcome) -> String {
    let mut out = String::new();
    let hours = f64::from(o.minutes) / 60.0;
    out.push_str(&format!(
        "{} — seed {}, {hours:.1} simulated hours{}\n",
        o.scenario,
        o.seed,
        if o.finished { "" } else { " (stopped early)" }
    ));
    out.push_str("\nIncidents (truth)\n");
    for i in &o.incidents {
        let t = |m: Option<u32>| m.map_or("never".to_string(), crate::sim::view::hhmm_span);
        out.push_str(&format!(
            "  {:<24} on {:<20} by {:<12} detected {:<7} contained {}\n",
            i.id,
            i.target,
            i.culprit,
            t(i.detected_minute),
            t(i.contained_minute)
        ));
    }
    out.push_str("\nAttribution (each state's top suspect)\n");
    for b in &o.blame {
        let public = b
            .public
            .as_ref()
            .map_or(String::new(), |p| format!("  publicly blamed {p}"));
        let verdict = match b.correct {
            Some(true) => "right",
            Some(false) => "WRONG",
            None => "",
        };
        out.push_str(&format!(
            "  {:<10} {:<24} {:<16} {:>5.1}%  {verdict}{public}\n",
            b.state,
            b.incident,
            b.blamed.as_deref().unwrap_or("no clear suspect"),
            b.probability * 100.0,
        ));
    }
    out.push_str(&format!(
        "  public attributions: {}, wrongful: {}\n",
        o.public_attributions, o.wrongful_attributions
    ));
    out.push_str(&format!(
        "\nEscalation (peak rung per pair; overall {})\n",
        o.peak_rung.label()
    ));
    for p in o
        .pairs
        .iter()
        .filter(|p| p.peak > crate::scenario::Rung::Routine)
    {
        out.push_str(&format!(
            "  {:<10} {:<10} peak {:<16} now {:<16} tension {:.2}\n",
            p.a,
            p.b,
            p.peak.label(),
            p.final_rung.label(),
            p.final_tension
        ));
    }
    out.push_str("\nInfrastructure downtime (sector-hours)\n");
    for (sector, h) in &o.downtime {
        out.push_str(&format!("  {sector:<14} {h:>7.2}\n"));
    }
    let m = &o.messages;
    out.push_str(&format!(
        "\nMessages: {} sent, {} delivered, {} acknowledged, {} bounced, {} in transit\n  acknowledged within 1 h {:.0}%, 2 h {:.0}%, 4 h {:.0}%; median time to acknowledge {}\n",
        m.sent,
        m.delivered,
        m.acknowledged,
        m.bounced,
        m.in_transit,
        m.acked_within_1h * 100.0,
        m.acked_within_2h * 100.0,
        m.acked_within_4h * 100.0,
        m.median_minutes_to_ack
            .map_or("not reached (fewer than half acknowledged)".to_string(), |x| format!("{x:.0} min"))
    ));
    out.push_str("\nObjectives\n");
    for ob in &o.objectives {
        out.push_str(&format!(
            "  [{:<6}] {}{}\n",
            ob.status,
            ob.title,
            ob.team
                .as_ref()
                .map_or(String::new(), |t| format!(" ({t})"))
        ));
        if let Some(reason) = &ob.reason {
            out.push_str(&format!("           {reason}\n"));
        }
    }
    let met = o.objectives.iter().filter(|x| x.status == "met").count();
    out.push_str(&format!("  {met} of {} met\n", o.objectives.len()));
    out
}
