//! Branches: "what if we had…" from any moment of a journaled run.
//!
//! A branch rebuilds a run exactly up to a tick T and continues it differently: people play
//! on (`play --branch`, `serve --branch`), or the engine plays from there (`run --branch`,
//! `sweep --branch`, where each run of the sweep re-rolls the future with its own seed while
//! the past stays fixed). A branch journal is a whole journal: its header names the parent
//! and the branch point, then come the parent's entries before T, then what the branch did
//! differently at T (who plays from now, a new seed) and everything after. `replay` checks
//! it against its parent when the parent is at hand.

use super::load::Loaded;
use super::replay::{self, ReplayError};
use crate::journal::{self, FORMAT, Journal, Line, Mode, Parent};
use crate::sim::{Control, Sim};
use std::path::{Path, PathBuf};

/// Where a branch starts, as the user named it: the parent journal and the moment
/// (`+HH:MM` or a tick), not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchFrom {
    pub parent: PathBuf,
    pub at: String,
}

/// A run to branch from, and the branch point.
pub struct Branch {
    pub parent_path: PathBuf,
    pub parent: Journal,
    pub loaded: Loaded,
    /// The branch point (a tick): the parent's entries before it are the branch's past.
    pub at: u32,
}

/// Reads a moment of the exercise: `+12:00` or `12:00` (hours and minutes since the start;
/// hours may pass 24: `+30:15`), or a tick number (`144`). A time must fall on a tick.
pub fn parse_moment(text: &str, tick_minutes: u32, end_tick: u32) -> Result<u32, String> {
    let t = text.trim();
    let tick = if let Some((h, m)) = t.trim_start_matches('+').split_once(':') {
        let hours: u32 = h
            .parse()
            .map_err(|_| format!("`{text}` is not a time; write +HH:MM (e.g. +12:00) or a tick"))?;
        let minutes: u32 = m
            .parse()
            .ok()
            .filter(|m| *m < 60 && m_len_ok(text))
            .ok_or_else(|| format!("`{text}` is not a time; minutes go from 00 to 59"))?;
        let total = hours * 60 + minutes;
        if !total.is_multiple_of(tick_minutes) {
            return Err(format!(
                "{text} is not on a tick: this scenario moves in {tick_minutes}-minute ticks \
                 (try {})",
                crate::sim::view::hhmm_span(total - total % tick_minutes)
            ));
        }
        total / tick_minutes
    } else {
        t.parse::<u32>().map_err(|_| {
            format!("`{text}` is not a moment; write +HH:MM (e.g. +12:00) or a tick number")
        })?
    };
    if tick > end_tick {
        return Err(format!(
            "{text} is after the end of the exercise ({})",
            crate::sim::view::hhmm_span(end_tick * tick_minutes)
        ));
    }
    Ok(tick)
}

fn m_len_ok(text: &str) -> bool {
    text.rsplit(':').next().is_some_and(|m| m.len() == 2)
}

impl Branch {
    /// Opens the parent journal (checking its scenario, and its own parent if it is a branch)
    /// and the branch point.
    pub fn open(parent_path: &Path, at: &str) -> Result<Branch, ReplayError> {
        let (parent, loaded) = replay::open(parent_path, None)?;
        let probe = Sim::headless(&loaded.scenario, parent.seed);
        let at = parse_moment(at, probe.tick_minutes(), probe.end_tick())
            .map_err(|e| ReplayError::Usage(format!("--at: {e}")))?;
        if parent.end.is_none() && at > parent.reached {
            return Err(ReplayError::Invalid(format!(
                "{} only reaches {} (the session stopped there); branch at or before it",
                parent_path.display(),
                crate::sim::view::hhmm_span(parent.reached * probe.tick_minutes())
            )));
        }
        Ok(Branch {
            parent_path: parent_path.to_path_buf(),
            parent,
            loaded,
            at,
        })
    }

    /// The parent's notes (observations, decisions) of the shared past: they describe it, so
    /// the branch keeps them (still apart from its entries).
    pub fn notes(&self) -> crate::evaluation::Notes {
        let n = &self.parent.notes;
        crate::evaluation::Notes {
            observations: (n.observations.iter().filter(|o| o.tick < self.at))
                .cloned()
                .collect(),
            decisions: (n.decisions.iter().filter(|d| d.tick < self.at))
                .cloned()
                .collect(),
        }
    }

    /// The journal of the branch: the parent's past, then `then` at the branch point.
    fn journal(&self, player: Option<&str>, then: &[Control]) -> Journal {
        let mut entries: Vec<Line> = self
            .parent
            .entries
            .iter()
            .filter(|e| journal::entry_tick(e) < self.at)
            .cloned()
            .collect();
        entries.extend(then.iter().map(|c| Line::Control {
            tick: self.at,
            control: c.clone(),
        }));
        Journal {
            scenario: self.loaded.source_ref.clone(),
            scenario_hash: self.parent.scenario_hash.clone(),
            seed: self.parent.seed,
            mode: Mode::Play,
            entries,
            notes: self.notes(),
            end: None,
            reached: self.at,
            player: player.map(str::to_string),
            humans: self.parent.initial_humans(),
            torn: None,
            parent: Some(Parent {
                journal: self.parent_path.display().to_string(),
                at: self.at,
                prefix_hash: journal::prefix_hash(&self.parent, self.at),
            }),
        }
    }

