//! What fuzzing found, kept as tests, and the resource limits of issue 15.
//!
//! Each reproducer lives under `tests/fixtures/fuzz/<target>/` and is run here through the
//! same library calls as the fuzz target `fuzz/fuzz_targets/<target>.rs` (on the stable
//! toolchain, without libFuzzer). A crash found by a structure-aware target (or one that
//! depends on the commands the driver chose) is kept as a scenario and the journal of what
//! the driver submitted (`fuzz.ron`, `fuzz.jsonl`: run the target on the crash file with
//! `CYBERDRILL_FUZZ_DUMP=DIR` to get them), replayed like `cyberdrill replay`.
//!
//! The limits (`scenario::limits`, "Limits" in docs/scenario-format.md): a huge file, a
//! scenario with too many of anything, conditions nested too deep each get a clear
//! `scenario::too-large` (or `scenario::too-deep`) error, never a panic or an exhausted
//! memory.

use assert_cmd::Command;
use cyberdrill::exercise::replay;
use cyberdrill::journal::{self, Journal};
use cyberdrill::scenario::{self, Checked, import, limits, variant};
use cyberdrill::serve::session::KeyParser;
use cyberdrill::sim::Sim;
use std::path::{Path, PathBuf};

fn fixture(target: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target)
        .join(name)
}

/// The `scenario` target without its commands: check, render, and a short headless run
/// when the scenario is valid.
fn scenario_target(bytes: &[u8]) {
    let checked = scenario::check_bytes("fuzz.ron", bytes);
    let _ = checked.render(false);
    let _ = checked.render(true);
    for d in &checked.diagnostics {
        let _ = d.to_json(&checked.source);
    }
    if let Some(s) = checked.into_valid() {
        let mut sim = Sim::headless(&s, 1);
        for _ in 0..288 {
            sim.step();
        }
        let _ = sim.outcome();
    }
}

/// A reproducer of `scenario` or `scenario_mutate` kept as a scenario and the journal of the
/// driver's commands (`CYBERDRILL_FUZZ_DUMP`): checked, then replayed to the end (as
/// `cyberdrill replay fuzz.jsonl --scenario fuzz.ron` would).
#[allow(dead_code)]
fn replayed(dir: &Path) {
    let text = std::fs::read(dir.join("fuzz.ron")).expect("the reproducer's scenario");
    let checked = scenario::check_bytes("fuzz.ron", &text);
    let _ = checked.render(false);
    let Some(s) = checked.into_valid() else {
        return;
    };
    let journal = Journal::read(&dir.join("fuzz.jsonl")).expect("the reproducer's journal");
    let sim = replay::rebuild(&journal, &s, u32::MAX, &dir.join("fuzz.jsonl"))
        .unwrap_or_else(|e| panic!("the reproducer no longer replays: {e:?}"));
    for t in &s.teams {
        let _ = sim.team_view(&t.id);
    }
    let _ = sim.facilitator_view();
    let _ = sim.outcome();
}

/// A built-in scenario by `builtin:NAME`, the flagship for anything else (as the `journal`
/// target picks it).
fn builtin_or_flagship(reference: &str) -> cyberdrill::scenario::Valid {
    let b = reference
        .strip_prefix("builtin:")
        .and_then(cyberdrill::builtin::find)
        .unwrap_or(&cyberdrill::builtin::SCENARIOS[0]);
    scenario::from_str(b.file, b.source).expect("built-in scenarios are valid")
}

/// The `journal` target: parse, then replay against the scenario it names, for at most 288
/// ticks (`play --resume` when it reached no further, `replay --until` otherwise).
fn journal_target(bytes: &[u8]) {
    let Ok(j) = Journal::parse(bytes) else {
        return;
    };
    let _ = journal::current_humans(&j);
    let _ = journal::prefix_hash(&j, j.reached);
    let s = builtin_or_flagship(&j.scenario);
    let path = Path::new("fuzz.jsonl");
    let sim = if j.reached <= 288 {
        replay::resume(&j, &s, path)
    } else {
        replay::rebuild(&j, &s, 288, path)
    };
    if let Ok(sim) = sim {
        for t in &s.teams {
            let _ = sim.team_view(&t.id);
        }
        let _ = journal::outcome_hash(&sim.outcome());
    }
}

/// The `keys` target, on a stream: fed whole (one packet), then in packets of 3 bytes.
fn keys_target(stream: &[u8]) {
    let _ = KeyParser::default().feed(stream);
    let mut parser = KeyParser::default();
    for chunk in stream.chunks(3) {
        let _ = parser.feed(chunk);
    }
}

