//! Problems found in a scenario file, and how they are shown to an author.
//!
//! A [`Diagnostic`] carries a byte range into the source; rendering goes through miette
//! (source line, caret, label, help) for people and through [`Diagnostic::to_json`] for
//! editors.

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;
use std::ops::Range;

/// How bad a problem is: errors make a scenario invalid, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable code, e.g. `scenario::unknown-id`.
    pub code: &'static str,
    pub message: String,
    /// Where in the source (bytes); none when the problem is about the file as a whole.
    pub span: Option<Range<usize>>,
    /// A short text under the caret.
    pub label: String,
    /// What to do about it ("did you mean `kelvar`?").
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            label: String::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Option<Range<usize>>, label: impl Into<String>) -> Diagnostic {
        self.span = span;
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn maybe_help(self, help: Option<String>) -> Diagnostic {
        match help {
            Some(h) => self.help(h),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders for a terminal: `file:line:col`, the source line, a caret, the help.
    ///
    /// miette reads only a few lines around the span (see [`Window`]), so rendering costs
    /// the same near the end of a large file as near its start.
    pub fn render(&self, file: &str, source: &str, color: bool) -> String {
        self.render_in(file, source, &Lines::of(source), color)
    }

    /// [`Diagnostic::render`] with the lines of `source` found already, for rendering many
    /// diagnostics of one source.
    pub fn render_in(&self, file: &str, source: &str, lines: &Lines, color: bool) -> String {
        let mut span = self.clamped_span(source);
        let window = span
            .as_ref()
            .map(|span| Window::around(file, source, lines, span.clone()));
        // On a cropped long line, the label ends where the excerpt does.
        if let (Some(s), Some(w)) = (&mut span, &window) {
            s.end = s.end.min(w.offset + w.text.len()).max(s.start);
        }
        let location = match (&span, &window) {
            (Some(span), Some(window)) => {
                let (line, col) = window.line_col(source, span.start);
                format!("{file}:{line}:{col}")
            }
            _ => file.to_string(),
        };
        self.render_with(location, span, window, color)
    }

    /// The rendering, with miette reading the source from `code`.
    fn render_with<C: SourceCode + 'static>(
        &self,
        location: String,
        span: Option<Range<usize>>,
        code: Option<C>,
        color: bool,
    ) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut diagnostic = MietteDiagnostic::new(self.message.clone())
            .with_code(self.code)
            .with_severity(match self.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            });
        if let Some(span) = span {
            let label = if self.label.is_empty() {
                None
            } else {
                Some(self.label.clone())
            };
            diagnostic = diagnostic.with_label(LabeledSpan::new(label, span.start, span.len()));
        }
        if let Some(help) = &self.help {
            diagnostic = diagnostic.with_help(help.clone());
        }
        let mut report = miette::Report::new(diagnostic);
        if let Some(code) = code {
            report = report.with_source_code(code);
        }
        let mut out = String::new();
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out = format!("{}: {}\n", self.code, self.message);
        }
        // miette puts the location in the source frame; say it first, on its own line, so
        // the file:line:col form that editors and terminals recognise is always there.
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!("{location}: {kind}: {}\n{out}", self.message)
    }

    /// 1-based line and column (in characters) of the start of the span.
    pub fn line_col(&self, source: &str) -> Option<(usize, usize)> {
        let span = self.clamped_span(source)?;
        Some(line_col(source, span.start))
    }

    fn clamped_span(&self, source: &str) -> Option<Range<usize>> {
        let span = self.span.clone()?;
        let mut start = span.start.min(source.len());
        while !source.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, source.len());
        while !source.is_char_boundary(end) {
            end += 1;
        }
        Some(start..end)
    }

    /// The machine-readable form for `check --format json`.
    pub fn to_json(&self, source: &str) -> JsonDiagnostic {
        self.to_json_in(source, &Lines::of(source))
    }

    /// [`Diagnostic::to_json`] with the lines of `source` found already, for many
    /// diagnostics of one source (positions then cost no reading of the source).
    pub fn to_json_in(&self, source: &str, lines: &Lines) -> JsonDiagnostic {
        let (start, end) = match self.clamped_span(source) {
            Some(span) => (
                Some(lines.line_col(source, span.start)),
                Some(lines.line_col(source, span.end)),
            ),
            None => (None, None),
        };
        JsonDiagnostic {
            severity: self.severity,
            code: self.code,
            message: self.message.clone(),
            line: start.map(|p| p.0),
            column: start.map(|p| p.1),
            end_line: end.map(|p| p.0),
            end_column: end.map(|p| p.1),
            label: self.label.clone(),
            help: self.help.clone(),
        }
    }
}

/// A few whole lines of a source around a span, which miette reads as if they were the
/// whole source: offsets, line numbers and the name are those of the whole file, so the
/// rendering is the same as with the whole source, without miette scanning (and the report
/// copying) everything before the span.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    /// Byte offset of `text` in the source.
    offset: usize,
    /// How many lines come before `text`, counted as miette counts them (`\n`, `\r\n`, or
    /// a lone `\r`).
    line: usize,
    /// How many `\n` come before `text` (for our own line numbers, which count only those).
    newlines: usize,
    /// Characters of its line before `text` starts: 0, except on a long line, of which the
    /// window holds only an excerpt around the span.
    column: usize,
}