    /// The lines of the branch journal, ready to write: header, the past, `then`, and a mark
    /// at the branch point (so `--resume` comes back there).
    pub fn lines(&self, player: Option<&str>, then: &[Control]) -> Vec<Line> {
        let j = self.journal(player, then);
        let mut lines = vec![Line::Header {
            format: FORMAT.to_string(),
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: j.scenario.clone(),
            scenario_hash: j.scenario_hash.clone(),
            seed: j.seed,
            mode: j.mode,
            player: j.player.clone(),
            humans: j.humans.clone(),
            parent: j.parent.clone(),
        }];
        lines.extend(j.entries);
        lines.extend(j.notes.observations.into_iter().map(Line::Observation));
        lines.extend(j.notes.decisions.into_iter().map(Line::Decision));
        lines.push(Line::Mark { tick: self.at });
        lines
    }

    /// Writes the branch journal to `path` (refusing to replace a file).
    pub fn write(&self, path: &Path, player: Option<&str>, then: &[Control]) -> Result<(), String> {
        if path.exists() {
            return Err(format!(
                "{} exists; name another --journal for the branch",
                path.display()
            ));
        }
        let mut text = String::new();
        for line in self.lines(player, then) {
            text.push_str(&serde_json::to_string(&line).map_err(|e| e.to_string())?);
            text.push('\n');
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The run at the branch point, with `then` applied there.
    pub fn sim(&self, then: &[Control]) -> Result<Sim, ReplayError> {
        let j = self.journal(None, then);
        replay::resume(&j, &self.loaded.scenario, &self.parent_path)
    }

    /// A name for the branch journal beside where the user is:
    /// `<parent stem>-branch-<HHMM>.jsonl`, `-2`, `-3`… rather than replace a file.
    pub fn default_path(&self, tick_minutes: u32) -> PathBuf {
        let stem = self
            .parent_path
            .file_stem()
            .map_or("cyberdrill".into(), |s| s.to_string_lossy().into_owned());
        let minute = self.at * tick_minutes;
        journal::free_path(&format!(
            "{stem}-branch-{:02}{:02}",
            minute / 60,
            minute % 60
        ))
    }

    /// The hash that identifies the branch's past, for sweeps of it: shards of one branch
    /// merge, shards of different branch points do not.
    pub fn identity(&self) -> String {
        super::load::hash_bytes(
            format!(
                "{}\n{}\n{}",
                self.parent.scenario_hash,
                self.at,
                journal::prefix_hash(&self.parent, self.at)
            )
            .as_bytes(),
        )
    }
}

/// The parent journal of a branch: as named, relative to the branch, or by its file name
/// beside the branch.
pub fn find_parent(parent: &Parent, branch_path: &Path) -> Option<PathBuf> {
    let here = branch_path.parent().unwrap_or(Path::new("."));
    let named = Path::new(&parent.journal);
    [
        named.to_path_buf(),
        here.join(named),
        here.join(named.file_name().unwrap_or_default()),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Checks a branch journal against its parent, when the parent can be found (as named, or
/// beside the branch). A parent that says something else before the branch point is an
/// error; a missing one is a note (the branch holds its whole past and replays alone).
pub fn verify(branch: &Journal, branch_path: &Path) -> Result<(), ReplayError> {
    let Some(parent) = &branch.parent else {
        return Ok(());
    };
    let own = journal::prefix_hash(branch, parent.at);
    if own != parent.prefix_hash {
        return Err(ReplayError::Invalid(format!(
            "{}: its entries before the branch point are not the ones it was branched with",
            branch_path.display()
        )));
    }
    let Some(found) = find_parent(parent, branch_path) else {
        eprintln!(
            "note: the parent journal {} is not here; the branch is checked on its own",
            parent.journal
        );
        return Ok(());
    };
    let parent_journal = Journal::read(&found).map_err(|e| {
        ReplayError::Invalid(format!(
            "the parent journal {} cannot be read: {e}",
            found.display()
        ))
    })?;
    if journal::prefix_hash(&parent_journal, parent.at) != parent.prefix_hash {
        return Err(ReplayError::Invalid(format!(
            "the parent journal {} has changed before the branch point: it no longer records \
             the past this branch was made from",
            found.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_moment;

    #[test]
    fn moments_as_times_or_ticks() {
        assert_eq!(parse_moment("+12:00", 5, 576), Ok(144));
        assert_eq!(parse_moment("12:00", 5, 576), Ok(144));
        assert_eq!(parse_moment("+30:15", 5, 576), Ok(363));
        assert_eq!(parse_moment("0", 5, 576), Ok(0));
        assert_eq!(parse_moment("144", 5, 576), Ok(144));
        assert!(
            parse_moment("+12:03", 5, 576)
                .unwrap_err()
                .contains("+12:00")
        );
        assert!(
            parse_moment("+49:00", 5, 576)
                .unwrap_err()
                .contains("after the end")
        );
        for bad in ["", "noon", "+12:60", "+12:5", "-3", "1.5", "+:30"] {
            assert!(parse_moment(bad, 5, 576).is_err(), "{bad}");
        }
    }
}
