//! Loading a scenario for the commands that run one: from a file or `builtin:NAME`.

pub use super::error::LoadError;
use crate::builtin;
use crate::scenario::{self, Scenario, Valid};
use std::io::IsTerminal;

/// A scenario ready to run, with where it came from and the hashes that identify it.
#[derive(Clone)]
pub struct Loaded {
    /// What to write in a journal to find it again: a path or `builtin:NAME`.
    pub source_ref: String,
    /// Checked: the engine runs only a [`Valid`] scenario.
    pub scenario: Valid,
    /// SHA-256 of the scenario's meaning, hex: of its canonical text (the parsed scenario
    /// written out again), so comments, spacing, field order and defaults written out or
    /// left implicit do not change it, and any change of meaning does. Journals and sweeps
    /// record this one.
    pub hash: String,
    /// SHA-256 of the file's bytes, as journals before the canonical hash recorded; still
    /// accepted when replaying them.
    pub text_hash: String,
}

/// The hash of a scenario's meaning (see [`Loaded::hash`]).
pub fn meaning_hash(scenario: &Scenario) -> String {
    hash_bytes(scenario::variant::to_text(scenario).as_bytes())
}

impl Loaded {
    /// Whether a journal's recorded hash names this scenario (by meaning, or by the bytes
    /// of the file as older journals recorded).
    pub fn matches(&self, recorded: &str) -> bool {
        recorded == self.hash || recorded == self.text_hash
    }
}

pub use crate::journal::hash_bytes;

/// Loads and checks a scenario.
pub fn load(reference: &str) -> Result<Loaded, LoadError> {
    let (bytes, name) = if let Some(name) = reference.strip_prefix("builtin:") {
        match builtin::find(name) {
            Some(b) => (b.source.as_bytes().to_vec(), b.file.to_string()),
            None => {
                return Err(LoadError::UnknownBuiltin {
                    name: name.to_string(),
                    known: builtin::SCENARIOS
                        .iter()
                        .map(|b| b.name.to_string())
                        .collect(),
                });
            }
        }
    } else {
        match scenario::read_file(std::path::Path::new(reference)) {
            Ok(bytes) => (bytes, reference.to_string()),
            Err(source) => {
                return Err(LoadError::Unreadable {
                    reference: reference.to_string(),
                    source,
                });
            }
        }
    };
    let mut checked = scenario::check_bytes(&name, &bytes);
    let text_hash = hash_bytes(&bytes);
    if let Some(scenario) = checked.take_valid() {
        return Ok(Loaded {
            source_ref: reference.to_string(),
            hash: meaning_hash(&scenario),
            scenario,
            text_hash,
        });
    }
    Err(LoadError::Invalid {
        name,
        checked: Box::new(checked),
    })
}

/// Loads a scenario and applies `--set` overrides; the hash is taken over the variant's text,
/// so shards of one variant merge and shards of different variants do not.
pub fn load_variant(reference: &str, sets: &[String]) -> Result<Loaded, LoadError> {
    let loaded = load(reference)?;
    if sets.is_empty() {
        return Ok(loaded);
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match scenario::variant::apply(&loaded.source_ref, &loaded.scenario, sets, color) {
        Ok((scenario, text)) => Ok(Loaded {
            source_ref: loaded.source_ref,
            scenario,
            hash: hash_bytes(text.as_bytes()),
            text_hash: hash_bytes(text.as_bytes()),
        }),
        Err(e) => Err(LoadError::Override {
            reference: reference.to_string(),
            rendered: e.to_string(),
        }),
    }
}
