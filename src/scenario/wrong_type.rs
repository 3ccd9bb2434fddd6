//! Type mismatches that teach: which field the value belongs to, what kind of value it
//! takes, and a form from the format to copy.
//!
//! `ron` says what it expected ("Expected boolean") at a position, but not for which field.
//! The field is found from the source: the innermost `name:` before the position, in the
//! innermost open bracket, and the field that bracket belongs to.

use super::diagnostic::Diagnostic;
use super::locate::{Kind, tokenize};
use std::ops::Range;

/// The field a position of the source belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldAt {
    /// The field's name (`hours`), or none inside a list or tuple without one.
    pub field: Option<String>,
    /// The field that holds the bracket the position is in (`contacts` for a contact's
    /// field, `hours` inside `Weekdays(...)`).
    pub owner: Option<String>,
    /// The position is an element of a list or a tuple (`to: ["a", 7]`).
    pub element: bool,
}

/// Finds the field at byte `at` of `source`.
pub fn field_at(source: &str, at: usize) -> FieldAt {
    struct Frame {
        bracket: char,
        owner: Option<String>,
        field: Option<String>,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let tokens = tokenize(&source[..at.min(source.len())]);
    let mut last_ident: Option<String> = None;
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            Kind::Ident => last_ident = Some(source[t.start..t.end].to_string()),
            Kind::Punct(':') => {
                if let (Some(frame), Some(name)) = (stack.last_mut(), last_ident.take()) {
                    frame.field = Some(name);
                }
            }
            Kind::Punct(c @ ('(' | '[' | '{')) => {
                let owner = stack.last().and_then(|f| match f.bracket {
                    '(' => f.field.clone().or_else(|| f.owner.clone()),
                    _ => f.owner.clone(),
                });
                stack.push(Frame {
                    bracket: c,
                    owner,
                    field: None,
                });
            }
            Kind::Punct(')' | ']' | '}') => {
                stack.pop();
            }
            Kind::Punct(',') => {
                // A new field begins in a struct; in a list the owner stays.
                if let Some(frame) = stack.last_mut()
                    && frame.bracket == '('
                    && tokens.get(i + 2).and_then(|t| t.punct()) == Some(':')
                {
                    frame.field = None;
                }
            }
            _ => {}
        }
    }
    match stack.last() {
        None => FieldAt {
            field: None,
            owner: None,
            element: false,
        },
        Some(f) if f.bracket == '[' => FieldAt {
            field: f.owner.clone(),
            owner: f.owner.clone(),
            element: true,
        },
        Some(f) if f.field.is_some() => FieldAt {
            field: f.field.clone(),
            owner: f.owner.clone(),
            element: false,
        },
        // A tuple (or a variant's parentheses) without field names: its items belong to
        // the field that holds it.
        Some(f) => FieldAt {
            field: f.owner.clone(),
            owner: f.owner.clone(),
            element: true,
        },
    }
}

