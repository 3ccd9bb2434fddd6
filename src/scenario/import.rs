//! `cyberdrill import`: a Master Scenario Events List (MSEL) as a scenario.
//!
//! An MSEL is the planners' list of injects: in HSEEP practice a spreadsheet (number,
//! scenario time, from, to, method, subject, message, expected action, objective), in tools
//! such as T3SF a JSON list (`#`, `Date`, `From`, `Player`, `Subject`, `Script`, `Poll`).
//! Each row becomes a message inject at its time, to the team it names; expected actions and
//! polls become discussion questions for the facilitator. Columns are recognised by their
//! header, loosely. What cannot be mapped (no readable time, an unknown recipient, an
//! objective in words) is listed in `meta.todo`, which `check` shows as warnings, and the
//! row is still imported with the nearest sensible choice: no row is ever dropped.

use super::{
    Channel, Clock, Contact, Hours, Id, Inject, InjectKind, Meta, OrgKind, Organisation, Scenario,
    Span, State, Team,
};
use serde_json::Value;

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Column {
    Number,
    Time,
    From,
    To,
    Method,
    Subject,
    Message,
    Expected,
    Objective,
    Poll,
}

/// Header words for each column, normalised (lowercase letters and digits only), best first.
const HEADERS: &[(Column, &[&str])] = &[
    (
        Column::Number,
        &[
            "#",
            "no",
            "number",
            "injectno",
            "injectnumber",
            "eventno",
            "mselno",
            "serial",
            "id",
            "injectid",
        ],
    ),
    (
        Column::Time,
        &[
            "scenariotime",
            "exercisetime",
            "injecttime",
            "deliverytime",
            "time",
            "date",
            "when",
            "t",
            "elapsedtime",
            "realtime",
        ],
    ),
    (
        Column::From,
        &[
            "from",
            "sender",
            "originator",
            "source",
            "injectfrom",
            "simcell",
        ],
    ),
    (
        Column::To,
        &[
            "to",
            "player",
            "players",
            "recipient",
            "recipients",
            "receiver",
            "audience",
            "injectto",
            "team",
            "playerteam",
        ],
    ),
    (
        Column::Method,
        &[
            "method",
            "deliverymethod",
            "mode",
            "channel",
            "means",
            "delivery",
        ],
    ),
    (
        Column::Subject,
        &[
            "subject",
            "title",
            "injecttitle",
            "heading",
            "event",
            "summary",
        ],
    ),
    (
        Column::Message,
        &[
            "message",
            "script",
            "description",
            "body",
            "text",
            "inject",
            "injecttext",
            "details",
            "content",
        ],
    ),
    (
        Column::Expected,
        &[
            "expectedaction",
            "expectedplayeraction",
            "expectedplayeractions",
            "expectedresponse",
            "expectedoutcome",
            "response",
            "action",
        ],
    ),
    (
        Column::Objective,
        &[
            "objective",
            "objectives",
            "exerciseobjective",
            "capability",
            "corecapability",
        ],
    ),
    (Column::Poll, &["poll", "question", "discussionquestion"]),
];

fn normalise(header: &str) -> String {
    let t = header.trim();
    if t == "#" {
        return "#".into();
    }
    t.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The column each header is, best match first (a header later in a column's word list
/// yields to an earlier one: `Date` beats `Real Time`).
pub fn map_headers(headers: &[String]) -> Vec<Option<Column>> {
    let mut out = vec![None; headers.len()];
    for (column, words) in HEADERS {
        let best = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| out[*i].is_none())
            .filter_map(|(i, h)| {
                let n = normalise(h);
                words.iter().position(|w| *w == n).map(|rank| (rank, i))
            })
            .min();
        if let Some((_, i)) = best {
            out[i] = Some(*column);
        }
    }
    out
}

/// One row of the MSEL, as text per column.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// How the planner finds the row again: `row 7` (spreadsheet row) or `entry 3`.
    pub place: String,
    pub number: String,
    pub time: String,
    pub from: String,
    pub to: String,
    pub method: String,
    pub subject: String,
    pub message: String,
    pub expected: String,
    pub objective: String,
    pub poll: String,
}

