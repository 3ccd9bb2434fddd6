//! The action composer: action → recipients or target → details → confirm.
//!
//! Each action is a list of fields; the composer asks for them one screen at a time, from
//! what the team's view offers, and finally turns them into a [`Command`].

use crate::sim::view::TeamView;
use crate::sim::{Command, Tlp};

/// What an action needs from the player.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// One or more contacts from the directory.
    Contacts {
        multi: bool,
    },
    /// An incident the team knows of.
    Incident {
        optional: bool,
    },
    /// A state (or `non-state` when blaming).
    State {
        blame: bool,
        hotline_only: bool,
    },
    ForeignAsset,
    OwnAsset,
    Level,
    Alert,
    Text,
}

/// The actions a team can compose, with their fields.
pub const ACTIONS: &[(&str, &[Field])] = &[
    (
        "Notify contacts of an incident",
        &[
            Field::Contacts { multi: true },
            Field::Incident { optional: true },
            Field::Text,
        ],
    ),
    (
        "Share evidence",
        &[
            Field::Contacts { multi: true },
            Field::Incident { optional: false },
            Field::Level,
        ],
    ),
    (
        "Request assistance",
        &[
            Field::Contacts { multi: false },
            Field::Incident { optional: false },
        ],
    ),
    (
        "Request consultations",
        &[Field::Contacts { multi: false }, Field::Text],
    ),
    (
        "Deliver a démarche",
        &[Field::Contacts { multi: false }, Field::Text],
    ),
    (
        "Attribute publicly",
        &[
            Field::Incident { optional: false },
            Field::State {
                blame: true,
                hotline_only: false,
            },
        ],
    ),
    ("State restraint publicly", &[Field::Text]),
    (
        "Call on the hotline",
        &[Field::State {
            blame: false,
            hotline_only: true,
        }],
    ),
    (
        "Convene regional coordination",
        &[Field::Incident { optional: true }],
    ),
    (
        "Request a takedown",
        &[
            Field::Contacts { multi: false },
            Field::Incident { optional: false },
        ],
    ),
    ("Retaliate (cyber operation)", &[Field::ForeignAsset]),
    ("Isolate one of our assets", &[Field::OwnAsset]),
    ("Restore one of our assets", &[Field::OwnAsset]),
    ("Raise our alert level", &[Field::Alert]),
];

/// Where the composer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    ChooseAction,
    Fill(usize),
    Confirm,
}

/// An action being composed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Composer {
    pub stage: Stage,
    pub action: usize,
    pub cursor: usize,
    pub filter: String,
    pub contacts: Vec<String>,
    pub incident: Option<String>,
    pub choice: Option<String>,
    pub level: usize,
    pub text: String,
}

/// One option on a composer screen: the value and how it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

pub const LEVELS: [(&str, Tlp); 4] = [
    ("TLP:CLEAR", Tlp::Clear),
    ("TLP:GREEN", Tlp::Green),
    ("TLP:AMBER", Tlp::Amber),
    ("TLP:RED", Tlp::Red),
];

impl Composer {
    pub fn new() -> Composer {
        Composer {
            stage: Stage::ChooseAction,
            action: 0,
            cursor: 0,
            filter: String::new(),
            contacts: Vec::new(),
            incident: None,
            choice: None,
            level: 2,
            text: String::new(),
        }
    }

    /// Starts a message to one contact (from the directory).
    pub fn to_contact(contact: &str) -> Composer {
        let mut c = Composer::new();
        c.contacts.push(contact.to_string());
        c
    }