/// The `msel` target: read, built alone and onto the flagship, written as `cyberdrill import`
/// writes it; the written scenario must pass `check`.
fn msel_target(bytes: &[u8]) {
    let Ok(msel) = import::read(bytes) else {
        return;
    };
    let flagship = builtin_or_flagship("builtin:flagship");
    for base in [None, Some(&*flagship)] {
        let imported = import::build(&msel, "drill", base);
        let mut text = String::from("// Imported by `cyberdrill import` from drill.csv.\n");
        text.push_str(&variant::to_text(&imported.scenario));
        text.push('\n');
        let checked = scenario::check_bytes("imported.ron", text.as_bytes());
        assert!(
            checked.is_valid(),
            "the imported scenario does not pass check:\n{}",
            checked.render(false)
        );
    }
}

fn read(target: &str, name: &str) -> Vec<u8> {
    std::fs::read(fixture(target, name)).expect("the reproducer")
}

// ---------------------------------------------------------------------------------------
// What fuzzing (and testing the limits) found.

/// Found testing the limits: a diagnostic past column 65535 of a line made miette panic
/// drawing its caret ("Formatting argument out of range"). Long lines now show an excerpt
/// around the span. (Fixed in src/scenario/diagnostic.rs.)
#[test]
fn scenario_a_diagnostic_past_column_65535_renders_an_excerpt() {
    let _turn = crate::harness::alongside();
    let bytes = read("scenario", "long-line.ron");
    scenario_target(&bytes);
    let checked = scenario::check_bytes("long-line.ron", &bytes);
    let text = checked.render(false);
    let column = 66000
        + "Scenario(meta: (id: \"long-line\", title: \"One long line\"),".len()
        + "states: [(id: \"s\", name: \"S\", utc_offset: ".len()
        + 1;
    assert!(
        text.contains(&format!("long-line.ron:3:{column}: error: utc_offset")),
        "{text}"
    );
    assert!(
        text.contains("utc_offset: 99"),
        "the excerpt shows the value:\n{text}"
    );
    assert!(text.len() < 4000, "an excerpt, not the whole line:\n{text}");
    let json = checked.diagnostics[0].to_json(&checked.source);
    assert_eq!((json.line, json.column), (Some(3), Some(column)));
}

/// Found by `msel`: a long name (a subject or a recipient of many words) made ids longer than
/// 64 characters (`scenario::bad-id`), so the imported scenario failed `check`. Ids taken
/// from names are now cut, with a hash of the whole name. (Fixed in src/scenario/import.rs.)
#[test]
fn msel_long_names_make_ids_of_at_most_64_characters() {
    let _turn = crate::harness::alongside();
    msel_target(&read("msel", "long-names.csv"));
}

/// Found reviewing the fix above: a recipient called "Control" made a team whose desk had
/// the id of exercise control's own desk (`control-desk`, `scenario::duplicate-id`). A team's
/// ids are now new ids. (Fixed in src/scenario/import.rs.)
#[test]
fn msel_a_recipient_called_control_gets_a_desk_of_its_own() {
    let _turn = crate::harness::alongside();
    msel_target(&read("msel", "recipient-control.csv"));
}

/// Found by `journal`: a facilitator's `delay_inject` of about `u32::MAX` minutes (a journal
/// line anyone can write) overflows `u32` in `Sim::delay_inject` (src/sim/mod.rs,
/// `to_minute: tick * clock.tick_minutes`, and `t * clock.tick_minutes` for an earlier
/// delay): "attempt to multiply with overflow" in debug builds, a wrong minute in release.
/// (Fixed: saturating arithmetic.)
#[test]
fn journal_delay_near_u32_max() {
    let _turn = crate::harness::alongside();
    journal_target(&read("journal", "delay-near-u32-max.jsonl"));
}

/// Found by `keys`: a mouse report at column or row 0 (SGR `ESC [ < 0 ; 0 ; 5 M`, rxvt
/// `ESC [ 41 ; 10 ; 0 M`), which any SSH client can send, makes terminput 0.5.16 subtract 1
/// from 0 (parser/mod.rs:700 and :642): "attempt to subtract with overflow" in debug builds
/// (the session's task panics), column 65535 in release. `KeyParser::feed`
/// (src/serve/session.rs) passed the bytes to it unchecked. (Fixed: mouse reports are
/// dropped before the parser sees them.)
#[test]
fn keys_mouse_report_at_column_0() {
    let _turn = crate::harness::alongside();
    keys_target(&read("keys", "sgr-mouse-column-0"));
    keys_target(&read("keys", "rxvt-mouse-column-0"));
}

