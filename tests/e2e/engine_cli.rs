//! End-to-end tests of the engine commands of the real binary: `run`, `replay`, `sweep`,
//! `merge` and `scenarios`. Determinism, journals (written by `run` and by hand), corrupt and
//! changed inputs, seed ranges and shard merging. No command may panic.

use assert_cmd::Command;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// What one invocation of the binary did.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary with `args`; asserts that it did not panic.
fn cyberdrill(args: &[&str]) -> Out {
    let output = Command::cargo_bin("cyberdrill")
        .expect("binary builds")
        .args(args)
        .output()
        .expect("binary runs");
    let out = Out {
        code: output
            .status
            .code()
            .expect("exited normally (not killed by a signal)"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    };
    assert!(
        !out.stderr.contains("panicked"),
        "cyberdrill {args:?} panicked:\n{}",
        out.stderr
    );
    out
}

/// Runs the binary and expects exit code `code`.
fn expect(args: &[&str], code: i32) -> Out {
    let out = cyberdrill(args);
    assert_eq!(
        out.code, code,
        "cyberdrill {args:?}: exit {} (expected {code})\nstdout:\n{}\nstderr:\n{}",
        out.code, out.stdout, out.stderr
    );
    out
}

fn json_of(out: &Out) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", out.stdout))
}

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The outcome JSON without its `seed` field (which differs between seeds by definition).
fn without_seed(stdout: &str) -> Value {
    let mut v: Value = serde_json::from_str(stdout).expect("outcome JSON");
    v.as_object_mut().expect("an object").remove("seed");
    v
}

// ------------------------------------------------------------------------------------------
// Determinism
// ------------------------------------------------------------------------------------------

#[test]
fn run_is_deterministic_for_the_flagship() {
    let _turn = crate::harness::alongside();
    let a = expect(&["run", "builtin:flagship", "--seed", "7", "--json"], 0);
    let b = expect(&["run", "builtin:flagship", "--seed", "7", "--json"], 0);
    assert_eq!(a.stdout, b.stdout, "same seed, different output");
    let outcome = json_of(&a);
    assert_eq!(outcome["seed"], 7);
    assert_eq!(outcome["finished"], true);
    assert_eq!(outcome["minutes"], 48 * 60);
    let c = expect(&["run", "builtin:flagship", "--seed", "8", "--json"], 0);
    assert_ne!(a.stdout, c.stdout);
    // Not only the seed field: the runs themselves differ.
    assert_ne!(without_seed(&a.stdout), without_seed(&c.stdout));
    // The readable output is deterministic too.
    let h1 = expect(&["run", "builtin:flagship", "--seed", "7"], 0);
    let h2 = expect(&["run", "builtin:flagship", "--seed", "7"], 0);
    assert_eq!(h1.stdout, h2.stdout);
    assert!(h1.stdout.starts_with("flagship — seed 7"), "{}", h1.stdout);
}

#[test]
fn run_is_deterministic_for_comms_check_from_a_file() {
    let _turn = crate::harness::alongside();
    let path = repo_file("scenarios/comms-check.ron");
    let args = |seed: &'static str| ["run", s(&path), "--seed", seed, "--json"].map(String::from);
    let run = |seed| {
        let a = args(seed);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        expect(&a, 0).stdout
    };
    let a = run("7");
    assert_eq!(a, run("7"), "same seed, different output");
    assert_ne!(a, run("8"));
    // Seeds 7 and 8 happen to play out the same apart from the seed (nobody detects the
    // phishing); across a handful of seeds the runs must differ, though.
    let distinct: std::collections::BTreeSet<String> = ["0", "1", "2", "3", "4", "5"]
        .into_iter()
        .map(|seed| without_seed(&run(seed)).to_string())
        .collect();
    assert!(
        distinct.len() > 1,
        "six seeds of comms-check all give the same outcome"
    );
    // The timeline (ground truth) is deterministic as well.
    let t1 = expect(&["run", s(&path), "--seed", "7", "--timeline"], 0);
    let t2 = expect(&["run", s(&path), "--seed", "7", "--timeline"], 0);
    assert_eq!(t1.stdout, t2.stdout);
    assert!(t1.stdout.contains("inject kickoff fired"), "{}", t1.stdout);
}

// ------------------------------------------------------------------------------------------
// Journal and replay
// ------------------------------------------------------------------------------------------

