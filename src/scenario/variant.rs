//! Variants of a scenario: `--set PATH=VALUE` overrides, so an author can try "what if this
//! relation had no hotline" without copying the whole file.
//!
//! A path names one value of the scenario the way an author thinks of it:
//! `states[varesh].government_control`, `relations[varesh,kelmora].hotline`,
//! `assets[vcb-core].resilience`, `clock.duration`. A list element is picked by its `id`, by
//! the two states of a relation (either order), or by its position (`injects[0]`). The value
//! is RON, written as in a scenario file (`false`, `0.9`, `"text"`, `Weekdays(from: 8, to:
//! 18)`, `["a", "b"]`).
//!
//! The override is applied to the scenario's own text form: the scenario is written out as
//! RON, the value at the path is replaced by the text given, and the result is parsed and
//! checked exactly like a file. A wrong type or a value out of range is therefore the same
//! error `check` would give, pointed at the value inside the `--set` argument.

use super::diagnostic::{Diagnostic, suggest};
use super::locate::Locations;
use super::{Scenario, Valid, check_bytes, ron_options};
use serde_json::Value;
use std::ops::Range;

/// A variant that could not be made: the problem, rendered against the `--set` argument
/// (or the variant's text when the problem lies elsewhere).
#[derive(Debug, Clone, PartialEq)]
pub struct VariantError(pub String);

impl std::fmt::Display for VariantError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VariantError {}

/// The scenario written as RON text, in the form `--set` edits (every field present).
pub fn to_text(scenario: &Scenario) -> String {
    let pretty = ron::ser::PrettyConfig::new()
        .struct_names(false)
        .indentor("  ".to_string());
    ron_options()
        .to_string_pretty(scenario, pretty)
        .unwrap_or_default()
}

/// Applies the overrides in order; returns the variant and its text (the text is what a
/// variant's hash is taken over). Each override is checked as soon as it is applied.
pub fn apply(
    name: &str,
    scenario: &Valid,
    sets: &[String],
    color: bool,
) -> Result<(Valid, String), VariantError> {
    let mut current = scenario.clone();
    let mut text = to_text(&current);
    for set in sets {
        let (next, next_text) = apply_one(name, &current, set, color)?;
        current = next;
        text = next_text;
    }
    Ok((current, text))
}

fn apply_one(
    name: &str,
    scenario: &Scenario,
    set: &str,
    color: bool,
) -> Result<(Valid, String), VariantError> {
    let shown = format!("--set {set}");
    let offset = "--set ".len();
    let fail = |d: Diagnostic| VariantError(d.render("--set", &shown, color));
    let Some(eq) = set.find('=') else {
        return Err(fail(
            Diagnostic::error("variant::no-value", "an override needs `PATH=VALUE`")
                .at(Some(offset..shown.len()), "no `=` here")
                .help("for example `--set 'relations[varesh,kelmora].hotline=false'`"),
        ));
    };
    let path = &set[..eq];
    let value = &set[eq + 1..];
    if value.trim().is_empty() {
        return Err(fail(
            Diagnostic::error("variant::no-value", "the override has no value after `=`")
                .at(
                    Some(offset + eq..offset + eq + 1),
                    "a value goes after this",
                )
                .help("write the value as in a scenario file: `false`, `0.9`, `\"text\"`"),
        ));
    }
    let tree = serde_json::to_value(scenario).map_err(|e| VariantError(e.to_string()))?;
    let located = resolve(&tree, path).map_err(|e| {
        fail(
            Diagnostic::error("variant::unknown-path", e.message)
                .at(Some(offset + e.span.start..offset + e.span.end), e.label)
                .maybe_help(e.help),
        )
    })?;
    let text = to_text(scenario);
    let Some(span) = Locations::of(&text).get(&located) else {
        return Err(fail(
            Diagnostic::error(
                "variant::unknown-path",
                format!("`{path}` cannot be set on its own"),
            )
            .at(Some(offset..offset + eq), "this value")
            .help("set the whole value that contains it"),
        ));
    };
    let mut edited = String::with_capacity(text.len() + value.len());
    edited.push_str(&text[..span.start]);
    edited.push_str(value);
    edited.push_str(&text[span.end..]);
    let inserted = span.start..span.start + value.len();
    let checked = check_bytes(name, edited.as_bytes());
    if let Some(error) = checked.diagnostics.iter().find(|d| d.is_error()) {
        let inside = error
            .span
            .as_ref()
            .is_some_and(|s| s.start >= inserted.start && s.start <= inserted.end);
        if inside {
            let shift = |r: &Range<usize>| {
                let start = r.start - inserted.start + offset + eq + 1;
                let end = (r.end.min(inserted.end) - inserted.start + offset + eq + 1).max(start);
                start..end
            };
            let mut moved = error.clone();
            moved.span = error.span.as_ref().map(shift);
            return Err(fail(moved));
        }
        return Err(VariantError(format!(
            "{}error: the override `{set}` makes the scenario invalid (above, in the scenario \
             as written out with the override)\n",
            error.render(&format!("{name} with --set"), &edited, color)
        )));
    }
    match checked.into_valid() {
        Some(variant) => Ok((variant, edited)),
        None => Err(VariantError(format!(
            "the override `{set}` could not be applied"
        ))),
    }
}

