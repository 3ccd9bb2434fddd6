//! End-to-end tests of `cyberdrill check`: the real binary on files in a temporary directory.
//!
//! Broken scenarios are derived from one small valid scenario by text edits. Every case states
//! where the mistake is (`LINE:COL`, 1-based, columns in characters) and what the text there
//! starts with, so the expected position is checked against the source as well as against
//! what the binary prints.

use assert_cmd::Command;
use std::path::Path;

/// A small complete scenario: two states, a CERT with a contact in each, an operator, an
/// asset, an actor, a relation, a team, an incident and an objective. Valid, no warnings (so
/// the national CERTs set their whole capacity).
const BASE: &str = r#"Scenario(
    meta: (id: "mini", title: "Mini drill"),
    clock: (start: "2026-03-02T08:00", tick_minutes: 5, duration: "12h"),
    states: [
        (id: "kelvar", name: "Kelvar", utc_offset: 7.0, posture: Cautious, government_control: 0.3),
        (id: "dorsa", name: "Dorsa", utc_offset: 8.0),
    ],
    organisations: [
        (id: "kelvar-cert", name: "Kelvar CERT", state: "kelvar", kind: NationalCert, capacity: (detect: 0.6, analyse: 0.5, respond: 0.5)),
        (id: "dorsa-cert", name: "Dorsa CERT", state: "dorsa", kind: NationalCert, capacity: (detect: 0.4, analyse: 0.4, respond: 0.4)),
        (id: "kelvar-grid", name: "Kelvar Grid", state: "kelvar", kind: Operator),
    ],
    assets: [
        (id: "grid", name: "Kelvar grid", state: "kelvar", sector: Energy, operator: "kelvar-grid"),
    ],
    contacts: [
        (id: "kelvar-duty", organisation: "kelvar-cert", channel: Email, hours: Always),
        (id: "dorsa-duty", organisation: "dorsa-cert", channel: Phone),
    ],
    actors: [
        (id: "ghost", name: "Ghost Panda", kind: Criminal),
    ],
    relations: [
        (between: ("kelvar", "dorsa"), tension: 0.2, hotline: true),
    ],
    teams: [
        (id: "team-kelvar", name: "Kelvar", state: "kelvar", organisations: ["kelvar-cert"]),
    ],
    injects: [
        (id: "outage", at: "1h", kind: Incident(actor: "ghost", target: "grid", vector: Wiper, severity: 0.6)),
    ],
    objectives: [
        (id: "detect", title: "Detect the outage", criterion: DetectWithin(incident: "outage", by: "kelvar", within: "2h")),
    ],
)
"#;

const OK_LINE: &str =
    "2 states, 3 organisations, 1 assets, 2 contacts, 1 actors, 1 teams, 1 injects, 1 objectives";

/// The base text with each `(from, to)` applied; each `from` must occur exactly once.
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_string();
    for (from, to) in edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "edit source {from:?} must occur exactly once"
        );
        text = text.replacen(from, to, 1);
    }
    text
}

/// The text starting at 1-based `line`, character `col` of `source`.
fn text_at(source: &str, line: usize, col: usize) -> String {
    let row = source
        .split('\n')
        .nth(line - 1)
        .unwrap_or_else(|| panic!("no line {line}"));
    row.chars().skip(col - 1).collect()
}

fn cyberdrill(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cyberdrill").expect("binary builds");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_check(dir: &Path, args: &[&str]) -> Run {
    let output = cyberdrill(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("binary runs");
    let run = Run {
        code: output
            .status
            .code()
            .expect("exited normally, not by a signal"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "the binary panicked:\n{}",
        run.stderr
    );
    run
}

/// The `LINE:COL` of every `FILE:LINE:COL: error:` line of `stderr`, in order.
fn error_positions(stderr: &str, file: &str) -> Vec<String> {
    let prefix = format!("{file}:");
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter_map(|l| l.split_once(": error: "))
        .map(|(pos, _)| pos.to_string())
        .collect()
}

/// One broken input: it must fail with exactly one error, at `line:col`, where the source
/// text starts with `points_at`; stderr must contain every string of `says`.
struct Case<'a> {
    name: &'a str,
    bytes: Vec<u8>,
    line: usize,
    col: usize,
    points_at: &'a str,
    says: &'a [&'a str],
}

