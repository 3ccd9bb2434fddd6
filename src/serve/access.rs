//! Who may log in to `serve`: the teams file and the host key.
//!
//! The teams file is RON: one entry per team that people play (its SSH user name is the
//! team id), and the facilitator (user `facilitator`). Each has a password, public keys, or
//! both. `cyberdrill serve --init-teams` writes one with random passwords. Teams of the
//! scenario that are not in the file are played by the engine. Observers (evaluators) may be
//! listed too: each logs in under their own name, watches some teams (or all) and, if the
//! file allows it, the ground truth, and can never act.

use crate::exercise::Error;
use crate::scenario::Scenario;
use rand::RngExt;
use russh::keys::{Algorithm, HashAlg, PrivateKey, PublicKey};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The SSH user name of the facilitator.
pub use crate::scenario::FACILITATOR;

/// One login: a password, public keys (OpenSSH `authorized_keys` lines), or both.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// Empty: no password (keys only).
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub keys: Vec<String>,
}

/// A team's login; the team id is the SSH user name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TeamLogin {
    pub team: String,
    /// Empty: no password (keys only).
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub keys: Vec<String>,
}

/// What an observer's `watch` says for every team.
pub use crate::exercise::ALL_TEAMS;

/// An observer's login; the name is the SSH user name.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ObserverLogin {
    pub name: String,
    /// Empty: no password (keys only).
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub keys: Vec<String>,
    /// The team ids they watch; `["all"]` (or left out): every team of the scenario.
    #[serde(default = "all_teams")]
    pub watch: Vec<String>,
    /// Whether they may see the ground truth (the facilitator's picture of the incidents).
    #[serde(default)]
    pub ground_truth: bool,
}

fn all_teams() -> Vec<String> {
    vec![ALL_TEAMS.to_string()]
}

/// The teams file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TeamsFile {
    /// The scenario it was written for (a reminder; `serve` checks the team ids).
    #[serde(default)]
    pub scenario: String,
    pub facilitator: Login,
    pub teams: Vec<TeamLogin>,
    /// Evaluators who watch teams and write their evaluation guides; they never act.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observers: Vec<ObserverLogin>,
}

/// Who a user name and credentials turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Facilitator,
    Team(String),
    /// An observer, by name (see [`Access::observer`] for what they watch).
    Observer(String),
}

impl Who {
    pub fn user(&self) -> &str {
        match self {
            Who::Facilitator => FACILITATOR,
            Who::Team(t) | Who::Observer(t) => t,
        }
    }
}

/// Checked credentials, ready to answer logins.
#[derive(Debug)]
pub struct Access {
    /// (user, password, keys); the facilitator first.
    entries: Vec<(Who, Option<String>, Vec<PublicKey>)>,
    /// What each observer watches, in the file's order.
    observers: Vec<crate::evaluation::Seat>,
}