    pub fn fields(&self) -> &'static [Field] {
        ACTIONS[self.action].1
    }

    pub fn field(&self) -> Option<Field> {
        match self.stage {
            Stage::Fill(i) => self.fields().get(i).copied(),
            _ => None,
        }
    }

    /// The options of the current screen, filtered by what has been typed.
    pub fn choices(&self, view: &TeamView) -> Vec<Choice> {
        let filter = self.filter.to_lowercase();
        let keep = |label: &str| filter.is_empty() || label.to_lowercase().contains(&filter);
        let list: Vec<Choice> = match self.stage {
            Stage::ChooseAction => action_choices(),
            Stage::Confirm => Vec::new(),
            Stage::Fill(_) => self.field_choices(view),
        };
        // A contact, state or asset is found by its name or by its id.
        list.into_iter()
            .filter(|c| {
                keep(&c.label) || (!c.value.chars().all(|ch| ch.is_ascii_digit()) && keep(&c.value))
            })
            .collect()
    }

    /// The options for the field being filled, unfiltered.
    fn field_choices(&self, view: &TeamView) -> Vec<Choice> {
        match self.field() {
            Some(Field::Contacts { multi }) => self.contact_choices(view, multi),
            Some(Field::Incident { optional }) => incident_choices(view, optional),
            Some(Field::State {
                blame,
                hotline_only,
            }) => state_choices(view, blame, hotline_only),
            Some(Field::ForeignAsset) => foreign_asset_choices(view),
            Some(Field::OwnAsset) => own_asset_choices(view),
            Some(Field::Level) => level_choices(),
            Some(Field::Alert) => alert_choices(),
            Some(Field::Text) | None => Vec::new(),
        }
    }

    /// The directory's other contacts, ticked where several may be chosen.
    fn contact_choices(&self, view: &TeamView, multi: bool) -> Vec<Choice> {
        view.directory
            .iter()
            .filter(|c| !c.own)
            .map(|c| {
                // Boxes to tick only where several may be chosen.
                let mark = match (multi, self.contacts.contains(&c.id)) {
                    (false, _) => "",
                    (true, true) => "[x]",
                    (true, false) => "[ ]",
                };
                Choice {
                    value: c.id.clone(),
                    label: format!(
                        "{mark}{}{} — {} ({}) · {}{}",
                        if mark.is_empty() { "" } else { " " },
                        c.name,
                        c.organisation,
                        c.state,
                        crate::sim::view::channel_words(c.channel),
                        if c.known_stale {
                            " · BOUNCED before"
                        } else {
                            ""
                        }
                    ),
                }
            })
            .collect()
    }

    /// Takes the highlighted option (Enter). Returns true when the composer moved on.
    pub fn choose(&mut self, view: &TeamView) -> bool {
        let choices = self.choices(view);
        let picked = choices
            .get(self.cursor.min(choices.len().saturating_sub(1)))
            .cloned();
        match (&self.stage, self.field()) {
            (Stage::ChooseAction, _) => {
                let Some(c) = picked else { return false };
                self.action = c.value.parse().unwrap_or(0);
                self.stage = Stage::Fill(0);
                // What was typed to find the action does not filter the next screen.
                self.cursor = 0;
                self.filter.clear();
                // A composer opened from the directory already has its contact.
                if !self.contacts.is_empty()
                    && !matches!(self.fields().first(), Some(Field::Contacts { .. }))
                {
                    self.contacts.clear();
                }
                if !self.contacts.is_empty() {
                    self.stage = Stage::Fill(1.min(self.fields().len()));
                    if self.fields().len() <= 1 {
                        self.stage = Stage::Confirm;
                    }
                }
            }
            (Stage::Fill(_), Some(Field::Contacts { multi })) => {
                // Space marks several; Enter takes the marked ones, or the highlighted one.
                if multi && !self.contacts.is_empty() {
                    self.advance();
                    return true;
                }
                let Some(c) = picked else { return false };
                self.contacts = vec![c.value];
                self.advance();
            }
            (Stage::Fill(_), Some(Field::Incident { .. })) => {
                let Some(c) = picked else { return false };
                self.incident = (!c.value.is_empty()).then_some(c.value);
                self.advance();
            }
            (Stage::Fill(_), Some(Field::Level)) => {
                self.level = picked.and_then(|c| c.value.parse().ok()).unwrap_or(2);
                self.advance();
            }
            (Stage::Fill(_), Some(Field::Text)) => self.advance(),
            (Stage::Fill(_), Some(_)) => {
                let Some(c) = picked else { return false };
                self.choice = Some(c.value);
                self.advance();
            }
            _ => return false,
        }
        true
    }

    /// Space on a multi-select contact list: toggle the highlighted contact.
    pub fn toggle(&mut self, view: &TeamView) {
        if !matches!(self.field(), Some(Field::Contacts { multi: true })) {
            return;
        }
        let choices = self.choices(view);
        if let Some(c) = choices.get(self.cursor) {
            if let Some(i) = self.contacts.iter().position(|x| *x == c.value) {
                self.contacts.remove(i);
            } else {
                self.contacts.push(c.value.clone());
            }
        }
    }

    fn advance(&mut self) {
        self.cursor = 0;
        self.filter.clear();
        self.stage = match self.stage {
            Stage::Fill(i) if i + 1 < self.fields().len() => Stage::Fill(i + 1),
            _ => Stage::Confirm,
        };
    }

    /// What an empty list of choices means on this screen.
    pub fn nothing_to_choose(&self) -> &'static str {
        match self.field() {
            _ if !self.filter.is_empty() => "(nothing matches the filter: Backspace to widen it)",
            Some(Field::Contacts { .. }) => "(no contacts outside your team in your directory)",
            Some(Field::Incident { .. }) => {
                "(nothing to choose: your team does not know of any incident yet)"
            }
            Some(Field::ForeignAsset | Field::OwnAsset) => "(no assets to choose)",
            Some(Field::State { .. }) => "(no state to choose)",
            _ => "(nothing to choose here)",
        }
    }

    /// Goes one screen back (Esc); false when there is nothing to go back to.
    pub fn back(&mut self) -> bool {
        self.cursor = 0;
        self.filter.clear();
        self.stage = match self.stage {
            Stage::ChooseAction => return false,
            Stage::Fill(0) => Stage::ChooseAction,
            Stage::Fill(i) => Stage::Fill(i - 1),
            Stage::Confirm => match self.fields().len() {
                0 => Stage::ChooseAction,
                n => Stage::Fill(n - 1),
            },
        };
        true
    }

    /// The command this composes, once confirmed.
    pub fn command(&self) -> Command {
        let text = self.text.trim().to_string();
        let incident = self.incident.clone().unwrap_or_default();
        let one = self.contacts.first().cloned().unwrap_or_default();
        let choice = self.choice.clone().unwrap_or_default();
        match self.action {
            0 => Command::Notify {
                to: self.contacts.clone(),
                incident: self.incident.clone(),
                text,
            },
            1 => Command::ShareEvidence {
                to: self.contacts.clone(),
                incident,
                level: LEVELS[self.level.min(3)].1,
            },
            2 => Command::RequestAssistance { to: one, incident },
            3 => Command::RequestConsultation { to: one, text },
            4 => Command::Demarche { to: one, text },
            5 => Command::PublicAttribution {
                incident,
                blame: choice,
            },
            6 => Command::RestraintStatement { text },
            7 => Command::HotlineCall { state: choice },
            8 => Command::ConveneRegional {
                incident: self.incident.clone(),
            },
            9 => Command::RequestTakedown { to: one, incident },
            10 => Command::Retaliate { target: choice },
            11 => Command::Isolate { asset: choice },
            12 => Command::Restore { asset: choice },
            _ => Command::RaiseAlert {
                level: choice.parse().unwrap_or(1),
            },
        }
    }

    /// How the message will travel, one line per recipient, from what the team knows.
    pub fn route(&self, view: &TeamView) -> Vec<String> {
        let mut lines = Vec::new();
        let sharing = matches!(self.action, 0 | 1);
        for id in &self.contacts {
            let Some(c) = view.directory.iter().find(|c| &c.id == id) else {
                continue;
            };
            let mut parts = vec![format!(
                "by {} to {}, {} ({})",
                crate::sim::view::channel_words(c.channel),
                c.name,
                c.organisation,
                c.state
            )];
            if c.known_stale {
                parts.push("this address BOUNCED before: it is probably stale".into());
            }
            if sharing && c.state != view.state_name && view.government_control > 0.0 {
                parts.push(format!(
                    "may wait for clearance by our own government ({}'s government holds {:.0}% control over what we share abroad)",
                    view.state_name,
                    view.government_control * 100.0
                ));
            }
            if c.open_now {
                parts.push(format!("staffed now ({} there)", c.local_time));
            } else {
                parts.push(format!(
                    "out of hours: {} there, staffed {}",
                    c.local_time, c.hours
                ));
            }
            lines.push(parts.join(" · "));
        }
        lines
    }
}