fn case<'a>(
    name: &'a str,
    edits: &[(&str, &str)],
    (line, col): (usize, usize),
    points_at: &'a str,
    says: &'a [&'a str],
) -> Case<'a> {
    Case {
        name,
        bytes: edited(edits).into_bytes(),
        line,
        col,
        points_at,
        says,
    }
}

fn assert_case(case: Case) {
    let source = String::from_utf8_lossy(&case.bytes);
    assert!(
        text_at(&source, case.line, case.col).starts_with(case.points_at),
        "{}: the expected position {}:{} does not point at {:?} but at {:?}",
        case.name,
        case.line,
        case.col,
        case.points_at,
        text_at(&source, case.line, case.col)
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let file = format!("{}.ron", case.name);
    std::fs::write(dir.path().join(&file), &case.bytes).expect("write scenario");
    let run = run_check(dir.path(), &[&file]);
    assert_eq!(
        run.code, 1,
        "{}: exit code; stderr:\n{}",
        case.name, run.stderr
    );
    assert_eq!(
        run.stdout,
        format!("FAIL {file}: 1 error\n"),
        "{}: stdout; stderr:\n{}",
        case.name,
        run.stderr
    );
    let first = run.stderr.lines().next().unwrap_or_default();
    let expected = format!("{file}:{}:{}: error: ", case.line, case.col);
    assert!(
        first.starts_with(&expected),
        "{}: expected the first stderr line to start with {expected:?}, got {first:?}\n{}",
        case.name,
        run.stderr
    );
    for text in case.says {
        assert!(
            run.stderr.contains(text),
            "{}: stderr should mention {text:?}:\n{}",
            case.name,
            run.stderr
        );
    }
}

#[test]
fn base_scenario_is_valid() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.ron"), BASE).unwrap();
    let run = run_check(dir.path(), &["base.ron"]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    assert_eq!(run.stdout, format!("ok   base.ron: {OK_LINE}\n"));
    assert_eq!(
        run.stderr, "",
        "a valid scenario without warnings prints nothing on stderr"
    );
}

#[test]
fn syntax_error_equals_instead_of_colon() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "equals",
        &[(r#"title: "Mini drill""#, r#"title="Mini drill""#)],
        (2, 29),
        "=",
        &["Expected colon"],
    ));
}

#[test]
fn unclosed_paren_at_end_of_file() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "unclosed-end",
        &[("\n)\n", "\n")],
        (1, 9),
        "(",
        &["`(` is never closed", "add the matching `)`"],
    ));
}

#[test]
fn unclosed_paren_in_a_list_points_where_it_should_close() {
    let _turn = crate::harness::alongside();
    // The `)` of the second state is missing: the parser finds `]` where it expected `,` or
    // `)`.
    assert_case(case(
        "unclosed-list",
        &[("utc_offset: 8.0),", "utc_offset: 8.0")],
        (7, 5),
        "],",
        &[
            "expected `)` to close the `(` on line 6, or a comma",
            "the `(` opened at 6:9 is still open here",
        ],
    ));
}

#[test]
fn brackets_in_strings_and_comments_do_not_count() {
    let _turn = crate::harness::alongside();
    // Brackets inside strings, raw strings and comments before the mistake must not be
    // taken for open ones.
    assert_case(case(
        "unclosed-after-strings",
        &[
            (r#"title: "Mini drill""#, r#"title: "Mini ( drill [""#),
            (
                r#"name: "Dorsa CERT""#,
                r##"name: r#"Dorsa ( CERT"# /* ( [ */"##,
            ),
            ("organisations: [\n", "organisations: [ // ( [\n"),
            (r#"("kelvar", "dorsa"),"#, r#"("kelvar", "dorsa","#),
        ],
        (24, 19),
        r#"("kelvar""#,
        &["`(` is never closed"],
    ));
}

#[test]
fn one_item_too_many_in_a_tuple() {
    let _turn = crate::harness::alongside();
    // Every bracket is closed: the tuple just has one element more than a pair.
    assert_case(case(
        "tuple-of-three",
        &[(r#"("kelvar", "dorsa"),"#, r#"("kelvar", "dorsa", "x"),"#)],
        (24, 39),
        r#""x""#,
        &["expected `)` to close the `(` opened at 24:19"],
    ));
}

#[test]
fn unknown_field_with_suggestion() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "unknown-field",
        &[(
            r#"operator: "kelvar-grid")"#,
            r#"operator: "kelvar-grid", critcality: 0.9)"#,
        )],
        (14, 101),
        "critcality",
        &[
            "unknown field `critcality` in `Asset`",
            "did you mean `criticality`?",
        ],
    ));
}

#[test]
fn wrong_enum_variant_with_suggestion() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "wrong-vector",
        &[("vector: Wiper", "vector: Wipr")],
        (30, 89),
        "Wipr",
        &["`Wipr` is not a known Vector", "did you mean `Wiper`?"],
    ));
    assert_case(case(
        "wrong-posture",
        &[("posture: Cautious", "posture: Cautios")],
        (5, 66),
        "Cautios",
        &[
            "`Cautios` is not a known Posture",
            "did you mean `Cautious`?",
        ],
    ));
}