/// A teams-file error and the text it is about (a quoted name, found after the section's
/// keyword), so that the message can say where in the file it is.
type Located = (String, Option<(&'static str, String)>);

/// `line:column` (1-based) of `needle` after the first `section` keyword in `text`.
fn locate(text: &str, section: &str, needle: &str) -> Option<(usize, usize)> {
    let start = text.find(section).unwrap_or(0);
    let at = start + text[start..].find(needle)?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

impl Access {
    /// Reads and checks the teams file against the scenario's teams.
    /// `reference` names the scenario as the user gave it, for the hint. A file that cannot
    /// be read is a usage error, one with mistakes is invalid.
    pub fn load(path: &Path, scenario: &Scenario, reference: &str) -> Result<Access, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                format!(
                    "\n  hint: write one with `cyberdrill serve {reference} --init-teams --teams {}`",
                    path.display()
                )
            } else {
                String::new()
            };
            Error::Usage(
                format!("cannot read the teams file {}: {e}{hint}", path.display()),
            )
        })?;
        let file: TeamsFile = ron::from_str(&text).map_err(|e| {
            Error::Invalid(format!(
                "{}:{}:{}: {}",
                path.display(),
                e.span.start.line,
                e.span.start.col,
                e.code
            ))
        })?;
        Access::check(&file, scenario).map_err(|(e, anchor)| {
            let at = anchor
                .and_then(|(section, needle)| locate(&text, section, &format!("\"{needle}\"")))
                .map_or(String::new(), |(l, c)| format!(":{l}:{c}"));
            Error::Invalid(format!("{}{at}: {e}", path.display()))
        })
    }

    /// Checks a parsed teams file: known team ids, no duplicates, some way in for each.
    pub fn from_file(file: &TeamsFile, scenario: &Scenario) -> Result<Access, String> {
        Access::check(file, scenario).map_err(|(e, _)| e)
    }

    fn check(file: &TeamsFile, scenario: &Scenario) -> Result<Access, Located> {
        let at_team = |t: &str| Some(("teams", t.to_string()));
        let ids: Vec<&str> = scenario.teams.iter().map(|t| t.id.as_str()).collect();
        let mut entries = vec![(
            Who::Facilitator,
            Some(file.facilitator.password.clone()).filter(|p| !p.is_empty()),
            parse_keys(FACILITATOR, &file.facilitator.keys).map_err(|e| (e, None))?,
        )];
        for t in &file.teams {
            if !ids.contains(&t.team.as_str()) {
                let hint = crate::scenario::diagnostic::suggest(&t.team, ids.iter().copied())
                    .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                return Err((
                    format!(
                        "team `{}` is not a team of scenario `{}`{hint}; its teams: {}",
                        t.team,
                        scenario.meta.id,
                        ids.join(", ")
                    ),
                    at_team(&t.team),
                ));
            }
            if entries.iter().any(|(w, _, _)| w.user() == t.team) {
                return Err((format!("team `{}` is listed twice", t.team), None));
            }
            entries.push((
                Who::Team(t.team.clone()),
                Some(t.password.clone()).filter(|p| !p.is_empty()),
                parse_keys(&t.team, &t.keys).map_err(|e| (e, at_team(&t.team)))?,
            ));
        }
        let mut observers = Vec::new();
        for o in &file.observers {
            let at = || Some(("observers", o.name.clone()));
            let seat = observer_seat(o, &ids, &scenario.meta.id).map_err(|e| (e, at()))?;
            if entries.iter().any(|(w, _, _)| w.user() == o.name) {
                let what = if ids.contains(&o.name.as_str()) || o.name == FACILITATOR {
                    "a team or the facilitator"
                } else {
                    "another observer"
                };
                return Err((
                    format!(
                        "observer `{}` has the name of {what}: every login needs its own name",
                        o.name
                    ),
                    at(),
                ));
            }
            entries.push((
                Who::Observer(o.name.clone()),
                Some(o.password.clone()).filter(|p| !p.is_empty()),
                parse_keys(&o.name, &o.keys).map_err(|e| (e, at()))?,
            ));
            observers.push(seat);
        }
        for (who, password, keys) in &entries {
            let at = match who {
                Who::Facilitator => None,
                Who::Team(t) => at_team(t),
                Who::Observer(o) => Some(("observers", o.clone())),
            };
            if let Some(p) = password
                && p.chars().count() < 8
            {
                return Err((
                    format!(
                        "the password of `{}` is shorter than 8 characters",
                        who.user()
                    ),
                    at,
                ));
            }
            if password.is_none() && keys.is_empty() {
                return Err((
                    format!(
                        "`{}` has neither a password nor a key: nobody could log in as it",
                        who.user()
                    ),
                    at,
                ));
            }
        }
        Ok(Access { entries, observers })
    }

    /// What an observer watches, by name.
    pub fn observer(&self, name: &str) -> Option<&crate::evaluation::Seat> {
        self.observers.iter().find(|o| o.name == name)
    }

    /// Every observer, in the file's order.
    pub fn observers(&self) -> &[crate::evaluation::Seat] {
        &self.observers
    }

    /// The teams people play (the others are played by the engine).
    pub fn teams(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter_map(|(w, _, _)| match w {
                Who::Team(t) => Some(t.clone()),
                Who::Facilitator | Who::Observer(_) => None,
            })
            .collect()
    }

    /// The login of a user name with this password, if it is right.
    pub fn password(&self, user: &str, password: &str) -> Option<Who> {
        let (who, expected, _) = self.entries.iter().find(|(w, _, _)| w.user() == user)?;
        let expected = expected.as_deref()?;
        constant_time_eq(expected.as_bytes(), password.as_bytes()).then(|| who.clone())
    }

    /// The login of a user name with this public key, if the key is one of its keys.
    pub fn key(&self, user: &str, key: &PublicKey) -> Option<Who> {
        let (who, _, keys) = self.entries.iter().find(|(w, _, _)| w.user() == user)?;
        keys.iter()
            .any(|k| k.key_data() == key.key_data())
            .then(|| who.clone())
    }
}

