//! The typed log of everything that happens in a run, with who may see each entry.

use bevy_ecs::prelude::Resource;
use serde::{Deserialize, Serialize};

use crate::scenario::Rung;

/// Who may see an event: everyone, some states, or only the facilitator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Public,
    States(Vec<usize>),
    Facilitator,
}

impl Audience {
    pub fn includes(&self, state: usize) -> bool {
        match self {
            Audience::Public => true,
            Audience::States(s) => s.contains(&state),
            Audience::Facilitator => false,
        }
    }
}

/// Why something changed: recorded with every belief change, rung change and objective
/// result, and shown as "why" in `play`, `run --timeline` and the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cause {
    /// Evidence items that arrived (found, shared, public or from exercise control).
    Evidence { items: Vec<usize> },
    /// An act of one state, towards another (or everyone).
    Act {
        act: Act,
        by: usize,
        to: Option<usize>,
    },
    /// `state` came to hold `suspect` more (or less) responsible for an attack on it.
    Suspicion {
        state: usize,
        suspect: usize,
        incident: usize,
        red_line: bool,
    },
    /// Reaction to the other side's hostility and relaxation towards the baseline.
    Drift,
}

/// Acts that move hostility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Act {
    Demarche,
    Accusation,
    Retaliation,
    Hotline,
    Consultation,
    Restraint,
    Regional,
}

impl Act {
    pub fn noun(self) -> &'static str {
        match self {
            Act::Demarche => "a démarche",
            Act::Accusation => "a public accusation",
            Act::Retaliation => "a retaliatory cyber operation",
            Act::Hotline => "a hotline call",
            Act::Consultation => "consultations",
            Act::Restraint => "a restraint statement",
            Act::Regional => "regional coordination",
        }
    }
}

/// What happened. Indices refer to the `Region` tables, the mailroom and the evidence pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    InjectFired {
        inject: usize,
    },
    IncidentStarted {
        incident: usize,
        target: usize,
        actor: Option<usize>,
    },
    Detected {
        incident: usize,
        org: usize,
        state: usize,
    },
    Contained {
        incident: usize,
    },
    Recovered {
        incident: usize,
    },
    EvidenceFound {
        state: usize,
        evidence: usize,
        incident: usize,
    },
    PlantedRecognised {
        state: usize,
        evidence: usize,
    },
    MessageSent {
        message: usize,
    },
    Cleared {
        message: usize,
    },
    Delivered {
        message: usize,
    },
    Acknowledged {
        message: usize,
    },
    Bounced {
        message: usize,
    },
    News {
        headline: String,
    },
    ControlMessage {
        team: usize,
        subject: String,
    },
    Question {
        text: String,
    },
    WorldChanged {
        what: String,
    },
    PublicAttribution {
        by: usize,
        incident: usize,
        blamed: usize,
        belief: f64,
        wrongful: bool,
    },
    Demarche {
        from: usize,
        to: usize,
    },
    RestraintStatement {
        by: usize,
    },
    HotlineCall {
        from: usize,
        to: usize,
        answered: bool,
    },
    Consultation {
        a: usize,
        b: usize,
    },
    RegionalCoordination {
        convened_by: usize,
        /// The regional body that convened it (none: the state's CERT did).
        org: Option<usize>,
    },
    AssistanceGiven {
        by: usize,
        to: usize,
        incident: usize,
    },
    TakedownRequested {
        by: usize,
        of: usize,
    },
    Retaliation {
        by: usize,
        against: usize,
        asset: usize,
        incident: usize,
    },
    RungChanged {
        a: usize,
        b: usize,
        from: Rung,
        to: Rung,
        cause: Cause,
    },
    /// A state's top suspect for an incident changed (or its probability moved).
    BeliefChanged {
        state: usize,
        incident: usize,
        /// The top suspect and its probability; none: no suspect (yet, or any more).
        top: Option<(usize, f64)>,
        cause: Cause,
    },

    RedLineCrossed {
        state: usize,
        asset: usize,
        incident: usize,
    },
    AssetIsolated {
        asset: usize,
    },
    AssetRestored {
        asset: usize,
    },
    AlertRaised {
        state: usize,
        level: u8,
    },
    ObjectiveMet {
        objective: usize,
    },
    ObjectiveFailed {
        objective: usize,
    },
    /// A team's command was accepted when submitted but could not be carried out at the next
    /// tick (an earlier command of the same tick changed the world, or the exercise ended):
    /// `action` is the command's name, `reason` why.
    CommandDropped {
        team: usize,
        action: String,
        reason: String,
    },
    /// The facilitator fired, skipped or delayed an inject (a control, journaled as one);
    /// for the facilitator's eyes only.
    Facilitator {
        inject: usize,
        action: InjectControl,
    },
}

/// What the facilitator did to an inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InjectControl {
    /// Fired at the next tick, ahead of its time or its condition.
    Fire,
    /// Never to fire.
    Skip,
    /// Not before this minute since the start.
    Delay { to_minute: u32 },
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub tick: u32,
    pub kind: EventKind,
    pub audience: Audience,
}

/// The log, in the order things happened.
#[derive(Resource, Debug, Default)]
pub struct EventLog(pub Vec<Event>);

impl EventLog {
    pub fn push(&mut self, tick: u32, kind: EventKind, audience: Audience) {
        self.0.push(Event {
            tick,
            kind,
            audience,
        });
    }
}