#[test]
fn unknown_id_reference_with_suggestion() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "unknown-id",
        &[(r#"target: "grid""#, r#"target: "gird""#)],
        (30, 73),
        "\"gird\"",
        &["unknown asset `gird`", "did you mean `grid`?"],
    ));
}

#[test]
fn unknown_id_inside_a_condition() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "condition",
        &[(
            "severity: 0.6)),\n",
            "severity: 0.6)),\n        (id: \"later\", when: Not(InjectFired(\"outgae\")), kind: News(headline: \"x\")),\n",
        )],
        (31, 45),
        "\"outgae\")",
        &["unknown inject `outgae`", "did you mean `outage`?"],
    ));
}

#[test]
fn reference_to_the_wrong_kind_of_thing() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "wrong-kind",
        &[(r#"operator: "kelvar-grid""#, r#"operator: "kelvar""#)],
        (14, 86),
        "\"kelvar\"",
        &[
            "`kelvar` is a state, expected an organisation",
            "did you mean `kelvar-cert`?",
        ],
    ));
    assert_case(case(
        "wrong-kind-article",
        &[(r#"target: "grid""#, r#"target: "ghost""#)],
        (30, 73),
        "\"ghost\"",
        &["`ghost` is an actor, expected an asset"],
    ));
    assert_case(case(
        "wrong-kind-either",
        &[(r#"by: "kelvar""#, r#"by: "grid""#)],
        (33, 100),
        "\"grid\"",
        &["`grid` is an asset, expected an organisation or state"],
    ));
}

#[test]
fn duplicate_id() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "duplicate-id",
        &[(r#"(id: "dorsa-duty""#, r#"(id: "kelvar-duty""#)],
        (18, 14),
        "\"kelvar-duty\"",
        &["duplicate contact id `kelvar-duty`", "rename one of them"],
    ));
}

#[test]
fn out_of_range_severity() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "severity",
        &[("severity: 0.6", "severity: 1.5")],
        (30, 106),
        "1.5",
        &["severity must be between 0 and 1, found 1.5"],
    ));
}

#[test]
fn out_of_range_government_control() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "control",
        &[("government_control: 0.3", "government_control: 2.0")],
        (5, 96),
        "2.0",
        &["government_control must be between 0 and 1"],
    ));
}

#[test]
fn empty_file() {
    let _turn = crate::harness::alongside();
    for (name, bytes) in [
        ("empty", &b""[..]),
        ("blank", b"\n  \n"),
        ("comment", b"// nothing yet\n"),
    ] {
        assert_case(Case {
            name,
            bytes: bytes.to_vec(),
            line: 1,
            col: 1,
            points_at: "",
            says: &["the file is empty"],
        });
    }
}

#[test]
fn non_utf8_bytes() {
    let _turn = crate::harness::alongside();
    let mut bytes = BASE.as_bytes().to_vec();
    let at = BASE.find("Mini drill").unwrap() + "Mini ".len();
    bytes.splice(at..at, [0xff, 0xfe]);
    assert_case(Case {
        name: "latin1",
        bytes,
        line: 2,
        col: 37,
        points_at: "\u{fffd}",
        says: &["not valid UTF-8"],
    });
}