impl Default for Composer {
    fn default() -> Self {
        Composer::new()
    }
}

/// The actions a team can compose, by name.
fn action_choices() -> Vec<Choice> {
    ACTIONS
        .iter()
        .enumerate()
        .map(|(i, (name, _))| Choice {
            value: i.to_string(),
            label: (*name).to_string(),
        })
        .collect()
}

/// The incidents the team knows of, led by "no particular incident" when optional.
fn incident_choices(view: &TeamView, optional: bool) -> Vec<Choice> {
    let mut v: Vec<Choice> = view
        .incidents
        .iter()
        .map(|i| Choice {
            value: i.id.clone(),
            label: i.title.clone(),
        })
        .collect();
    if optional {
        v.insert(
            0,
            Choice {
                value: String::new(),
                label: "(no particular incident)".into(),
            },
        );
    }
    v
}

/// The states the team relates to, with the non-state suspects when blaming.
fn state_choices(view: &TeamView, blame: bool, hotline_only: bool) -> Vec<Choice> {
    let mut v: Vec<Choice> = view
        .relations
        .iter()
        .filter(|r| !hotline_only || r.hotline)
        .map(|r| Choice {
            value: r.state.clone(),
            label: format!(
                "{} (our tension {:.2}, {})",
                r.name,
                r.tension,
                crate::tui::ladder::rung_label(r.rung)
            ),
        })
        .collect();
    if blame {
        // The named non-state groups are suspects too, under their public names.
        v.extend(view.groups.iter().map(|(id, name)| Choice {
            value: id.clone(),
            label: format!("{name} (a non-state group)"),
        }));
        v.push(Choice {
            value: "non-state".into(),
            label: "an unknown non-state actor (criminals, hacktivists)".into(),
        });
    }
    v
}

