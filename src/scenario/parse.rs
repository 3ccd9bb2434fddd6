//! From bytes to a [`Scenario`] value, or to diagnostics an author can act on.

use super::diagnostic::{Diagnostic, a, line_col, offset_of, suggest};
use super::locate::tokenize;
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
    let text = source.trim_start_matches('\u{feff}');
    skip_blank(text, 0) == text.len()
}

fn from_ron(source: &str, error: SpannedError) -> Diagnostic {
    let start = offset_of(source, error.span.start.line, error.span.start.col);
    let end = offset_of(source, error.span.end.line, error.span.end.col).max(start);
    // ron often reports the position just after the previous token; the caret belongs on
    // the token that is wrong.
    let start = skip_blank(source, start);
    let span = widen(source, start..end.max(start));
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
            .at(Some(span), format!("not {}", a(what)))
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
        | RonError::ExpectedMapEnd
        | RonError::ExpectedOptionEnd => match innermost_open(source, span.start) {
            Some(open) => unclosed(source, open, span, &error),
            None => Diagnostic::error("scenario::syntax", error.code.to_string())
                .at(Some(span), "here")
                .help(
                    "check that every `(`, `[` and `{` is closed and items are separated by commas",
                ),
        },
        // `5.5` where a whole number goes: ron reads `5` and stops at the `.`.
        RonError::ExpectedComma if fraction_after_integer(source, span.start).is_some() => {
            let start = fraction_after_integer(source, span.start).unwrap_or(span.start);
            let end = source[span.start + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(source.len(), |i| span.start + 1 + i);
            super::wrong_type::diagnostic(source, start..end, "a whole number")
        }
        RonError::ExpectedComma => match innermost_open(source, span.start)
            .filter(|&open| mismatched_closer(source, open, span.start).is_some())
        {
            Some(open) => unclosed(source, open, span, &error),
            None => Diagnostic::error("scenario::syntax", "expected a comma")
                .at(Some(span), "a `,` is missing before this")
                .help("separate fields and list items with commas"),
        },
        RonError::ExceededRecursionLimit => {
            let limit = ron_options()
                .recursion_limit
                .map(|n| format!(" (at most {n} levels)"))
                .unwrap_or_default();
            Diagnostic::error("scenario::too-deep", "the file nests too deeply")
                .at(Some(span), "too deep here")
                .help(format!(
                    "brackets may nest only so deep{limit}; no scenario needs that many: \
                     simplify the condition (`Not(Not(x))` is `x`) or close the brackets \
                     you meant to"
                ))
        }
        RonError::Message(message) => Diagnostic::error("scenario::invalid-value", message.clone())
            .at(Some(span), "this value"),
        RonError::InvalidValueForType { expected, .. } => {
            super::wrong_type::diagnostic(source, span, expected)
        }
        RonError::ExpectedBoolean => {
            super::wrong_type::diagnostic(source, span, "`true` or `false`")
        }
        RonError::ExpectedInteger | RonError::IntegerOutOfBounds => {
            super::wrong_type::diagnostic(source, span, "a whole number")
        }
        RonError::ExpectedFloat => super::wrong_type::diagnostic(source, span, "a number"),
        RonError::ExpectedString | RonError::ExpectedStringEnd => {
            super::wrong_type::diagnostic(source, span, "text in quotes")
        }
        RonError::ExpectedArray => super::wrong_type::diagnostic(source, span, "a list `[...]`"),
        RonError::ExpectedStructLike | RonError::ExpectedNamedStructLike(_) => {
            super::wrong_type::diagnostic(source, span, "a value in parentheses `(...)`")
        }
        RonError::ExpectedIdentifier | RonError::SuggestRawIdentifier(_) => {
            super::wrong_type::diagnostic(source, span, "a name such as `Email`")
        }
        RonError::ExpectedUnit | RonError::ExpectedOption | RonError::ExpectedMap => {
            super::wrong_type::diagnostic(source, span, "another kind of value")
        }
        other => Diagnostic::error("scenario::syntax", other.to_string()).at(Some(span), "here"),
    }
}

