//! Where each value sits in a RON source.
//!
//! `ron` gives positions for syntax and type errors only. Semantic checks (an unknown id, a
//! duplicate, a number out of range) run on the parsed value and name what they complain
//! about by a path such as `assets[3].depends_on[0].asset`. This module finds the byte range
//! of the value at such a path, so those errors can point at the exact place too.
//!
//! Path notation: `.field` for a struct field, `[i]` for a list element (`[key]` for the
//! value of a map entry, the key as written), `(i)` for the i-th element of a tuple or of an
//! enum variant's parentheses. Lookups also accept the path with every `(0)` removed, so
//! `red_lines[1]` finds the `"x"` in `Asset("x")`.
//!
//! Nothing is computed until the first lookup (a valid scenario needs none): the source is
//! then tokenised once and every bracket paired with its closing bracket, so a lookup steps
//! over whole values from the root to its target instead of reading them.

use std::cell::OnceCell;
use std::ops::Range;

/// Byte ranges of the values in one source, by path.
#[derive(Debug)]
pub struct Locations<'s> {
    source: &'s str,
    index: OnceCell<Index>,
}

/// The tokens of the source, with each opening bracket's closing bracket.
#[derive(Debug)]
struct Index {
    tokens: Vec<Token>,
    /// For an opening bracket, the index of the token that closes it; `NONE` otherwise (and
    /// for a bracket never closed).
    closing: Vec<u32>,
    /// The token the top-level value starts at (after `#![enable(...)]` attributes).
    root: usize,
}

const NONE: u32 = u32::MAX;