/// Checks an observer's entry: a name that works as an SSH user name, and teams to watch.
fn observer_seat(
    o: &ObserverLogin,
    ids: &[&str],
    scenario: &str,
) -> Result<crate::evaluation::Seat, String> {
    let name_ok = !o.name.is_empty()
        && o.name.len() <= 32
        && o.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !name_ok {
        return Err(format!(
            "observer name `{}` cannot be an SSH user name; use letters, digits, `-`, `_` or `.` (at most 32), e.g. `eva-lindqvist`",
            o.name.escape_debug()
        ));
    }
    if o.watch.is_empty() {
        return Err(format!(
            "observer `{}` watches no team; list team ids in `watch`, or [\"{ALL_TEAMS}\"] for every team",
            o.name
        ));
    }
    let mut watch: Vec<String> = Vec::new();
    for team in &o.watch {
        if team == ALL_TEAMS {
            watch.extend(ids.iter().map(|t| t.to_string()));
            continue;
        }
        if !ids.contains(&team.as_str()) {
            let hint = crate::scenario::diagnostic::suggest(team, ids.iter().copied())
                .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
            return Err(format!(
                "observer `{}` watches `{team}`, which is not a team of scenario `{scenario}`{hint}; its teams: {} (or \"{ALL_TEAMS}\")",
                o.name,
                ids.join(", ")
            ));
        }
        watch.push(team.clone());
    }
    // In the scenario's order, each once.
    let watch: Vec<String> = ids
        .iter()
        .filter(|t| watch.iter().any(|w| w == *t))
        .map(|t| t.to_string())
        .collect();
    if watch.is_empty() {
        return Err(format!(
            "observer `{}` watches no team: scenario `{scenario}` has none",
            o.name
        ));
    }
    Ok(crate::evaluation::Seat {
        name: o.name.clone(),
        watch,
        ground_truth: o.ground_truth,
    })
}

fn parse_keys(user: &str, keys: &[String]) -> Result<Vec<PublicKey>, String> {
    keys.iter()
        .map(|line| {
            PublicKey::from_openssh(line.trim()).map_err(|e| {
                format!(
                    "a key of `{user}` is not an OpenSSH public key ({e}); expected a line like `ssh-ed25519 AAAA… name`, as in a .pub file"
                )
            })
        })
        .collect()
}

/// Compares without stopping at the first difference, so timing does not leak a prefix.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for (i, x) in a.iter().enumerate() {
        diff |= usize::from(x ^ b.get(i).copied().unwrap_or(!x));
    }
    diff == 0
}

