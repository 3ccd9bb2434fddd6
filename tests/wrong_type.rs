//! Type mismatches in a scenario come out as `scenario::wrong-type`: the field named, the
//! kind of value it takes, a form to copy, and the caret on the value written. One case per
//! field kind, each made by breaking one value of the flagship.

use cyberdrill::scenario::check_bytes;

/// (what the flagship says, what the broken file says instead, the field the message names,
/// a piece of the accepted form the help must show).
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "hours: Always",
        "hours: 9",
        "hours",
        "Weekdays(from: 9, to: 17)",
    ),
    (
        "hours: Always",
        "hours: \"9-17\"",
        "hours",
        "Weekdays(from: 9, to: 17)",
    ),
    (
        "ack_delay: (5",
        "ack_delay: (\"5m\"",
        "ack_delay",
        "ack_delay: (2, 10)",
    ),
    (
        "ack_delay: (5",
        "ack_delay: (5.5",
        "ack_delay",
        "ack_delay: (2, 10)",
    ),
    (
        "channel: Email",
        "channel: \"email\"",
        "channel",
        "DiplomaticNote",
    ),
    ("channel: Email", "channel: 3", "channel", "DiplomaticNote"),
    ("tension: 0.4", "tension: \"high\"", "tension", "0.5"),
    ("tension: 0.4", "tension: high", "tension", "0.5"),
    (
        "government_control: 0.35",
        "government_control: true",
        "government_control",
        "0.5",
    ),
    (
        "utc_offset: 8.0",
        "utc_offset: \"+8\"",
        "utc_offset",
        "utc_offset: 5.5",
    ),
    (
        "posture: Cautious",
        "posture: \"cautious\"",
        "posture",
        "Assertive",
    ),
    (
        "criticality: 0.9",
        "criticality: [0.9]",
        "criticality",
        "0.5",
    ),
    (
        "resilience: 0.6",
        "resilience: \"0.6\"",
        "resilience",
        "0.5",
    ),
    ("sector: Energy", "sector: \"Energy\"", "sector", "Finance"),
    (
        "tick_minutes: 5",
        "tick_minutes: 5.5",
        "tick_minutes",
        "tick_minutes: 5",
    ),
    (
        "tick_minutes: 5",
        "tick_minutes: \"5m\"",
        "tick_minutes",
        "tick_minutes: 5",
    ),
    ("duration: \"48h\"", "duration: 48", "duration", "\"1h30m\""),
    ("lasts: \"12h\"", "lasts: 12", "lasts", "\"1h30m\""),
    ("severity: 0.5", "severity: \"severe\"", "severity", "0.5"),
    ("skill: 0.75", "skill: \"high\"", "skill", "0.5"),
    (
        "to: [\"team-varesh\"]",
        "to: \"team-varesh\"",
        "to",
        "to: [\"velmira\"]",
    ),
    (
        "to: [\"team-varesh\"]",
        "to: [team-varesh]",
        "to",
        "to: [\"velmira\"]",
    ),
    (
        "between: (\"varesh\"",
        "between: (varesh",
        "between",
        "between: (\"varesh\", \"kelmora\")",
    ),
    (
        "cbms: [PocExchange",
        "cbms: [\"PocExchange\"",
        "cbms",
        "cbms: [PocExchange, IncidentNotification]",
    ),
    ("weight: 0.4", "weight: \"0.4\"", "weight", "0.5"),
    (
        "reliability: 0.5",
        "reliability: \"likely\"",
        "reliability",
        "0.5",
    ),
    (
        "name: \"Republic of Varesh\"",
        "name: Varesh",
        "name",
        "\"Varesh CERT duty desk\"",
    ),
    ("state: \"varesh\"", "state: varesh", "state", "\"varesh\""),
    ("safe_zone: true", "safe_zone: \"yes\"", "safe_zone", "true"),
    ("safe_zone: true", "safe_zone: 1", "safe_zone", "true"),
    (
        "watches: [\"cable-meridian\"",
        "watches: [cable-meridian",
        "watches",
        "[\"velmira\"]",
    ),
    (
        "start: \"2026-03-06T01:00\"",
        "start: 2026",
        "start",
        "2026-03-13T08:00",
    ),
];

#[test]
fn every_wrong_type_names_the_field_and_shows_a_form() {
    let builtin = cyberdrill::builtin::find("flagship").expect("the flagship");
    let mut failures = Vec::new();
    for (from, to, field, form) in CASES {
        assert!(
            builtin.source.contains(from),
            "the flagship has no `{from}`"
        );
        let broken = builtin.source.replacen(from, to, 1);
        let checked = check_bytes("flagship.ron", broken.as_bytes());
        let Some(d) = checked.diagnostics.iter().find(|d| d.is_error()) else {
            failures.push(format!("{to}: no error"));
            continue;
        };
        let at = broken.find(to).unwrap();
        let value_start = at + to.find(": ").map_or(0, |i| i + 2);
        let span = d.span.clone().unwrap_or(0..0);
        let problems: Vec<&str> = [
            (d.code != "scenario::wrong-type").then_some("code"),
            (!d.message.contains(&format!("`{field}`"))).then_some("field"),
            (!d.help.as_deref().unwrap_or("").contains(form)).then_some("form"),
            (!(value_start..at + to.len()).contains(&span.start)).then_some("caret"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !problems.is_empty() {
            failures.push(format!(
                "{to}: wrong {problems:?}: [{}] {} (help: {}) at {:?}, value at {value_start}",
                d.code,
                d.message,
                d.help.as_deref().unwrap_or(""),
                span
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}