impl Row {
    fn set(&mut self, column: Column, value: String) {
        let slot = match column {
            Column::Number => &mut self.number,
            Column::Time => &mut self.time,
            Column::From => &mut self.from,
            Column::To => &mut self.to,
            Column::Method => &mut self.method,
            Column::Subject => &mut self.subject,
            Column::Message => &mut self.message,
            Column::Expected => &mut self.expected,
            Column::Objective => &mut self.objective,
            Column::Poll => &mut self.poll,
        };
        *slot = value.trim().to_string();
    }

    fn is_empty(&self) -> bool {
        [
            &self.time,
            &self.to,
            &self.subject,
            &self.message,
            &self.expected,
        ]
        .iter()
        .all(|s| s.is_empty())
    }
}

/// The rows of an MSEL, and how its columns were read.
#[derive(Debug, Clone, PartialEq)]
pub struct Msel {
    pub rows: Vec<Row>,
    /// (header, the column it was read as, or none: ignored).
    pub columns: Vec<(String, Option<Column>)>,
}

/// The most rows an MSEL may have: each becomes an inject and up to two questions, within
/// the scenario's limit of injects (`scenario::limits`).
pub const MAX_ROWS: usize = 1000;
/// The most recipients an MSEL may name: each becomes a team when there is no base.
pub const MAX_RECIPIENTS: usize = super::limits::MAX_TEAMS;

/// Reads an MSEL: JSON (a list of objects) when it starts with `[`, CSV otherwise. Files over
/// [`super::limits::MAX_FILE_BYTES`], with more than [`MAX_ROWS`] rows or more than
/// [`MAX_RECIPIENTS`] recipients are refused (a scenario that large would not pass `check`).
pub fn read(bytes: &[u8]) -> Result<Msel, String> {
    let max = super::limits::MAX_FILE_BYTES;
    if bytes.len() > max {
        return Err(format!(
            "the MSEL is larger than {} MiB; split it into several exercises",
            max / (1024 * 1024)
        ));
    }
    let msel = read_any(bytes)?;
    let mut names: Vec<String> = Vec::new();
    for row in &msel.rows {
        for r in recipients(&row.to) {
            let s = slug(&r);
            if r != "*" && !names.contains(&s) {
                names.push(s);
            }
        }
    }
    if names.len() > MAX_RECIPIENTS {
        return Err(format!(
            "the MSEL names {} recipients; a scenario has at most {MAX_RECIPIENTS} teams",
            names.len()
        ));
    }
    Ok(msel)
}

fn too_many_rows() -> String {
    format!(
        "the MSEL has more than {MAX_ROWS} injects, the most a scenario takes: split it into several exercises"
    )
}

fn read_any(bytes: &[u8]) -> Result<Msel, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "the file is not UTF-8 text (at byte {}); save it as \"CSV UTF-8\" or JSON",
            e.valid_up_to()
        )
    })?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('[') {
        read_json(text)
    } else {
        read_csv(text)
    }
}

fn read_csv(text: &str) -> Result<Msel, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let map = map_headers(&headers);
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("row {}: {e}", i + 2))?;
        let mut row = Row {
            place: format!("row {}", i + 2),
            ..Row::default()
        };
        for (j, field) in record.iter().enumerate() {
            if let Some(Some(column)) = map.get(j) {
                row.set(*column, field.to_string());
            }
        }
        if !row.is_empty() {
            rows.push(row);
        }
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
    }
    Ok(Msel {
        rows,
        columns: headers.into_iter().zip(map).collect(),
    })
}