/// A random password: four groups of four letters and digits without look-alikes
/// (about 80 bits).
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| {
            (0..4)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A teams file for every team of the scenario and the facilitator, with random passwords.
pub fn init_teams(scenario: &Scenario) -> TeamsFile {
    TeamsFile {
        scenario: scenario.meta.id.clone(),
        facilitator: Login {
            password: random_password(),
            keys: Vec::new(),
        },
        teams: scenario
            .teams
            .iter()
            .map(|t| TeamLogin {
                team: t.id.clone(),
                password: random_password(),
                keys: Vec::new(),
            })
            .collect(),
        observers: Vec::new(),
    }
}

/// The teams file as text, with a comment on how to use it.
pub fn render_teams_file(file: &TeamsFile) -> String {
    let body = ron::ser::to_string_pretty(file, ron::ser::PrettyConfig::new().indentor("    "))
        .unwrap_or_default();
    format!(
        "// cyberdrill serve: who may log in. Keep this file private.\n\
         // The SSH user name is the team id (`ssh -p 2222 TEAM@HOST`); the facilitator logs in\n\
         // as `facilitator`. Each login takes a password, public keys (lines from a .pub\n\
         // file, e.g. keys: [\"ssh-ed25519 AAAA… name\"]), or both; an empty password means\n\
         // keys only. Remove a team to let the engine play it.\n\
         // Observers (evaluators) may be added: observers: [(name: \"eva\", password: \"…\",\n\
         // watch: [\"all\"], ground_truth: false)]; they log in as their name and never act.\n{body}\n"
    )
}

/// Writes a new file readable by its owner only; never replaces an existing one.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// The server's host key: read from `path`, or generated there on first start. Returns the
/// key and whether it was new.
/// A key that cannot be read or written is a usage error; a file that is not a key is invalid.
pub fn host_key(path: &Path) -> Result<(PrivateKey, bool), Error> {
    if path.exists() {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!("cannot read the host key {}: {e}", path.display()))
        })?;
        let key = russh::keys::decode_secret_key(&text, None).map_err(|e| {
            Error::Invalid(
                format!(
                    "{} is not an SSH private key ({e})\n  hint: if it is damaged, remove it to generate a new one (players will see a changed fingerprint)",
                    path.display()
                ),
            )
        })?;
        return Ok((key, false));
    }
    let io = |what: &str, e: &dyn std::fmt::Display| Error::Usage(format!("cannot {what}: {e}"));
    let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519)
        .map_err(|e| io("generate a host key", &e))?;
    let text = key
        .to_openssh(russh::keys::ssh_key::LineEnding::LF)
        .map_err(|e| io("encode the host key", &e))?;
    write_private(path, &text)
        .map_err(|e| io(&format!("write the host key {}", path.display()), &e))?;
    Ok((key, true))
}

