//! Problems found in a scenario file, and how they are shown to an author.
//!
//! A [`Diagnostic`] carries a byte range into the source; rendering goes through miette
//! (source line, caret, label, help) for people and through [`Diagnostic::to_json`] for
//! editors.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
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
    pub fn render(&self, file: &str, source: &str, color: bool) -> String {
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
        if let Some(span) = self.clamped_span(source) {
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
        let location = match self.line_col(source) {
            Some((line, col)) => format!("{file}:{line}:{col}"),
            None => file.to_string(),
        };
        let report = miette::Report::new(diagnostic)
            .with_source_code(NamedSource::new(file, source.to_string()));
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
        let (start, end) = match self.clamped_span(source) {
            Some(span) => (
                Some(line_col(source, span.start)),
                Some(line_col(source, span.end)),
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

    #[test]
    fn suggests_close_names_only() {
        let names = ["severity", "target", "vector"];
        assert_eq!(suggest("severty", names).as_deref(), Some("severity"));
        assert_eq!(suggest("zzz", names), None);
    }
}
