//! What can go wrong before or during an exercise, as values: `cli` prints an error and
//! turns it into the process exit code in one place (`cli::fail`).

use crate::scenario::Checked;

/// Why a scenario reference (a file or `builtin:NAME`) could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// No built-in scenario of that name.
    #[error("no built-in scenario `{name}` (built-in: {})", known.join(", "))]
    UnknownBuiltin { name: String, known: Vec<String> },
    /// The file could not be read.
    #[error("cannot read {reference}: {source}")]
    Unreadable {
        reference: String,
        source: std::io::Error,
    },
    /// The scenario has errors; `checked` holds its diagnostics, printed before this line.
    #[error("{name} has errors; fix them (see `cyberdrill check {name}`)")]
    Invalid { name: String, checked: Box<Checked> },
    /// A `--set` override does not apply; `rendered` is its diagnostic, printed before.
    #[error("the override cannot be applied to {reference}")]
    Override { reference: String, rendered: String },
}

/// Why a journal could not be replayed, resumed or branched from.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Exit 2: the journal or scenario could not be read.
    #[error("{0}")]
    Usage(String),
    /// Exit 1: the journal is corrupt, the scenario changed, or a command no longer applies.
    #[error("{0}")]
    Invalid(String),
    /// The scenario the journal names could not be loaded (exit as for loading it).
    #[error("cannot load the journal's scenario {reference}")]
    Load {
        reference: String,
        source: LoadError,
    },
}

/// Why `play` or `serve` (or another command) could not start, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A request that cannot be met as given, or a file that cannot be read or written.
    #[error("{0}")]
    Usage(String),
    /// An input that is invalid: a journal of the wrong kind, a teams file with mistakes.
    #[error("{0}")]
    Invalid(String),
    /// The exercise stopped because its journal could not be written: what happened, and
    /// how to go on.
    #[error("{0}")]
    Stopped(String),
    /// The terminal failed during a session.
    #[error("{0}")]
    Terminal(#[from] std::io::Error),
}

impl LoadError {
    /// The diagnostics to show before the one-line error, when there are any.
    pub fn details(&self, color: bool) -> Option<String> {
        match self {
            LoadError::Invalid { checked, .. } => Some(checked.render(color)),
            LoadError::Override { rendered, .. } => Some(rendered.clone()),
            LoadError::UnknownBuiltin { .. } | LoadError::Unreadable { .. } => None,
        }
    }
}
