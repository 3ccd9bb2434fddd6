//! Property tests: `check_bytes` and the rendering of its diagnostics never panic, whatever
//! the bytes, and keep a few cheap invariants.

use cyberdrill::scenario::{Checked, check_bytes};
use proptest::prelude::*;
use proptest::sample::Index;
use std::sync::OnceLock;

/// A small complete valid scenario (the same shape as the one in `check_cli.rs`), with a few
/// more constructs for mutations to break: a red line, a dependency, evidence, a condition.
const BASE: &str = r#"#![enable(implicit_some)]
// A small drill.
Scenario(
    meta: (id: "mini", title: "Mini drill", briefing: "Lights \"flicker\" — in Kelvar."),
    clock: (start: "2026-03-02T08:00", tick_minutes: 5, duration: "12h"),
    states: [
        (id: "kelvar", name: "Kelvar", utc_offset: 7.0, posture: Cautious, government_control: 0.3,
         red_lines: [Sector(Energy), Asset("grid")]),
        (id: "dorsa", name: "Dorsa", utc_offset: 5.75),
    ],
    organisations: [
        (id: "kelvar-cert", name: "Kelvar CERT", state: "kelvar", kind: NationalCert,
         capacity: (detect: 0.7, analyse: 0.6, respond: 0.5)),
        (id: "dorsa-cert", name: "Dorsa CERT", state: "dorsa", kind: NationalCert,
         capacity: (detect: 0.5, analyse: 0.5, respond: 0.5)),
        (id: "kelvar-grid", name: "Kelvar Grid", state: "kelvar", kind: Operator),
    ],
    assets: [
        (id: "grid", name: "Kelvar grid", state: "kelvar", sector: Energy, operator: "kelvar-grid"),
        (id: "bank", name: "Kelvar bank", state: "kelvar", sector: Finance, operator: "kelvar-grid",
         depends_on: [(asset: "grid", weight: 0.4)]),
    ],
    contacts: [
        (id: "kelvar-duty", organisation: "kelvar-cert", channel: Email, hours: Always),
        (id: "dorsa-duty", organisation: "dorsa-cert", channel: Phone, hours: Weekdays(from: 8, to: 18),
         ack_delay: (5, 30)),
    ],
    actors: [
        (id: "ghost", name: "Ghost Panda", kind: StateUnit, sponsor: "dorsa", false_flag: "kelvar"),
    ],
    relations: [
        (between: ("kelvar", "dorsa"), tension: 0.2, hotline: true, cbms: [PocExchange]),
    ],
    teams: [
        (id: "team-kelvar", name: "Kelvar", state: "kelvar", organisations: ["kelvar-cert"]),
    ],
    injects: [
        (id: "outage", at: "1h", kind: Incident(actor: "ghost", target: "grid", vector: Wiper,
         severity: 0.6, lasts: "3h", evidence: [(points_to: State("dorsa"), reliability: 0.4, planted: true)])),
        (id: "press", when: All([InjectFired("outage"), Not(Detected(incident: "outage", by: "kelvar"))]),
         kind: News(headline: "Blackout")),
        (id: "line-down", at: "2h30m", kind: World(HotlineDown("kelvar", "dorsa"))),
        (id: "note", at: "3h", kind: Message(to: ["team-kelvar"], from: "Minister", subject: "Status?")),
    ],
    objectives: [
        (id: "detect", title: "Detect the outage", team: "team-kelvar",
         criterion: DetectWithin(incident: "outage", by: "kelvar", within: "2h")),
        (id: "calm", title: "Stay calm", criterion: PeakRungAtMost(between: ("kelvar", "dorsa"), rung: Concern)),
    ],
)
"#;

/// The texts mutations start from: the inline scenario and, when present, the examples.
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = vec![BASE.as_bytes().to_vec()];
        for example in ["comms-check.ron", "flagship.ron"] {
            let path = format!("{}/scenarios/{example}", env!("CARGO_MANIFEST_DIR"));
            if let Ok(bytes) = std::fs::read(path) {
                seeds.push(bytes);
            }
        }
        seeds
    })
}

