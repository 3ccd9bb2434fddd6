//! From bytes to a [`Scenario`] value, or to diagnostics an author can act on.

use super::diagnostic::{Diagnostic, offset_of, suggest};
use super::types::Scenario;
use ron::error::{Error as RonError, SpannedError};
use ron::extensions::Extensions;
use std::ops::Range;

/// The RON options every scenario is read with: `Some(..)` may be left out.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// Decodes the bytes as UTF-8, or says where they stop being UTF-8.
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        Diagnostic::error("scenario::not-utf8", "the file is not valid UTF-8 text")
            .at(Some(at..at + 1), "this byte is not UTF-8")
            .help("save the scenario as UTF-8 (RON files are text)")
    })
}

/// Parses RON into the scenario types.
pub fn parse(source: &str) -> Result<Scenario, Diagnostic> {
    if is_blank(source) {
        return Err(Diagnostic::error("scenario::empty", "the file is empty")
            .at(Some(0..0), "expected a scenario here")
            .help("a scenario starts with `Scenario(meta: (id: \"...\", title: \"...\"), states: [...])`; see docs/scenario-format.md"));
    }
    ron_options()
        .from_str::<Scenario>(source)
        .map_err(|e| from_ron(source, e))
}

fn is_blank(source: &str) -> bool {
    let mut rest = source.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if rest.starts_with("/*") {
            match rest.find("*/") {
                Some(i) => rest = &rest[i + 2..],
                None => return false,
            }
        } else {
            return rest.is_empty();
        }
    }
}

fn from_ron(source: &str, error: SpannedError) -> Diagnostic {
    let start = offset_of(source, error.span.start.line, error.span.start.col);
    let end = offset_of(source, error.span.end.line, error.span.end.col).max(start);
    let span = widen(source, start..end);
    let list = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let within = |outer: &Option<String>| {
        outer
            .as_deref()
            .map(|o| format!(" in `{o}`"))
            .unwrap_or_default()
    };
    match &error.code {
        RonError::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            let help = match suggest(found, expected.iter().copied()) {
                Some(s) => format!(
                    "did you mean `{s}`? (fields{}: {})",
                    within(outer),
                    list(expected)
                ),
                None => format!("expected one of {}", list(expected)),
            };
            Diagnostic::error(
                "scenario::unknown-field",
                format!("unknown field `{found}`{}", within(outer)),
            )
            .at(Some(span), "not a field here")
            .help(help)
        }
        RonError::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => {
            let what = outer.as_deref().unwrap_or("value");
            let help = match suggest(found, expected.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? (expected one of {})", list(expected)),
                None => format!("expected one of {}", list(expected)),
            };
            Diagnostic::error(
                "scenario::unknown-variant",
                format!("`{found}` is not a known {what}"),
            )
            .at(Some(span), format!("not a {what}"))
            .help(help)
        }
        RonError::MissingStructField { field, outer } => Diagnostic::error(
            "scenario::missing-field",
            format!("missing field `{field}`{}", within(outer)),
        )
        .at(Some(span), format!("`{field}` is required here"))
        .help(format!("add `{field}: ...`; see docs/scenario-format.md")),
        RonError::DuplicateStructField { field, outer } => Diagnostic::error(
            "scenario::duplicate-field",
            format!("field `{field}` given twice{}", within(outer)),
        )
        .at(Some(span), "second time here")
        .help("keep one of them"),
        RonError::Eof
        | RonError::ExpectedStructLikeEnd
        | RonError::ExpectedArrayEnd
        | RonError::ExpectedMapEnd => match unclosed(source) {
            Some(open) => {
                let bracket = &source[open.clone()];
                Diagnostic::error("scenario::unclosed", format!("`{bracket}` is never closed"))
                    .at(Some(open), "opened here")
                    .help(format!(
                        "add the matching `{}`; the parser reached {} while looking for it",
                        closer(bracket),
                        error.span.end
                    ))
            }
            None => Diagnostic::error("scenario::syntax", error.code.to_string())
                .at(Some(span), "here")
                .help(
                    "check that every `(`, `[` and `{` is closed and items are separated by commas",
                ),
        },
        RonError::ExpectedComma => Diagnostic::error("scenario::syntax", "expected a comma")
            .at(Some(span), "a `,` is missing before this")
            .help("separate fields and list items with commas"),
        RonError::Message(message) => Diagnostic::error("scenario::invalid-value", message.clone())
            .at(Some(span), "this value"),
        RonError::InvalidValueForType { expected, found } => Diagnostic::error(
            "scenario::wrong-type",
            format!("expected {expected}, found {found}"),
        )
        .at(Some(span), format!("expected {expected}")),
        other => Diagnostic::error("scenario::syntax", other.to_string()).at(Some(span), "here"),
    }
}

/// Gives an empty span one character so the caret has something to point at.
fn widen(source: &str, span: Range<usize>) -> Range<usize> {
    if span.start < span.end {
        return span;
    }
    let end = source[span.start..]
        .chars()
        .next()
        .map_or(span.start, |c| span.start + c.len_utf8());
    span.start..end
}

fn closer(open: &str) -> &'static str {
    match open {
        "(" => ")",
        "[" => "]",
        _ => "}",
    }
}

/// The innermost bracket left open at the end of the source, skipping strings and comments.
fn unclosed(source: &str) -> Option<Range<usize>> {
    let bytes = source.as_bytes();
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => stack.push(i),
            b')' | b']' | b'}' => {
                stack.pop();
            }
            _ => {}
        }
        i += 1;
    }
    stack.pop().map(|i| i..i + 1)
}
