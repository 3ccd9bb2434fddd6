//! The RON scenario format as serde types.
//!
//! Every struct, and every enum with named-field variants, denies unknown fields so a
//! misspelt field is an error with a suggestion (at the field, naming the variant), and
//! every optional field has a default so a small scenario stays small. The reference for
//! authors is `docs/scenario-format.md`; keep the two in step (a test parses every example
//! in the doc).

use serde::{Deserialize, Serialize};
use std::fmt;

/// An identifier an author gives to a state, organisation, asset, contact, actor, team,
/// inject or objective. Unique within its kind; referenced by other items.
pub type Id = String;

/// A whole exercise: the region, the hidden adversaries, the script and the objectives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub meta: Meta,
    #[serde(default)]
    pub clock: Clock,
    pub states: Vec<State>,
    #[serde(default)]
    pub organisations: Vec<Organisation>,
    #[serde(default)]
    pub assets: Vec<Asset>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub actors: Vec<Actor>,
    #[serde(default)]
    pub relations: Vec<Relation>,
    #[serde(default)]
    pub teams: Vec<Team>,
    #[serde(default)]
    pub injects: Vec<Inject>,
    #[serde(default)]
    pub objectives: Vec<Objective>,
}

/// What the exercise is and who wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub id: Id,
    pub title: String,
    /// Read to every player at the start: the situation as the public knows it.
    #[serde(default)]
    pub briefing: String,
    #[serde(default)]
    pub author: String,
    #[serde(default = "default_version")]
    pub version: String,
    /// What the author still has to complete (`cyberdrill import` lists here what it could
    /// not map); `check` shows each as a warning.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub todo: Vec<String>,
}

fn default_version() -> String {
    "1".to_string()
}

/// Simulated time: when the exercise starts (UTC), how long a tick is, how long it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    /// UTC start, `"YYYY-MM-DDTHH:MM"`.
    #[serde(default = "default_start")]
    pub start: String,
    /// Simulated minutes per tick (1..=60).
    #[serde(default = "default_tick")]
    pub tick_minutes: u32,
    /// How long the exercise runs.
    #[serde(default = "default_duration")]
    pub duration: Span,
}

fn default_start() -> String {
    "2026-03-02T00:00".to_string()
}
fn default_tick() -> u32 {
    5
}
fn default_duration() -> Span {
    Span::from_minutes(48 * 60)
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            start: default_start(),
            tick_minutes: default_tick(),
            duration: default_duration(),
        }
    }
}

/// A length of simulated time written as `"90m"`, `"2h"`, `"1h30m"` or `"2d 4h"`.
/// Stored in whole minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span(pub u32);

impl Span {
    pub const fn from_minutes(minutes: u32) -> Span {
        Span(minutes)
    }
    pub const fn minutes(self) -> u32 {
        self.0
    }
    /// Parses the author's notation; the error says what is accepted.
    pub fn parse(text: &str) -> Result<Span, String> {
        let trimmed = text.trim();
        if trimmed == "0" {
            return Ok(Span(0));
        }
        let duration = humantime::parse_duration(trimmed).map_err(|e| {
            format!("invalid duration `{text}` ({e}); write e.g. \"45m\", \"2h\", \"1h30m\" or \"2d 4h\"")
        })?;
        let seconds = duration.as_secs();
        if seconds % 60 != 0 || duration.subsec_nanos() != 0 {
            return Err(format!(
                "duration `{text}` is not a whole number of minutes"
            ));
        }
        u32::try_from(seconds / 60)
            .map(Span)
            .map_err(|_| format!("duration `{text}` is too long"))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (d, h, m) = (self.0 / 1440, self.0 / 60 % 24, self.0 % 60);
        let mut parts = Vec::new();
        if d > 0 {
            parts.push(format!("{d}d"));
        }
        if h > 0 {
            parts.push(format!("{h}h"));
        }
        if m > 0 || parts.is_empty() {
            parts.push(format!("{m}m"));
        }
        write!(f, "{}", parts.join(""))
    }
}