/// One step of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step<'p> {
    Field(&'p str),
    Item(usize),
    Key(&'p str),
    Element(usize),
}

impl<'s> Locations<'s> {
    /// The locations of the values of `source`, which should be valid RON. On anything
    /// unexpected a lookup finds nothing (positions are a help, never a reason to fail).
    pub fn of(source: &'s str) -> Locations<'s> {
        Locations {
            source,
            index: OnceCell::new(),
        }
    }

    /// The byte range of the value at `path`, if it is there.
    pub fn get(&self, path: &str) -> Option<Range<usize>> {
        let steps = steps(path)?;
        let index = self.index.get_or_init(|| Index::of(self.source));
        index
            .find(self.source, &steps)
            .or_else(|| {
                let loose: Vec<Step> = steps
                    .iter()
                    .copied()
                    .filter(|s| *s != Step::Element(0))
                    .collect();
                index.find_loose(self.source, &loose)
            })
            .and_then(|at| index.span(at))
    }
}

/// Splits a path into steps; `None` when it is not a path.
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(first) = rest.chars().next() {
        match first {
            '.' => {
                let end = rest[1..]
                    .find(['.', '[', '('])
                    .map_or(rest.len(), |i| i + 1);
                out.push(Step::Field(&rest[1..end]));
                rest = &rest[end..];
            }
            '[' | '(' => {
                let close = if first == '[' { ']' } else { ')' };
                let end = rest.find(close)?;
                let inner = &rest[1..end];
                out.push(match (first, inner.parse::<usize>()) {
                    ('[', Ok(i)) => Step::Item(i),
                    ('[', Err(_)) => Step::Key(inner),
                    (_, Ok(i)) => Step::Element(i),
                    (_, Err(_)) => return None,
                });
                rest = &rest[end + 1..];
            }
            _ => return None,
        }
    }
    Some(out)
}

impl Index {
    fn of(source: &str) -> Index {
        let tokens = tokenize(source);
        let mut closing = vec![NONE; tokens.len()];
        let mut open: Vec<usize> = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            match token.punct() {
                Some('(' | '[' | '{') => open.push(i),
                Some(c @ (')' | ']' | '}')) => {
                    // A mismatched bracket pairs with nothing; the source parsed, so there
                    // should be none.
                    if let Some(o) = open.pop()
                        && tokens[o].punct().map(closer) == Some(c)
                        && let Ok(i) = u32::try_from(i)
                    {
                        closing[o] = i;
                    }
                }
                _ => {}
            }
        }
        let mut index = Index {
            tokens,
            closing,
            root: 0,
        };
        index.root = index.skip_attributes();
        index
    }

    fn punct(&self, at: usize, c: char) -> bool {
        self.tokens.get(at).and_then(Token::punct) == Some(c)
    }

    fn closing(&self, open: usize) -> Option<usize> {
        match self.closing.get(open) {
            Some(&i) if i != NONE => Some(i as usize),
            _ => None,
        }
    }

    /// Skips `#![enable(...)]` lines at the top of the file; the first token after them.
    fn skip_attributes(&self) -> usize {
        let mut at = 0;
        while self.punct(at, '#') {
            at += 1;
            while let Some(token) = self.tokens.get(at) {
                at += 1;
                if token.punct() == Some(']') {
                    break;
                }
            }
        }
        at
    }

    /// The last token of the value starting at token `at`.
    fn value_end(&self, at: usize) -> Option<usize> {
        let token = self.tokens.get(at)?;
        match token.kind {
            Kind::Scalar => Some(at),
            Kind::Ident if self.punct(at + 1, '(') => self.closing(at + 1),
            Kind::Ident => Some(at),
            Kind::Punct('(' | '[' | '{') => self.closing(at),
            Kind::Punct(_) => None,
        }
    }

    /// The byte range of the value starting at token `at`.
    fn span(&self, at: usize) -> Option<Range<usize>> {
        let end = self.value_end(at)?;
        Some(self.tokens[at].start..self.tokens[end].end)
    }

    /// The opening bracket of the value at `at`, if it has one.
    fn body(&self, at: usize) -> Option<usize> {
        match self.tokens.get(at)?.kind {
            Kind::Ident if self.punct(at + 1, '(') => Some(at + 1),
            Kind::Punct('(' | '[' | '{') => Some(at),
            _ => None,
        }
    }

    /// True when the parentheses opened at `open` hold `field: value` pairs.
    fn is_struct(&self, open: usize) -> bool {
        self.tokens
            .get(open + 1)
            .is_some_and(|t| t.kind == Kind::Ident)
            && self.punct(open + 2, ':')
    }

    /// After an item ending at token `end` inside a group closed at `close`: where the next
    /// item starts, if there is one.
    fn next_item(&self, end: usize, close: usize) -> Option<usize> {
        let after = end + 1;
        if after < close && self.punct(after, ',') && after + 1 < close {
            Some(after + 1)
        } else {
            None
        }
    }

    /// The value one step below the value at token `at`.
    fn child(&self, source: &str, at: usize, step: Step) -> Option<usize> {
        let open = self.body(at)?;
        let close = self.closing(open)?;
        let bracket = self.tokens[open].punct()?;
        let mut item = Some(open + 1).filter(|&i| i < close);
        match (bracket, step) {
            ('(', Step::Field(name)) if self.is_struct(open) => {
                while let Some(key) = item {
                    if !self.punct(key + 1, ':') {
                        return None;
                    }
                    let value = key + 2;
                    let text = &source[self.tokens[key].start..self.tokens[key].end];
                    if text.trim_start_matches("r#") == name {
                        return Some(value);
                    }
                    item = self.next_item(self.value_end(value)?, close);
                }
                None
            }
            ('(', Step::Element(n)) | ('[', Step::Item(n)) if !self.is_struct(open) => {
                for _ in 0..n {
                    item = self.next_item(self.value_end(item?)?, close);
                }
                item
            }
            ('{', Step::Key(name)) => {
                while let Some(key) = item {
                    let colon = self.value_end(key)? + 1;
                    if !self.punct(colon, ':') {
                        return None;
                    }
                    if &source[self.tokens[key].start..self.tokens[key].end] == name {
                        return Some(colon + 1);
                    }
                    item = self.next_item(self.value_end(colon + 1)?, close);
                }
                None
            }
            _ => None,
        }
    }

    /// The token the value at the path starts at.
    fn find(&self, source: &str, steps: &[Step]) -> Option<usize> {
        steps
            .iter()
            .try_fold(self.root, |at, step| self.child(source, at, *step))
    }

    /// Like [`Index::find`], but the path leaves out every `(0)`: steps into the first
    /// element of a tuple or variant wherever the path does not say where to go, and at the
    /// end (so `red_lines[1]` is the `"x"` of `Asset("x")`).
    fn find_loose(&self, source: &str, steps: &[Step]) -> Option<usize> {
        let mut at = self.root;
        for step in steps {
            loop {
                if let Some(next) = self.child(source, at, *step) {
                    at = next;
                    break;
                }
                at = self.child(source, at, Step::Element(0))?;
            }
        }
        while let Some(next) = self.child(source, at, Step::Element(0)) {
            at = next;
        }
        Some(at)
    }
}

