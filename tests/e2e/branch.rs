//! Branches ("what if we had…"): a branch rebuilds its parent's run exactly up to the branch
//! point and goes on differently from there; `replay` checks it against its parent; sweeps
//! of a branch re-roll only the future.

use assert_cmd::Command as Bin;
use cyberdrill::exercise::Exercise;
use cyberdrill::exercise::branch::Branch;
use cyberdrill::exercise::{self as run, load, replay};
use cyberdrill::journal::{self, JournalWriter, Line, Mode};
use cyberdrill::sim::{Command, Control, Sim};
use serde_json::Value;
use std::path::Path;

const TEAM: &str = "team-varesh";

/// A played flagship journal: Varesh played by a person who makes a statement of restraint at
/// +04:00 and calls the hotline at +20:00; the run goes to the end.
fn played(path: &Path) {
    let loaded = load::load("builtin:flagship").expect("the flagship loads");
    let mut header = run::play_header(&loaded, 3, TEAM, &[TEAM.to_string()]);
    if let Line::Header { mode, .. } = &mut header {
        *mode = Mode::Play;
    }
    let writer = JournalWriter::create(path, header).expect("journal");
    let sim = Sim::with_players(&loaded.scenario, 3, &[TEAM.to_string()]);
    let mut ex = Exercise::new(sim, Some(writer));
    while ex.sim.tick() < 48 {
        ex.step();
    }
    ex.submit(
        TEAM,
        Command::RestraintStatement {
            text: "Varesh will not act before the facts are known".into(),
        },
    )
    .expect("a statement");
    while ex.sim.tick() < 240 {
        ex.step();
    }
    ex.submit(
        TEAM,
        Command::HotlineCall {
            state: "kelmora".into(),
        },
    )
    .expect("a call");
    while ex.step() {}
}

fn bin(dir: &Path, args: &[&str]) -> std::process::Output {
    Bin::cargo_bin("cyberdrill")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = bin(dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_branch_is_its_parent_up_to_the_branch_point() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("parent.jsonl");
    played(&parent);
    let (journal, loaded) = replay::open(&parent, None).unwrap();
    for at in [0, 47, 48, 49, 200, 240, 241] {
        let branch = Branch::open(&parent, &at.to_string()).unwrap();
        let sim = branch
            .sim(&[Control::Players {
                humans: vec![TEAM.into()],
            }])
            .unwrap();
        let rebuilt = replay::rebuild(&journal, &loaded.scenario, at, &parent).unwrap();
        assert_eq!(sim.tick(), at);
        assert_eq!(
            journal::outcome_hash(&sim.outcome()),
            journal::outcome_hash(&rebuilt.outcome()),
            "the outcome so far at tick {at}"
        );
        assert_eq!(
            format!("{:?}", sim.team_view(TEAM).unwrap()),
            format!("{:?}", rebuilt.team_view(TEAM).unwrap()),
            "the team's view at tick {at}"
        );
        assert_eq!(
            format!("{:?}", sim.facilitator_view()),
            format!("{:?}", rebuilt.facilitator_view()),
            "the ground truth at tick {at}"
        );
    }
}

#[test]
fn the_same_future_is_the_parent_and_a_different_decision_changes_it() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("parent.jsonl");
    played(&parent);
    let (journal, _) = replay::open(&parent, None).unwrap();
    let end_hash = journal.end.clone().expect("the parent ended").1;
    // Branch at +20:00 and make the same call: the same run.
    let branch = Branch::open(&parent, "+20:00").unwrap();
    let then = [Control::Players {
        humans: vec![TEAM.into()],
    }];
    let mut same = branch.sim(&then).unwrap();
    same.submit(
        TEAM,
        Command::HotlineCall {
            state: "kelmora".into(),
        },
    )
    .unwrap();
    same.run_to_end();
    assert_eq!(journal::outcome_hash(&same.outcome()), end_hash);
    // Branch there and issue a démarche instead of calling: another future.
    let mut other = branch.sim(&then).unwrap();
    let contact = branch
        .loaded
        .scenario
        .contacts
        .iter()
        .find(|c| c.organisation == "kel-mfa" && c.id != "kel-mfa-hotline")
        .map(|c| c.id.clone())
        .expect("a Kelmoran ministry contact");
    other
        .submit(
            TEAM,
            Command::Demarche {
                to: contact,
                text: "Varesh protests the attacks".into(),
            },
        )
        .unwrap();
    other.run_to_end();
    assert_ne!(journal::outcome_hash(&other.outcome()), end_hash);
}