/// Four independent semantic mistakes in one file, made at once.
const FOUR_MISTAKES: &[(&str, &str)] = &[
    ("severity: 0.6", "severity: 1.5"),
    (r#"target: "grid""#, r#"target: "gird""#),
    ("government_control: 0.3", "government_control: 2.0"),
    (r#"(id: "dorsa-duty""#, r#"(id: "kelvar-duty""#),
];

#[test]
fn every_semantic_error_is_reported() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("multi.ron"), edited(FOUR_MISTAKES)).unwrap();
    let run = run_check(dir.path(), &["multi.ron"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "FAIL multi.ron: 4 errors\n");
    assert_eq!(
        error_positions(&run.stderr, "multi.ron"),
        ["5:96", "18:14", "30:73", "30:106"],
        "all four, in source order:\n{}",
        run.stderr
    );
}

#[test]
fn json_format_gives_positions() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("multi.ron"), edited(FOUR_MISTAKES)).unwrap();
    std::fs::write(dir.path().join("base.ron"), BASE).unwrap();
    let run = run_check(dir.path(), &["base.ron", "multi.ron", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "", "JSON mode writes only to stdout");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    let files = doc["files"].as_array().expect("files array");
    assert_eq!(files.len(), 2);

    assert_eq!(files[0]["file"], "base.ron");
    assert_eq!(files[0]["valid"], true);
    assert_eq!(files[0]["errors"], 0);
    assert_eq!(files[0]["counts"]["states"], 2);
    assert_eq!(files[0]["diagnostics"].as_array().unwrap().len(), 0);

    assert_eq!(files[1]["file"], "multi.ron");
    assert_eq!(files[1]["valid"], false);
    assert_eq!(files[1]["errors"], 4);
    let diagnostics = files[1]["diagnostics"].as_array().unwrap();
    let positions: Vec<(u64, u64)> = diagnostics
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    assert_eq!(positions, [(5, 96), (18, 14), (30, 73), (30, 106)]);
    let severity = &diagnostics[3];
    assert_eq!(severity["severity"], "error");
    assert_eq!(severity["code"], "scenario::out-of-range");
    assert_eq!(
        (
            severity["end_line"].as_u64(),
            severity["end_column"].as_u64()
        ),
        (Some(30), Some(109))
    );
    let unknown = &diagnostics[2];
    assert_eq!(unknown["code"], "scenario::unknown-id");
    assert_eq!(unknown["help"], "did you mean `grid`?");
}

#[test]
fn json_format_for_a_syntax_error_and_a_missing_file() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.ron"), "").unwrap();
    let run = run_check(
        dir.path(),
        &["--format", "json", "empty.ron", "missing.ron"],
    );
    assert_eq!(run.code, 2, "an unreadable file wins over an invalid one");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files[0]["diagnostics"][0]["code"], "scenario::empty");
    assert_eq!(files[0]["diagnostics"][0]["line"], 1);
    assert_eq!(files[0]["diagnostics"][0]["column"], 1);
    assert!(files[0]["counts"].is_null());
    assert_eq!(files[1]["file"], "missing.ron");
    assert!(files[1]["io_error"].is_string());
}

#[test]
fn missing_file_is_a_usage_error() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.ron"), BASE).unwrap();
    let run = run_check(dir.path(), &["base.ron", "no-such-file.ron"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read no-such-file.ron"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, format!("ok   base.ron: {OK_LINE}\n"));
}

#[test]
fn no_arguments_is_a_usage_error() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let bare = cyberdrill(dir.path()).output().unwrap();
    assert_eq!(bare.status.code(), Some(2));
    let run = run_check(dir.path(), &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("<FILE>"), "{}", run.stderr);
}