impl Window {
    /// Lines kept on either side of the span: more than miette shows (one), so it never
    /// notices where the window ends.
    const CONTEXT: usize = 3;

    fn around(name: &str, source: &str, lines: &Lines, span: Range<usize>) -> Window {
        let start = span.start.min(source.len());
        let end = span.end.clamp(start, source.len());
        // The line the span starts on, and the line CONTEXT lines above it.
        let first = lines.newlines_before(start).saturating_sub(Self::CONTEXT);
        let from = match first {
            0 => 0,
            n => lines.newlines[n - 1] + 1,
        };
        // The end of the line the span ends on, and of CONTEXT lines more.
        let to = lines
            .newlines
            .get(lines.newlines_before(end) + Self::CONTEXT)
            .map_or(source.len(), |&i| i + 1);
        let newlines = lines.newlines_before(from);
        if Self::longest_line(lines, from, to) > Self::LONG_LINE {
            return Self::excerpt(name, source, lines, start, end);
        }
        Window {
            name: name.to_string(),
            text: source[from..to].to_string(),
            offset: from,
            // `from` follows a `\n` (or is 0), so a `\r` just before it is not lone.
            line: newlines + lines.lone_cr.partition_point(|&i| i < from),
            newlines,
            column: 0,
        }
    }

    /// Lines longer than this (in bytes) are shown as an excerpt around the span: miette
    /// cannot draw a caret beyond column 65535 (it panics), and a line of megabytes helps
    /// nobody.
    const LONG_LINE: usize = 4096;
    /// Bytes of a long line kept before the span, and after its start.
    const EXCERPT: usize = 120;

    /// The length of the longest line in `from..to`.
    fn longest_line(lines: &Lines, from: usize, to: usize) -> usize {
        let first = lines.newlines_before(from);
        let last = lines.newlines_before(to);
        let mut start = from;
        let mut longest = 0;
        for &nl in &lines.newlines[first..last] {
            longest = longest.max(nl - start);
            start = nl + 1;
        }
        longest.max(to.saturating_sub(start))
    }

    /// The window of a span on a long line: an excerpt of that line alone.
    fn excerpt(name: &str, source: &str, lines: &Lines, start: usize, end: usize) -> Window {
        let before = lines.newlines_before(start);
        let line_start = match before {
            0 => 0,
            n => lines.newlines[n - 1] + 1,
        };
        let line_end = lines.newlines.get(before).copied().unwrap_or(source.len());
        let mut from = start.saturating_sub(Self::EXCERPT).max(line_start);
        while !source.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = end
            .max(start)
            .min(start + Self::EXCERPT)
            .max(start + 1)
            .min(line_end)
            .max(from);
        while !source.is_char_boundary(to) {
            to += 1;
        }
        Window {
            name: name.to_string(),
            text: source[from..to].to_string(),
            offset: from,
            line: before + lines.lone_cr.partition_point(|&i| i < from),
            newlines: before,
            column: lines.chars_before(source, from) - lines.chars_before(source, line_start),
        }
    }

    /// [`line_col`] of an offset inside the window, without reading what comes before it.
    fn line_col(&self, source: &str, offset: usize) -> (usize, usize) {
        if offset < self.offset || offset > self.offset + self.text.len() {
            return line_col(source, offset);
        }
        let (line, col) = line_col(&self.text, offset - self.offset);
        let col = if line == 1 { col + self.column } else { col };
        (line + self.newlines, col)
    }
}

/// Where the lines of a source end, so line numbers need no reading of the source.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// Offsets of every `\n`.
    newlines: Vec<usize>,
    /// Offsets of every `\r` not followed by `\n` (miette counts those as line ends too).
    lone_cr: Vec<usize>,
    /// (byte offset, characters before it), every [`Lines::MARK`] bytes or so: columns are
    /// counted from the nearest mark, not from the start of a long line.
    marks: Vec<(usize, usize)>,
}

impl Lines {
    pub fn of(source: &str) -> Lines {
        let bytes = source.as_bytes();
        Lines {
            newlines: source.match_indices('\n').map(|(i, _)| i).collect(),
            lone_cr: source
                .match_indices('\r')
                .map(|(i, _)| i)
                .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
                .collect(),
            marks: Self::marks(source),
        }
    }

    const MARK: usize = 4096;

    fn marks(source: &str) -> Vec<(usize, usize)> {
        let mut marks = vec![(0, 0)];
        let mut next = Self::MARK;
        for (chars, (i, _)) in source.char_indices().enumerate() {
            if i >= next {
                marks.push((i, chars));
                next = i + Self::MARK;
            }
        }
        marks
    }