#[test]
fn journal_replays_to_the_identical_outcome() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("run.jsonl");
    let run = expect(
        &[
            "run",
            "builtin:flagship",
            "--seed",
            "3",
            "--journal",
            s(&journal),
            "--json",
        ],
        0,
    );
    let text = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal lines are JSON"))
        .collect();
    assert_eq!(lines[0]["kind"], "header");
    assert_eq!(lines[0]["format"], "cyberdrill-journal-1");
    assert_eq!(lines[0]["scenario"], "builtin:flagship");
    assert_eq!(lines[0]["seed"], 3);
    assert_eq!(lines[0]["mode"], "headless");
    let end = lines.last().unwrap();
    assert_eq!(end["kind"], "end");
    assert_eq!(end["tick"], 576);
    assert_eq!(end["outcome_hash"].as_str().unwrap().len(), 64);

    let replay = expect(&["replay", s(&journal), "--json"], 0);
    assert!(replay.stderr.contains("identical"), "{}", replay.stderr);
    assert_eq!(replay.stdout, run.stdout, "replay printed another outcome");

    // Without --json the readable summary is printed, still identical.
    let replay = expect(&["replay", s(&journal)], 0);
    assert!(replay.stderr.contains("identical"), "{}", replay.stderr);
    assert!(
        replay.stdout.contains("flagship — seed 3"),
        "{}",
        replay.stdout
    );

    // --until stops early and says so; the outcome is the one at that tick.
    let until = expect(&["replay", s(&journal), "--until", "50", "--json"], 0);
    assert!(
        until.stderr.contains("stopped at tick 50"),
        "{}",
        until.stderr
    );
    let partial = json_of(&until);
    assert_eq!(partial["minutes"], 50 * 5);
    assert_eq!(partial["finished"], false);
    assert_eq!(partial["seed"], 3);
    // ... and it is deterministic.
    let again = expect(&["replay", s(&journal), "--until", "50", "--json"], 0);
    assert_eq!(until.stdout, again.stdout);
}

#[test]
fn replay_detects_a_changed_scenario() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("drill.ron");
    std::fs::copy(repo_file("scenarios/comms-check.ron"), &scenario).unwrap();
    let journal = dir.path().join("drill.jsonl");
    expect(
        &["run", s(&scenario), "--seed", "3", "--journal", s(&journal)],
        0,
    );
    // Unchanged: identical.
    let ok = expect(&["replay", s(&journal)], 0);
    assert!(ok.stderr.contains("identical"), "{}", ok.stderr);

    // Comments, blank lines and indentation are not the scenario's meaning: the journal
    // still replays.
    let original_text = std::fs::read_to_string(&scenario).unwrap();
    let mut text = original_text.replace("\n    ", "\n      ");
    text.push_str("\n// edited after the run\n");
    text = text.replacen("\nScenario(", "\nScenario( // a comment inside\n", 1);
    std::fs::write(&scenario, &text).unwrap();
    let ok = expect(&["replay", s(&journal)], 0);
    assert!(ok.stderr.contains("identical"), "{}", ok.stderr);

    // A change of meaning (one tension) is refused with a clear message.
    let meaning = original_text.replacen("tension: 0.35", "tension: 0.36", 1);
    assert_ne!(meaning, original_text);
    std::fs::write(&scenario, meaning).unwrap();
    let changed = expect(&["replay", s(&journal)], 1);
    assert!(
        changed.stderr.contains("has changed in meaning"),
        "no clear message: {}",
        changed.stderr
    );
    assert!(changed.stderr.contains("drill.ron"), "{}", changed.stderr);
    assert!(changed.stdout.is_empty(), "{}", changed.stdout);

    // A journal from before the canonical hash (it recorded the file's bytes) still
    // replays against the file as it was.
    std::fs::write(&scenario, &original_text).unwrap();
    let bytes_hash = cyberdrill::exercise::load::hash_bytes(original_text.as_bytes());
    let old = std::fs::read_to_string(&journal).unwrap();
    let mut header: Value = serde_json::from_str(old.lines().next().unwrap()).unwrap();
    header["scenario_hash"] = json!(bytes_hash);
    let rest: Vec<&str> = old.lines().skip(1).collect();
    let legacy = dir.path().join("legacy.jsonl");
    std::fs::write(&legacy, format!("{header}\n{}\n", rest.join("\n"))).unwrap();
    let ok = expect(&["replay", s(&legacy)], 0);
    assert!(ok.stderr.contains("identical"), "{}", ok.stderr);
    std::fs::write(&scenario, "// moved\n".to_string() + &original_text).unwrap();

    // --scenario with the original file makes it replay again.
    let original = repo_file("scenarios/comms-check.ron");
    let ok = expect(&["replay", s(&journal), "--scenario", s(&original)], 0);
    assert!(ok.stderr.contains("identical"), "{}", ok.stderr);

    // A scenario that is gone is an I/O problem: exit 2.
    std::fs::remove_file(&scenario).unwrap();
    let gone = expect(&["replay", s(&journal)], 2);
    assert!(gone.stderr.contains("drill.ron"), "{}", gone.stderr);
}