/// A path that does not lead to a value.
#[derive(Debug)]
struct PathError {
    /// Byte range within the path.
    span: Range<usize>,
    message: String,
    label: String,
    help: Option<String>,
}

/// One step of an author's path, with where it is written.
#[derive(Debug)]
enum Step<'p> {
    Field(&'p str, Range<usize>),
    Select(&'p str, Range<usize>),
}

fn steps(path: &str) -> Result<Vec<Step<'_>>, PathError> {
    let mut out = Vec::new();
    let bytes = path.as_bytes();
    let mut i = 0;
    let bad = |at: usize, what: &str| PathError {
        span: at..(at + 1).min(path.len()).max(at),
        message: format!("`{path}` is not a path: {what}"),
        label: "here".to_string(),
        help: Some(
            "a path is fields and selections, e.g. `states[varesh].government_control`".into(),
        ),
    };
    if path.is_empty() {
        return Err(PathError {
            span: 0..0,
            message: "the override has no path before `=`".into(),
            label: "a path goes here".into(),
            help: Some("for example `states[varesh].government_control=0.9`".into()),
        });
    }
    while i < bytes.len() {
        match bytes[i] {
            b'[' => {
                let close = path[i..]
                    .find(']')
                    .map(|j| i + j)
                    .ok_or_else(|| bad(i, "`[` is never closed"))?;
                let inner = path[i + 1..close].trim();
                if inner.is_empty() {
                    return Err(bad(i, "an empty selection"));
                }
                out.push(Step::Select(inner, i + 1..close));
                i = close + 1;
            }
            b'.' if !out.is_empty() => i += 1,
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let end = path[i..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(path.len(), |j| i + j);
                out.push(Step::Field(&path[i..end], i..end));
                i = end;
            }
            _ => return Err(bad(i, "unexpected character")),
        }
    }
    Ok(out)
}

/// Follows the author's path through the scenario; returns the same place in the notation
/// of [`Locations`] (positions for list elements).
fn resolve(root: &Value, path: &str) -> Result<String, PathError> {
    let mut at = root;
    let mut located = String::new();
    let mut walked = String::from("the scenario");
    for step in steps(path)? {
        match step {
            Step::Field(name, span) => {
                let Value::Object(fields) = at else {
                    return Err(PathError {
                        span,
                        message: format!("{walked} has no fields"),
                        label: "not a field".into(),
                        help: Some(
                            "set the whole value instead (the part of the path before this)".into(),
                        ),
                    });
                };
                let Some(next) = fields.get(name) else {
                    let names: Vec<&str> = fields.keys().map(String::as_str).collect();
                    return Err(PathError {
                        span,
                        message: format!("{walked} has no field `{name}`"),
                        label: "unknown field".into(),
                        help: Some(match suggest(name, names.iter().copied()) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!("its fields: {}", names.join(", ")),
                        }),
                    });
                };
                located.push('.');
                located.push_str(name);
                walked = format!("`{}`", &path[..span.end]);
                at = next;
            }
            Step::Select(selector, span) => {
                let Value::Array(items) = at else {
                    return Err(PathError {
                        span,
                        message: format!("{walked} is not a list"),
                        label: "nothing to select".into(),
                        help: None,
                    });
                };
                let index = select(items, selector).map_err(|known| PathError {
                    span: span.clone(),
                    message: format!("{walked} has no element `{selector}`"),
                    label: "no such element".into(),
                    help: Some(match suggest(selector, known.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if known.is_empty() => format!(
                            "{walked} has {} elements; select one by position, from 0",
                            items.len()
                        ),
                        None => format!("known: {}", known.join(", ")),
                    }),
                })?;
                located.push_str(&format!("[{index}]"));
                walked = format!("`{}]`", &path[..span.end]);
                at = &items[index];
            }
        }
    }
    if located.is_empty() {
        return Err(PathError {
            span: 0..path.len(),
            message: "the whole scenario cannot be overridden".into(),
            label: "name a value inside it".into(),
            help: None,
        });
    }
    Ok(located)
}