    /// Characters before `offset` (a char boundary of `source`, the source these lines are
    /// of).
    fn chars_before(&self, source: &str, offset: usize) -> usize {
        let offset = offset.min(source.len());
        let (at, chars) = self
            .marks
            .partition_point(|&(i, _)| i <= offset)
            .checked_sub(1)
            .map_or((0, 0), |k| self.marks[k]);
        chars + source.get(at..offset).map_or(0, |s| s.chars().count())
    }

    /// [`line_col`], from the lines found already.
    pub fn line_col(&self, source: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(source.len());
        let before = self.newlines_before(offset);
        let line_start = match before {
            0 => 0,
            n => self.newlines[n - 1] + 1,
        };
        let col = self.chars_before(source, offset) - self.chars_before(source, line_start);
        (before + 1, col + 1)
    }

    /// How many `\n` come before `offset`.
    fn newlines_before(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&i| i < offset)
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span
            .offset()
            .checked_sub(self.offset)
            .ok_or(MietteError::OutOfBounds)?;
        let inner = self.text.read_span(
            &SourceSpan::new(start.into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.offset).into(),
                inner.span().len(),
            ),
            inner.line() + self.line,
            if inner.line() == 0 {
                inner.column() + self.column
            } else {
                inner.column()
            },
            inner.line_count() + self.line,
        )))
    }
}

/// A diagnostic as editors read it: 1-based positions, columns in characters.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub end_line: Option<usize>,
    pub end_column: Option<usize>,
    pub label: String,
    pub help: Option<String>,
}

/// 1-based line and character column of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Byte offset of a 1-based line and character column (clamped to the source).
pub fn offset_of(source: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for _ in 1..line.max(1) {
        match source[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return source.len(),
        }
    }
    let rest = &source[offset..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    offset
        + rest[..line_end]
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(line_end, |(i, _)| i)
}

/// `noun` with the indefinite article it takes: "an asset", "a state", "an organisation or
/// state". By the first letter, which is right for the nouns diagnostics use.
pub fn a(noun: &str) -> String {
    let vowel = noun
        .chars()
        .next()
        .is_some_and(|c| matches!(c.to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u'));
    let sounds_like_you = ["uni", "use", "usu", "eu"]
        .iter()
        .any(|p| noun.to_ascii_lowercase().starts_with(p));
    if vowel && !sounds_like_you {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// The closest candidate to `found`, if one is close enough to be a likely typo.
pub fn suggest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(&found.to_lowercase(), &candidate.to_lowercase());
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let src = "ab\nçé x";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        let x = src.find('x').unwrap();
        assert_eq!(line_col(src, x), (2, 4));
        assert_eq!(offset_of(src, 2, 4), x);
    }

    /// The rendering with miette reading the whole source, as before windows.
    fn render_whole(d: &Diagnostic, file: &str, source: &str) -> String {
        let span = d.clamped_span(source);
        let location = match d.line_col(source) {
            Some((line, col)) => format!("{file}:{line}:{col}"),
            None => file.to_string(),
        };
        let code = miette::NamedSource::new(file, source.to_string());
        d.render_with(location, span, Some(code), false)
    }

    #[test]
    fn a_window_renders_like_the_whole_source() {
        let mut long = String::new();
        for i in 0..40 {
            long.push_str(&format!("    (id: \"item-{i}\", name: \"Ünïcödé {i}\"),\n"));
        }
        let sources = [
            long.clone(),
            long.replace('\n', "\r\n"),
            long.replacen('\n', "\r", 7),
            "one line, no newline".to_string(),
            "\n\n\n".to_string(),
            String::new(),
        ];
        for source in &sources {
            let mut spans = vec![
                0..0,
                0..1,
                source.len()..source.len(),
                source.len().saturating_sub(1)..source.len(),
            ];
            for (i, _) in source.char_indices().step_by(37) {
                spans.push(i..(i + 5).min(source.len()));
                spans.push(i..(i + 90).min(source.len()));
                spans.push(i..i);
            }
            for span in spans {
                let mut d = Diagnostic::error("test::window", "a problem")
                    .at(Some(span.clone()), "here")
                    .help("fix it");
                if span.start % 2 == 0 {
                    d.label.clear();
                    d.severity = Severity::Warning;
                }
                assert_eq!(
                    d.render("f.ron", source, false),
                    render_whole(&d, "f.ron", source),
                    "span {span:?} of {source:?}"
                );
            }
        }
        let whole = Diagnostic::error("test::file", "about the whole file");
        assert_eq!(
            whole.render("f.ron", &long, false),
            render_whole(&whole, "f.ron", &long)
        );
    }

    #[test]
    fn articles_follow_the_first_sound() {
        assert_eq!(a("asset"), "an asset");
        assert_eq!(a("organisation or state"), "an organisation or state");
        assert_eq!(a("inject"), "an inject");
        assert_eq!(a("state"), "a state");
        assert_eq!(a("StateUnit"), "a StateUnit");
        assert_eq!(a("OrgKind"), "an OrgKind");
        assert_eq!(a("unit"), "a unit");
        assert_eq!(a(""), "a ");
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["severity", "target", "vector"];
        assert_eq!(suggest("severty", names).as_deref(), Some("severity"));
        assert_eq!(suggest("zzz", names), None);
    }
}