/// Found by `keys` after that fix: terminput reads every `ESC [ <digit> ... M` as an rxvt
/// mouse report (parser/mod.rs:187, any bytes outside 64..=126 between), not only those with
/// exactly two `;` and digits that `mouse_report` (src/serve/session.rs) drops. So
/// `ESC [ 39 ; 0 M` (one `;`) and `ESC [ 39 ; + 0 ; 5 M` (`+0` parses as 0) still reach
/// `parse_csi_rxvt_mouse`: "attempt to subtract with overflow" at parser/mod.rs:642.
#[test]
fn keys_rxvt_mouse_report_of_any_shape() {
    let _turn = crate::harness::alongside();
    keys_target(&read("keys", "rxvt-mouse-one-semicolon"));
    keys_target(&read("keys", "rxvt-mouse-plus-zero"));
}

/// Found checking the second fix: terminput goes on reading an `ESC [ <digit>` sequence
/// through any byte outside 64..=126 (control bytes, UTF-8), and parses the column before it
/// looks at the next field, so `ESC [ 39 ; 0 ; \x01 M` and `ESC [ 39 ; 0 ; é M` still reach
/// `parse_csi_rxvt_mouse` with a column of 0 (parser/mod.rs:642), past `mouse_report`'s
/// 0x20..=0x3F check.
#[test]
fn keys_rxvt_mouse_report_with_other_bytes() {
    let _turn = crate::harness::alongside();
    keys_target(&read("keys", "rxvt-mouse-control-byte"));
    keys_target(&read("keys", "rxvt-mouse-non-ascii"));
}

// ---------------------------------------------------------------------------------------
// Limits.

/// The codes of a check's diagnostics.
fn codes(checked: &Checked) -> Vec<&'static str> {
    checked.diagnostics.iter().map(|d| d.code).collect()
}

/// A scenario whose `list` holds `n` generated items (and one of everything it refers to).
fn with_items(list: &str, n: usize) -> String {
    let item = |i: usize| match list {
        "states" => format!("(id: \"s{i}\", name: \"S\")"),
        "organisations" => {
            format!("(id: \"o{i}\", name: \"O\", state: \"s0\", kind: Press)")
        }
        "assets" => {
            format!("(id: \"a{i}\", name: \"A\", state: \"s0\", sector: Energy, operator: \"o0\")")
        }
        "contacts" => format!("(id: \"c{i}\", organisation: \"o0\", channel: Email)"),
        "actors" => format!("(id: \"x{i}\", name: \"X\", kind: Criminal)"),
        "relations" => "(between: (\"s0\", \"s1\"))".to_string(),
        "teams" => {
            format!("(id: \"t{i}\", name: \"T\", state: \"s0\", organisations: [\"o0\"])")
        }
        "injects" => format!("(id: \"i{i}\", at: \"0m\", kind: Question(text: \"?\"))"),
        "objectives" => {
            format!("(id: \"j{i}\", title: \"J\", criterion: PeakRungAtMost(rung: Demarche))")
        }
        other => unreachable!("no list {other}"),
    };
    let mut text = String::from("Scenario(\n    meta: (id: \"big\", title: \"Big\"),\n");
    if list != "states" {
        text.push_str("    states: [(id: \"s0\", name: \"S0\"), (id: \"s1\", name: \"S1\")],\n");
    }
    if list != "organisations" {
        text.push_str(
            "    organisations: [(id: \"o0\", name: \"O\", state: \"s0\", kind: Press)],\n",
        );
    }
    text.push_str(&format!("    {list}: [\n"));
    for i in 0..n {
        text.push_str("        ");
        text.push_str(&item(i));
        text.push_str(",\n");
    }
    text.push_str("    ],\n)\n");
    text
}