/// The position of the element a selector names: a number, an `id`, or the two states of a
/// relation. On failure, the names that would have worked.
fn select(items: &[Value], selector: &str) -> Result<usize, Vec<String>> {
    if let Ok(i) = selector.parse::<usize>() {
        return if i < items.len() {
            Ok(i)
        } else {
            Err(Vec::new())
        };
    }
    let pair: Option<(&str, &str)> = selector.split_once(',').map(|(a, b)| (a.trim(), b.trim()));
    let mut known = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(id) = item.get("id").and_then(Value::as_str) {
            if id == selector {
                return Ok(i);
            }
            known.push(id.to_string());
        }
        if let Some([a, b]) = item
            .get("between")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            let (a, b) = (a.as_str().unwrap_or(""), b.as_str().unwrap_or(""));
            if pair.is_some_and(|(x, y)| (x, y) == (a, b) || (y, x) == (a, b)) {
                return Ok(i);
            }
            known.push(format!("{a},{b}"));
        }
        if item.as_str() == Some(selector) {
            return Ok(i);
        }
    }
    Err(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagship() -> Valid {
        let b = crate::builtin::find("flagship").unwrap();
        crate::scenario::from_str(b.file, b.source).unwrap()
    }

    #[test]
    fn every_builtin_survives_the_text_form() {
        for b in crate::builtin::SCENARIOS {
            let scenario = crate::scenario::from_str(b.file, b.source).unwrap();
            let text = to_text(&scenario);
            let again = crate::scenario::from_str(b.file, &text)
                .unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert_eq!(again, scenario, "{}", b.name);
        }
    }

    #[test]
    fn sets_a_relation_by_its_states_in_either_order() {
        let base = flagship();
        let r = base
            .relations
            .iter()
            .position(|r| r.hotline)
            .expect("a hotline");
        let (a, b) = base.relations[r].between.clone();
        let set = format!("relations[{b},{a}].hotline=false");
        let (variant, _) = apply("flagship.ron", &base, &[set], false).unwrap();
        assert!(!variant.relations[r].hotline);
        let mut expected = base.clone().into_inner();
        expected.relations[r].hotline = false;
        assert_eq!(*variant, expected, "nothing else changes");
    }

    #[test]
    fn sets_a_state_field_by_id_and_a_list_by_position() {
        let base = flagship();
        let id = base.states[0].id.clone();
        let sets = vec![
            format!("states[{id}].government_control=0.9"),
            "states[1].posture=Assertive".to_string(),
        ];
        let (variant, _) = apply("f", &base, &sets, false).unwrap();
        assert_eq!(variant.states[0].government_control, 0.9);
        assert_eq!(
            variant.states[1].posture,
            crate::scenario::Posture::Assertive
        );
    }

    #[test]
    fn a_wrong_field_suggests_the_right_one() {
        let base = flagship();
        let id = base.states[0].id.clone();
        let err = apply(
            "f",
            &base,
            &[format!("states[{id}].goverment_control=0.9")],
            false,
        )
        .unwrap_err()
        .0;
        assert!(err.contains("has no field `goverment_control`"), "{err}");
        assert!(err.contains("did you mean `government_control`?"), "{err}");
        assert!(err.contains("--set:1:"), "a position: {err}");
    }

    #[test]
    fn a_wrong_element_suggests_a_known_one() {
        let base = flagship();
        let id = base.states[0].id.clone();
        let typo = format!("{}x", id);
        let err = apply(
            "f",
            &base,
            &[format!("states[{typo}].posture=Assertive")],
            false,
        )
        .unwrap_err()
        .0;
        assert!(err.contains(&format!("has no element `{typo}`")), "{err}");
        assert!(err.contains(&format!("did you mean `{id}`?")), "{err}");
    }

    #[test]
    fn a_wrong_type_is_the_check_error_pointed_at_the_value() {
        let base = flagship();
        let r = &base.relations[0].between;
        let set = format!("relations[{},{}].hotline=maybe", r.0, r.1);
        let err = apply("f", &base, std::slice::from_ref(&set), false)
            .unwrap_err()
            .0;
        let col = format!("--set {set}").find("maybe").unwrap() + 1;
        assert!(err.contains(&format!("--set:1:{col}")), "{err}");
    }

    #[test]
    fn a_value_out_of_range_is_the_check_error() {
        let base = flagship();
        let id = base.states[0].id.clone();
        let err = apply(
            "f",
            &base,
            &[format!("states[{id}].government_control=1.7")],
            false,
        )
        .unwrap_err()
        .0;
        assert!(err.contains("--set:1:"), "{err}");
        assert!(err.contains("1.7"), "{err}");
    }

    #[test]
    fn malformed_overrides_are_errors_not_panics() {
        let base = flagship();
        for set in [
            "",
            "=",
            "x",
            "states[",
            "states[]",
            "states.=1",
            "[0]=1",
            "states=",
            "😀=1",
            "meta=1",
            "states[999].posture=Assertive",
        ] {
            assert!(
                apply("f", &base, &[set.to_string()], false).is_err(),
                "{set}"
            );
        }
    }
}
