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
pub use parse::{limits, ron_options};
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

/// Reads a scenario file for [`check_bytes`]: at most one byte more than
/// [`limits::MAX_FILE_BYTES`], so that a larger file (or `/dev/zero`) gets
/// `scenario::too-large` without being read whole.
pub fn read_file(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limits::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Decodes, parses and validates one scenario. Never panics, whatever the bytes; a scenario
/// over the [`limits`] gets `scenario::too-large` and is not validated further.
pub fn check_bytes(file: &str, bytes: &[u8]) -> Checked {
    if bytes.len() > limits::MAX_FILE_BYTES {
        return Checked {
            file: file.to_string(),
            source: String::new(),
            scenario: None,
            diagnostics: vec![limits::file_too_large(bytes.len())],
        };
    }
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
            let exceeded = limits::exceeded(&scenario);
            let diagnostics = if exceeded.is_empty() {
                validate::validate(&scenario, &locations)
            } else {
                exceeded
                    .iter()
                    .map(|e| e.diagnostic(locations.get(&e.path)))
                    .collect()
            };
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