/// Checks, renders and serialises; asserts the invariants that hold for any input.
fn check_everything(bytes: &[u8]) -> Checked {
    let checked = check_bytes("fuzz.ron", bytes);
    let rendered = checked.render(false);
    let _ = checked.render(true);
    let errors = checked.errors();
    assert_eq!(errors + checked.warnings(), checked.diagnostics.len());
    assert_eq!(
        checked.is_valid(),
        checked.scenario.is_some() && errors == 0
    );
    if checked.scenario.is_none() {
        assert!(errors > 0, "a scenario that does not parse must say why");
    }
    // Errors come before warnings.
    let first_warning = checked
        .diagnostics
        .iter()
        .position(|d| !d.is_error())
        .unwrap_or(checked.diagnostics.len());
    assert!(
        checked.diagnostics[first_warning..]
            .iter()
            .all(|d| !d.is_error())
    );
    // One `fuzz.ron...: error:` / `: warning:` heading per diagnostic.
    let headings = rendered
        .lines()
        .filter(|l| {
            l.starts_with("fuzz.ron") && (l.contains(": error: ") || l.contains(": warning: "))
        })
        .count();
    assert_eq!(headings, checked.diagnostics.len(), "{rendered}");
    for diagnostic in &checked.diagnostics {
        let json = diagnostic.to_json(&checked.source);
        serde_json::to_string(&json).expect("serialises");
        assert_eq!(json.line.is_some(), diagnostic.span.is_some());
        if let (Some(line), Some(column)) = (json.line, json.column) {
            assert!(line >= 1 && column >= 1);
            let (end_line, end_column) = (json.end_line.unwrap(), json.end_column.unwrap());
            assert!((end_line, end_column) >= (line, column));
        }
    }
    checked
}

#[test]
fn seeds_check_cleanly() {
    // The examples are checked for validity elsewhere; here they only must not panic.
    for seed in seeds() {
        check_everything(seed);
    }
    let checked = check_bytes("base.ron", BASE.as_bytes());
    assert_eq!(checked.diagnostics, [], "{}", checked.render(false));
}

/// ron stops at its recursion limit; the walker and the validator must not overflow a test
/// thread's stack (2 MiB) below it, in a debug build.
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let marker = "        (id: \"note\"";
    for depth in [1, 10, 40, 60, 80, 100, 120, 127, 128, 129, 200, 1000] {
        let condition = format!(
            "{}InjectFired(\"outage\"){}",
            "Not(".repeat(depth),
            ")".repeat(depth)
        );
        let text = BASE.replacen(
            marker,
            &format!(
                "        (id: \"deep\", when: {condition}, kind: News(headline: \"x\")),\n{marker}"
            ),
            1,
        );
        check_everything(text.as_bytes());
        let list = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let text = BASE.replacen("cbms: [PocExchange]", &format!("cbms: {list}"), 1);
        check_everything(text.as_bytes());
    }
}

/// In a large file, a diagnostic near the end renders with the right line number and source
/// line (miette reads only a window of lines around it).
#[test]
fn diagnostics_deep_in_a_large_file_show_the_right_line() {
    let text = cyberdrill::scenario::generate::large_scenario(10, 200, 300, 500);
    let last = text
        .rfind("severity: 0.5")
        .expect("an incident with severity 0.5");
    let broken = format!("{}severity: 1.5{}", &text[..last], &text[last + 13..]);
    let checked = check_bytes("large.ron", broken.as_bytes());
    assert_eq!(checked.errors(), 1, "{}", checked.render(false));
    let line = broken[..last].matches('\n').count() + 1;
    let col = last - broken[..last].rfind('\n').map_or(0, |i| i + 1) + "severity: ".len() + 1;
    let rendered = checked.render(false);
    let source_line = broken.lines().nth(line - 1).expect("the line");
    assert!(
        rendered.starts_with(&format!("large.ron:{line}:{col}: error: ")),
        "{rendered}"
    );
    assert!(
        rendered.contains(&format!("[large.ron:{line}:{col}]")),
        "{rendered}"
    );
    assert!(
        rendered.contains(&format!("{line} │ {source_line}")),
        "{rendered}"
    );
    assert!(
        rendered.contains(&format!("{} │ ", line - 1))
            && rendered.contains(&format!("{} │ ", line + 1)),
        "one line of context either side:\n{rendered}"
    );
}

/// A change to a text. Positions are `Index`es so they fit whatever the length.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(Index, usize),
    Insert(Index, Vec<u8>),
    Duplicate(Index, usize, Index),
    Swap(Index, usize, Index, usize),
    ReplaceDigit(Index, u8),
}

