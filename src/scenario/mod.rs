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
    pub fn into_valid(self) -> Option<Valid> {
        if self.is_valid() {
            self.scenario.map(Valid)
        } else {
            None
        }
    }

    /// Takes the valid scenario out, leaving the diagnostics; `None` when there are errors.
    pub fn take_valid(&mut self) -> Option<Valid> {
        if self.is_valid() {
            self.scenario.take().map(Valid)
        } else {
            None
        }
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

/// A scenario that passed validation: the only kind the engine runs, so that every id it
/// refers to resolves (an unknown id can never quietly become the first state or asset).
/// Made only by validation ([`from_str`], [`Checked::into_valid`], [`Valid::check`]) and
/// read-only: to change one, take it apart with [`Valid::into_inner`] and check the result.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid(Scenario);

impl Valid {
    /// Validates a scenario built or changed in memory (no source, so the diagnostics carry
    /// no positions). Warnings are allowed; the errors come back on failure.
    pub fn check(scenario: Scenario) -> Result<Valid, Vec<Diagnostic>> {
        let exceeded = limits::exceeded(&scenario);
        let diagnostics: Vec<Diagnostic> = if exceeded.is_empty() {
            validate::validate(&scenario, &locate::Locations::of(""))
        } else {
            exceeded.iter().map(|e| e.diagnostic(None)).collect()
        };
        let errors: Vec<Diagnostic> = diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect();
        if errors.is_empty() {
            Ok(Valid(scenario))
        } else {
            Err(errors)
        }
    }

    /// The scenario itself, to change (and check again).
    pub fn into_inner(self) -> Scenario {
        self.0
    }
}

impl std::ops::Deref for Valid {
    type Target = Scenario;
    fn deref(&self) -> &Scenario {
        &self.0
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
pub fn from_str(file: &str, source: &str) -> Result<Valid, String> {
    let checked = check_bytes(file, source.as_bytes());
    if checked.is_valid() {
        checked
            .scenario
            .map(Valid)
            .ok_or_else(|| "no scenario".to_string())
    } else {
        Err(checked.render(false))
    }
}