/// Other states' assets the team knows of.
fn foreign_asset_choices(view: &TeamView) -> Vec<Choice> {
    view.foreign_assets
        .iter()
        .map(|(id, name, state, sector)| Choice {
            value: id.clone(),
            label: format!("{name} ({state}, {sector:?})"),
        })
        .collect()
}

/// The team's own assets, with how far down each is.
fn own_asset_choices(view: &TeamView) -> Vec<Choice> {
    view.assets
        .iter()
        .map(|a| Choice {
            value: a.id.clone(),
            label: format!(
                "{} ({:?}, {:.0}% down{})",
                a.name,
                a.sector,
                a.inoperability * 100.0,
                if a.isolated { ", isolated" } else { "" }
            ),
        })
        .collect()
}

/// The sharing levels, each with what its TLP means.
fn level_choices() -> Vec<Choice> {
    LEVELS
        .iter()
        .enumerate()
        .map(|(i, (name, tlp))| Choice {
            value: i.to_string(),
            label: format!("{name} — {}", tlp_meaning(*tlp)),
        })
        .collect()
}

/// The alert levels 0 to 3, each with what it means.
fn alert_choices() -> Vec<Choice> {
    (0..=3)
        .map(|l| Choice {
            value: l.to_string(),
            label: format!("alert level {l} — {}", alert_meaning(l)),
        })
        .collect()
}

/// What a TLP level tells the recipient, for the sharing-level screen.
pub fn tlp_meaning(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "anyone may see it, the public included",
        Tlp::Green => "their community may see it, not the public",
        Tlp::Amber => "their organisation and those who need to know (the usual level)",
        Tlp::Red => "the named recipients only, no one further",
    }
}

/// What an alert level does, for the alert screen.
pub fn alert_meaning(level: u8) -> &'static str {
    match level {
        0 => "normal watch",
        1 => "our watchers detect attacks 25% faster",
        2 => "our watchers detect attacks 50% faster",
        _ => "our watchers detect attacks 75% faster (the highest)",
    }
}