fn ron_punct() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(&b"()[]{}\":,#!'/*\\-.0123456789 \nrSomeNonetrue_"[..]),
        1..6,
    )
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), 1..64usize).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<Index>(), ron_punct()).prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<Index>(), 1..200usize, any::<Index>())
            .prop_map(|(from, len, to)| Mutation::Duplicate(from, len, to)),
        (any::<Index>(), 1..80usize, any::<Index>(), 1..80usize)
            .prop_map(|(a, la, b, lb)| Mutation::Swap(a, la, b, lb)),
        (any::<Index>(), 0..=9u8).prop_map(|(at, d)| Mutation::ReplaceDigit(at, d)),
    ]
}

/// A byte range starting at `at`, at most `len` long, inside `text`.
fn range(text: &[u8], at: &Index, len: usize) -> std::ops::Range<usize> {
    let start = at.index(text.len() + 1).min(text.len());
    start..(start + len).min(text.len())
}

fn apply(text: &mut Vec<u8>, mutation: &Mutation) {
    match mutation {
        Mutation::Delete(at, len) => {
            let r = range(text, at, *len);
            text.drain(r);
        }
        Mutation::Insert(at, bytes) => {
            let at = at.index(text.len() + 1);
            text.splice(at..at, bytes.iter().copied());
        }
        Mutation::Duplicate(from, len, to) => {
            let slice = text[range(text, from, *len)].to_vec();
            let to = to.index(text.len() + 1);
            text.splice(to..to, slice);
        }
        Mutation::Swap(a, la, b, lb) => {
            let (mut x, mut y) = (range(text, a, *la), range(text, b, *lb));
            if x.start > y.start {
                std::mem::swap(&mut x, &mut y);
            }
            if x.end > y.start {
                return; // overlapping: nothing sensible to swap
            }
            let mut out = text[..x.start].to_vec();
            out.extend_from_slice(&text[y.clone()]);
            out.extend_from_slice(&text[x.end..y.start]);
            out.extend_from_slice(&text[x.clone()]);
            out.extend_from_slice(&text[y.end..]);
            *text = out;
        }
        Mutation::ReplaceDigit(at, digit) => {
            let digits: Vec<usize> = (0..text.len())
                .filter(|&i| text[i].is_ascii_digit())
                .collect();
            if !digits.is_empty() {
                text[digits[at.index(digits.len())]] = b'0' + digit;
            }
        }
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        check_everything(&bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,600}") {
        check_everything(text.as_bytes());
    }

    #[test]
    fn ron_like_text_never_panics(
        text in "[ \n()\\[\\]{}:,\"a-zA-Z0-9_.#!/*-]{0,400}",
    ) {
        check_everything(text.as_bytes());
        let wrapped = format!("Scenario(meta: (id: \"x\", title: \"y\"), states: [{text}])");
        check_everything(wrapped.as_bytes());
    }

    #[test]
    fn mutated_scenarios_never_panic(
        seed in any::<Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let seeds = seeds();
        let mut text = seeds[seed.index(seeds.len())].clone();
        for m in &mutations {
            apply(&mut text, m);
        }
        check_everything(&text);
    }

    /// Swapping a literal for a wrong one of the same kind (a string for a string, a number
    /// for a number) mostly keeps the file parseable, so the validator and the locator get
    /// exercised rather than the parser.
    #[test]
    fn mutated_values_never_panic(
        seed in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), any::<Index>()), 1..4),
    ) {
        const STRINGS: &[&str] = &[
            "\"\"", "\"grid\"", "\"bank\"", "\"kelvar\"", "\"dorsa\"", "\"outage\"", "\"nope\"",
            "\"team-kelvar\"", "\"kelvar-cert\"", "\"kelvar-duty\"", "\"0m\"", "\"40d\"",
            "\"1h\"", "\"bad id!\"",
        ];
        const NUMBERS: &[&str] = &["0", "1", "24", "100000", "-1.0", "2.0", "0.0", "1e9", "NaN", "inf", "13.3"];
        let seeds = seeds();
        let mut text = String::from_utf8_lossy(&seeds[seed.index(seeds.len())]).into_owned();
        for (at, value) in &edits {
            let literals = literal_spans(&text);
            if literals.is_empty() {
                break;
            }
            let r = literals[at.index(literals.len())].clone();
            let choices = if text[r.clone()].starts_with('"') { STRINGS } else { NUMBERS };
            text.replace_range(r, choices[value.index(choices.len())]);
        }
        check_everything(text.as_bytes());
    }
}

/// Byte ranges of the string literals and of the numbers in `text` (roughly).
fn literal_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                spans.push(start..i);
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'0'..=b'9' if i == 0 || !bytes[i - 1].is_ascii_alphanumeric() => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                spans.push(start..i);
            }
            _ => i += 1,
        }
    }
    spans
}