#[test]
fn replay_rejects_corrupt_journals_with_the_line_number() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("good.jsonl");
    expect(
        &[
            "run",
            "builtin:comms-check",
            "--seed",
            "5",
            "--journal",
            s(&journal),
        ],
        0,
    );
    let good = std::fs::read_to_string(&journal).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "a headless journal is a header and an end line"
    );

    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };

    // Garbage JSON in the middle (line 2 of 3).
    let garbage = write(
        "garbage.jsonl",
        &format!(
            "{}\n{{\"kind\": \"command\", \"tick\": oops\n{}\n",
            lines[0], lines[1]
        ),
    );
    let out = expect(&["replay", s(&garbage)], 1);
    assert!(out.stderr.contains("line 2"), "{}", out.stderr);
    assert!(out.stderr.contains("garbage.jsonl"), "{}", out.stderr);

    // Valid JSON that is not a journal line, on line 3 of 4.
    let alien = write(
        "alien.jsonl",
        &format!("{}\n\n{{\"hello\": 1}}\n{}\n", lines[0], lines[1]),
    );
    let out = expect(&["replay", s(&alien)], 1);
    assert!(out.stderr.contains("line 3"), "{}", out.stderr);

    // Cut off in the middle of its last line (line 2), as a power cut leaves it: the whole
    // lines are replayed, and what was left out is said.
    let cut = good.len() - lines[1].len() / 2;
    let truncated = write("truncated.jsonl", &good[..cut]);
    let out = expect(&["replay", s(&truncated)], 0);
    assert!(
        out.stderr.contains("line 2") && out.stderr.contains("cut off"),
        "{}",
        out.stderr
    );

    // Truncated in the middle of the header (line 1).
    let header_cut = write("header-cut.jsonl", &good[..lines[0].len() / 2]);
    let out = expect(&["replay", s(&header_cut)], 1);
    assert!(out.stderr.contains("line 1"), "{}", out.stderr);

    // Empty file.
    let empty = write("empty.jsonl", "");
    let out = expect(&["replay", s(&empty)], 1);
    assert!(out.stderr.contains("line 1"), "{}", out.stderr);
    assert!(out.stderr.contains("empty"), "{}", out.stderr);

    // Binary garbage (not UTF-8) on line 2.
    let p = dir.path().join("binary.jsonl");
    let mut bytes = format!("{}\n", lines[0]).into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x00, 0x80, b'\n']);
    std::fs::write(&p, bytes).unwrap();
    let out = expect(&["replay", s(&p)], 1);
    assert!(out.stderr.contains("line 2"), "{}", out.stderr);

    // An end line whose hash does not match: divergence, exit 1.
    let mut end: Value = serde_json::from_str(lines[1]).unwrap();
    end["outcome_hash"] = json!("0".repeat(64));
    let diverged = write("diverged.jsonl", &format!("{}\n{end}\n", lines[0]));
    let out = expect(&["replay", s(&diverged)], 1);
    assert!(out.stderr.contains("diverged"), "{}", out.stderr);

    // A missing file: exit 2.
    let missing = dir.path().join("no-such-journal.jsonl");
    let out = expect(&["replay", s(&missing)], 2);
    assert!(
        out.stderr.contains("no-such-journal.jsonl"),
        "{}",
        out.stderr
    );
}

/// A header line for a hand-written journal of the flagship, played by people.
fn play_header(scenario: &Path, seed: u64) -> Value {
    let bytes = std::fs::read(scenario).unwrap();
    json!({
        "kind": "header",
        "format": "cyberdrill-journal-1",
        "tool_version": "0.1.0",
        "scenario": s(scenario),
        "scenario_hash": cyberdrill::exercise::load::hash_bytes(&bytes),
        "seed": seed,
        "mode": "play",
    })
}

fn write_lines(path: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn hand_written_journal_with_team_commands_replays() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let flagship = repo_file("scenarios/flagship.ron");
    let journal = dir.path().join("play.jsonl");
    let commands = [
        json!({"kind": "command", "tick": 2, "team": "team-varesh", "command":
            {"action": "notify", "to": ["tor-cert-desk", "kel-cert-desk"], "incident": null,
             "text": "Heads-up: we are seeing unusual traffic."}}),
        json!({"kind": "command", "tick": 2, "team": "team-kelmora", "command":
            {"action": "restraint_statement", "text": "Kelmora is not involved."}}),
        json!({"kind": "command", "tick": 10, "team": "team-toravia", "command":
            {"action": "raise_alert", "level": 2}}),
        json!({"kind": "control", "tick": 12, "control":
            {"action": "message", "team": "team-kelmora", "subject": "White cell",
             "body": "Carry on."}}),
        json!({"kind": "command", "tick": 20, "team": "team-varesh", "command":
            {"action": "request_consultation", "to": "kel-mfa-hotline", "text": "Let us talk."}}),
        json!({"kind": "command", "tick": 30, "team": "team-varesh", "command":
            {"action": "hotline_call", "state": "kelmora"}}),
    ];
    let mut lines = vec![play_header(&flagship, 11)];
    lines.extend(commands.iter().cloned());
    write_lines(&journal, &lines);
    let out = expect(&["replay", s(&journal), "--json"], 0);
    assert!(out.stderr.contains("no end line"), "{}", out.stderr);
    let outcome = json_of(&out);
    assert_eq!(outcome["finished"], true);
    assert_eq!(outcome["seed"], 11);
    // The commands took effect: player messages were sent (the notify went to two contacts,
    // the consultation request to one).
    assert!(
        outcome["messages"]["sent"].as_u64().unwrap() >= 3,
        "{}",
        outcome["messages"]
    );

    // Deterministic: the same journal again gives the same outcome.
    let again = expect(&["replay", s(&journal), "--json"], 0);
    assert_eq!(out.stdout, again.stdout);

    // With the matching end line it verifies as identical; a wrong end tick diverges.
    let hash = {
        let o: cyberdrill::sim::Outcome = serde_json::from_str(&out.stdout).unwrap();
        cyberdrill::journal::outcome_hash(&o)
    };
    let mut ended = lines.clone();
    ended.push(json!({"kind": "end", "tick": 576, "outcome_hash": hash}));
    write_lines(&journal, &ended);
    let out = expect(&["replay", s(&journal)], 0);
    assert!(out.stderr.contains("identical"), "{}", out.stderr);
    let last = ended.len() - 1;
    ended[last]["tick"] = json!(575);
    write_lines(&journal, &ended);
    expect(&["replay", s(&journal)], 1);

    // Without the commands the run is a different one (the commands matter).
    write_lines(&journal, &lines[..1]);
    let bare = expect(&["replay", s(&journal), "--json"], 0);
    assert_ne!(without_seed(&bare.stdout), without_seed(&again.stdout));
}