#[test]
fn a_list_over_its_limit_is_too_large_and_points_at_the_first_item_past_it() {
    let _turn = crate::harness::alongside();
    for (list, limit) in [
        ("states", limits::MAX_STATES),
        ("organisations", limits::MAX_ORGANISATIONS),
        ("assets", limits::MAX_ASSETS),
        ("contacts", limits::MAX_CONTACTS),
        ("actors", limits::MAX_ACTORS),
        ("relations", limits::MAX_RELATIONS),
        ("teams", limits::MAX_TEAMS),
        ("injects", limits::MAX_INJECTS),
        ("objectives", limits::MAX_OBJECTIVES),
    ] {
        let at_limit = scenario::check_bytes("big.ron", with_items(list, limit).as_bytes());
        assert!(
            !codes(&at_limit).contains(&"scenario::too-large"),
            "{limit} {list} are allowed"
        );
        let text = with_items(list, limit + 1);
        let over = scenario::check_bytes("big.ron", text.as_bytes());
        assert_eq!(codes(&over), ["scenario::too-large"], "{list}");
        let d = &over.diagnostics[0];
        assert_eq!(
            d.message,
            format!("too many {list}: {} (at most {limit})", limit + 1)
        );
        // The first item past the limit, on its own line.
        let span = d.span.clone().expect("a position");
        let line = text[..span.start].matches('\n').count();
        let first_line = text
            .lines()
            .position(|l| l.contains(&format!("    {list}: [")))
            .unwrap();
        assert_eq!(line, first_line + 1 + limit, "{list}");
        assert!(!over.is_valid());
        assert!(over.render(false).contains("scenario::too-large"));
    }
}

#[test]
fn a_million_contacts_are_refused_by_size_before_parsing() {
    let _turn = crate::harness::alongside();
    let text = with_items("contacts", 1_000_000);
    assert!(text.len() > limits::MAX_FILE_BYTES);
    let checked = scenario::check_bytes("million.ron", text.as_bytes());
    assert_eq!(codes(&checked), ["scenario::too-large"]);
    assert!(checked.scenario.is_none());
    assert!(checked.render(false).contains("larger than 8 MiB"));
}

#[test]
fn many_evidence_items_or_condition_nodes_in_all_are_too_large() {
    let _turn = crate::harness::alongside();
    let world = "Scenario(\n    meta: (id: \"big\", title: \"Big\"),\n    states: [(id: \"s0\", name: \"S\")],\n";
    let evidence = (0..1000)
        .map(|_| "(points_to: NonState, reliability: 0.5)")
        .collect::<Vec<_>>()
        .join(", ");
    let injects: String = (0..9)
        .map(|i| {
            format!(
                "(id: \"n{i}\", at: \"0m\", kind: News(headline: \"h\", evidence: [{evidence}])),\n"
            )
        })
        .collect();
    let text = format!("{world}    injects: [\n{injects}    ],\n)\n");
    let checked = scenario::check_bytes("evidence.ron", text.as_bytes());
    assert_eq!(codes(&checked), ["scenario::too-large"]);
    assert_eq!(
        checked.diagnostics[0].message,
        format!(
            "too many evidence items (in all injects): 9000 (at most {})",
            limits::MAX_EVIDENCE
        )
    );

    let fired = (0..1000)
        .map(|_| "InjectFired(\"q0\")")
        .collect::<Vec<_>>()
        .join(", ");
    let injects: String = (0..9)
        .map(|i| format!("(id: \"w{i}\", when: All([{fired}]), kind: Question(text: \"?\")),\n"))
        .collect();
    let text = format!(
        "{world}    injects: [\n(id: \"q0\", at: \"0m\", kind: Question(text: \"?\")),\n{injects}    ],\n)\n"
    );
    let checked = scenario::check_bytes("conditions.ron", text.as_bytes());
    assert_eq!(codes(&checked), ["scenario::too-large"]);
    assert!(
        checked.diagnostics[0]
            .message
            .starts_with("too many condition nodes (in all `when`s): 9009"),
        "{}",
        checked.diagnostics[0].message
    );

    // One list inside an item.
    let text = format!(
        "{world}    injects: [\n(id: \"q0\", at: \"0m\", kind: Question(text: \"?\")),\n(id: \"w\", when: Any([{}]), kind: Question(text: \"?\")),\n    ],\n)\n",
        vec!["InjectFired(\"q0\")"; limits::MAX_LIST_ITEMS + 1].join(", ")
    );
    let checked = scenario::check_bytes("wide.ron", text.as_bytes());
    assert_eq!(codes(&checked), ["scenario::too-large"]);
    assert_eq!(
        checked.diagnostics[0].message,
        format!(
            "too many items in one `when`: {} (at most {})",
            limits::MAX_LIST_ITEMS + 1,
            limits::MAX_LIST_ITEMS
        )
    );
}

