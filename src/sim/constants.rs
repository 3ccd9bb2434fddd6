//! Every constant of the world model, in one place, with where it comes from.
//!
//! Rates are per simulated hour unless the name says otherwise; [`per_tick`] turns a hazard
//! into a per-tick probability. `docs/model.md` explains each dynamic with these numbers.

use crate::scenario::{Channel, Posture, Rung, Vector};

/// Probability that an event with hazard `h` per hour happens within one tick of `tick_minutes`.
pub fn per_tick(h: f64, tick_minutes: u32) -> f64 {
    1.0 - (-h * f64::from(tick_minutes) / 60.0).exp()
}

// ---------------------------------------------------------------- messaging through POCs

/// Transit time range in minutes by channel. Direct CERT-to-CERT channels take minutes; a
/// diplomatic note goes MFA → embassy → MFA and takes hours (seeds: direct CERT-CERT
/// communication versus slower government channels).
pub fn transit_minutes(channel: Channel) -> (u32, u32) {
    match channel {
        Channel::Phone => (1, 3),
        Channel::Hotline => (1, 2),
        Channel::Email => (2, 15),
        Channel::Portal => (5, 30),
        Channel::DiplomaticNote => (360, 1440),
    }
}

/// Clearance before a CERT under government control `g` may share abroad: needed with
/// probability `g`; the wait is `g · (CLEARANCE_BASE_H + CLEARANCE_SPREAD_H · u)` hours,
/// `u ~ U(0,1)` (hours, not minutes, at `g` near 1 — seeds: government attention "slowing
/// down information sharing and response").
pub const CLEARANCE_BASE_H: f64 = 2.0;
pub const CLEARANCE_SPREAD_H: f64 = 22.0;

// ---------------------------------------------------------------- detection

/// Base detection hazard per hour for an organisation with detect capacity 1 watching an asset
/// under a fully visible attack (MODEL.md: h = base · capacity · visibility · (1 − stealth)).
pub const DETECT_BASE: f64 = 0.5;
/// How much of an actor's skill turns into stealth: stealth = STEALTH_PER_SKILL · skill.
pub const STEALTH_PER_SKILL: f64 = 0.7;
/// Multiplier on the detection hazard once a state has been warned about the campaign (it has
/// received a notification or evidence about another incident of the same actor) — seeds:
/// advanced CERTs giving "timely notice" to less advanced ones.
pub const WARNED_MULTIPLIER: f64 = 3.0;

/// How visible an attack vector is to defenders (DDoS is loud; a supply-chain implant quiet).
pub fn visibility(vector: Vector) -> f64 {
    match vector {
        Vector::Ddos => 3.0,
        Vector::PhysicalCut => 3.0,
        Vector::Wiper => 2.5,
        Vector::Ransomware => 2.5,
        Vector::Phishing => 0.8,
        Vector::Intrusion => 0.5,
        Vector::SupplyChain => 0.3,
    }
}

/// How long an incident lasts if nobody contains it and the scenario does not say, in hours.
pub fn default_lasts_h(vector: Vector) -> u32 {
    match vector {
        Vector::Ddos => 8,
        Vector::PhysicalCut => 36,
        Vector::Wiper => 24,
        Vector::Ransomware => 24,
        Vector::Phishing => 12,
        Vector::Intrusion => 30,
        Vector::SupplyChain => 48,
    }
}

/// Containment hazard per hour once an incident is known to the victim state, scaled by the
/// best respond capacity among the victim's organisations (doubled when another CERT assists).
pub const CONTAIN_BASE: f64 = 0.12;
pub const ASSIST_MULTIPLIER: f64 = 2.0;

// ---------------------------------------------------------------- evidence and attribution

/// Rate per hour at which an active incident leaves true traces (pointing at the sponsor,
/// or at "non-state" for an unsponsored actor), reduced by skill: rate · (1 − 0.6 · skill).
pub const TRUE_TRACE_RATE: f64 = 0.35;
pub const TRUE_TRACE_SKILL_DAMPING: f64 = 0.6;
/// Reliability range of a true trace (weak: Rid & Buchanan's "lack of external observables").
pub const TRUE_TRACE_RELIABILITY: (f64, f64) = (0.3, 0.55);
/// Rate per hour at which a false-flag actor plants traces, times its skill.
pub const PLANTED_TRACE_RATE: f64 = 0.5;
/// Planted traces look convincing: reliability range.
pub const PLANTED_TRACE_RELIABILITY: (f64, f64) = (0.4, 0.65);
/// Hazard per hour that a state analysing an incident finds one available trace, times the
/// best analyse capacity among its organisations.
pub const FIND_RATE: f64 = 0.6;
/// A planted trace is recognised (and dropped) with probability
/// RECOGNISE · analyse · (1 − skill) (MODEL.md: a · (1 − skill)).
pub const RECOGNISE: f64 = 1.0;
/// Prior weight of "non-state actor" relative to a state at zero tension.
pub const PRIOR_NON_STATE: f64 = 1.5;
/// How much initial tension with a state raises the prior that it did it: w = 1 + k · tension.
pub const PRIOR_TENSION: f64 = 4.0;

