//! The journal: an append-only JSONL record of a run, flushed line by line.
//!
//! The first line is a header (tool version, scenario reference and content hash, seed,
//! mode); then one line per accepted team command or facilitator control, with the tick it
//! was submitted at; a finished run ends with the hash of its outcome. Same scenario + seed +
//! journal ⇒ the identical run, which `cyberdrill replay` checks.
//!
//! Observers' notes and teams' decision logs are journaled too (`observation` and `decision`
//! lines, see [`crate::evaluation`]), but they are no part of the run: they are read into
//! [`Journal::notes`], never into its entries, so replay, resume and the prefix hash of a
//! branch never see them.

use crate::evaluation::{Decision, Notes, Observation};
use crate::sim::{Command, Control, Outcome};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
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
    /// An observer's note (EEG entry); the engine never reads it.
    Observation(Observation),
    /// A team's decision and its rationale; the engine never reads it.
    Decision(Decision),
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

/// Writes a journal, one flushed line at a time. A line is written whole or not at all: a
/// failed write (a full disk, a removed directory) is cut back off the file, so what is left
/// is a journal that `--resume` reads. Commands, controls and the end are also synced to the
/// disk before they count as accepted; marks (progress only) are not.
pub struct JournalWriter {
    file: File,
    path: PathBuf,
    /// Bytes of whole lines in the file.
    len: u64,
}

impl JournalWriter {
    /// Creates (or truncates) a journal and writes its header.
    pub fn create(path: &Path, header: Line) -> std::io::Result<JournalWriter> {
        let file = File::create(path)?;
        let mut writer = JournalWriter {
            file,
            path: path.to_path_buf(),
            len: 0,
        };
        writer.append(&header)?;
        Ok(writer)
    }

    /// Opens an existing journal to continue it. A last line cut off in the middle (a crash
    /// or power cut while it was written) is removed first, and a whole last line without
    /// its newline gets one, so that new lines start on a line of their own.
    pub fn append_to(path: &Path) -> std::io::Result<JournalWriter> {
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .append(true)
            .open(path)?;
        let tail = read_tail(&mut file)?;
        let mut len = file.metadata()?.len();
        match tail {
            Tail::Clean => {}
            Tail::MissingNewline => {
                file.write_all(b"\n")?;
                len += 1;
            }
            Tail::Torn { whole, .. } => {
                file.set_len(whole)?;
                len = whole;
            }
        }
        Ok(JournalWriter {
            file,
            path: path.to_path_buf(),
            len,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and flushes it to the file (and, but for a mark, to the disk).
    pub fn append(&mut self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
        text.push('\n');
        let written = self
            .file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.flush())
            .and_then(|()| match line {
                Line::Mark { .. } => Ok(()),
                _ => self.file.sync_data(),
            });
        match written {
            Ok(()) => {
                self.len += text.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Leave no half line behind (best effort: the file may be gone).
                let _ = self.file.set_len(self.len);
                Err(e)
            }
        }
    }
}

/// The longest journal line read (a command's free text included); longer is corrupt.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// How a journal file ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// With a newline after its last line.
    Clean,
    /// Its last line is whole but lacks the newline.
    MissingNewline,
    /// Its last line was cut off while it was written: `bytes` of it after the `whole` bytes
    /// of whole lines.
    Torn { whole: u64, bytes: u64 },
}

/// Reads how the file ends (the part after its last newline), leaving the cursor anywhere.
fn read_tail(file: &mut File) -> std::io::Result<Tail> {
    use std::io::{Seek, SeekFrom};
    let size = file.metadata()?.len();
    // The last line is at most MAX_LINE_BYTES long; look that far back for its start.
    let back = size.min(MAX_LINE_BYTES as u64 + 1);
    file.seek(SeekFrom::Start(size - back))?;
    let mut end = Vec::with_capacity(back as usize);
    Read::by_ref(file).take(back).read_to_end(&mut end)?;
    let fragment_start = end.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let fragment = &end[fragment_start..];
    let whole = size - fragment.len() as u64;
    if fragment.iter().all(u8::is_ascii_whitespace) {
        return Ok(Tail::Clean);
    }
    if serde_json::from_slice::<Line>(fragment).is_ok() {
        return Ok(Tail::MissingNewline);
    }
    Ok(Tail::Torn {
        whole,
        bytes: fragment.len() as u64,
    })
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
    /// Observations and decisions, in the order written (kept apart from the entries: the
    /// run does not depend on them).
    pub notes: Notes,
    pub end: Option<(u32, String)>,
    /// The furthest tick the session reached (marks, entries, end).
    pub reached: u32,
    pub player: Option<String>,
    pub humans: Option<Vec<String>>,
    pub parent: Option<Parent>,
    /// The last line was cut off while it was written (a crash, a power cut): its number
    /// and how many bytes of it there were. It is left out; the rest is whole.
    pub torn: Option<(usize, usize)>,
}

impl Journal {
    /// What a resumed session says when the journal's last line had been cut off.
    pub fn torn_notice(&self) -> Option<String> {
        self.torn.map(|(line, bytes)| {
            format!(
                "the journal's last line (line {line}, {bytes} bytes) was cut off while it was \
                 written, by a crash or a power cut; it is left out, and the session goes on \
                 from the last whole line (tick {})",
                self.reached
            )
        })
    }

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
    hash_bytes(text.as_bytes())
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