impl Serialize for Span {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Span, D::Error> {
        let text = String::deserialize(d)?;
        Span::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A state taking part in the exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub id: Id,
    pub name: String,
    /// Hours from UTC of the state's local time (-12.0..=14.0; 5.5 and 5.75 are fine).
    #[serde(default)]
    pub utc_offset: f64,
    #[serde(default)]
    pub posture: Posture,
    /// Government control over the national CERT, 0..=1: the probability that sharing
    /// abroad needs clearance, and how long clearance takes.
    #[serde(default = "default_control")]
    pub government_control: f64,
    /// What this state treats as a red line: hitting one is a visible, escalating event.
    #[serde(default)]
    pub red_lines: Vec<RedLine>,
}

fn default_control() -> f64 {
    0.2
}

/// How a state reacts to hostile acts: restrained states need more certainty to blame.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub enum Posture {
    Restrained,
    #[default]
    Cautious,
    Assertive,
}

/// A red line: an attack on any asset of this sector, on a humanitarian safe zone, or on
/// one named asset of the state's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RedLine {
    Sector(Sector),
    SafeZone,
    Asset(Id),
}

/// An organisation: a CERT, a ministry, an operator, a regional body, the press.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    pub id: Id,
    pub name: String,
    /// The state it belongs to (a regional body belongs to its host state).
    pub state: Id,
    pub kind: OrgKind,
    #[serde(default)]
    pub capacity: Capacity,
    /// Assets it monitors besides the defaults (a national CERT watches every asset of its
    /// state; an operator watches the assets it operates).
    #[serde(default)]
    pub watches: Vec<Id>,
}

/// What an organisation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OrgKind {
    NationalCert,
    ForeignMinistry,
    DefenceMinistry,
    Regulator,
    Operator,
    LawEnforcement,
    RegionalBody,
    Press,
}

/// What an organisation can do, each 0..=1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// How well it notices attacks on what it watches (0..1). Unset: the default for its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detect: Option<f64>,
    /// How well it finds and judges evidence (0..1). Unset: the default for its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyse: Option<f64>,
    /// How fast it contains an incident on what it runs (0..1). Unset: the default for its kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub respond: Option<f64>,
}

fn half() -> f64 {
    0.5
}

/// A critical-infrastructure sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Sector {
    Energy,
    Finance,
    Broadcasting,
    Telecom,
    Transport,
    Health,
    Government,
    Cable,
    Water,
}

impl Sector {
    pub const ALL: [Sector; 9] = [
        Sector::Energy,
        Sector::Finance,
        Sector::Broadcasting,
        Sector::Telecom,
        Sector::Transport,
        Sector::Health,
        Sector::Government,
        Sector::Cable,
        Sector::Water,
    ];
}

/// A piece of critical infrastructure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    pub id: Id,
    pub name: String,
    pub state: Id,
    pub sector: Sector,
    /// The organisation that runs it.
    pub operator: Id,
    /// How much its loss matters, 0..=1.
    #[serde(default = "half")]
    pub criticality: f64,
    /// How fast it recovers, 0..=1 (the DIIM's K).
    #[serde(default = "half")]
    pub resilience: f64,
    #[serde(default)]
    pub depends_on: Vec<Dependency>,
    /// A humanitarian safe zone (a hospital network, say): attacking it is a red line.
    #[serde(default)]
    pub safe_zone: bool,
}

/// How much an asset's operation depends on another asset, 0..=1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    pub asset: Id,
    pub weight: f64,
}

/// A point of contact in the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub id: Id,
    pub organisation: Id,
    /// A person or role ("Duty officer").
    #[serde(default)]
    pub name: String,
    pub channel: Channel,
    /// Address text shown in the directory (an e-mail, a number, a portal queue).
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub hours: Hours,
    /// Minutes from reading to acknowledging, drawn uniformly from `(min, max)`.
    #[serde(default = "default_ack")]
    pub ack_delay: (u32, u32),
    /// An outdated entry: messages bounce and the sender learns it.
    #[serde(default)]
    pub stale: bool,
}

fn default_ack() -> (u32, u32) {
    (10, 60)
}

/// How a contact is reached; each channel has its own speed (see docs/model.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Channel {
    Email,
    Phone,
    Portal,
    Hotline,
    DiplomaticNote,
}