fn closer(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// What a token is, for the locator and the bracket checks of the parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Ident,
    /// A string, character, number or boolean.
    Scalar,
    Punct(char),
}

/// A token of RON source; comments and whitespace are not tokens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The punctuation character, if the token is one.
    pub fn punct(&self) -> Option<char> {
        match self.kind {
            Kind::Punct(c) => Some(c),
            _ => None,
        }
    }
}

/// The tokens of `source`, leniently: never fails, skips what it does not know.
pub(crate) fn tokenize(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::with_capacity(source.len() / 6);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let scalar = |end| Token {
            kind: Kind::Scalar,
            start,
            end,
        };
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 0usize;
                while i < bytes.len() {
                    if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' | b'\'' => {
                i = quoted_end(bytes, i);
                tokens.push(scalar(i));
            }
            b'b' if bytes.get(i + 1) == Some(&b'"') => {
                i = quoted_end(bytes, i + 1);
                tokens.push(scalar(i));
            }
            b'b' | b'r' if raw_string_start(bytes, i).is_some() => {
                i = raw_string_start(bytes, i)
                    .and_then(|r| raw_string_end(bytes, r))
                    .unwrap_or(bytes.len());
                tokens.push(scalar(i));
            }
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b':' | b',' | b'#' | b'!' => {
                i += 1;
                tokens.push(Token {
                    kind: Kind::Punct(c as char),
                    start,
                    end: i,
                });
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                if c == b'r' && bytes.get(i + 1) == Some(&b'#') {
                    i += 2;
                }
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'-' | b'+' | b'.'))
                {
                    i += 1;
                }
                let word = &source[start..i];
                let kind = if matches!(word, "true" | "false") {
                    Kind::Scalar
                } else {
                    Kind::Ident
                };
                tokens.push(Token {
                    kind,
                    start,
                    end: i,
                });
            }
            _ if c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'-' | b'+'))
                {
                    i += 1;
                }
                tokens.push(scalar(i));
            }
            _ => {
                // Any other byte (a multi-byte character outside a string, say): skip it.
                i += 1;
                while i < bytes.len() && !source.is_char_boundary(i) {
                    i += 1;
                }
            }
        }
    }
    tokens
}

/// End of the string or character literal whose quote is at `i` (the end of the source if
/// it is never closed).
fn quoted_end(bytes: &[u8], i: usize) -> usize {
    let quote = bytes[i];
    let mut j = i + 1;
    while j < bytes.len() && bytes[j] != quote {
        j += if bytes[j] == b'\\' { 2 } else { 1 };
    }
    (j + 1).min(bytes.len())
}

/// Where the `r` of a raw string (`r"..."`, `r#"..."#`, `br"..."`) starting at `i` is, if a
/// closed raw string starts there.
fn raw_string_start(bytes: &[u8], i: usize) -> Option<usize> {
    let r = if bytes[i] == b'b' { i + 1 } else { i };
    (bytes.get(r) == Some(&b'r') && raw_string_end(bytes, r).is_some()).then_some(r)
}