/// Belief a state needs before it blames publicly, by posture (MODEL.md: θ).
pub fn blame_threshold(posture: Posture) -> f64 {
    match posture {
        Posture::Restrained => 0.9,
        Posture::Cautious => 0.75,
        Posture::Assertive => 0.6,
    }
}

// ---------------------------------------------------------------- escalation

/// Reactivity k per hour in dH(a→b)/dt = k_a · (H(b→a) − H0(b→a)) − α · (H(a→b) − H0(a→b))
/// (a Richardson reaction process around the scenario's baseline tension).
pub fn reactivity(posture: Posture) -> f64 {
    match posture {
        Posture::Restrained => 0.01,
        Posture::Cautious => 0.03,
        Posture::Assertive => 0.07,
    }
}
/// Relaxation α per hour towards the baseline.
pub const RELAXATION: f64 = 0.06;
/// Tension from a rise in belief that b attacked a: + W_ATTACK · severity · Δbelief.
pub const W_ATTACK: f64 = 0.35;
/// Tension relief when shared evidence lowers that belief: − W_EXONERATE · severity · |Δbelief|.
pub const W_EXONERATE: f64 = 0.35;
/// Impulses on H(target → actor) when an actor does something to a target state.
pub const W_DEMARCHE: f64 = 0.05;
pub const W_ACCUSE: f64 = 0.15;
pub const W_RETALIATE: f64 = 0.25;
/// Extra tension when a state's red line is hit, times belief in the culprit.
pub const W_RED_LINE: f64 = 0.15;
/// Relief on both directions.
pub const W_CONSULT: f64 = 0.08;
pub const W_HOTLINE: f64 = 0.12;
pub const W_RESTRAINT: f64 = 0.06;
pub const W_REGIONAL: f64 = 0.03;

/// Lower tension threshold of each rung on max(H(a→b), H(b→a)) (Kahn's ladder, shortened
/// after Libicki, "Crisis and Escalation in Cyberspace", RAND 2012).
pub fn rung_threshold(rung: Rung) -> f64 {
    match rung {
        Rung::Routine => 0.0,
        Rung::Concern => 0.3,
        Rung::Demarche => 0.45,
        Rung::Sanctions => 0.6,
        Rung::Countermeasures => 0.72,
        Rung::Retaliation => 0.84,
        Rung::ArmedConflict => 0.95,
    }
}
/// A rung is left only when tension falls this far below its threshold (hysteresis).
pub const RUNG_HYSTERESIS: f64 = 0.05;

// ---------------------------------------------------------------- cascade (DIIM)

/// Rate per hour at which inoperability rises towards its forcing (attacks bite fast).
pub const RISE_RATE: f64 = 2.0;
/// Recovery rate per hour: RECOVERY_BASE + RECOVERY_PER_RESILIENCE · resilience.
pub const RECOVERY_BASE: f64 = 0.03;
pub const RECOVERY_PER_RESILIENCE: f64 = 0.3;
/// Inoperability an isolated asset keeps (service is cut on purpose).
pub const ISOLATION_INOPERABILITY: f64 = 0.35;
/// Below this inoperability a contained incident's asset counts as recovered.
pub const RECOVERED_BELOW: f64 = 0.05;

// ---------------------------------------------------------------- doctrine (engine players)

/// Hazard per hour that an engine-played ministry takes a diplomatic step it is entitled to.
pub const DIPLOMATIC_STEP_RATE: f64 = 0.5;
/// Hazard per hour that an engine-played state calls the hotline when tension is high.
pub const HOTLINE_RATE: f64 = 0.4;
/// Tension from which engine-played states reach for the hotline / consultations.
pub const DEESCALATE_FROM: f64 = 0.45;
/// H(a→b) from which an engine-played state retaliates, by posture (None: never —
/// Schneider's wargames: players tend to restraint).
pub fn retaliate_from(posture: Posture) -> Option<f64> {
    match posture {
        Posture::Restrained => None,
        Posture::Cautious => Some(0.9),
        Posture::Assertive => Some(0.75),
    }
}
/// Severity of a retaliatory cyber operation.
pub const RETALIATION_SEVERITY: f64 = 0.5;
/// An engine-played CERT with analyse capacity below this asks for assistance.
pub const ASK_ASSISTANCE_BELOW: f64 = 0.45;