#[test]
fn valid_and_invalid_files_together() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ron"), BASE).unwrap();
    std::fs::write(
        dir.path().join("b.ron"),
        edited(&[("vector: Wiper", "vector: Wipr")]),
    )
    .unwrap();
    let run = run_check(dir.path(), &["a.ron", "b.ron"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        format!("ok   a.ron: {OK_LINE}\nFAIL b.ron: 1 error\n")
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let _turn = crate::harness::alongside();
    let depth = 5000;
    let condition = format!(
        "{}InjectFired(\"outage\"){}",
        "Not(".repeat(depth),
        ")".repeat(depth)
    );
    let text = edited(&[(
        "    ],\n    objectives",
        &format!(
            "        (id: \"later\", when: {condition}, kind: News(headline: \"x\")),\n    ],\n    objectives"
        ),
    )]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("deep.ron"), text).unwrap();
    let run = run_check(dir.path(), &["deep.ron"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "FAIL deep.ron: 1 error\n");
    assert!(
        run.stderr.contains("error: the file nests too deeply"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("serde_stacker") && !run.stderr.contains("recursion_limit"),
        "the author cannot act on ron's advice to its callers:\n{}",
        run.stderr
    );
}

// Once known bugs, each stating the right behaviour.

#[test]
fn syntax_error_points_at_the_equals_sign_not_the_space_before() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "equals-spaced",
        &[(r#"title: "Mini drill""#, r#"title = "Mini drill""#)],
        (2, 30),
        "=",
        &["Expected colon"],
    ));
}

#[test]
fn unclosed_tuple_points_at_its_paren() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "unclosed-tuple",
        &[(r#"("kelvar", "dorsa"),"#, r#"("kelvar", "dorsa","#)],
        (24, 19),
        r#"("kelvar""#,
        &["`(` is never closed"],
    ));
}

#[test]
fn unclosed_paren_in_a_list_says_so() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "unclosed-list-message",
        &[("utc_offset: 8.0),", "utc_offset: 8.0")],
        (7, 5),
        "],",
        &["`)`"],
    ));
}

#[test]
fn unknown_field_in_a_variant_is_named() {
    let _turn = crate::harness::alongside();
    // Was: `missing field `severity` in `Incident`` at the closing paren, no suggestion.
    assert_case(case(
        "variant-field",
        &[("severity: 0.6", "severty: 0.6")],
        (30, 96),
        "severty",
        &["unknown field `severty`", "did you mean `severity`?"],
    ));
    // Was: accepted without a word, and the incident silently lasted until contained.
    assert_case(case(
        "variant-optional-field",
        &[("severity: 0.6)", "severity: 0.6, lasst: \"2h\")")],
        (30, 111),
        "lasst",
        &["unknown field `lasst`", "did you mean `lasts`?"],
    ));
    // The other enums with named-field variants.
    assert_case(case(
        "variant-hours",
        &[(
            "channel: Phone)",
            "channel: Phone, hours: Weekdays(from: 8, too: 17))",
        )],
        (18, 97),
        "too",
        &["unknown field `too` in `Weekdays`", "did you mean `to`?"],
    ));
    assert_case(case(
        "variant-criterion",
        &[("within: \"2h\"", "witin: \"2h\"")],
        (33, 110),
        "witin",
        &[
            "unknown field `witin` in `DetectWithin`",
            "did you mean `within`?",
        ],
    ));
    assert_case(case(
        "variant-condition",
        &[(
            "severity: 0.6)),\n",
            "severity: 0.6)),\n        (id: \"cut\", when: Detected(incident: \"outage\", bye: \"kelvar\"), kind: News(headline: \"x\")),\n",
        )],
        (31, 56),
        "bye",
        &["unknown field `bye` in `Detected`", "did you mean `by`?"],
    ));
    assert_case(case(
        "variant-world-change",
        &[(
            "severity: 0.6)),\n",
            "severity: 0.6)),\n        (id: \"cut\", at: \"2h\", kind: World(Outage(asset: \"grid\", inoperabilty: 0.5))),\n",
        )],
        (31, 65),
        "inoperabilty",
        &[
            "unknown field `inoperabilty` in `Outage`",
            "did you mean `inoperability`?",
        ],
    ));
}