/// End of a raw string `r#"..."#` starting at `i`, if it is one.
fn raw_string_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    let mut hashes = 0;
    while bytes.get(j) == Some(&b'#') {
        hashes += 1;
        j += 1;
    }
    if bytes.get(j) != Some(&b'"') {
        return None;
    }
    j += 1;
    while j < bytes.len() {
        if bytes[j] == b'"'
            && bytes[j + 1..]
                .iter()
                .take(hashes)
                .filter(|b| **b == b'#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(source: &'a str, path: &str) -> Option<&'a str> {
        Locations::of(source).get(path).map(|r| &source[r])
    }

    const SOURCE: &str = r##"#![enable(implicit_some)]
// A comment with a ( and a "quote".
Scenario(
    meta: (id: "m", title: r#"raw ) "# /* nested /* ( */ */),
    states: [(id: "a", red_lines: [Sector(Energy), Asset("x")]), (id: "b", r#type: 'c')],
    pairs: [("a", "b"), ("c", "d")],
    map: {"k": [1, 2], "j": Some(3)},
    when: Some(Not(InjectFired("y"))),
)"##;

    #[test]
    fn finds_fields_items_and_elements() {
        assert_eq!(at(SOURCE, ".meta.id"), Some("\"m\""));
        assert_eq!(at(SOURCE, ".meta.title"), Some("r#\"raw ) \"#"));
        assert_eq!(at(SOURCE, ".states[1].id"), Some("\"b\""));
        assert_eq!(at(SOURCE, ".states[1].type"), Some("'c'"));
        assert_eq!(
            at(SOURCE, ".states[0].red_lines[0]"),
            Some("Sector(Energy)")
        );
        assert_eq!(at(SOURCE, ".states[0].red_lines[1](0)"), Some("\"x\""));
        assert_eq!(at(SOURCE, ".pairs[1](1)"), Some("\"d\""));
        assert_eq!(at(SOURCE, ".pairs[1]"), Some("(\"c\", \"d\")"));
        assert_eq!(at(SOURCE, ".map[\"j\"]"), Some("Some(3)"));
        assert_eq!(at(SOURCE, ".map[\"k\"]"), Some("[1, 2]"));
        assert_eq!(at(SOURCE, ".when(0)(0)"), Some("InjectFired(\"y\")"));
        assert!(at(SOURCE, "").is_some_and(|s| s.starts_with("Scenario(")));
    }

    #[test]
    fn loose_paths_leave_out_the_zeroth_elements() {
        assert_eq!(at(SOURCE, ".states[0].red_lines[1]"), Some("Asset(\"x\")"));
        assert_eq!(at(SOURCE, ".states[0].red_lines[2]"), None);
        // `Some` written out: the path the validator uses has one `(0)` fewer.
        assert_eq!(at(SOURCE, ".when(0)(0)(0)"), Some("\"y\""));
        assert_eq!(at(SOURCE, ".when(0)(0)(0)(0)"), Some("\"y\""));
        assert_eq!(at(SOURCE, ".when"), Some("Some(Not(InjectFired(\"y\")))"));
        assert_eq!(at(SOURCE, ".map[\"j\"](0)(0)"), Some("3"));
    }

    #[test]
    fn missing_paths_and_broken_sources_find_nothing() {
        assert_eq!(at(SOURCE, ".states[2]"), None);
        assert_eq!(at(SOURCE, ".meta.nope"), None);
        assert_eq!(at(SOURCE, ".pairs[0].x"), None);
        assert_eq!(at(SOURCE, "states"), None);
        assert_eq!(at(SOURCE, ".pairs(x)"), None);
        for source in [
            "",
            "(",
            "(a: ",
            "[1, 2",
            ")]}",
            "(a: [1, 2)",
            "r#\"",
            "Scenario(x:)",
        ] {
            for path in ["", ".a", ".a[1]", "(0)", "[0]"] {
                let _ = at(source, path);
            }
        }
        assert_eq!(at("(a: [1, 2)", ".a[1]"), None);
    }
}