#[test]
fn branch_journals_replay_and_check_their_parent() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    played(&d.join("parent.jsonl"));
    // A headless branch, then a branch of that branch.
    ok(
        d,
        &[
            "run",
            "--branch",
            "parent.jsonl",
            "--at",
            "+10:00",
            "--seed",
            "7",
            "--journal",
            "b1.jsonl",
        ],
    );
    ok(d, &["replay", "b1.jsonl"]);
    ok(
        d,
        &[
            "run",
            "--branch",
            "b1.jsonl",
            "--at",
            "+30:00",
            "--journal",
            "b2.jsonl",
        ],
    );
    ok(d, &["replay", "b2.jsonl"]);
    let header: Value = serde_json::from_str(
        std::fs::read_to_string(d.join("b2.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["parent"]["journal"], "b1.jsonl");
    assert_eq!(header["parent"]["at"], 360);
    // A branch re-rolled from seed 7 differs from the one that kept the parent's stream.
    ok(
        d,
        &[
            "run",
            "--branch",
            "parent.jsonl",
            "--at",
            "+10:00",
            "--journal",
            "b3.jsonl",
        ],
    );
    let end = |f: &str| {
        std::fs::read_to_string(d.join(f))
            .unwrap()
            .lines()
            .last()
            .unwrap()
            .to_string()
    };
    assert_ne!(end("b1.jsonl"), end("b3.jsonl"));
    // The parent changes before the branch point: the branch no longer replays.
    let text = std::fs::read_to_string(d.join("parent.jsonl")).unwrap();
    let changed = text.replace("before the facts are known", "before the facts are in");
    assert_ne!(changed, text);
    std::fs::write(d.join("parent.jsonl"), changed).unwrap();
    let out = bin(d, &["replay", "b1.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has changed before the branch point"));
    // A parent that changes after the branch point does not matter; a missing one is a note.
    std::fs::write(d.join("parent.jsonl"), text).unwrap();
    ok(d, &["replay", "b1.jsonl"]);
    std::fs::remove_file(d.join("parent.jsonl")).unwrap();
    let out = bin(d, &["replay", "b1.jsonl"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not here"));
}

#[test]
fn a_branch_sweep_varies_only_the_future() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(
        d,
        &[
            "run",
            "builtin:comms-check",
            "--seed",
            "5",
            "--journal",
            "parent.jsonl",
        ],
    );
    // At the last tick everything is past: every run is the same.
    let last: Value = serde_json::from_str(&ok(
        d,
        &[
            "sweep",
            "--branch",
            "parent.jsonl",
            "--at",
            "+12:00",
            "--runs",
            "6",
            "--json",
        ],
    ))
    .unwrap();
    for (key, d) in last["summary"]["metrics"].as_object().unwrap() {
        assert_eq!(d["p5"], d["p95"], "{key} varies at the end: {d}");
    }
    assert_eq!(last["branch"]["tick"], 144);
    // At tick 0 nothing is past: it is a plain sweep of the scenario.
    let zero: Value = serde_json::from_str(&ok(
        d,
        &[
            "sweep",
            "--branch",
            "parent.jsonl",
            "--at",
            "0",
            "--runs",
            "6",
            "--json",
        ],
    ))
    .unwrap();
    let plain: Value = serde_json::from_str(&ok(
        d,
        &["sweep", "builtin:comms-check", "--runs", "6", "--json"],
    ))
    .unwrap();
    assert_eq!(zero["summary"], plain["summary"]);
    assert_eq!(zero["runs"], plain["runs"]);
    // In between, the past is fixed and the future varies.
    let mid: Value = serde_json::from_str(&ok(
        d,
        &[
            "sweep",
            "--branch",
            "parent.jsonl",
            "--at",
            "+08:00",
            "--runs",
            "20",
            "--json",
        ],
    ))
    .unwrap();
    let first = &mid["summary"]["metrics"]["first_detection_minute"];
    assert_eq!(
        first["p5"], first["p95"],
        "the first detection is in the past: {first}"
    );
    // Wrong moments are errors with a message.
    let out = bin(
        d,
        &[
            "sweep",
            "--branch",
            "parent.jsonl",
            "--at",
            "+08:07",
            "--runs",
            "2",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not on a tick"));
}

#[test]
fn diff_names_where_two_runs_part_and_what_ends_differently() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    played(&d.join("parent.jsonl"));
    // The branch at +20:00: a démarche instead of the hotline call.
    let branch = Branch::open(&d.join("parent.jsonl"), "+20:00").unwrap();
    let then = [Control::Players {
        humans: vec![TEAM.into()],
    }];
    branch
        .write(&d.join("demarche.jsonl"), Some(TEAM), &then)
        .unwrap();
    let mut sim = branch.sim(&then).unwrap();
    let contact = branch
        .loaded
        .scenario
        .contacts
        .iter()
        .find(|c| c.organisation == "kel-mfa" && c.id != "kel-mfa-hotline")
        .map(|c| c.id.clone())
        .unwrap();
    let demarche = Command::Demarche {
        to: contact,
        text: "Varesh protests".into(),
    };
    sim.submit(TEAM, demarche.clone()).unwrap();
    let mut writer = JournalWriter::append_to(&d.join("demarche.jsonl")).unwrap();
    writer
        .append(&Line::Command {
            tick: 240,
            team: TEAM.into(),
            command: demarche,
        })
        .unwrap();
    sim.run_to_end();
    writer
        .append(&Line::End {
            tick: sim.tick(),
            outcome_hash: journal::outcome_hash(&sim.outcome()),
        })
        .unwrap();
    ok(d, &["replay", "demarche.jsonl"]);
    let text = ok(d, &["diff", "parent.jsonl", "demarche.jsonl"]);
    assert!(text.contains("They part at +20:00"), "{text}");
    assert!(text.contains("HotlineCall"), "{text}");
    assert!(text.contains("Demarche"), "{text}");
    let json: Value = serde_json::from_str(&ok(
        d,
        &["diff", "parent.jsonl", "demarche.jsonl", "--json"],
    ))
    .unwrap();
    assert_eq!(json["divergence"]["minute"], 1200);
    assert!(!json["changes"].as_array().unwrap().is_empty(), "{json}");
    // A run against itself never parts and ends the same.
    let same = ok(d, &["diff", "parent.jsonl", "parent.jsonl"]);
    assert!(
        same.contains("never part") && same.contains("end the same"),
        "{same}"
    );
    // Runs of different scenarios are not compared.
    ok(
        d,
        &["run", "builtin:comms-check", "--journal", "other.jsonl"],
    );
    let out = bin(d, &["diff", "parent.jsonl", "other.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("different scenarios"));
}