/// When a contact is staffed, in its own state's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Hours {
    /// Staffed around the clock (a 24/7 duty desk).
    Always,
    /// Staffed every day between these local hours.
    Office { from: u8, to: u8 },
    /// Staffed Monday to Friday between these local hours.
    Weekdays { from: u8, to: u8 },
}

impl Default for Hours {
    /// Office hours, 09:00 to 17:00 local time, every day.
    fn default() -> Self {
        Hours::Office { from: 9, to: 17 }
    }
}

impl Hours {
    /// The hours as a (from, to, weekdays only) triple; `None` when always staffed.
    pub fn window(self) -> Option<(u8, u8, bool)> {
        match self {
            Hours::Always => None,
            Hours::Office { from, to } => Some((from, to, false)),
            Hours::Weekdays { from, to } => Some((from, to, true)),
        }
    }
}

/// A hidden threat actor. Players never see this.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: Id,
    pub name: String,
    pub kind: ActorKind,
    /// The state behind it, if any (a criminal group has none).
    #[serde(default)]
    pub sponsor: Option<Id>,
    /// 0..=1: stealth against detection and skill at planting false evidence.
    #[serde(default = "half")]
    pub skill: f64,
    /// A state it plants evidence against.
    #[serde(default)]
    pub false_flag: Option<Id>,
    /// The name the public and the players know a non-state group by (its `name` when
    /// unset). Non-state groups are suspects in attribution under this name, so it must not
    /// give away a hidden sponsor.
    #[serde(default)]
    pub known_as: Option<String>,
}

/// What kind of threat actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ActorKind {
    StateUnit,
    Proxy,
    Criminal,
    Hacktivist,
}

/// The starting relation between two states (unordered pair).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub between: (Id, Id),
    /// Initial tension, 0..=1 (a territorial dispute starts high).
    #[serde(default = "default_tension")]
    pub tension: f64,
    /// A leaders' or CERT hotline exists between them.
    #[serde(default)]
    pub hotline: bool,
    #[serde(default)]
    pub cbms: Vec<Cbm>,
}

fn default_tension() -> f64 {
    0.1
}

/// Confidence-building measures the two states have agreed (ARF / OSCE style).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Cbm {
    PocExchange,
    IncidentNotification,
    ConsultationMechanism,
    JointExercise,
    CertCooperation,
}

/// Who a team plays; everything else is played by the engine's doctrine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub id: Id,
    pub name: String,
    pub state: Id,
    pub organisations: Vec<Id>,
    /// What only this team is told at the start, after the exercise's briefing: its role,
    /// what it knows that others do not, what it is asked to do.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub brief: String,
}

/// A scripted or conditional event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    pub id: Id,
    /// Earliest time after the start at which it may fire.
    #[serde(default)]
    pub at: Option<Span>,
    /// A condition that must hold for it to fire.
    #[serde(default)]
    pub when: Option<Condition>,
    /// Latest time after the start at which it may fire: if it has not fired by then, it
    /// lapses (a branch the players did not take).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Span>,
    pub kind: InjectKind,
}

/// What an inject does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum InjectKind {
    /// An attack on an asset. The inject's id names the incident.
    Incident {
        actor: Id,
        target: Id,
        vector: Vector,
        /// 0..=1: the inoperability it pushes onto its target while active.
        severity: f64,
        /// How long it stays active if nobody contains it.
        #[serde(default)]
        lasts: Option<Span>,
        /// Evidence the author places on top of what the engine generates.
        #[serde(default)]
        evidence: Vec<EvidenceSpec>,
    },
    /// A message to one or more teams, as if from a person outside the exercise.
    Message {
        to: Vec<Id>,
        /// Who the message is from, as free text ("VCB SOC duty officer"). With `sender`,
        /// it may be left out.
        #[serde(default)]
        from: String,
        /// Who the message is from, as a point of contact or an organisation of the
        /// directory: the recipients see its name and organisation, and can answer it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sender: Option<Id>,
        subject: String,
        #[serde(default)]
        body: String,
        /// The incident (an `Incident` inject's id) the message reports: the recipients'
        /// states know of it from now on, if it has started.
        #[serde(default)]
        about: Option<Id>,
        /// Evidence on `about` the message hands to the recipients' states.
        #[serde(default)]
        evidence: Vec<EvidenceSpec>,
    },
    /// Public news every team sees.
    News {
        headline: String,
        #[serde(default)]
        body: String,
        /// The incident (an `Incident` inject's id) the news is about.
        #[serde(default)]
        about: Option<Id>,
        /// Public evidence on `about`: every state that knows of the incident holds it.
        #[serde(default)]
        evidence: Vec<EvidenceSpec>,
    },
    /// A change in the world.
    World(WorldChange),
    /// A question for the facilitator to put to the room.
    Question {
        text: String,
        #[serde(default)]
        to: Vec<Id>,
        /// Pause the clock when it is posed, so the room discusses it while time stands
        /// still (the facilitator runs the clock again). Only the clock of `play` and
        /// `serve` stops; the simulation itself is the same.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        pause: bool,
    },
}