#[test]
fn hand_written_journal_with_a_bad_entry_names_it() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let flagship = repo_file("scenarios/flagship.ron");
    let journal = dir.path().join("bad.jsonl");
    let good = json!({"kind": "command", "tick": 1, "team": "team-varesh", "command":
        {"action": "notify", "to": ["tor-cert-desk"], "text": "hello"}});
    let bad_contact = json!({"kind": "command", "tick": 4, "team": "team-varesh", "command":
        {"action": "notify", "to": ["no-such-desk"], "text": "hello"}});
    write_lines(
        &journal,
        &[play_header(&flagship, 1), good.clone(), bad_contact],
    );
    let out = expect(&["replay", s(&journal)], 1);
    assert!(out.stderr.contains("entry 2"), "{}", out.stderr);
    assert!(out.stderr.contains("no-such-desk"), "{}", out.stderr);

    // An unknown team.
    let bad_team = json!({"kind": "command", "tick": 4, "team": "team-atlantis", "command":
        {"action": "raise_alert", "level": 1}});
    write_lines(&journal, &[play_header(&flagship, 1), bad_team]);
    let out = expect(&["replay", s(&journal)], 1);
    assert!(out.stderr.contains("entry 1"), "{}", out.stderr);

    // An incident the team cannot know of at tick 1 (fog of war).
    let unknown_incident = json!({"kind": "command", "tick": 1, "team": "team-kelmora",
        "command": {"action": "share_evidence", "to": ["var-cert-desk"],
                    "incident": "intrusion-rtgs", "level": "Amber"}});
    write_lines(
        &journal,
        &[play_header(&flagship, 1), good.clone(), unknown_incident],
    );
    let out = expect(&["replay", s(&journal)], 1);
    assert!(out.stderr.contains("entry 2"), "{}", out.stderr);

    // A control for an inject that does not exist.
    let bad_control = json!({"kind": "control", "tick": 3, "control":
        {"action": "fire_inject", "id": "no-such-inject"}});
    write_lines(
        &journal,
        &[play_header(&flagship, 1), good.clone(), bad_control],
    );
    let out = expect(&["replay", s(&journal)], 1);
    assert!(out.stderr.contains("entry 2"), "{}", out.stderr);

    // A command with an unknown action is a corrupt line (line 2), not an entry error.
    let alien = json!({"kind": "command", "tick": 1, "team": "team-varesh", "command":
        {"action": "launch_missiles"}});
    write_lines(&journal, &[play_header(&flagship, 1), alien]);
    let out = expect(&["replay", s(&journal)], 1);
    assert!(out.stderr.contains("line 2"), "{}", out.stderr);

    // Ticks that go back in time (line 3).
    let earlier = json!({"kind": "command", "tick": 0, "team": "team-varesh", "command":
        {"action": "raise_alert", "level": 1}});
    write_lines(&journal, &[play_header(&flagship, 1), good, earlier]);
    let out = expect(&["replay", s(&journal)], 1);
    assert!(out.stderr.contains("line 3"), "{}", out.stderr);
}

// ------------------------------------------------------------------------------------------
// Sweep and merge
// ------------------------------------------------------------------------------------------

