//! Evaluation notes: what observers write in their Exercise Evaluation Guides (EEGs) and what
//! teams record in their decision logs.
//!
//! Both are journaled (as `observation` and `decision` lines) but are no part of the run: the
//! engine never reads them, replaying a journal gives the identical outcome with or without
//! them, and they stay out of the prefix hash that checks a branch against its parent. Who
//! may read them is decided here: an observation is for observers, the facilitator and the
//! after-action report, never for a team; a decision is for the team that made it, the
//! facilitator and the report, never for another team.

use serde::{Deserialize, Serialize};

/// An HSEEP rating of how a team performed against an objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rating {
    /// Performed without Challenges.
    P,
    /// Performed with Some Challenges.
    S,
    /// Performed with Major Challenges.
    M,
    /// Unable to be Performed.
    U,
}

impl Rating {
    /// Every rating, best first.
    pub const ALL: [Rating; 4] = [Rating::P, Rating::S, Rating::M, Rating::U];

    /// The HSEEP words for the rating.
    pub fn words(self) -> &'static str {
        match self {
            Rating::P => "Performed without Challenges",
            Rating::S => "Performed with Some Challenges",
            Rating::M => "Performed with Major Challenges",
            Rating::U => "Unable to be Performed",
        }
    }

    /// The letter (P, S, M or U).
    pub fn letter(self) -> char {
        match self {
            Rating::P => 'P',
            Rating::S => 'S',
            Rating::M => 'M',
            Rating::U => 'U',
        }
    }

    /// The rating a key stands for (`p`, `s`, `m`, `u`, either case).
    pub fn from_key(c: char) -> Option<Rating> {
        match c.to_ascii_uppercase() {
            'P' => Some(Rating::P),
            'S' => Some(Rating::S),
            'M' => Some(Rating::M),
            'U' => Some(Rating::U),
            _ => None,
        }
    }

    /// Whether an observation with this rating counts as a strength (P, S) rather than an
    /// area for improvement (M, U) in the after-action report.
    pub fn is_strength(self) -> bool {
        matches!(self, Rating::P | Rating::S)
    }
}

/// An observer's note on a team, at a moment of the exercise: free text and, when the
/// observer chose one, a rating (the text then gives its reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// The tick the exercise stood at when the note was written.
    pub tick: u32,
    /// The observer's name (their SSH user name in `serve`).
    pub observer: String,
    /// The team observed.
    pub team: String,
    /// The objective the note is about, by id (none: the team's play in general).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    pub text: String,
}

/// A team's record of a decision it took and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The tick the exercise stood at when it was recorded.
    pub tick: u32,
    pub team: String,
    pub decision: String,
    pub rationale: String,
}

/// An observer's seat: who they are and what they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    /// Their name (the SSH user name in `serve`); it signs their observations.
    pub name: String,
    /// The team ids they watch, in the scenario's order (at least one).
    pub watch: Vec<String>,
    /// Whether they may see the ground truth.
    pub ground_truth: bool,
}

/// The longest observation, decision or rationale accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// Every note of a run, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    pub observations: Vec<Observation>,
    pub decisions: Vec<Decision>,
}

impl Notes {
    /// Keeps a journal line if it is a note (other lines are not notes and are ignored).
    pub fn record(&mut self, line: crate::journal::Line) {
        match line {
            crate::journal::Line::Observation(o) => self.observations.push(o),
            crate::journal::Line::Decision(d) => self.decisions.push(d),
            _ => {}
        }
    }

    /// A team's own decisions: all that team may read of the notes.
    pub fn decisions_of(&self, team: &str) -> Vec<Decision> {
        self.decisions
            .iter()
            .filter(|d| d.team == team)
            .cloned()
            .collect()
    }

    /// The observations on the teams in `teams`, for an observer who watches them.
    pub fn observations_on(&self, teams: &[String]) -> Vec<Observation> {
        self.observations
            .iter()
            .filter(|o| teams.contains(&o.team))
            .cloned()
            .collect()
    }

    /// The latest rating each observer gave each (team, objective): what the AAR shows.
    pub fn latest_ratings(&self) -> Vec<&Observation> {
        latest_ratings(&self.observations)
    }
}

/// The latest rating each observer gave each (team, objective), sorted by team, objective
/// (none first) and observer.
pub fn latest_ratings(observations: &[Observation]) -> Vec<&Observation> {
    let mut latest: std::collections::BTreeMap<(&str, &str, &str), &Observation> =
        std::collections::BTreeMap::new();
    for o in observations.iter().filter(|o| o.rating.is_some()) {
        let key = (
            o.team.as_str(),
            o.objective.as_deref().unwrap_or(""),
            o.observer.as_str(),
        );
        latest.insert(key, o);
    }
    latest.into_values().collect()
}

/// Checks a note's text: not empty, not too long, one paragraph of printable text.
/// Returns it trimmed.
pub fn clean_text(what: &str, text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(format!(
            "the {what} is longer than {MAX_NOTE_CHARS} characters"
        ));
    }
    Ok(text.chars().filter(|c| !c.is_control()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observation(observer: &str, team: &str, rating: Option<Rating>, tick: u32) -> Observation {
        Observation {
            tick,
            observer: observer.into(),
            team: team.into(),
            objective: Some("obj".into()),
            rating,
            text: format!("note at {tick}"),
        }
    }

    #[test]
    fn ratings_read_as_hseep_and_split_into_strengths_and_improvements() {
        assert_eq!(Rating::from_key('m'), Some(Rating::M));
        assert_eq!(Rating::from_key('x'), None);
        assert!(Rating::P.is_strength() && Rating::S.is_strength());
        assert!(!Rating::M.is_strength() && !Rating::U.is_strength());
        assert_eq!(Rating::U.words(), "Unable to be Performed");
        assert_eq!(serde_json::to_string(&Rating::S).unwrap(), "\"S\"");
    }

    #[test]
    fn the_latest_rating_of_each_observer_counts_and_teams_see_only_their_decisions() {
        let notes = Notes {
            observations: vec![
                observation("eva", "a", Some(Rating::M), 1),
                observation("eva", "a", None, 2),
                observation("eva", "a", Some(Rating::S), 3),
                observation("bo", "a", Some(Rating::U), 4),
                observation("eva", "b", Some(Rating::P), 5),
            ],
            decisions: vec![
                Decision {
                    tick: 1,
                    team: "a".into(),
                    decision: "d".into(),
                    rationale: "r".into(),
                },
                Decision {
                    tick: 2,
                    team: "b".into(),
                    decision: "d2".into(),
                    rationale: "r2".into(),
                },
            ],
        };
        let ticks: Vec<u32> = notes.latest_ratings().iter().map(|o| o.tick).collect();
        assert_eq!(ticks, vec![4, 3, 5], "bo then eva on a, then eva on b");
        assert_eq!(notes.decisions_of("a").len(), 1);
        assert_eq!(notes.decisions_of("a")[0].decision, "d");
        assert_eq!(notes.observations_on(&["b".into()]).len(), 1);
    }

    #[test]
    fn note_text_is_checked() {
        assert!(clean_text("decision", "  ").is_err());
        assert!(clean_text("decision", &"x".repeat(MAX_NOTE_CHARS + 1)).is_err());
        assert_eq!(clean_text("decision", " a\u{7}b ").unwrap(), "ab");
    }
}