    /// Parses journal text; every malformed line is an error with its number, except a last
    /// line without its newline that does not parse: that one was cut off while it was
    /// written, and is left out (see [`Journal::torn`]).
    pub fn parse(mut reader: impl BufRead) -> Result<Journal, JournalError> {
        let mut journal: Option<Journal> = None;
        let mut raw = Vec::new();
        let mut number = 0;
        loop {
            raw.clear();
            let read = (&mut reader)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut raw)
                .map_err(JournalError::Io)?;
            if read == 0 {
                break;
            }
            number += 1;
            let whole = raw.last() == Some(&b'\n');
            if !whole && raw.len() > MAX_LINE_BYTES {
                return Err(JournalError::Corrupt {
                    line: number,
                    message: format!("a line longer than {MAX_LINE_BYTES} bytes"),
                });
            }
            let text = match std::str::from_utf8(&raw) {
                Ok(t) => t,
                Err(_) if !whole => {
                    mark_torn(&mut journal, number, raw.len())?;
                    break;
                }
                Err(e) => {
                    return Err(JournalError::Corrupt {
                        line: number,
                        message: format!("not readable text: {e}"),
                    });
                }
            };
            if text.trim().is_empty() {
                continue;
            }
            let parsed: Line = match serde_json::from_str(text) {
                Ok(p) => p,
                Err(_) if !whole => {
                    mark_torn(&mut journal, number, raw.len())?;
                    break;
                }
                Err(e) => {
                    return Err(JournalError::Corrupt {
                        line: number,
                        message: format!("not a journal line ({e})"),
                    });
                }
            };
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
                        notes: Notes::default(),
                        end: None,
                        reached: 0,
                        player,
                        humans,
                        parent,
                        torn: None,
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
                // Notes may come in any order, after the end too (an observer finishing
                // an evaluation): they change nothing in the run.
                (Some(j), Line::Observation(o)) => j.notes.observations.push(o),
                (Some(j), Line::Decision(d)) => j.notes.decisions.push(d),
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

/// Records a cut-off last line; a journal cut off in its header has nothing to resume.
fn mark_torn(journal: &mut Option<Journal>, line: usize, bytes: usize) -> Result<(), JournalError> {
    match journal {
        Some(j) => {
            j.torn = Some((line, bytes));
            Ok(())
        }
        None => Err(JournalError::Corrupt {
            line,
            message: "the header line was cut off while it was written (the session never started)"
                .into(),
        }),
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
        Line::Observation(Observation { tick, .. }) | Line::Decision(Decision { tick, .. }) => {
            *tick
        }
        Line::Header { .. } => 0,
    }
}

/// Hex SHA-256 of some bytes.
pub fn hash_bytes(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hash `End` lines carry: SHA-256 of the outcome's JSON.
pub fn outcome_hash(outcome: &Outcome) -> String {
    hash_bytes(
        serde_json::to_string(outcome)
            .unwrap_or_default()
            .as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Command, Control};

    fn lines() -> Vec<Line> {
        vec![
            Line::Header {
                format: FORMAT.into(),
                tool_version: "test".into(),
                scenario: "builtin:flagship".into(),
                scenario_hash: "abc".into(),
                seed: 7,
                mode: Mode::Play,
                player: Some("team-varesh".into()),
                humans: None,
                parent: None,
            },
            Line::Mark { tick: 1 },
            Line::Command {
                tick: 2,
                team: "team-varesh".into(),
                command: Command::Acknowledge { message: 0 },
            },
            Line::Control {
                tick: 3,
                control: Control::SkipInject { id: "x".into() },
            },
            Line::Mark { tick: 4 },
        ]
    }

    fn text(lines: &[Line]) -> Vec<u8> {
        let mut out = Vec::new();
        for l in lines {
            out.extend(serde_json::to_vec(l).unwrap());
            out.push(b'\n');
        }
        out
    }

    /// A journal cut at any byte (a power cut while a line was written) reads back as its
    /// whole lines, says what it lost, and continues with a new line that reads back too.
    #[test]
    fn a_journal_cut_at_any_byte_resumes_to_its_last_whole_line() {
        let all = lines();
        let full = text(&all);
        let header_len = text(&all[..1]).len();
        let dir = std::env::temp_dir().join(format!("cyberdrill-torn-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("j.jsonl");
        for cut in 0..=full.len() {
            let bytes = &full[..cut];
            let parsed = Journal::parse(bytes);
            if cut < header_len - 1 {
                assert!(
                    parsed.is_err(),
                    "cut {cut}: no whole header, nothing to resume"
                );
                continue;
            }
            let j = parsed.unwrap_or_else(|e| panic!("cut {cut}: {e}"));
            // The whole lines before the cut (a line missing only its newline is whole).
            let whole = (1..=all.len())
                .rev()
                .find(|&n| text(&all[..n]).len() <= cut + 1)
                .unwrap();
            let expected: Vec<Line> = all[1..whole]
                .iter()
                .filter(|l| matches!(l, Line::Command { .. } | Line::Control { .. }))
                .cloned()
                .collect();
            assert_eq!(j.entries, expected, "cut {cut}");
            let at_boundary = text(&all[..whole]).len();
            assert_eq!(
                j.torn.is_some(),
                cut != at_boundary && cut + 1 != at_boundary,
                "cut {cut}"
            );
            if let Some((line, n)) = j.torn {
                assert_eq!(line, whole + 1, "cut {cut}");
                assert_eq!(n, cut - at_boundary, "cut {cut}");
                assert!(j.torn_notice().unwrap().contains("cut off"));
            }
            // Resuming appends after the last whole line.
            std::fs::write(&path, bytes).unwrap();
            let mut w = JournalWriter::append_to(&path).unwrap();
            w.append(&Line::Mark { tick: 9 }).unwrap();
            let again = Journal::read(&path).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
            assert_eq!(again.entries, expected, "cut {cut}");
            assert_eq!(again.torn, None, "cut {cut}");
            assert_eq!(again.reached, 9, "cut {cut}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    /// Notes are read apart from the entries, anywhere (after the end too), and change
    /// neither the entries nor the prefix hash that checks a branch against its parent.
    #[test]
    fn notes_are_kept_apart_from_the_run() {
        use crate::evaluation::{Decision, Observation, Rating};
        let mut with = lines();
        with.insert(
            2,
            Line::Observation(Observation {
                tick: 5,
                observer: "eva".into(),
                team: "team-varesh".into(),
                objective: None,
                rating: Some(Rating::M),
                text: "slow to share".into(),
            }),
        );
        with.push(Line::End {
            tick: 6,
            outcome_hash: "h".into(),
        });
        with.push(Line::Decision(Decision {
            tick: 1,
            team: "team-varesh".into(),
            decision: "wait".into(),
            rationale: "no evidence".into(),
        }));
        let mut without = lines();
        without.push(Line::End {
            tick: 6,
            outcome_hash: "h".into(),
        });
        let a = Journal::parse(&text(&with)[..]).unwrap();
        let b = Journal::parse(&text(&without)[..]).unwrap();
        assert_eq!(a.entries, b.entries);
        assert_eq!(a.reached, b.reached, "a note is not progress");
        assert_eq!(a.notes.observations.len(), 1);
        assert_eq!(a.notes.decisions[0].decision, "wait");
        assert!(b.notes.observations.is_empty() && b.notes.decisions.is_empty());
        for at in 0..8 {
            assert_eq!(prefix_hash(&a, at), prefix_hash(&b, at), "at {at}");
        }
        let line = serde_json::to_string(&with[2]).unwrap();
        assert!(line.starts_with("{\"kind\":\"observation\""), "{line}");
    }

    #[test]
    fn a_torn_line_in_the_middle_is_corrupt_and_an_endless_line_is_refused() {
        let all = lines();
        let mut bytes = text(&all[..2]);
        bytes.extend(b"{\"kind\":\"mark\",\"ti\n");
        bytes.extend(text(&all[2..]));
        match Journal::parse(&bytes[..]) {
            Err(JournalError::Corrupt { line: 3, .. }) => {}
            other => panic!("{other:?}"),
        }
        let mut long = text(&all[..1]);
        long.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 10));
        match Journal::parse(&long[..]) {
            Err(JournalError::Corrupt { line: 2, message }) => {
                assert!(message.contains("longer than"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
}