#[test]
fn sweep_lists_rungs_in_ladder_order_pairs_and_branch_coverage() {
    let _turn = crate::harness::alongside();
    let out = expect(&["sweep", "builtin:comms-check", "--runs", "20"], 0);
    let text = &out.stdout;
    // Rungs read up the ladder, not alphabetically.
    let at = |word: &str| text.find(&format!("  {word} ")).unwrap_or(usize::MAX);
    let ladder = [
        "Concern",
        "Démarche",
        "Sanctions",
        "Countermeasures",
        "Retaliation",
        "Armed conflict",
    ];
    for pair in ladder.windows(2) {
        assert!(
            at(pair[0]) < at(pair[1]),
            "{} after {}:\n{text}",
            pair[0],
            pair[1]
        );
    }
    // Every inject has a line: the share of runs it fired in, and when.
    assert!(text.contains("median time"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.contains("phish-campaign") && l.contains('%')),
        "{text}"
    );
    let json = json_of(&expect(
        &["sweep", "builtin:comms-check", "--runs", "20", "--json"],
        0,
    ));
    let injects = json["summary"]["injects"]
        .as_array()
        .expect("branch coverage");
    let scenario = cyberdrill::builtin::find("comms-check").expect("built-in");
    let parsed = cyberdrill::scenario::from_str(scenario.file, scenario.source).expect("valid");
    assert_eq!(injects.len(), parsed.injects.len());
    for entry in injects {
        let share = entry["fired"].as_f64().expect("a share");
        assert!((0.0..=1.0).contains(&share), "{entry}");
        assert_eq!(entry["median_minute"].is_null(), share == 0.0, "{entry}");
    }
    assert_eq!(json["schema"], cyberdrill::analysis::SCHEMA);
    // Distributions carry a median; blame lists shares per candidate.
    let ack = &json["summary"]["metrics"]["median_minutes_to_ack"];
    assert!(ack["median"].is_f64(), "{ack}");
    for b in json["summary"]["blame"].as_array().expect("blame") {
        for c in b["suspect"]
            .as_array()
            .unwrap()
            .iter()
            .chain(b["public"].as_array().unwrap())
        {
            let share = c["share"].as_f64().unwrap();
            assert!(share > 0.0 && share <= 1.0, "{b}");
        }
    }
    // `run --json` lists every inject with the minute it fired.
    let run = json_of(&expect(
        &["run", "builtin:comms-check", "--seed", "3", "--json"],
        0,
    ));
    let fired = run["injects"].as_array().expect("injects");
    assert_eq!(fired.len(), parsed.injects.len());
    assert!(fired.iter().any(|f| f["fired_minute"].is_u64()));
}

#[test]
fn sweep_reports_runs_and_shards_merge_to_the_whole() {
    let _turn = crate::harness::alongside();
    let out = expect(
        &["sweep", "builtin:comms-check", "--runs", "20", "--json"],
        0,
    );
    let report = json_of(&out);
    assert_eq!(report["summary"]["runs"], 20);
    assert_eq!(report["runs"].as_array().unwrap().len(), 20);
    assert_eq!(report["scenario"], "comms-check");

    let dir = tempfile::tempdir().unwrap();
    let mut shards = Vec::new();
    for (name, range) in [("a.json", "0..10"), ("b.json", "10..20")] {
        let out = expect(
            &[
                "sweep",
                "builtin:comms-check",
                "--seeds",
                range,
                "--jobs",
                "2",
                "--json",
            ],
            0,
        );
        assert_eq!(json_of(&out)["summary"]["runs"], 10);
        let path = dir.path().join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        shards.push(path);
    }
    let whole = expect(
        &["sweep", "builtin:comms-check", "--seeds", "0..20", "--json"],
        0,
    );
    let whole = json_of(&whole);
    // --runs 20 is seeds 0..20.
    assert_eq!(whole, report);

    let merged = expect(&["merge", s(&shards[0]), s(&shards[1]), "--json"], 0);
    let merged = json_of(&merged);
    assert_eq!(merged["summary"]["runs"], 20);
    assert_eq!(merged["summary"], whole["summary"]);
    assert_eq!(merged["runs"], whole["runs"]);
    // Order of the shards does not matter.
    let reversed = expect(&["merge", s(&shards[1]), s(&shards[0]), "--json"], 0);
    assert_eq!(json_of(&reversed), merged);
    // The readable merge output names the run count.
    let text = expect(&["merge", s(&shards[0]), s(&shards[1])], 0);
    assert!(text.stdout.contains("20 runs"), "{}", text.stdout);

    // Merging a file that is not sweep JSON is an invalid input; a missing one is exit 2.
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, "{\"not\": \"a sweep\"}").unwrap();
    let out = expect(&["merge", s(&shards[0]), s(&junk)], 1);
    assert!(out.stderr.contains("junk.json"), "{}", out.stderr);
    let missing = dir.path().join("missing.json");
    expect(&["merge", s(&shards[0]), s(&missing)], 2);
    // Shards of different scenarios do not merge.
    let other = expect(
        &["sweep", "builtin:flagship", "--seeds", "0..2", "--json"],
        0,
    );
    let other_path = dir.path().join("flagship.json");
    std::fs::write(&other_path, &other.stdout).unwrap();
    expect(&["merge", s(&shards[0]), s(&other_path)], 1);
}