/// Evidence an author places in an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSpec {
    /// What kind of evidence: a technical trace (the default), a public claim of
    /// responsibility, or exculpatory evidence that clears `points_to`.
    #[serde(default)]
    pub kind: EvidenceKind,
    /// Who it names: the candidate it points at, claims, or (exculpatory) clears.
    pub points_to: Candidate,
    /// 0..=1: how strongly it points there (for a claim: how likely the named party would
    /// claim it if it did it; for exculpatory evidence: how much it clears).
    pub reliability: f64,
    /// Placed by the attacker to mislead.
    #[serde(default)]
    pub planted: bool,
    /// Found this long after the incident starts (if someone looks).
    #[serde(default)]
    pub after: Option<Span>,
}

/// A candidate perpetrator in attribution.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Candidate {
    State(Id),
    /// A named non-state group: the id of an actor that is not a `StateUnit`.
    Group(Id),
    /// Some non-state actor, without saying which.
    NonState,
}

/// What a piece of evidence is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub enum EvidenceKind {
    /// A technical trace found by analysts (indicators, code, infrastructure).
    #[default]
    Trace,
    /// A public claim of responsibility: seen by every state that knows of the incident at
    /// once, true or planted.
    Claim,
    /// Evidence that clears the candidate it names (hosting rented by someone else, code
    /// shared with another actor's older campaign).
    Exculpatory,
}

/// How an attack is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Vector {
    Ddos,
    Intrusion,
    Wiper,
    Ransomware,
    Phishing,
    SupplyChain,
    PhysicalCut,
}

/// A change in the world an inject can make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum WorldChange {
    ContactStale(Id),
    ContactRestored(Id),
    HotlineDown(Id, Id),
    HotlineRestored(Id, Id),
    Posture(Id, Posture),
    Outage { asset: Id, inoperability: f64 },
}

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MessageKind {
    Notify,
    ShareEvidence,
    RequestAssistance,
    RequestConsultation,
    Demarche,
    HotlineCall,
    RegionalCoordination,
    RequestTakedown,
    /// From the exercise control (an inject or the facilitator).
    Control,
}

/// A typed condition over the state of the exercise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// The inject with this id has fired.
    InjectFired(Id),
    /// The incident (an `Incident` inject's id) has been detected by this organisation,
    /// or by any organisation of this state.
    Detected {
        incident: Id,
        by: Id,
    },
    /// Evidence was shared from this organisation or state to that one.
    EvidenceShared {
        from: Id,
        to: Id,
    },
    /// Tension between the two states is above the value.
    TensionAbove {
        between: (Id, Id),
        value: f64,
    },
    /// The pair of states has reached this rung of the escalation ladder at some point
    /// (its peak so far is at least `rung`).
    RungReached {
        between: (Id, Id),
        rung: Rung,
    },
    /// The pair of states stands at this rung or above now.
    RungAtLeast {
        between: (Id, Id),
        rung: Rung,
    },
    ObjectiveMet(Id),
    /// The objective has been decided missed. (`Not(ObjectiveMet(x))` also holds while `x`
    /// is undecided.)
    ObjectiveFailed(Id),
    /// The incident (an `Incident` inject's id) has been contained (a cut cable: repaired).
    Contained(Id),
    /// The state has attributed the incident: publicly (`public: true`: it made a public
    /// attribution), or in private (its top suspect, once it has a clear one). `blame`
    /// narrows it to one candidate: a state id, a group's actor id, or `non-state`.
    Attributed {
        by: Id,
        incident: Id,
        #[serde(default)]
        blame: Option<Id>,
        #[serde(default)]
        public: bool,
    },
    /// A message from this organisation (or any of this state's) to that organisation (or
    /// state) has been acknowledged.
    MessageAcknowledged {
        from: Id,
        to: Id,
    },
    /// A message from this organisation (or state) to that one has bounced.
    MessageBounced {
        from: Id,
        to: Id,
    },
}

