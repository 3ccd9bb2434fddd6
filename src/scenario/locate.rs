//! Where each value sits in a RON source.
//!
//! `ron` gives positions for syntax and type errors only. Semantic checks (an unknown id, a
//! duplicate, a number out of range) run on the parsed value and name what they complain
//! about by a path such as `assets[3].depends_on[0].asset`. This module walks the source once
//! and maps every such path to the byte range of its value, so those errors can point at the
//! exact place too.
//!
//! Path notation: `.field` for a struct field, `[i]` for a list element, `(i)` for the i-th
//! element of a tuple or of an enum variant's parentheses. Lookups also accept the path with
//! every `(0)` removed, so `red_lines[1]` finds the `"x"` in `Asset("x")`.

use std::collections::BTreeMap;
use std::ops::Range;

/// Byte ranges of the values in one source, by path.
#[derive(Debug, Default)]
pub struct Locations {
    exact: BTreeMap<String, Range<usize>>,
    loose: BTreeMap<String, Range<usize>>,
}

impl Locations {
    /// Walks `source`, which should be valid RON; on anything unexpected it stops and keeps
    /// what it found so far (positions are a help, never a reason to fail).
    pub fn of(source: &str) -> Locations {
        let tokens = tokenize(source);
        let mut walker = Walker {
            source,
            tokens: &tokens,
            at: 0,
            found: Locations::default(),
        };
        walker.skip_attributes();
        let _ = walker.value(String::new());
        walker.found
    }

    /// The byte range of the value at `path`, if it was found.
    pub fn get(&self, path: &str) -> Option<Range<usize>> {
        self.exact
            .get(path)
            .or_else(|| self.loose.get(&loosen(path)))
            .cloned()
    }

    fn insert(&mut self, path: String, span: Range<usize>) {
        self.loose.entry(loosen(&path)).or_insert(span.clone());
        self.exact.insert(path, span);
    }
}

fn loosen(path: &str) -> String {
    path.replace("(0)", "")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Scalar,
    Punct(char),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn tokenize(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
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
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                tokens.push(Token {
                    kind: Kind::Scalar,
                    start,
                    end: i,
                });
            }
            b'\'' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                tokens.push(Token {
                    kind: Kind::Scalar,
                    start,
                    end: i,
                });
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"') | Some(b'#'))
                && raw_string_end(bytes, i).is_some() =>
            {
                i = raw_string_end(bytes, i).unwrap_or(bytes.len());
                tokens.push(Token {
                    kind: Kind::Scalar,
                    start,
                    end: i,
                });
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
                tokens.push(Token {
                    kind: Kind::Scalar,
                    start,
                    end: i,
                });
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

struct Walker<'t> {
    source: &'t str,
    tokens: &'t [Token],
    at: usize,
    found: Locations,
}

impl Walker<'_> {
    fn peek(&self, ahead: usize) -> Option<Token> {
        self.tokens.get(self.at + ahead).copied()
    }

    fn is(&self, ahead: usize, punct: char) -> bool {
        self.peek(ahead)
            .is_some_and(|t| t.kind == Kind::Punct(punct))
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.peek(0)?;
        self.at += 1;
        Some(token)
    }

    fn expect(&mut self, punct: char) -> Option<Token> {
        if self.is(0, punct) { self.next() } else { None }
    }

    /// Skips `#![enable(...)]` lines at the top of the file.
    fn skip_attributes(&mut self) {
        while self.is(0, '#') {
            self.next();
            while let Some(token) = self.next() {
                if token.kind == Kind::Punct(']') {
                    break;
                }
            }
        }
    }

    /// Parses one value, records its span at `path`, returns its end offset.
    fn value(&mut self, path: String) -> Option<usize> {
        let first = self.next()?;
        let end = match first.kind {
            Kind::Scalar => first.end,
            Kind::Ident if self.is(0, '(') => {
                self.next();
                self.group(&path)?
            }
            Kind::Ident => first.end,
            Kind::Punct('(') => self.group(&path)?,
            Kind::Punct('[') => self.list(&path)?,
            Kind::Punct('{') => self.map(&path)?,
            Kind::Punct(_) => return None,
        };
        self.found.insert(path, first.start..end);
        Some(end)
    }

    /// After `(`: a struct body (`field: value, ...`) or a tuple body.
    fn group(&mut self, path: &str) -> Option<usize> {
        let is_struct = self.peek(0).is_some_and(|t| t.kind == Kind::Ident) && self.is(1, ':');
        let mut index = 0;
        loop {
            if let Some(close) = self.expect(')') {
                return Some(close.end);
            }
            if is_struct {
                let name = self.next()?;
                self.expect(':')?;
                let field = self.field_name(name);
                self.value(format!("{path}.{field}"))?;
            } else {
                self.value(format!("{path}({index})"))?;
                index += 1;
            }
            if self.expect(',').is_none() {
                return Some(self.expect(')')?.end);
            }
        }
    }

    fn list(&mut self, path: &str) -> Option<usize> {
        let mut index = 0;
        loop {
            if let Some(close) = self.expect(']') {
                return Some(close.end);
            }
            self.value(format!("{path}[{index}]"))?;
            index += 1;
            if self.expect(',').is_none() {
                return Some(self.expect(']')?.end);
            }
        }
    }

    fn map(&mut self, path: &str) -> Option<usize> {
        loop {
            if let Some(close) = self.expect('}') {
                return Some(close.end);
            }
            let key = self.peek(0)?;
            let key_path = format!("{path}{{key}}");
            self.value(key_path)?;
            self.expect(':')?;
            let text = self.text(key);
            self.value(format!("{path}[{text}]"))?;
            if self.expect(',').is_none() {
                return Some(self.expect('}')?.end);
            }
        }
    }

    fn field_name(&self, token: Token) -> String {
        self.text(token).trim_start_matches("r#").to_string()
    }

    fn text(&self, token: Token) -> String {
        self.source[token.start..token.end].to_string()
    }
}
