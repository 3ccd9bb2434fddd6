//! The journal: an append-only JSONL record of a run, flushed line by line.
//!
//! The first line is a header (tool version, scenario reference and content hash, seed,
//! mode); then one line per accepted team command or facilitator control, with the tick it
//! was submitted at; a finished run ends with the hash of its outcome. Same scenario + seed +
//! journal ⇒ the identical run, which `cyberdrill replay` checks.

use crate::sim::{Command, Control, Outcome};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// How the run was played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The engine played every team (`run`).
    Headless,
    /// People played the teams (`play`, `serve`).
    Play,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    Header {
        format: String,
        tool_version: String,
        scenario: String,
        scenario_hash: String,
        seed: u64,
        mode: Mode,
        /// Who played at this keyboard (`play`): a team id, or `facilitator`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        player: Option<String>,
        /// The teams people played (the engine played the rest); absent: every team.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        humans: Option<Vec<String>>,
        /// The run this one branches from, when it is a branch.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<Parent>,
    },
    Command {
        tick: u32,
        team: String,
        command: Command,
    },
    Control {
        tick: u32,
        control: Control,
    },
    /// How far a live session had got (so `play --resume` comes back to the same tick).
    Mark {
        tick: u32,
    },
    End {
        tick: u32,
        outcome_hash: String,
    },
}

/// Where a branch comes from: its parent journal and the tick it leaves it at. The branch
/// holds a copy of the parent's entries before that tick; `prefix_hash` lets `replay` check
/// that the parent still says the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parent {
    /// The parent journal's path, as given when branching (looked for beside the branch too).
    pub journal: String,
    /// The branch point: the parent's entries before this tick are the branch's past.
    pub at: u32,
    /// [`prefix_hash`] of the parent at `at`.
    pub prefix_hash: String,
}

/// The format name in every header.
pub const FORMAT: &str = "cyberdrill-journal-1";

/// Writes a journal, one flushed line at a time.
pub struct JournalWriter {
    file: File,
    path: PathBuf,
}

impl JournalWriter {
    /// Creates (or truncates) a journal and writes its header.
    pub fn create(path: &Path, header: Line) -> std::io::Result<JournalWriter> {
        let file = File::create(path)?;
        let mut writer = JournalWriter {
            file,
            path: path.to_path_buf(),
        };
        writer.append(&header)?;
        Ok(writer)
    }

    /// Opens an existing journal to continue it.
    pub fn append_to(path: &Path) -> std::io::Result<JournalWriter> {
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        Ok(JournalWriter {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and flushes it to the file.
    pub fn append(&mut self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
        text.push('\n');
        self.file.write_all(text.as_bytes())?;
        self.file.flush()
    }
}

/// A journal read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Journal {
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    pub mode: Mode,
    /// Commands and controls in order.
    pub entries: Vec<Line>,
    pub end: Option<(u32, String)>,
    /// The furthest tick the session reached (marks, entries, end).
    pub reached: u32,
    pub player: Option<String>,
    pub humans: Option<Vec<String>>,
    pub parent: Option<Parent>,
}

impl Journal {
    /// Which teams people played at the start, with a headless run as "none" (`Sim::headless`
    /// and `Sim::with_players(&[])` are the same run); none: every team.
    pub fn initial_humans(&self) -> Option<Vec<String>> {
        match self.mode {
            Mode::Headless => Some(Vec::new()),
            Mode::Play => self.humans.clone(),
        }
    }
}

/// Which teams people play at the end of the journal: the start's, changed by any
/// `Players` control (a branch taken over); none: every team.
pub fn current_humans(journal: &Journal) -> Option<Vec<String>> {
    journal
        .entries
        .iter()
        .rev()
        .find_map(|e| match e {
            Line::Control {
                control: Control::Players { humans },
                ..
            } => Some(Some(humans.clone())),
            _ => None,
        })
        .unwrap_or_else(|| journal.initial_humans())
}

/// A digest of a run's past up to `at`: the scenario, the seed, who played, and every entry
/// before `at`. Two journals with the same prefix hash at `at` are the same run up to there.
pub fn prefix_hash(journal: &Journal, at: u32) -> String {
    let mut text = format!(
        "{}\n{}\n{}\n",
        journal.scenario_hash,
        journal.seed,
        serde_json::to_string(&journal.initial_humans()).unwrap_or_default()
    );
    for entry in journal.entries.iter().filter(|e| entry_tick(e) < at) {
        text.push_str(&serde_json::to_string(entry).unwrap_or_default());
        text.push('\n');
    }
    crate::cli::load::hash_bytes(text.as_bytes())
}

/// Why a journal could not be read.
#[derive(Debug)]
pub enum JournalError {
    Io(std::io::Error),
    /// `file:line: message`.
    Corrupt {
        line: usize,
        message: String,
    },
}

impl std::fmt::Display for JournalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JournalError::Io(e) => write!(f, "{e}"),
            JournalError::Corrupt { line, message } => write!(f, "line {line}: {message}"),
        }
    }
}