/// The escalation ladder, from routine relations to the armed-conflict threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rung {
    Routine,
    Concern,
    Demarche,
    Sanctions,
    Countermeasures,
    Retaliation,
    ArmedConflict,
}

impl Rung {
    pub const ALL: [Rung; 7] = [
        Rung::Routine,
        Rung::Concern,
        Rung::Demarche,
        Rung::Sanctions,
        Rung::Countermeasures,
        Rung::Retaliation,
        Rung::ArmedConflict,
    ];
    pub fn level(self) -> usize {
        self as usize
    }

    /// The rung in a word or two, as screens, tables and reports print it ("Démarche",
    /// "Armed conflict"); the scenario format and JSON keep the identifier (`Demarche`).
    pub fn label(self) -> &'static str {
        match self {
            Rung::Routine => "Routine",
            Rung::Concern => "Concern",
            Rung::Demarche => "Démarche",
            Rung::Sanctions => "Sanctions",
            Rung::Countermeasures => "Countermeasures",
            Rung::Retaliation => "Retaliation",
            Rung::ArmedConflict => "Armed conflict",
        }
    }

    /// The rung whose identifier is `id` (`Demarche`), as in JSON keys.
    pub fn from_id(id: &str) -> Option<Rung> {
        Rung::ALL.into_iter().find(|r| format!("{r:?}") == id)
    }
}

/// A learning objective with a measurable criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    pub id: Id,
    pub title: String,
    /// The team it is set for; none for an exercise-wide objective.
    #[serde(default)]
    pub team: Option<Id>,
    pub criterion: Criterion,
}

/// How an objective is measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Criterion {
    /// The incident is detected by this organisation or state within the span of its start.
    DetectWithin { incident: Id, by: Id, within: Span },
    /// The organisation or state notifies each listed state (or organisation: a regional
    /// body) within the span of detecting it.
    NotifyWithin {
        incident: Id,
        from: Id,
        to: Vec<Id>,
        within: Span,
    },
    /// At least `share` of these contacts (all contacts when empty) acknowledge a counted
    /// message within the span of its sending. Met as soon as that holds; failed at the end.
    AcknowledgeWithin {
        #[serde(default)]
        contacts: Vec<Id>,
        within: Span,
        #[serde(default = "one")]
        share: f64,
        /// Only messages sent at or after this time count (e.g. the first incident's time,
        /// so that an opening communication check does not meet a crisis objective).
        #[serde(default)]
        after: Option<Span>,
        /// Only messages sent before this time count (a comms check measures the check, not
        /// the crisis after it).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Span>,
        /// Only messages from this organisation (or any organisation of this state) count.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<Id>,
        /// Only messages of these kinds count (every kind when empty).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kinds: Vec<MessageKind>,
    },
    /// The state shares evidence abroad before it attributes publicly (or never attributes).
    EvidenceBeforeAttribution { state: Id },
    /// The state never blames publicly anyone but the true perpetrator.
    NoWrongfulAttribution { state: Id },
    /// The pair of states (every pair when none) stays at or below this rung.
    PeakRungAtMost {
        #[serde(default)]
        between: Option<(Id, Id)>,
        rung: Rung,
    },
    /// Downtime stays below a bound, in sector-hours (all sectors / states when none).
    DowntimeBelow {
        #[serde(default)]
        sector: Option<Sector>,
        #[serde(default)]
        state: Option<Id>,
        hours: f64,
    },
}

fn one() -> f64 {
    1.0
}