#[test]
fn built_in_scenarios_are_checked_by_name() {
    let _turn = crate::harness::alongside();
    let dir = tempfile::tempdir().unwrap();
    let run = run_check(dir.path(), &["builtin:flagship", "builtin:no-such"]);
    assert_eq!(
        run.code, 2,
        "an unknown name is an I/O error:\n{}",
        run.stderr
    );
    assert!(
        run.stdout.starts_with("ok   builtin:flagship: 6 states"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("cannot read builtin:no-such"),
        "{}",
        run.stderr
    );
}

#[test]
fn facilitator_is_not_a_team_id() {
    let _turn = crate::harness::alongside();
    assert_case(case(
        "reserved-team-id",
        &[(r#"(id: "team-kelvar","#, r#"(id: "facilitator","#)],
        (27, 14),
        "\"facilitator\"",
        &["`facilitator` is the facilitator's login"],
    ));
}

// Warnings: the file stays valid (exit code 0), the warning has its code and position, and the
// fixed file is quiet.

/// One input that must pass with exactly one warning, with this code, at `line:col`, where
/// the source text starts with `points_at`; its message must contain every string of `says`
/// and its help every string of `helps` (read from `--format json`, where nothing is
/// wrapped).
struct WarningCase<'a> {
    name: &'a str,
    edits: &'a [(&'a str, &'a str)],
    line: usize,
    col: usize,
    points_at: &'a str,
    code: &'a str,
    says: &'a [&'a str],
    helps: &'a [&'a str],
}