impl Journal {
    /// Reads and checks a journal file.
    pub fn read(path: &Path) -> Result<Journal, JournalError> {
        let file = File::open(path).map_err(JournalError::Io)?;
        Journal::parse(BufReader::new(file))
    }

    /// Parses journal text; every malformed line is an error with its number.
    pub fn parse(reader: impl BufRead) -> Result<Journal, JournalError> {
        let mut journal: Option<Journal> = None;
        for (i, line) in reader.lines().enumerate() {
            let number = i + 1;
            let text = line.map_err(|e| JournalError::Corrupt {
                line: number,
                message: format!("not readable text: {e}"),
            })?;
            if text.trim().is_empty() {
                continue;
            }
            let parsed: Line = serde_json::from_str(&text).map_err(|e| JournalError::Corrupt {
                line: number,
                message: format!("not a journal line ({e})"),
            })?;
            match (&mut journal, parsed) {
                (
                    None,
                    Line::Header {
                        format,
                        scenario,
                        scenario_hash,
                        seed,
                        mode,
                        player,
                        humans,
                        parent,
                        ..
                    },
                ) => {
                    if format != FORMAT {
                        return Err(JournalError::Corrupt {
                            line: number,
                            message: format!(
                                "unknown journal format `{format}`, expected `{FORMAT}`"
                            ),
                        });
                    }
                    journal = Some(Journal {
                        scenario,
                        scenario_hash,
                        seed,
                        mode,
                        entries: Vec::new(),
                        end: None,
                        reached: 0,
                        player,
                        humans,
                        parent,
                    });
                }
                (None, _) => {
                    return Err(JournalError::Corrupt {
                        line: number,
                        message: "the journal does not start with a header line".into(),
                    });
                }
                (Some(_), Line::Header { .. }) => {
                    return Err(JournalError::Corrupt {
                        line: number,
                        message: "a second header in the middle of the journal".into(),
                    });
                }
                (Some(j), Line::End { tick, outcome_hash }) => {
                    j.reached = j.reached.max(tick);
                    j.end = Some((tick, outcome_hash));
                }
                (Some(j), Line::Mark { tick }) => j.reached = j.reached.max(tick),
                (Some(j), entry) => {
                    if j.end.is_some() {
                        return Err(JournalError::Corrupt {
                            line: number,
                            message: "an entry after the end of the run".into(),
                        });
                    }
                    let tick = entry_tick(&entry);
                    if j.entries
                        .last()
                        .map(entry_tick)
                        .is_some_and(|last| tick < last)
                    {
                        return Err(JournalError::Corrupt {
                            line: number,
                            message: format!("tick {tick} goes back in time"),
                        });
                    }
                    j.reached = j.reached.max(tick);
                    j.entries.push(entry);
                }
            }
        }
        journal.ok_or(JournalError::Corrupt {
            line: 1,
            message: "the journal is empty".into(),
        })
    }
}

/// `<base>.jsonl` here, or `<base>-2.jsonl`, `-3`… rather than replace a journal that exists.
pub fn free_path(base: &str) -> PathBuf {
    let mut path = PathBuf::from(format!("{base}.jsonl"));
    let mut n = 2;
    while path.exists() {
        path = PathBuf::from(format!("{base}-{n}.jsonl"));
        n += 1;
    }
    path
}

/// The tick of a command or control line.
pub fn entry_tick(line: &Line) -> u32 {
    match line {
        Line::Command { tick, .. }
        | Line::Control { tick, .. }
        | Line::Mark { tick }
        | Line::End { tick, .. } => *tick,
        Line::Header { .. } => 0,
    }
}

/// The hash `End` lines carry: SHA-256 of the outcome's JSON.
pub fn outcome_hash(outcome: &Outcome) -> String {
    crate::cli::load::hash_bytes(
        serde_json::to_string(outcome)
            .unwrap_or_default()
            .as_bytes(),
    )
}