#[test]
fn merged_shards_of_a_variant_equal_its_one_shot_sweep() {
    let _turn = crate::harness::alongside();
    let set = "relations[varesh,kelmora].hotline=false";
    let dir = tempfile::tempdir().unwrap();
    let shard = |range: &str, name: &str| {
        let out = expect(
            &[
                "sweep",
                "builtin:flagship",
                "--seeds",
                range,
                "--set",
                set,
                "--json",
            ],
            0,
        );
        let path = dir.path().join(name);
        std::fs::write(&path, &out.stdout).unwrap();
        path
    };
    let a = shard("0..4", "a.json");
    let b = shard("4..10", "b.json");
    let whole = json_of(&expect(
        &[
            "sweep",
            "builtin:flagship",
            "--seeds",
            "0..10",
            "--set",
            set,
            "--json",
        ],
        0,
    ));
    assert_eq!(whole["sets"][0], set);
    let merged = json_of(&expect(&["merge", s(&b), s(&a), "--json"], 0));
    // Field by field, so a failure names the field.
    for field in whole["summary"].as_object().unwrap().keys() {
        assert_eq!(merged["summary"][field], whole["summary"][field], "{field}");
    }
    assert_eq!(merged, whole);
    // A shard of the variant does not merge with one of the scenario as written.
    let base = expect(
        &["sweep", "builtin:flagship", "--seeds", "10..12", "--json"],
        0,
    );
    let base_path = dir.path().join("base.json");
    std::fs::write(&base_path, &base.stdout).unwrap();
    let out = expect(&["merge", s(&a), s(&base_path)], 1);
    assert!(out.stderr.contains("variant"), "{}", out.stderr);
    // A file of another schema version is refused with a message, not misread.
    let mut old = json_of(&base);
    old["schema"] = serde_json::json!(1);
    let old_path = dir.path().join("old.json");
    std::fs::write(&old_path, old.to_string()).unwrap();
    let out = expect(&["merge", s(&old_path)], 1);
    assert!(out.stderr.contains("schema 1"), "{}", out.stderr);
}

#[test]
fn compare_of_a_scenario_with_itself_finds_no_difference() {
    let _turn = crate::harness::alongside();
    let report = json_of(&expect(
        &[
            "compare",
            "builtin:comms-check",
            "builtin:comms-check",
            "--runs",
            "30",
            "--json",
        ],
        0,
    ));
    let rows = report["comparison"]["rows"].as_array().expect("rows");
    assert!(rows.len() > 20, "every metric: {}", rows.len());
    for row in rows {
        assert_eq!(row["excludes_zero"], false, "{row}");
        assert_eq!(row["difference"], 0.0, "{row}");
        if let Some(ci) = row["interval"].as_object() {
            assert!(ci["low"].as_f64().unwrap() <= 0.0, "{row}");
            assert!(ci["high"].as_f64().unwrap() >= 0.0, "{row}");
        }
    }
    // Objectives are matched by id, so each objective has its row.
    let scenario = cyberdrill::builtin::find("comms-check").expect("built-in");
    let parsed = cyberdrill::scenario::from_str(scenario.file, scenario.source).expect("valid");
    for o in &parsed.objectives {
        let key = format!("objective[{}].met", o.id);
        assert!(rows.iter().any(|r| r["key"] == key.as_str()), "{key}");
    }
    // The readable form fits 100 columns and says nothing differs.
    let text = expect(&["compare", "builtin:comms-check", "--runs", "10"], 0);
    assert!(text.stdout.contains(" 0 of "), "{}", text.stdout);
    assert!(text.stderr.contains("with itself"), "{}", text.stderr);
    for line in text.stdout.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
}

#[test]
fn compare_finds_what_removing_the_hotline_buys() {
    let _turn = crate::harness::alongside();
    let report = json_of(&expect(
        &[
            "compare",
            "builtin:flagship",
            "--set",
            "relations[kelmora,varesh].hotline=false",
            "--runs",
            "80",
            "--json",
        ],
        0,
    ));
    assert_eq!(
        report["b"]["sets"][0],
        "relations[kelmora,varesh].hotline=false"
    );
    let rows = report["comparison"]["rows"].as_array().expect("rows");
    let row = |key: &str| {
        rows.iter()
            .find(|r| r["key"] == key)
            .unwrap_or_else(|| panic!("no row {key}"))
    };
    // Without the hotline the dispute climbs higher and blame goes wrong more often: the
    // intervals lie above zero.
    for key in [
        "pair[varesh,kelmora].reached[Sanctions]",
        "wrongful_attribution",
    ] {
        let r = row(key);
        assert_eq!(r["excludes_zero"], true, "{r}");
        assert!(r["interval"]["low"].as_f64().unwrap() > 0.0, "{r}");
    }
    // A metric the hotline cannot touch (the first detection happens before any call).
    let first = rows
        .iter()
        .find(|r| r["key"] == "first_detection_minute" && r["statistic"] == "mean")
        .expect("first detection");
    assert_eq!(first["excludes_zero"], false, "{first}");
}