/// When `at` is the `.` of a decimal number whose integer part the parser took as a whole
/// number, the start of that number.
fn fraction_after_integer(source: &str, at: usize) -> Option<usize> {
    let bytes = source.as_bytes();
    if bytes.get(at) != Some(&b'.') || !bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let digits = source[..at]
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count();
    (digits > 0).then(|| at - digits)
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

/// The bracket that closes `open`.
fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// The diagnostic for a bracket still open where the parser gave up: `open` is its offset,
/// `span` the parser's error position.
fn unclosed(source: &str, open: usize, span: Range<usize>, error: &SpannedError) -> Diagnostic {
    let bracket = char::from(source.as_bytes()[open]);
    let close = closer(bracket);
    let (line, col) = line_col(source, open);
    if let Some(found) = mismatched_closer(source, open, span.start) {
        // `(id: "x", name: "y"` then `]`: the `)` is missing right here.
        return Diagnostic::error(
            "scenario::unclosed",
            format!("expected `{close}` to close the `{bracket}` on line {line}, or a comma"),
        )
        .at(
            Some(span),
            format!("`{close}` is missing before this `{found}`"),
        )
        .help(format!(
            "the `{bracket}` opened at {line}:{col} is still open here: close it with `{close}` \
             before this `{found}`, or add a `,` if more items follow"
        ));
    }
    if balanced(source) {
        // Every bracket is closed somewhere: the parser expected this one to close earlier
        // (one value too many in a tuple, say).
        return Diagnostic::error(
            "scenario::syntax",
            format!("expected `{close}` to close the `{bracket}` opened at {line}:{col}"),
        )
        .at(Some(span), format!("expected `{close}` here"))
        .help(format!(
            "the parser read a whole value and expected the `{bracket}` to end here: check the \
             number of items inside it, and that each is the right kind of value (a whole \
             number, say, where `1.5` was written)"
        ));
    }
    Diagnostic::error("scenario::unclosed", format!("`{bracket}` is never closed"))
        .at(Some(open..open + 1), "opened here")
        .help(format!(
            "add the matching `{close}`; the parser reached {} while looking for it",
            error.span.end
        ))
}

/// The closing bracket at `at`, if there is one and it does not close the bracket at `open`.
fn mismatched_closer(source: &str, open: usize, at: usize) -> Option<char> {
    let found = source[at..].chars().next()?;
    let expected = closer(char::from(source.as_bytes()[open]));
    (matches!(found, ')' | ']' | '}') && found != expected).then_some(found)
}

/// Skips whitespace and comments from `at`: where the next token starts.
fn skip_blank(source: &str, at: usize) -> usize {
    let mut rest = &source[at..];
    loop {
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if trimmed.starts_with("/*") {
            match block_comment_end(trimmed) {
                Some(end) => rest = &trimmed[end..],
                None => break source.len() - trimmed.len(),
            }
        } else {
            break source.len() - trimmed.len();
        }
    }
}

/// The length of the (possibly nested) block comment `text` starts with, if it is closed.
fn block_comment_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0);
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The innermost bracket still open at byte `at`, skipping strings, raw strings, characters
/// and comments.
fn innermost_open(source: &str, at: usize) -> Option<usize> {
    let mut stack = Vec::new();
    for token in tokenize(&source[..at.min(source.len())]) {
        match token.punct() {
            Some('(' | '[' | '{') => stack.push(token.start),
            Some(')' | ']' | '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

/// True when every bracket of `source` is closed by the matching bracket.
fn balanced(source: &str) -> bool {
    let mut stack = Vec::new();
    for token in tokenize(source) {
        match token.punct() {
            Some(c @ ('(' | '[' | '{')) => stack.push(c),
            Some(c @ (')' | ']' | '}')) if stack.pop().map(closer) != Some(c) => return false,
            _ => {}
        }
    }
    stack.is_empty()
}

/// How big a scenario may be: enough for any exercise people play, small enough that
/// checking and running one never runs out of memory or time. A scenario over a limit gets a
/// `scenario::too-large` error and is not validated further; the engine never sees it. The
/// limits are documented in `docs/scenario-format.md`, "Limits".
pub mod limits {
    use super::super::diagnostic::Diagnostic;
    use super::super::types::{Condition, Criterion, InjectKind, Scenario};

    /// The largest file `check` (and every command that loads a scenario) reads: 8 MiB.
    /// Larger files are not read past this size.
    pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
    pub const MAX_STATES: usize = 256;
    pub const MAX_ORGANISATIONS: usize = 2048;
    pub const MAX_ASSETS: usize = 2048;
    pub const MAX_CONTACTS: usize = 4096;
    pub const MAX_ACTORS: usize = 256;
    pub const MAX_RELATIONS: usize = 4096;
    pub const MAX_TEAMS: usize = 256;
    pub const MAX_INJECTS: usize = 4096;
    pub const MAX_OBJECTIVES: usize = 1024;
    /// Items in any one list inside an item (`red_lines`, `watches`, `depends_on`, a team's
    /// `organisations`, a message's `to`, an `All`/`Any`, `meta.todo`, ...).
    pub const MAX_LIST_ITEMS: usize = 1024;
    /// Evidence items of all injects together.
    pub const MAX_EVIDENCE: usize = 8192;
    /// Nodes of all the injects' conditions together (`All`, `Any`, `Not` and the tests).
    pub const MAX_CONDITION_NODES: usize = 8192;
    /// How deep conditions may nest (`Not(Any([All([...])]))` is 3 deep). The RON reader
    /// stops at 128 nested brackets anyway (`scenario::too-deep`).
    pub const MAX_CONDITION_DEPTH: usize = 32;

    /// The error for a file over [`MAX_FILE_BYTES`] (`len` is what was read of it).
    pub fn file_too_large(len: usize) -> Diagnostic {
        Diagnostic::error(
            "scenario::too-large",
            format!(
                "the file is larger than {} MiB ({} bytes or more)",
                MAX_FILE_BYTES / (1024 * 1024),
                len
            ),
        )
        .help(format!(
            "a scenario file may be at most {} MiB ({MAX_FILE_BYTES} bytes); is this the right \
             file? See \"Limits\" in docs/scenario-format.md",
            MAX_FILE_BYTES / (1024 * 1024)
        ))
    }

    /// One limit exceeded: where (a path for the locations), what, how many, the limit.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Exceeded {
        /// The path of the first item past the limit (`.contacts[4096]`), or of the item
        /// whose list is too long.
        pub path: String,
        /// What there are too many of ("contacts", "items in `red_lines`").
        pub what: String,
        pub found: usize,
        pub limit: usize,
    }

    impl Exceeded {
        pub fn diagnostic(&self, span: Option<std::ops::Range<usize>>) -> Diagnostic {
            Diagnostic::error(
                "scenario::too-large",
                format!(
                    "too many {}: {} (at most {})",
                    self.what, self.found, self.limit
                ),
            )
            .at(span, "over the limit from here")
            .help(format!(
                "a scenario may have at most {} {}: no exercise needs more, and checking and \
                 running it must fit in memory; split the exercise, or see \"Limits\" in \
                 docs/scenario-format.md",
                self.limit, self.what
            ))
        }
    }

    /// Every limit the scenario exceeds (none for any scenario people write).
    pub fn exceeded(s: &Scenario) -> Vec<Exceeded> {
        let mut out = Vec::new();
        let mut top = |field: &str, found: usize, limit: usize| {
            if found > limit {
                out.push(Exceeded {
                    path: format!(".{field}[{limit}]"),
                    what: field.to_string(),
                    found,
                    limit,
                });
            }
        };
        top("states", s.states.len(), MAX_STATES);
        top("organisations", s.organisations.len(), MAX_ORGANISATIONS);
        top("assets", s.assets.len(), MAX_ASSETS);
        top("contacts", s.contacts.len(), MAX_CONTACTS);
        top("actors", s.actors.len(), MAX_ACTORS);
        top("relations", s.relations.len(), MAX_RELATIONS);
        top("teams", s.teams.len(), MAX_TEAMS);
        top("injects", s.injects.len(), MAX_INJECTS);
        top("objectives", s.objectives.len(), MAX_OBJECTIVES);

        // `path` is the list's; its last field names it.
        let mut list = |path: String, found: usize| {
            if found > MAX_LIST_ITEMS {
                let name = path.rsplit('.').next().unwrap_or("a list").to_string();
                out.push(Exceeded {
                    path: format!("{path}[{MAX_LIST_ITEMS}]"),
                    what: format!("items in one `{name}`"),
                    found,
                    limit: MAX_LIST_ITEMS,
                });
            }
        };
        list(".meta.todo".into(), s.meta.todo.len());
        for (i, x) in s.states.iter().enumerate() {
            list(format!(".states[{i}].red_lines"), x.red_lines.len());
        }
        for (i, x) in s.organisations.iter().enumerate() {
            list(format!(".organisations[{i}].watches"), x.watches.len());
        }
        for (i, x) in s.assets.iter().enumerate() {
            list(format!(".assets[{i}].depends_on"), x.depends_on.len());
        }
        for (i, x) in s.relations.iter().enumerate() {
            list(format!(".relations[{i}].cbms"), x.cbms.len());
        }
        for (i, x) in s.teams.iter().enumerate() {
            list(format!(".teams[{i}].organisations"), x.organisations.len());
        }
        let mut evidence = 0;
        let mut nodes = 0;
        let mut deepest: Option<(usize, usize)> = None;
        for (i, inject) in s.injects.iter().enumerate() {
            match &inject.kind {
                InjectKind::Incident { evidence: e, .. } | InjectKind::News { evidence: e, .. } => {
                    list(format!(".injects[{i}].kind.evidence"), e.len());
                    evidence += e.len();
                }
                InjectKind::Message {
                    to, evidence: e, ..
                } => {
                    list(format!(".injects[{i}].kind.to"), to.len());
                    list(format!(".injects[{i}].kind.evidence"), e.len());
                    evidence += e.len();
                }
                InjectKind::Question { to, .. } => {
                    list(format!(".injects[{i}].kind.to"), to.len());
                }
                InjectKind::World(_) => {}
            }
            if let Some(when) = &inject.when {
                let mut stack = vec![(when, 1usize)];
                while let Some((c, depth)) = stack.pop() {
                    nodes += 1;
                    if depth > MAX_CONDITION_DEPTH && deepest.is_none_or(|(_, d)| depth > d) {
                        deepest = Some((i, depth));
                    }
                    match c {
                        Condition::All(cs) | Condition::Any(cs) => {
                            list(format!(".injects[{i}].when"), cs.len());
                            stack.extend(cs.iter().map(|c| (c, depth + 1)));
                        }
                        Condition::Not(c) => stack.push((c, depth + 1)),
                        _ => {}
                    }
                }
            }
        }
        for (i, o) in s.objectives.iter().enumerate() {
            match &o.criterion {
                Criterion::NotifyWithin { to, .. } => {
                    list(format!(".objectives[{i}].criterion.to"), to.len());
                }
                Criterion::AcknowledgeWithin {
                    contacts, kinds, ..
                } => {
                    let c = format!(".objectives[{i}].criterion");
                    list(format!("{c}.contacts"), contacts.len());
                    list(format!("{c}.kinds"), kinds.len());
                }
                _ => {}
            }
        }
        if evidence > MAX_EVIDENCE {
            out.push(Exceeded {
                path: ".injects".into(),
                what: "evidence items (in all injects)".into(),
                found: evidence,
                limit: MAX_EVIDENCE,
            });
        }
        if nodes > MAX_CONDITION_NODES {
            out.push(Exceeded {
                path: ".injects".into(),
                what: "condition nodes (in all `when`s)".into(),
                found: nodes,
                limit: MAX_CONDITION_NODES,
            });
        }
        if let Some((i, depth)) = deepest {
            out.push(Exceeded {
                path: format!(".injects[{i}].when"),
                what: "levels of nested conditions".into(),
                found: depth,
                limit: MAX_CONDITION_DEPTH,
            });
        }
        out
    }
}