fn read_json(text: &str) -> Result<Msel, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not a JSON MSEL: {e}"))?;
    let Value::Array(items) = value else {
        return Err("a JSON MSEL is a list of injects: `[{\"#\": 1, ...}, ...]`".into());
    };
    let mut headers: Vec<String> = Vec::new();
    for item in &items {
        if let Value::Object(map) = item {
            for k in map.keys() {
                if !headers.contains(k) {
                    headers.push(k.clone());
                }
            }
        }
    }
    let map = map_headers(&headers);
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(fields) = item else {
            return Err(format!("entry {}: an inject is an object `{{...}}`", i + 1));
        };
        let mut row = Row {
            place: format!("entry {}", i + 1),
            ..Row::default()
        };
        for (k, v) in fields {
            let Some(Some(column)) = headers.iter().position(|h| h == k).map(|p| map[p]) else {
                continue;
            };
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            row.set(column, text);
        }
        if !row.is_empty() {
            rows.push(row);
        }
        if rows.len() > MAX_ROWS {
            return Err(too_many_rows());
        }
    }
    Ok(Msel {
        rows,
        columns: headers.into_iter().zip(map).collect(),
    })
}

/// A time in an MSEL: after the start, or a moment of a day (and week) to be counted from the
/// earliest such moment in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    After(u32),
    Moment(u32),
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Reads an MSEL time: `+01:30`, `T+01:30`, `H+90`, `90m`, `1h30m` (after the start);
/// `09:30`, `9:30 AM`, `Monday 9:30 AM`, `Day 2 09:00`, `2026-03-02 09:30` (moments).
pub fn parse_time(text: &str) -> Option<When> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    let relative = t
        .strip_prefix("t+")
        .or_else(|| t.strip_prefix("h+"))
        .or_else(|| t.strip_prefix('+'));
    if let Some(r) = relative {
        let r = r.trim();
        if let Some((h, m)) = r.split_once(':') {
            let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
            return (m < 60)
                .then(|| h.checked_mul(60)?.checked_add(m))
                .flatten()
                .map(When::After);
        }
        if let Ok(m) = r.parse::<u32>() {
            return Some(When::After(m));
        }
        return Span::parse(r).ok().map(|s| When::After(s.minutes()));
    }
    if t.chars().next().is_some_and(|c| c.is_ascii_digit()) && !t.contains(':') {
        return Span::parse(&t).ok().map(|s| When::After(s.minutes()));
    }
    // A date `2026-03-02 09:30` / `2026-03-02T09:30`.
    let t2 = t.replace('t', " ");
    if let Ok(dt) = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", t2.trim()) {
        let days = dt
            .date()
            .since(jiff::civil::date(2000, 1, 1))
            .ok()?
            .get_days();
        return u32::try_from(days)
            .ok()?
            .checked_mul(1440)?
            .checked_add(dt.hour() as u32 * 60 + dt.minute() as u32)
            .map(When::Moment);
    }
    let mut day = 0u32;
    let mut rest = t.as_str();
    if let Some(d) = DAYS.iter().position(|d| rest.starts_with(d)) {
        day = d as u32;
        rest = rest
            .trim_start_matches(|c: char| c.is_alphabetic())
            .trim_start_matches(',');
    } else if let Some(r) = rest.strip_prefix("day") {
        let r = r.trim_start();
        let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
        day = digits.parse::<u32>().ok()?.saturating_sub(1);
        rest = r[digits.len()..].trim_start_matches([',', ' ']);
    }
    let rest = rest.trim();
    let (clock, meridiem) = match rest
        .strip_suffix("am")
        .or_else(|| rest.strip_suffix("a.m."))
    {
        Some(c) => (c.trim(), Some(false)),
        None => match rest
            .strip_suffix("pm")
            .or_else(|| rest.strip_suffix("p.m."))
        {
            Some(c) => (c.trim(), Some(true)),
            None => (rest, None),
        },
    };
    let (h, m) = clock.split_once(':')?;
    let (mut h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    if m >= 60 || h > 24 {
        return None;
    }
    match meridiem {
        Some(_) if h == 0 || h > 12 => return None,
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    day.checked_mul(1440)?
        .checked_add(h * 60 + m)
        .map(When::Moment)
}

/// The latest minute an imported inject is placed at: an exercise lasts at most 30 days, and
/// the placeholder world an hour more than its last inject.
const LAST_MINUTE: u32 = 30 * 24 * 60 - 60;

/// The longest part of an id taken from a name: ids have at most 64 characters, and the part
/// gets a prefix or a suffix (`org-`, `-desk`, `-2`).
const ID_PART: usize = 48;

/// A slug cut to `max` characters (at least 10) when longer, ending with a hash of the whole
/// slug so that two long names that start alike stay two ids.
fn shorten(slug: &str, max: usize) -> String {
    if slug.len() <= max {
        return slug.to_string();
    }
    let hash = slug.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    // Slugs are ASCII; anything else is cut at a character boundary.
    let mut keep = max.max(10) - 9;
    while !slug.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}-{hash:08x}", slug[..keep].trim_end_matches('-'))
}