#[test]
fn a_wrong_override_is_an_error_with_a_pointer_and_a_suggestion() {
    let _turn = crate::harness::alongside();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--set", "states[varesh].goverment_control=0.9"],
            "did you mean `government_control`?",
        ),
        (
            &["--set", "states[veresh].government_control=0.9"],
            "did you mean `varesh`?",
        ),
        (
            &["--set", "relations[varesh,nowhere].hotline=false"],
            "has no element",
        ),
        (
            &["--set", "relations[varesh,kelmora].hotline=maybe"],
            "--set:1:",
        ),
        (
            &["--set", "states[varesh].government_control"],
            "PATH=VALUE",
        ),
    ];
    for (args, expected) in cases {
        for command in ["sweep", "compare"] {
            let mut all = vec![command, "builtin:flagship", "--runs", "2"];
            all.extend_from_slice(args);
            let out = expect(&all, 1);
            assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
            assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
            assert!(out.stderr.contains("--set:1:"), "{args:?}: {}", out.stderr);
            assert!(!out.stderr.contains("panicked"), "{args:?}: {}", out.stderr);
        }
    }
    // The override of A in compare is checked too.
    let out = expect(
        &[
            "compare",
            "builtin:flagship",
            "--runs",
            "2",
            "--set-a",
            "clock.nope=1",
        ],
        1,
    );
    assert!(out.stderr.contains("has no field `nope`"), "{}", out.stderr);
}

#[test]
fn sweep_rejects_bad_ranges_and_missing_counts() {
    let _turn = crate::harness::alongside();
    for bad in ["5..5", "x", "9..3", "1..x", "..", "3"] {
        let out = expect(&["sweep", "builtin:comms-check", "--seeds", bad], 2);
        assert!(out.stdout.is_empty(), "{bad}: {}", out.stdout);
        assert!(!out.stderr.is_empty(), "{bad}: no message");
    }
    let out = expect(&["sweep", "builtin:comms-check"], 2);
    assert!(out.stderr.contains("--runs"), "{}", out.stderr);
    expect(&["sweep", "builtin:comms-check", "--runs", "0"], 2);
    expect(&["sweep", "builtin:no-such-scenario", "--runs", "1"], 2);
}

// ------------------------------------------------------------------------------------------
// Scenarios and odd inputs
// ------------------------------------------------------------------------------------------

#[test]
fn scenarios_lists_the_builtins() {
    let _turn = crate::harness::alongside();
    let out = expect(&["scenarios"], 0);
    assert!(out.stdout.contains("builtin:flagship"), "{}", out.stdout);
    assert!(out.stdout.contains("builtin:comms-check"), "{}", out.stdout);
    assert!(out.stdout.contains("Serrat Shoals"), "{}", out.stdout);
    // Every listed scenario runs.
    for line in out.stdout.lines() {
        let name = line.split_whitespace().next().unwrap();
        expect(&["run", name, "--seed", "1"], 0);
    }
}

#[test]
fn run_reports_unusable_scenarios() {
    let _turn = crate::harness::alongside();
    expect(&["run", "builtin:no-such-scenario"], 2);
    let dir = tempfile::tempdir().unwrap();
    expect(&["run", s(&dir.path().join("missing.ron"))], 2);
    let broken = dir.path().join("broken.ron");
    std::fs::write(&broken, "Scenario(meta: (id: \"x\"").unwrap();
    expect(&["run", s(&broken)], 1);
    // A journal that cannot be written: exit 2, no panic.
    let out = expect(
        &[
            "run",
            "builtin:comms-check",
            "--journal",
            s(&dir.path().join("no-such-dir").join("j.jsonl")),
        ],
        2,
    );
    assert!(out.stderr.contains("journal"), "{}", out.stderr);
}