/// What a field takes and a form to copy, from the format (docs/scenario-format.md).
pub fn accepted(at: &FieldAt) -> Option<(&'static str, &'static str)> {
    let field = at.field.as_deref()?;
    let owner = at.owner.as_deref().unwrap_or("");
    Some(match field {
        "hours" => (
            "a staffing pattern",
            "`hours: Weekdays(from: 9, to: 17)`, `Office(from: 8, to: 20)` or `Always`",
        ),
        "from" | "to" if owner == "hours" => (
            "an hour of the day, a whole number from 0 to 24",
            "`Weekdays(from: 9, to: 17)`",
        ),
        "to" | "watches" | "organisations" if at.element || field != "organisations" => (
            "a list of ids in quotes",
            "`to: [\"velmira\"]` or `to: [\"var-cert\", \"tor-cert\"]`",
        ),
        "ack_delay" if at.element => (
            "a whole number of minutes",
            "`ack_delay: (2, 10)` (between 2 and 10 minutes)",
        ),
        "between" if at.element => (
            "a state id in quotes",
            "`between: (\"varesh\", \"kelmora\")`",
        ),
        "ack_delay" => (
            "a range of minutes, two whole numbers",
            "`ack_delay: (2, 10)` (between 2 and 10 minutes)",
        ),
        "between" => (
            "two state ids in quotes",
            "`between: (\"varesh\", \"kelmora\")`",
        ),
        "tension" | "government_control" | "criticality" | "resilience" | "severity" | "skill"
        | "reliability" | "weight" | "detect" | "analyse" | "respond" | "value" | "share" => {
            ("a number from 0 to 1", "`0.5`")
        }
        "utc_offset" => ("hours from UTC, a number", "`utc_offset: 5.5`"),
        "tick_minutes" => ("a whole number of minutes", "`tick_minutes: 5`"),
        "hotline" | "stale" | "safe_zone" | "planted" => ("`true` or `false`", "`hotline: true`"),
        "duration" | "lasts" | "at" | "after" | "within" | "delay" | "for" => (
            "a span of time in quotes",
            "`\"12h\"`, `\"90m\"`, `\"1h30m\"` or `\"2d 4h\"`",
        ),
        "start" => ("a date and time in quotes", "`start: \"2026-03-13T08:00\"`"),
        "id" | "state" | "organisation" | "operator" | "target" | "actor" | "asset" | "sponsor"
        | "false_flag" | "team" | "about" | "incident" | "inject" | "objective" | "contact"
        | "sender" => ("an id in quotes", "`\"varesh\"`"),
        "name" | "title" | "author" | "version" | "briefing" | "brief" | "subject" | "body"
        | "text" | "headline" | "address" | "from" | "known_as" => {
            ("text in quotes", "`\"Varesh CERT duty desk\"`")
        }
        "cbms" => (
            "a list of confidence-building measures",
            "`cbms: [PocExchange, IncidentNotification]`",
        ),
        "red_lines" => (
            "a list of red lines",
            "`red_lines: [Sector(Health), SafeZone, Asset(\"var-rtgs\")]`",
        ),
        "channel" => (
            "a channel",
            "`Email`, `Phone`, `Portal`, `Hotline` or `DiplomaticNote`",
        ),
        "posture" => ("a posture", "`Restrained`, `Cautious` or `Assertive`"),
        "sector" => ("a sector", "`Energy`, `Finance`, `Health`, `Telecom`, …"),
        "depends_on" => (
            "a list of dependencies",
            "`depends_on: [(asset: \"nor-power\", weight: 0.6)]`",
        ),
        "evidence" => (
            "a list of evidence items",
            "`evidence: [(points_to: State(\"kelmora\"), reliability: 0.6)]`",
        ),
        "points_to" => (
            "a candidate",
            "`State(\"kelmora\")`, `Group(\"tide-boys\")` or `NonState`",
        ),
        "rung" => ("a rung of the ladder", "`Demarche`, `Sanctions`, …"),
        "kinds" => (
            "a list of message kinds",
            "`kinds: [Notify, ShareEvidence]`",
        ),
        "capacity" => (
            "detection, analysis and response capacities",
            "`capacity: (detect: 0.6, analyse: 0.5, respond: 0.5)`",
        ),
        _ => return None,
    })
}

/// A short description of the value written at `span`, for "found ...".
pub fn found(source: &str, span: &Range<usize>) -> String {
    let text = source.get(span.start..).unwrap_or_default().trim_start();
    let first = text.chars().next().unwrap_or(' ');
    let word: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '#'))
        .collect();
    match first {
        '"' => "text in quotes".into(),
        '[' => "a list".into(),
        '(' => "a parenthesised value".into(),
        '{' => "a map".into(),
        c if c.is_ascii_digit() || c == '-' => {
            if word.contains('.') {
                format!("the number `{word}`")
            } else {
                format!("the whole number `{word}`")
            }
        }
        _ if word == "true" || word == "false" => format!("`{word}`"),
        _ if !word.is_empty() => format!("`{word}`"),
        _ => "something else".into(),
    }
}

/// The `scenario::wrong-type` diagnostic for a value of the wrong kind at `span`; `expected`
/// is what the parser wanted, in its words.
pub fn diagnostic(source: &str, span: Range<usize>, expected: &str) -> Diagnostic {
    let at = field_at(source, span.start);
    let found = found(source, &span);
    let (kind, form) = accepted(&at).unwrap_or((expected, ""));
    let field = at.field.as_deref();
    let message = match field {
        Some(f) if at.element => format!("an item of `{f}` must be {kind}, found {found}"),
        Some(f) => format!("`{f}` takes {kind}, found {found}"),
        None => format!("expected {kind}, found {found}"),
    };
    let help = if form.is_empty() {
        "see docs/scenario-format.md for the fields and the values each takes".to_string()
    } else {
        format!("write it like {form} (docs/scenario-format.md)")
    };
    Diagnostic::error("scenario::wrong-type", message)
        .at(Some(span), format!("expected {kind}"))
        .help(help)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(source: &str, needle: &str) -> FieldAt {
        field_at(source, source.find(needle).unwrap())
    }

    #[test]
    fn the_field_of_a_position() {
        let src = r#"(contacts: [(id: "a", hours: Weekdays(from: X, to: 17), ack_delay: (2, Y))], to: ["a", Z])"#;
        let f = at(src, "X");
        assert_eq!(f.field.as_deref(), Some("from"));
        assert_eq!(f.owner.as_deref(), Some("hours"));
        let f = at(src, "Y");
        assert_eq!(f.field.as_deref(), Some("ack_delay"));
        let f = at(src, "Z");
        assert_eq!(f.field.as_deref(), Some("to"));
        assert!(f.element);
        let f = at(src, "Weekdays");
        assert_eq!(f.field.as_deref(), Some("hours"));
    }
}