/// A warning when a secret file can be read by others than its owner (None elsewhere than
/// Unix, or when it cannot be read at all: that error comes when it is opened).
pub fn shared_secret_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o077 != 0).then(|| {
            format!(
                "warning: {} can be read by others than you (mode {mode:o}); run `chmod 600 {}`",
                path.display(),
                path.display()
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// `SHA256:…`, as `ssh` shows it when it asks to trust a host.
pub fn fingerprint(key: &PrivateKey) -> String {
    key.public_key().fingerprint(HashAlg::Sha256).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        let b = crate::builtin::find("flagship").unwrap();
        crate::scenario::from_str(b.file, b.source)
            .unwrap()
            .into_inner()
    }

    #[test]
    fn passwords_are_checked_per_user() {
        let s = scenario();
        let file = init_teams(&s);
        let access = Access::from_file(&file, &s).unwrap();
        let team = &file.teams[0];
        let pw = team.password.clone();
        assert_eq!(
            access.password(&team.team, &pw),
            Some(Who::Team(team.team.clone()))
        );
        assert_eq!(access.password(&team.team, "wrong-password"), None);
        assert_eq!(
            access.password(FACILITATOR, &pw),
            None,
            "not another's password"
        );
        assert_eq!(access.password("nobody", &pw), None);
        let f = file.facilitator.password.clone();
        assert_eq!(access.password(FACILITATOR, &f), Some(Who::Facilitator));
        assert_eq!(access.teams().len(), s.teams.len());
    }

    #[test]
    fn teams_file_round_trips_and_is_checked() {
        let s = scenario();
        let file = init_teams(&s);
        let text = render_teams_file(&file);
        let back: TeamsFile = ron::from_str(&text).unwrap();
        assert_eq!(back, file);
        let mut bad = file.clone();
        bad.teams[0].team = "team-nowhere".into();
        assert!(
            Access::from_file(&bad, &s)
                .unwrap_err()
                .contains("not a team")
        );
        let mut bad = file.clone();
        bad.teams[0].password = String::new();
        assert!(Access::from_file(&bad, &s).unwrap_err().contains("neither"));
        let mut bad = file;
        bad.teams[0].keys = vec!["ssh-ed25519 nonsense".into()];
        assert!(
            Access::from_file(&bad, &s)
                .unwrap_err()
                .contains("public key")
        );
    }

    #[test]
    fn observers_log_in_under_their_name_and_watch_known_teams() {
        let s = scenario();
        let mut file = init_teams(&s);
        let first = s.teams[0].id.clone();
        file.observers = vec![
            ObserverLogin {
                name: "eva".into(),
                password: "observer-pass-1".into(),
                keys: Vec::new(),
                watch: vec![first.clone()],
                ground_truth: true,
            },
            ObserverLogin {
                name: "bo".into(),
                password: "observer-pass-2".into(),
                keys: Vec::new(),
                watch: all_teams(),
                ground_truth: false,
            },
        ];
        let access = Access::from_file(&file, &s).unwrap();
        assert_eq!(
            access.password("eva", "observer-pass-1"),
            Some(Who::Observer("eva".into()))
        );
        assert_eq!(access.password("eva", "observer-pass-2"), None);
        assert_eq!(access.observer("eva").unwrap().watch, vec![first.clone()]);
        assert!(access.observer("eva").unwrap().ground_truth);
        assert_eq!(access.observer("bo").unwrap().watch.len(), s.teams.len());
        assert_eq!(
            access.teams().len(),
            s.teams.len(),
            "observers play no team"
        );
        // Round trip, with the observers.
        let back: TeamsFile = ron::from_str(&render_teams_file(&file)).unwrap();
        assert_eq!(back, file);
        type Change = fn(&mut ObserverLogin);
        let cases: [(&str, Change); 5] = [
            ("not a team of scenario", |o| {
                o.watch = vec!["team-nowhere".into()]
            }),
            ("watches no team", |o| o.watch.clear()),
            ("cannot be an SSH user name", |o| o.name = "eva lind".into()),
            ("the name of a team or the facilitator", |o| {
                o.name = "facilitator".into()
            }),
            ("shorter than 8", |o| o.password = "short".into()),
        ];
        for (expected, change) in cases {
            let mut bad = file.clone();
            change(&mut bad.observers[0]);
            let e = Access::from_file(&bad, &s).unwrap_err();
            assert!(e.contains(expected), "{expected}: {e}");
        }
        let text = "(facilitator: (password: \"white-cell-2026\"), teams: [],\n observers: [\n  (name: \"eva\", password: \"long-enough-1\", watch: [\"team-varesch\"])])";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("teams.ron");
        std::fs::write(&path, text).unwrap();
        let Error::Invalid(e) = Access::load(&path, &s, "builtin:flagship").unwrap_err() else {
            panic!("an invalid file is invalid input");
        };
        assert!(
            e.contains("teams.ron:3:10: observer `eva` watches `team-varesch`"),
            "{e}"
        );
        assert!(e.contains("did you mean `team-varesh`?"), "{e}");
    }

    #[test]
    fn random_passwords_differ() {
        let a = random_password();
        assert_eq!(a.len(), 19);
        assert_ne!(a, random_password());
    }

    #[cfg(unix)]
    #[test]
    fn secrets_readable_by_others_are_warned_about() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("teams.ron");
        write_private(&path, "()").unwrap();
        assert_eq!(shared_secret_warning(&path), None, "written private");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let warning = shared_secret_warning(&path).expect("a warning");
        assert!(
            warning.contains("mode 644") && warning.contains("chmod 600"),
            "{warning}"
        );
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}
