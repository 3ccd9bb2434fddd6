//! The scenario format: serde types for RON files, loading, validation and diagnostics.
//!
//! Pure data: this module knows nothing of the engine or the terminal. [`check_bytes`] is the
//! whole pipeline `cyberdrill check` runs: decode, parse, validate.

pub mod diagnostic;
pub mod generate;
pub mod import;
pub mod locate;
mod parse;
mod types;
mod validate;
pub mod variant;
mod wrong_type;

pub use diagnostic::{Diagnostic, Severity};

/// The facilitator's name where a team id could stand: the SSH login of `serve`, the player
/// of a journal. No team may take it.
pub const FACILITATOR: &str = "facilitator";
pub use parse::ron_options;
pub use types::*;
pub use validate::{IdKind, ordered};

/// The result of checking one scenario source.
#[derive(Debug)]
pub struct Checked {
    /// The file name used in diagnostics.
    pub file: String,
    /// The source text (lossily decoded when it was not UTF-8), for rendering diagnostics.
    pub source: String,
    /// The scenario, when it parsed (it may still have semantic errors).
    pub scenario: Option<Scenario>,
    /// Errors first, then warnings, each in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// True when the scenario parsed and has no errors (warnings are allowed).
    pub fn is_valid(&self) -> bool {
        self.scenario.is_some() && !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    /// The valid scenario, or `None` when there are errors.
    pub fn into_valid(self) -> Option<Scenario> {
        if self.is_valid() { self.scenario } else { None }
    }

    /// All diagnostics rendered for a terminal.
    pub fn render(&self, color: bool) -> String {
        if self.diagnostics.is_empty() {
            return String::new();
        }
        let lines = diagnostic::Lines::of(&self.source);
        self.diagnostics
            .iter()
            .map(|d| d.render_in(&self.file, &self.source, &lines, color))
            .collect()
    }
}

/// Decodes, parses and validates one scenario. Never panics, whatever the bytes.
pub fn check_bytes(file: &str, bytes: &[u8]) -> Checked {
    let source = match parse::decode(bytes) {
        Ok(text) => text,
        Err(diagnostic) => {
            return Checked {
                file: file.to_string(),
                source: String::from_utf8_lossy(bytes).into_owned(),
                scenario: None,
                diagnostics: vec![diagnostic],
            };
        }
    };
    let (scenario, mut diagnostics) = match parse::parse(source) {
        Ok(scenario) => {
            let locations = locate::Locations::of(source);
            let diagnostics = validate::validate(&scenario, &locations);
            (Some(scenario), diagnostics)
        }
        Err(diagnostic) => (None, vec![diagnostic]),
    };
    diagnostics.sort_by_key(|d| (d.severity, d.span.as_ref().map_or(0, |s| s.start)));
    Checked {
        file: file.to_string(),
        source: source.to_string(),
        scenario,
        diagnostics,
    }
}

/// Parses and validates a scenario held in memory; the errors, rendered, on failure.
pub fn from_str(file: &str, source: &str) -> Result<Scenario, String> {
    let checked = check_bytes(file, source.as_bytes());
    if checked.is_valid() {
        checked.scenario.ok_or_else(|| "no scenario".to_string())
    } else {
        Err(checked.render(false))
    }
}