/// `deploy/sweep-shard.sh` is what the Slurm array and the Kubernetes Indexed Job run: its
/// shards, whichever way the index arrives, merge to exactly one sweep over the same seeds.
#[test]
fn the_shard_script_writes_shards_that_merge_to_one_sweep() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shards");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/sweep-shard.sh");
    let bin = crate::harness::BIN;
    // Index 0 as an argument, 1 as Slurm gives it, 2 as Kubernetes gives it.
    for (arg, var) in [
        (Some("0"), None),
        (None, Some(("SLURM_ARRAY_TASK_ID", "1"))),
        (None, Some(("JOB_COMPLETION_INDEX", "2"))),
    ] {
        let mut cmd = std::process::Command::new("bash");
        cmd.arg(&script)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX");
        if let Some(a) = arg {
            cmd.arg(a);
        }
        if let Some((k, v)) = var {
            cmd.env(k, v);
        }
        let status = cmd
            .env("SCENARIO", "builtin:comms-check")
            .env("RUNS_PER_SHARD", "4")
            .env("OUT_DIR", &out)
            .env("JOBS", "1")
            .env("SETS", "relations[0].hotline=true")
            .env("CYBERDRILL", bin)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    }
    let mut shards: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    shards.sort();
    let names: Vec<String> = shards
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["shard-00000.json", "shard-00001.json", "shard-00002.json"],
        "no partial files left"
    );
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|p| s(p)));
    args.push("--json");
    let merged = json_of(&expect(&args, 0));
    let whole = json_of(&expect(
        &[
            "sweep",
            "builtin:comms-check",
            "--seeds",
            "0..12",
            "--set",
            "relations[0].hotline=true",
            "--json",
        ],
        0,
    ));
    assert_eq!(merged, whole);
    // `compare` reads sweep results too: the merged shards against the one sweep differ in
    // nothing.
    let merged_path = dir.path().join("merged.json");
    std::fs::write(&merged_path, merged.to_string()).unwrap();
    let whole_path = dir.path().join("whole.json");
    std::fs::write(&whole_path, whole.to_string()).unwrap();
    let same = json_of(&expect(
        &["compare", s(&merged_path), s(&whole_path), "--json"],
        0,
    ));
    let rows = same["comparison"]["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["excludes_zero"] == false && r["difference"] == 0.0)
    );
    expect(
        &["compare", s(&merged_path), s(&whole_path), "--runs", "3"],
        2,
    );
    // Without an index the script says what it needs.
    let none = std::process::Command::new("bash")
        .arg(&script)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("shard index"));
}

// ------------------------------------------------------------------------------------------
// Import of an MSEL
// ------------------------------------------------------------------------------------------

/// Every row of the MSEL is a message inject or is named in `meta.todo`; the scenario passes
/// `check` (with warnings that say what to complete) and plays to the end.
fn assert_import(msel: &str, rows: usize, expected_todo: &[&str], base: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imported.ron");
    let mut args = vec!["import", msel, "-o", s(&out)];
    if let Some(b) = base {
        args.extend(["--base", b]);
    }
    let import = expect(&args, 0);
    assert!(import.stderr.contains("columns read"), "{}", import.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    let checked = cyberdrill::scenario::check_bytes("imported.ron", text.as_bytes());
    assert!(checked.is_valid(), "{}", checked.render(false));
    let scenario = checked.scenario.unwrap();
    let base_injects = base.map_or(0, |b| {
        let l = cyberdrill::exercise::load::load(b).unwrap();
        l.scenario.injects.len()
    });
    let messages = scenario.injects[base_injects..]
        .iter()
        .filter(|i| matches!(i.kind, cyberdrill::scenario::InjectKind::Message { .. }))
        .count();
    assert_eq!(messages, rows, "every row is an inject");
    for needle in expected_todo {
        assert!(
            scenario.meta.todo.iter().any(|t| t.contains(needle)),
            "no todo mentions {needle}: {:#?}",
            scenario.meta.todo
        );
    }
    let check = cyberdrill(&["check", s(&out)]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(check.stdout.contains("to complete") || check.stderr.contains("to complete"));
    let run = expect(&["run", s(&out), "--seed", "2"], 0);
    assert!(!run.stdout.contains("stopped early"), "{}", run.stdout);
}

#[test]
fn an_hseep_csv_msel_imports_to_a_playable_scenario() {
    let _turn = crate::harness::alongside();
    assert_import(
        s(&repo_file("tests/fixtures/msel/drill.csv")),
        6,
        &[
            "row 4: no time",
            "row 6: the time `tomorrow-ish`",
            "objective `Cybersecurity`",
            "mixes times",
        ],
        None,
    );
}

#[test]
fn a_t3sf_json_msel_imports_to_a_playable_scenario() {
    let _turn = crate::harness::alongside();
    assert_import(
        s(&repo_file("tests/fixtures/msel/drill.json")),
        4,
        &["entry 4: the time `someday`"],
        None,
    );
}

#[test]
fn an_msel_imports_onto_a_base_scenario_and_lists_unknown_recipients() {
    let _turn = crate::harness::alongside();
    assert_import(
        s(&repo_file("tests/fixtures/msel/drill.csv")),
        6,
        &["the recipient `VarCERT` is not a team", "team-varesh"],
        Some("builtin:flagship"),
    );
}

#[test]
fn a_broken_msel_is_a_clear_error() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "[{\"#\": 1,").unwrap();
    let out = expect(&["import", s(&bad)], 1);
    assert!(out.stderr.contains("not a JSON MSEL"), "{}", out.stderr);
    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"Time,To,Message\n+00:10,CERT,caf\xe9\n").unwrap();
    let out = expect(&["import", s(&latin1)], 1);
    assert!(out.stderr.contains("UTF-8"), "{}", out.stderr);
    expect(&["import", s(&dir.path().join("missing.csv"))], 2);
}