fn assert_warning(case: WarningCase) {
    let source = edited(case.edits);
    assert!(
        text_at(&source, case.line, case.col).starts_with(case.points_at),
        "{}: the expected position {}:{} does not point at {:?} but at {:?}",
        case.name,
        case.line,
        case.col,
        case.points_at,
        text_at(&source, case.line, case.col)
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let file = format!("{}.ron", case.name);
    std::fs::write(dir.path().join(&file), &source).expect("write scenario");
    let run = run_check(dir.path(), &[&file]);
    assert_eq!(
        run.code, 0,
        "{}: a warning keeps the file valid; stderr:\n{}",
        case.name, run.stderr
    );
    assert!(
        run.stdout.starts_with(&format!("ok   {file}: ")) && run.stdout.ends_with(" (1 warning)\n"),
        "{}: stdout {:?}; stderr:\n{}",
        case.name,
        run.stdout,
        run.stderr
    );
    let first = run.stderr.lines().next().unwrap_or_default();
    let expected = format!("{file}:{}:{}: warning: ", case.line, case.col);
    assert!(
        first.starts_with(&expected),
        "{}: expected the first stderr line to start with {expected:?}, got {first:?}\n{}",
        case.name,
        run.stderr
    );
    assert!(
        run.stderr.contains(case.code),
        "{}: stderr should name {}:\n{}",
        case.name,
        case.code,
        run.stderr
    );
    let json = run_check(dir.path(), &[&file, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("stdout is JSON");
    let warning = &doc["files"][0]["diagnostics"][0];
    assert_eq!(warning["severity"], "warning", "{}", case.name);
    assert_eq!(warning["code"], case.code, "{}", case.name);
    let (message, help) = (
        warning["message"].as_str().unwrap_or_default(),
        warning["help"].as_str().unwrap_or_default(),
    );
    for text in case.says {
        assert!(
            message.contains(text),
            "{}: the message should mention {text:?}: {message:?}",
            case.name
        );
    }
    for text in case.helps {
        assert!(
            help.contains(text),
            "{}: the help should mention {text:?}: {help:?}",
            case.name
        );
    }
}

/// The base text with `edits` passes with nothing on stderr.
fn assert_quiet(name: &str, edits: &[(&str, &str)]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = format!("{name}.ron");
    std::fs::write(dir.path().join(&file), edited(edits)).expect("write scenario");
    let run = run_check(dir.path(), &[&file]);
    assert_eq!(run.code, 0, "{name}: stderr:\n{}", run.stderr);
    assert_eq!(run.stderr, "", "{name}: no warning expected");
    assert!(
        !run.stdout.contains("warning"),
        "{name}: stdout {:?}",
        run.stdout
    );
}

#[test]
fn national_cert_with_default_capacity_is_warned() {
    let _turn = crate::harness::alongside();
    // Part of the capacity left out: the warning points at it and names what is unset.
    assert_warning(WarningCase {
        name: "default-capacity-part",
        edits: &[("capacity: (detect: 0.6, analyse: 0.5, ", "capacity: (")],
        line: 9,
        col: 97,
        points_at: "(respond: 0.5)",
        code: "scenario::default-capacity",
        says: &[
            "national CERT `kelvar-cert` leaves capacity detect and analyse unset",
            "the default for a national CERT: detect 0.5, analyse 0.5",
        ],
        helps: &["write all three, e.g. `capacity: (detect: 0.5, analyse: 0.5, respond: 0.5)`"],
    });
    // No capacity at all: the warning points at the kind.
    assert_warning(WarningCase {
        name: "default-capacity-none",
        edits: &[(
            "kind: NationalCert, capacity: (detect: 0.4, analyse: 0.4, respond: 0.4)",
            "kind: NationalCert",
        )],
        line: 10,
        col: 70,
        points_at: "NationalCert)",
        code: "scenario::default-capacity",
        says: &[
            "national CERT `dorsa-cert` leaves its capacity unset",
            "detect 0.5, analyse 0.5, respond 0.5",
        ],
        helps: &["`capacity: (detect: 0.5, analyse: 0.5, respond: 0.5)`"],
    });
    // Only a national CERT is warned: an operator's default is by design.
    assert_quiet(
        "default-capacity-operator",
        &[(
            "kind: Operator),",
            "kind: Operator, capacity: (respond: 0.7)),",
        )],
    );
}

/// Evidence on the incident against Kelvar's grid.
const EVIDENCE_ON_KELVAR: &str =
    r#"severity: 0.6, evidence: [(points_to: State("kelvar"), reliability: 0.6)])"#;

#[test]
fn evidence_pointing_at_the_victim_is_warned() {
    let _turn = crate::harness::alongside();
    assert_warning(WarningCase {
        name: "evidence-victim",
        edits: &[("severity: 0.6)", EVIDENCE_ON_KELVAR)],
        line: 30,
        col: 134,
        points_at: r#"State("kelvar")"#,
        code: "scenario::evidence-points-at-victim",
        says: &[
            "evidence on `outage` points at `kelvar`, the state it attacks",
            "a state never suspects itself",
            "says nothing to `kelvar` or anyone else",
        ],
        helps: &["point it at the state, group"],
    });
    // In news about the incident, whatever the kind of evidence.
    assert_warning(WarningCase {
        name: "evidence-victim-news",
        edits: &[(
            "severity: 0.6)),\n",
            "severity: 0.6)),\n        (id: \"claim\", at: \"2h\", kind: News(headline: \"x\", about: \"outage\", evidence: [(kind: Claim, points_to: State(\"kelvar\"), reliability: 0.4)])),\n",
        )],
        line: 31,
        col: 112,
        points_at: r#"State("kelvar")"#,
        code: "scenario::evidence-points-at-victim",
        says: &["points at `kelvar`, the state it attacks"],
        helps: &[],
    });
    // Fixed: it points at another state (or a group).
    assert_quiet(
        "evidence-victim-fixed",
        &[(
            "severity: 0.6)",
            r#"severity: 0.6, evidence: [(points_to: State("dorsa"), reliability: 0.6), (kind: Exculpatory, points_to: Group("ghost"), reliability: 0.3)])"#,
        )],
    );
}

/// An exercise-wide acknowledgement objective, and a regional body no team plays, with a
/// contact of its own.
const COMMS_CHECK: &[(&str, &str)] = &[
    (
        "kind: Operator),\n",
        "kind: Operator),\n        (id: \"rcc\", name: \"Regional centre\", state: \"kelvar\", kind: RegionalBody),\n",
    ),
    (
        "channel: Phone),\n",
        "channel: Phone),\n        (id: \"rcc-desk\", organisation: \"rcc\", channel: Portal, hours: Always),\n",
    ),
    (
        "within: \"2h\")),\n",
        "within: \"2h\")),\n        (id: \"acks\", title: \"Acknowledgements\", criterion: AcknowledgeWithin(within: \"1h\", share: 0.5)),\n",
    ),
];

/// [`COMMS_CHECK`] with more edits.
fn comms_check_and(more: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    COMMS_CHECK.iter().chain(more).copied().collect()
}

#[test]
fn objective_met_by_the_opening_communication_check_is_warned() {
    let _turn = crate::harness::alongside();
    assert_warning(WarningCase {
        name: "comms-check",
        edits: COMMS_CHECK,
        line: 36,
        col: 60,
        points_at: "AcknowledgeWithin(",
        code: "scenario::met-by-communication-check",
        says: &[
            "objective `acks` may be met by the opening communication check of `rcc` at about +00:05, before the first incident at +01:00",
        ],
        helps: &[
            "no team plays `rcc`",
            r#"count only later messages (`after: "1h"`)"#,
            "list contacts the check skips",
            "set the objective for a team that plays `rcc`",
        ],
    });
    // Fixed: set for a team that plays the body (its players choose when to check).
    assert_quiet(
        "comms-check-played",
        &comms_check_and(&[
            (
                r#"organisations: ["kelvar-cert"]"#,
                r#"organisations: ["kelvar-cert", "rcc"]"#,
            ),
            (
                r#"title: "Acknowledgements","#,
                r#"title: "Acknowledgements", team: "team-kelvar","#,
            ),
        ]),
    );
    // Fixed: only the body's own contacts, which its check skips.
    assert_quiet(
        "comms-check-own-contacts",
        &comms_check_and(&[(
            r#"AcknowledgeWithin(within"#,
            r#"AcknowledgeWithin(contacts: ["rcc-desk"], within"#,
        )]),
    );
    // Fixed: only messages sent from the first incident on count.
    assert_quiet(
        "comms-check-after",
        &comms_check_and(&[(r#"share: 0.5)),"#, r#"share: 0.5, after: "1h")),"#)]),
    );
    // Fixed: the crisis starts in the first tick, with the check.
    assert_quiet(
        "comms-check-incident-at-once",
        &comms_check_and(&[(r#"(id: "outage", at: "1h""#, r#"(id: "outage", at: "5m""#)]),
    );
    // The body checks only for objectives of its own team (none here): a team's objective is
    // not met by it.
    assert_quiet(
        "comms-check-other-team",
        &comms_check_and(&[(
            r#"title: "Acknowledgements","#,
            r#"title: "Acknowledgements", team: "team-kelvar","#,
        )]),
    );
}

#[test]
fn sponsored_group_without_a_public_name_is_warned() {
    let _turn = crate::harness::alongside();
    assert_warning(WarningCase {
        name: "name-reveals-sponsor",
        edits: &[("kind: Criminal)", r#"kind: Proxy, sponsor: "dorsa")"#)],
        line: 21,
        col: 29,
        points_at: r#""Ghost Panda""#,
        code: "scenario::name-reveals-sponsor",
        says: &[
            "actor `ghost` has a sponsor but no `known_as`",
            "`Ghost Panda`",
        ],
        helps: &[r#"add `known_as: "<the name the public knows>"`"#],
    });
    // Fixed: the public name.
    assert_quiet(
        "name-reveals-sponsor-fixed",
        &[(
            "kind: Criminal)",
            r#"kind: Proxy, sponsor: "dorsa", known_as: "Ghost Panda")"#,
        )],
    );
    // A state unit is a state's, not a suspect under its own name.
    assert_quiet(
        "name-reveals-sponsor-state-unit",
        &[("kind: Criminal)", r#"kind: StateUnit, sponsor: "dorsa")"#)],
    );
}

/// A question's `pause` is checked: `true` or `false`, nothing else; `true` is valid.
#[test]
fn a_question_pause_takes_true_or_false() {
    let _turn = crate::harness::alongside();
    let incident = r#"        (id: "outage", at: "1h", kind: Incident(actor: "ghost", target: "grid", vector: Wiper, severity: 0.6)),"#;
    let with = |pause: &str| {
        format!(
            "{incident}\n        (id: \"q\", at: \"2h\", kind: Question(text: \"Who knew?\", to: [\"team-kelvar\"], pause: {pause})),"
        )
    };
    let ok = with("true");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pause.ron"), edited(&[(incident, &ok)])).unwrap();
    let run = run_check(dir.path(), &["pause.ron"]);
    assert_eq!(run.code, 0, "stderr:\n{}", run.stderr);
    let bad = with("\"yes\"");
    let text = edited(&[(incident, &bad)]);
    let (line, row) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains("pause: \"yes\""))
        .expect("the edited line");
    let col = row[..row.find("\"yes\"").unwrap()].chars().count() + 1;
    assert_case(case(
        "pause-not-bool",
        &[(incident, &bad)],
        (line + 1, col),
        "\"yes\"",
        &["`pause` takes `true` or `false`", "scenario::wrong-type"],
    ));
}