/// A scenario with one inject waiting on a condition `depth` levels deep.
fn nested(depth: usize) -> String {
    let mut when = String::with_capacity(depth * 6 + 32);
    for _ in 1..depth {
        when.push_str("Not(");
    }
    when.push_str("InjectFired(\"q0\")");
    for _ in 1..depth {
        when.push(')');
    }
    format!(
        "Scenario(\n    meta: (id: \"deep\", title: \"Deep\"),\n    states: [(id: \"s0\", name: \"S\")],\n    injects: [\n        (id: \"q0\", at: \"0m\", kind: Question(text: \"?\")),\n        (id: \"w\", when: {when}, kind: Question(text: \"?\")),\n    ],\n)\n"
    )
}

#[test]
fn a_condition_nested_100000_deep_is_too_deep_not_a_stack_overflow() {
    let _turn = crate::harness::alongside();
    let checked = scenario::check_bytes("deep.ron", nested(100_000).as_bytes());
    assert_eq!(codes(&checked), ["scenario::too-deep"]);
    assert!(checked.render(false).contains("nests too deeply"));
}

#[test]
fn conditions_nest_at_most_32_deep() {
    let _turn = crate::harness::alongside();
    let ok = scenario::check_bytes("deep.ron", nested(limits::MAX_CONDITION_DEPTH).as_bytes());
    assert!(
        !codes(&ok).contains(&"scenario::too-large"),
        "{}",
        ok.render(false)
    );
    let over = scenario::check_bytes(
        "deep.ron",
        nested(limits::MAX_CONDITION_DEPTH + 1).as_bytes(),
    );
    assert_eq!(codes(&over), ["scenario::too-large"]);
    assert_eq!(
        over.diagnostics[0].message,
        format!(
            "too many levels of nested conditions: {} (at most {})",
            limits::MAX_CONDITION_DEPTH + 1,
            limits::MAX_CONDITION_DEPTH
        )
    );
}

/// A 100 MB file: a valid scenario followed by a long run of spaces (a sparse file, so the
/// test writes almost nothing).
fn huge_file(dir: &Path) -> PathBuf {
    let path = dir.join("huge.ron");
    std::fs::write(
        &path,
        "Scenario(meta: (id: \"huge\", title: \"Huge\"), states: [(id: \"s\", name: \"S\")])\n",
    )
    .unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(100 * 1024 * 1024).unwrap();
    path
}

#[test]
fn a_100_mb_file_is_read_only_to_the_limit_and_refused() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let path = huge_file(dir.path());
    let bytes = scenario::read_file(&path).unwrap();
    assert_eq!(bytes.len(), limits::MAX_FILE_BYTES + 1);
    let checked = scenario::check_bytes("huge.ron", &bytes);
    assert_eq!(codes(&checked), ["scenario::too-large"]);
}

#[test]
fn check_and_run_refuse_a_100_mb_file_with_exit_code_1() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let path = huge_file(dir.path());
    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("check")
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("scenario::too-large"), "{stderr}");
    assert!(stderr.contains("larger than 8 MiB"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("FAIL"));

    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["files"][0]["diagnostics"][0]["code"],
        "scenario::too-large"
    );

    let out = Command::cargo_bin("cyberdrill")
        .unwrap()
        .arg("run")
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("scenario::too-large"));
}

#[test]
fn the_built_in_scenarios_are_well_within_the_limits() {
    let _turn = crate::harness::alongside();
    for b in cyberdrill::builtin::SCENARIOS {
        assert!(b.source.len() < limits::MAX_FILE_BYTES / 16, "{}", b.name);
        let s = scenario::from_str(b.file, b.source).unwrap();
        assert!(limits::exceeded(&s).is_empty(), "{}", b.name);
    }
}

/// A journal of a header and one line of 1 GB (a sparse file): refused at the line's first
/// MiB (`journal::MAX_LINE_BYTES`), never read whole.
#[test]
fn a_journal_line_of_1_gb_is_refused_without_reading_it() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.jsonl");
    let header = std::fs::read_to_string(fixture("journal", "delay-near-u32-max.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    std::fs::write(&path, format!("{header}\n")).unwrap();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(1 << 30).unwrap();
    match Journal::read(&path) {
        Err(journal::JournalError::Corrupt { line, message }) => {
            assert_eq!(line, 2);
            assert!(message.contains("longer than"), "{message}");
        }
        other => panic!("expected a corrupt line 2, got {other:?}"),
    }
}