/// Every id of a scenario (all kinds share one namespace).
fn ids_of(s: &Scenario) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    ids.extend(s.states.iter().map(|x| x.id.clone()));
    ids.extend(s.organisations.iter().map(|x| x.id.clone()));
    ids.extend(s.assets.iter().map(|x| x.id.clone()));
    ids.extend(s.contacts.iter().map(|x| x.id.clone()));
    ids.extend(s.actors.iter().map(|x| x.id.clone()));
    ids.extend(s.teams.iter().map(|x| x.id.clone()));
    ids.extend(s.injects.iter().map(|x| x.id.clone()));
    ids.extend(s.objectives.iter().map(|x| x.id.clone()));
    ids
}

/// A lowercase id from a name: `PR/Comm` → `pr-comm`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "x".into() } else { out }
}

/// The recipients a cell names: split on `;`, `,`, `|`, `&` and " and " (not on `/`: `PR/Comm`
/// is one team); `All` (or
/// `everyone`, `all players`) is every team.
pub fn recipients(cell: &str) -> Vec<String> {
    let lower = cell.trim().to_lowercase();
    if [
        "all",
        "everyone",
        "all players",
        "all teams",
        "all participants",
    ]
    .contains(&lower.as_str())
    {
        return vec!["*".into()];
    }
    cell.replace(" and ", ";")
        .split([';', ',', '|', '&', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The result of an import: the scenario, and what was noted on the way.
pub struct Imported {
    pub scenario: Scenario,
    /// Lines for the planner: how the columns were read.
    pub notes: Vec<String>,
}

/// Builds the scenario from an MSEL, on `base` (its world, teams and injects) or on a world
/// of one organisation per recipient.
pub fn build(msel: &Msel, name: &str, base: Option<&Scenario>) -> Imported {
    let mut notes = Vec::new();
    let read: Vec<String> = msel
        .columns
        .iter()
        .filter_map(|(h, c)| c.map(|c| format!("`{h}` as {c:?}")))
        .collect();
    let ignored: Vec<String> = msel
        .columns
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(h, _)| format!("`{h}`"))
        .collect();
    notes.push(format!("columns read: {}", read.join(", ")));
    if !ignored.is_empty() {
        notes.push(format!("columns ignored: {}", ignored.join(", ")));
    }
    let mut todo: Vec<String> = Vec::new();
    if !msel.columns.iter().any(|(_, c)| *c == Some(Column::Time)) {
        todo.push("the MSEL has no time column: every inject is placed one after another, 15 minutes apart; give each its `at`".into());
    }
    let mut scenario = base.cloned().unwrap_or_else(|| skeleton(name));
    // Teams: those of the base, or one per recipient named in the MSEL.
    if base.is_none() {
        let mut names: Vec<String> = Vec::new();
        for row in &msel.rows {
            for r in recipients(&row.to) {
                if r != "*" && !names.iter().any(|n| slug(n) == slug(&r)) {
                    names.push(r);
                }
            }
        }
        if names.is_empty() {
            names.push("Players".into());
            todo.push("no recipient is named in the MSEL: one team, `team-players`, receives every inject".into());
        }
        for n in &names {
            add_team(&mut scenario, n);
        }
    }
    let team_of = |scenario: &Scenario, r: &str| -> Option<Id> {
        let s = slug(r);
        scenario
            .teams
            .iter()
            .find(|t| {
                t.id == r
                    || slug(&t.id) == s
                    || slug(&t.name) == s
                    || t.id == format!("team-{s}")
                    || t.state == s
            })
            .map(|t| t.id.clone())
    };
    let all: Vec<Id> = scenario.teams.iter().map(|t| t.id.clone()).collect();
    // Times: when every time is a moment (a clock time), the exercise starts at the earliest
    // one; otherwise moments are read against the scenario's start (the base's, or 00:00 of
    // the first day), and times after the start are taken as they are.
    let parsed: Vec<Option<When>> = msel.rows.iter().map(|r| parse_time(&r.time)).collect();
    let moments: Vec<u32> = parsed
        .iter()
        .filter_map(|w| match w {
            Some(When::Moment(m)) => Some(*m),
            _ => None,
        })
        .collect();
    let any_after = parsed.iter().any(|w| matches!(w, Some(When::After(_))));
    let reference = match moments.iter().min() {
        Some(&first) if !any_after && base.is_none() => {
            let (day, minute) = (first / 1440, first % 1440);
            scenario.clock.start = format!(
                "2026-03-{:02}T{:02}:{:02}",
                2 + day.min(6),
                minute / 60,
                minute % 60
            );
            first
        }
        _ => clock_reference(&scenario.clock.start),
    };
    if any_after && !moments.is_empty() {
        todo.push(format!(
            "the MSEL mixes times after the start (`+01:30`) with clock times (`15:45`): clock times are read on the day the scenario starts ({}); check them",
            scenario.clock.start
        ));
    }
    let mut previous = 0u32;
    let mut used_ids: Vec<String> = ids_of(&scenario);
    let mut objectives: Vec<String> = Vec::new();
    for (row, when) in msel.rows.iter().zip(&parsed) {
        let minute = match when {
            Some(When::After(m)) => *m,
            Some(When::Moment(m)) if *m >= reference => m - reference,
            other => {
                let guess = previous + 15;
                if let Some(When::Moment(m)) = other {
                    todo.push(format!(
                        "{}: the clock time `{}` is before the exercise starts ({}); the inject is placed at {} after the row before it: give it an `at`",
                        row.place,
                        one_line(&row.time),
                        scenario.clock.start,
                        Span(guess)
                    ));
                    let _ = m;
                } else if !row.time.is_empty() {
                    todo.push(format!(
                        "{}: the time `{}` could not be read; the inject is placed at {} after the row before it: give it an `at`",
                        row.place,
                        one_line(&row.time),
                        Span(guess)
                    ));
                } else if msel.columns.iter().any(|(_, c)| *c == Some(Column::Time)) {
                    todo.push(format!(
                        "{}: no time; the inject is placed at {} after the row before it: give it an `at`",
                        row.place,
                        Span(guess)
                    ));
                }
                guess
            }
        };
        let minute = if minute > LAST_MINUTE {
            todo.push(format!(
                "{}: at {}, later than the 30 days an exercise may last; the inject is placed at {}: give it an `at`",
                row.place,
                Span(minute),
                Span(LAST_MINUTE)
            ));
            LAST_MINUTE
        } else {
            minute
        };
        previous = minute;
        let mut to: Vec<Id> = Vec::new();
        for r in recipients(&row.to) {
            if r == "*" {
                to.extend(all.iter().cloned());
                continue;
            }
            match team_of(&scenario, &r) {
                Some(t) => to.push(t),
                None => {
                    todo.push(format!(
                        "{}: the recipient `{}` is not a team (teams: {}); the inject goes to every team: put the right team id in its `to`",
                        row.place,
                        one_line(&r),
                        all.join(", ")
                    ));
                    to.extend(all.iter().cloned());
                }
            }
        }
        if to.is_empty() {
            if !row.to.is_empty() || msel.columns.iter().any(|(_, c)| *c == Some(Column::To)) {
                todo.push(format!(
                    "{}: no recipient; the inject goes to every team",
                    row.place
                ));
            }
            to = all.clone();
        }
        to.sort();
        to.dedup();
        let base_id = if row.number.is_empty() {
            format!("msel-{}", slug(&row.place))
        } else {
            format!("msel-{}", slug(&row.number))
        };
        let id = unique(&base_id, &mut used_ids);
        let subject = if row.subject.is_empty() {
            first_words(&row.message, 60)
        } else {
            row.subject.clone()
        };
        let mut body = row.message.clone();
        if !row.method.is_empty() {
            body.push_str(&format!("\n\n(Delivered by: {})", row.method));
        }
        if subject.is_empty() && body.is_empty() {
            todo.push(format!("{}: no subject and no message text", row.place));
        }
        scenario.injects.push(Inject {
            id: id.clone(),
            at: Some(Span(minute)),
            when: None,
            until: None,
            kind: InjectKind::Message {
                to: to.clone(),
                from: if row.from.is_empty() {
                    "Exercise control".into()
                } else {
                    row.from.clone()
                },
                sender: sender_of(&scenario, &row.from),
                subject: if subject.is_empty() {
                    format!("Inject {}", row.place)
                } else {
                    subject.clone()
                },
                body,
                about: None,
                evidence: Vec::new(),
            },
        });
        for (what, text) in [("expected action", &row.expected), ("poll", &row.poll)] {
            if text.is_empty() {
                continue;
            }
            let qid = unique(&format!("{id}-{}", slug(what)), &mut used_ids);
            let question = match what {
                "poll" => format!("{}: {}", subject, text.replace('|', " / ")),
                _ => format!("Expected of {}: {}", to.join(", "), text),
            };
            scenario.injects.push(Inject {
                id: qid,
                at: Some(Span(minute)),
                when: None,
                until: None,
                kind: InjectKind::Question {
                    text: question,
                    to: Vec::new(),
                    pause: false,
                },
            });
        }
        if !row.objective.is_empty() && !objectives.contains(&row.objective) {
            objectives.push(row.objective.clone());
        }
    }
    for o in &objectives {
        todo.push(format!(
            "the MSEL names the objective `{}`: write it as an entry of `objectives` with a criterion (docs/scenario-format.md, Objectives)",
            one_line(o)
        ));
    }
    let last = scenario
        .injects
        .iter()
        .filter_map(|i| i.at)
        .map(Span::minutes)
        .max()
        .unwrap_or(0);
    if base.is_none() {
        // The placeholder world runs for as long as the list, and an hour more.
        scenario.clock.duration = Span((last + 60).div_ceil(60).max(4) * 60);
    } else if scenario.clock.duration.minutes() < last + 60 {
        let hours = (last + 60).div_ceil(60).max(4);
        scenario.clock.duration = Span(hours * 60);
    }
    notes.push(format!(
        "{} rows imported as {} injects ({} with something to complete)",
        msel.rows.len(),
        scenario.injects.len() - base.map_or(0, |b| b.injects.len()),
        todo.iter()
            .filter(|t| t.starts_with("row ") || t.starts_with("entry "))
            .count()
    ));
    // `meta.todo` is a list like any other: within the limits, the rest summed up.
    let room = super::limits::MAX_LIST_ITEMS.saturating_sub(scenario.meta.todo.len() + 1);
    if todo.len() > room {
        let more = todo.len() - room;
        todo.truncate(room);
        todo.push(format!(
            "and {more} more rows with something to complete (as above)"
        ));
    }
    scenario.meta.todo.extend(todo);
    Imported { scenario, notes }
}

/// The moment a scenario starts, as [`When::Moment`] counts it: day of the week (Monday 0)
/// × 1440 + minute of the day.
fn clock_reference(start: &str) -> u32 {
    jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", start)
        .map(|dt| {
            dt.weekday().to_monday_zero_offset() as u32 * 1440
                + dt.hour() as u32 * 60
                + dt.minute() as u32
        })
        .unwrap_or(0)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_words(text: &str, chars: usize) -> String {
    let line = one_line(text);
    if line.chars().count() <= chars {
        line
    } else {
        let cut: String = line.chars().take(chars - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

fn unique(base: &str, used: &mut Vec<String>) -> String {
    // Room for `-N` within the 64 characters of an id.
    let base = shorten(base, 58);
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.push(id.clone());
    id
}

/// The world of an MSEL with no base: one state, exercise control's CERT, and the teams added
/// by [`add_team`].
fn skeleton(name: &str) -> Scenario {
    let id = shorten(&slug(name), 64);
    Scenario {
        meta: Meta {
            id: id.clone(),
            title: format!("Imported MSEL: {name}"),
            briefing: "Imported from a Master Scenario Events List: the injects arrive as in the list; the teams answer through their points of contact.".into(),
            author: String::new(),
            version: "1".into(),
            todo: vec![
                "the world is a placeholder (one state, one organisation per team): add the states, infrastructure and threat actors the exercise needs, or import onto a scenario with `--base`".into(),
            ],
        },
        clock: Clock::default(),
        states: vec![State {
            id: "home".into(),
            name: "The exercising organisation".into(),
            utc_offset: 0.0,
            posture: Default::default(),
            government_control: 0.2,
            red_lines: Vec::new(),
        }],
        organisations: vec![Organisation {
            id: "control".into(),
            name: "Exercise control".into(),
            state: "home".into(),
            kind: OrgKind::NationalCert,
            capacity: Default::default(),
            watches: Vec::new(),
        }],
        assets: Vec::new(),
        contacts: vec![Contact {
            id: "control-desk".into(),
            organisation: "control".into(),
            name: "Exercise control desk".into(),
            channel: Channel::Email,
            address: "control@exercise.example".into(),
            hours: Hours::Always,
            ack_delay: (2, 10),
            stale: false,
        }],
        actors: Vec::new(),
        relations: Vec::new(),
        teams: Vec::new(),
        injects: Vec::new(),
        objectives: Vec::new(),
    }
}

/// A team for a recipient of the MSEL: its organisation and a duty contact.
fn add_team(s: &mut Scenario, name: &str) {
    // `org-ID`, `ID-desk` and `team-ID` must be new ids (a recipient called "Control" is not
    // exercise control's desk) of at most 64 characters.
    let base = shorten(&slug(name), ID_PART);
    let taken = ids_of(s);
    let mut id = base.clone();
    let mut n = 2;
    while [
        format!("org-{id}"),
        format!("{id}-desk"),
        format!("team-{id}"),
    ]
    .iter()
    .any(|x| taken.contains(x))
    {
        id = format!("{base}-{n}");
        n += 1;
    }
    let org = format!("org-{id}");
    s.organisations.push(Organisation {
        id: org.clone(),
        name: name.trim().to_string(),
        state: "home".into(),
        kind: OrgKind::Operator,
        capacity: Default::default(),
        watches: Vec::new(),
    });
    s.contacts.push(Contact {
        id: format!("{id}-desk"),
        organisation: org.clone(),
        name: format!("{} duty desk", name.trim()),
        channel: Channel::Email,
        address: format!("{id}@exercise.example"),
        hours: Hours::Always,
        ack_delay: (5, 30),
        stale: false,
    });
    s.teams.push(Team {
        id: format!("team-{id}"),
        name: name.trim().to_string(),
        state: "home".into(),
        organisations: vec![org],
        brief: String::new(),
    });
}

/// The directory entry an MSEL's "from" cell names, when the world has one: a contact or an
/// organisation, by id or by name (case and punctuation ignored).
fn sender_of(scenario: &Scenario, from: &str) -> Option<Id> {
    let s = slug(from);
    if s.is_empty() {
        return None;
    }
    let contact = scenario
        .contacts
        .iter()
        .find(|c| c.id == from || slug(&c.id) == s || slug(&c.name) == s)
        .map(|c| c.id.clone());
    contact.or_else(|| {
        scenario
            .organisations
            .iter()
            .find(|o| o.id == from || slug(&o.id) == s || slug(&o.name) == s)
            .map(|o| o.id.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_after_the_start_and_moments() {
        assert_eq!(parse_time("+01:30"), Some(When::After(90)));
        assert_eq!(parse_time("T+01:30"), Some(When::After(90)));
        assert_eq!(parse_time("H+90"), Some(When::After(90)));
        assert_eq!(parse_time("90m"), Some(When::After(90)));
        assert_eq!(parse_time("1h30m"), Some(When::After(90)));
        assert_eq!(parse_time("09:30"), Some(When::Moment(570)));
        assert_eq!(parse_time("9:30 AM"), Some(When::Moment(570)));
        assert_eq!(parse_time("07:29 PM"), Some(When::Moment(19 * 60 + 29)));
        assert_eq!(parse_time("12:10 AM"), Some(When::Moment(10)));
        assert_eq!(parse_time("Monday 9:30 AM"), Some(When::Moment(570)));
        assert_eq!(
            parse_time("Tuesday 9:30 AM"),
            Some(When::Moment(1440 + 570))
        );
        assert_eq!(parse_time("Day 2 09:00"), Some(When::Moment(1440 + 540)));
        assert!(matches!(
            parse_time("2026-03-02 09:30"),
            Some(When::Moment(_))
        ));
        for bad in ["", "soon", "25:00", "9:75", "13:00 PM", "tomorrow-ish"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn headers_are_matched_loosely() {
        let h: Vec<String> = [
            "#",
            "Real Time",
            "Date",
            "Subject",
            "From",
            "Player",
            "Script",
            "Photo",
            "Poll",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = map_headers(&h);
        assert_eq!(m[0], Some(Column::Number));
        assert_eq!(m[2], Some(Column::Time), "Date beats Real Time");
        assert_eq!(m[1], None);
        assert_eq!(m[5], Some(Column::To));
        assert_eq!(m[6], Some(Column::Message));
        assert_eq!(m[7], None);
        assert_eq!(m[8], Some(Column::Poll));
        let h: Vec<String> = [
            "Inject No.",
            "Scenario Time",
            "Expected Player Action",
            "Core Capability",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = map_headers(&h);
        assert_eq!(
            m,
            vec![
                Some(Column::Number),
                Some(Column::Time),
                Some(Column::Expected),
                Some(Column::Objective)
            ]
        );
    }

    #[test]
    fn recipients_and_slugs() {
        assert_eq!(recipients("SRE; Legal"), vec!["SRE", "Legal"]);
        assert_eq!(recipients("PR/Comm"), vec!["PR/Comm"]);
        assert_eq!(
            recipients("MyCERT and SingCERT"),
            vec!["MyCERT", "SingCERT"]
        );
        assert_eq!(recipients("All"), vec!["*"]);
        assert_eq!(slug("PR/Comm"), "pr-comm");
        assert_eq!(slug("  Información  Seguridad "), "informaci-n-seguridad");
    }

    #[test]
    fn a_from_cell_that_names_the_directory_becomes_the_sender() {
        let b = crate::builtin::find("flagship").unwrap();
        let base = crate::scenario::from_str(b.file, b.source).unwrap();
        assert_eq!(
            sender_of(&base, "KelCERT incident desk").as_deref(),
            Some("kel-cert-desk")
        );
        assert_eq!(sender_of(&base, "kel-cert").as_deref(), Some("kel-cert"));
        assert_eq!(sender_of(&base, "A journalist"), None);
        assert_eq!(sender_of(&base, ""), None);
    }
}
