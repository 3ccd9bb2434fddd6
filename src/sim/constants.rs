//! Every constant of the world model, in one place, with where it comes from.
//!
//! Rates are per simulated hour unless the name says otherwise; [`per_tick`] turns a hazard
//! into a per-tick probability. `docs/model.md` explains each dynamic with these numbers.

use crate::scenario::{Channel, OrgKind, Posture, Rung, Vector};

/// Probability that an event with hazard `h` per hour happens within one tick of `tick_minutes`.
pub fn per_tick(h: f64, tick_minutes: u32) -> f64 {
    1.0 - (-h * f64::from(tick_minutes) / 60.0).exp()
}

// ---------------------------------------------------------------- capacity

/// Capacity (detect, analyse, respond) of an organisation whose scenario leaves it unset, by
/// kind: a national CERT is the reference (0.5 each); an operator sees its own systems and
/// restores them but does little attribution; a ministry has no technical capacity; a
/// regional coordination team pools analysts but has no sensors. `check` warns when a
/// national CERT's capacity is left to this default.
pub fn default_capacity(kind: OrgKind) -> (f64, f64, f64) {
    match kind {
        OrgKind::NationalCert => (0.5, 0.5, 0.5),
        OrgKind::RegionalBody => (0.2, 0.5, 0.3),
        OrgKind::Operator => (0.4, 0.2, 0.5),
        OrgKind::Regulator => (0.3, 0.3, 0.4),
        OrgKind::LawEnforcement => (0.2, 0.4, 0.3),
        OrgKind::DefenceMinistry => (0.3, 0.4, 0.4),
        OrgKind::ForeignMinistry => (0.05, 0.1, 0.2),
        OrgKind::Press => (0.1, 0.1, 0.0),
    }
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
/// Each alert level (0..=3) a state raises multiplies its watchers' detection hazard by
/// 1 + ALERT_PER_LEVEL · level.
pub const ALERT_PER_LEVEL: f64 = 0.25;
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

/// Containment hazard per hour once an incident is known to the victim state:
/// CONTAIN_BASE · r, where r is the respond capacity of the asset's operator, raised by the
/// national CERT's support: r = r_op + (1 − r_op) · CERT_SUPPORT · r_cert. Doubled when
/// another CERT assists, doubled again when the asset is isolated.
pub const CONTAIN_BASE: f64 = 0.12;
pub const CERT_SUPPORT: f64 = 0.5;
pub const ASSIST_MULTIPLIER: f64 = 2.0;
/// A more capable CERT assisting a victim lifts the victim's analyse capacity this share of
/// the way to its own: a = a_own + ASSIST_SHARE · (a_helper − a_own).
pub const ASSIST_SHARE: f64 = 0.5;
pub const ISOLATION_CONTAIN_MULTIPLIER: f64 = 2.0;
/// A takedown of the attack infrastructure, done by the state asked (it acknowledged a
/// `RequestTakedown`), multiplies the containment hazard.
pub const TAKEDOWN_MULTIPLIER: f64 = 1.5;

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
/// analyse capacity of its analysing organisation (its national CERT; the helper's CERT when
/// that is more capable and assists).
pub const FIND_RATE: f64 = 0.6;
/// A state that detected an attack on another state's asset (it watches the traffic, not the
/// hosts) finds traces at this fraction of the victim's rate.
pub const WATCHER_FIND_FACTOR: f64 = 0.5;
/// A planted trace is recognised (and dropped) with probability
/// RECOGNISE · analyse · (1 − skill) (MODEL.md: a · (1 − skill)).
pub const RECOGNISE: f64 = 1.0;
/// Prior weight of all non-state actors together (the named groups and an unknown one share
/// it equally) relative to a state at zero tension with the victim.
pub const PRIOR_NON_STATE: f64 = 1.5;
/// How much the victim's baseline tension with a state raises the prior that it did it:
/// w = 1 + k · tension(victim, state).
pub const PRIOR_TENSION: f64 = 4.0;
/// Likelihood of a claim of responsibility naming a party that did not do it (personas and
/// opportunists claim what they did not do: the "CyberCaliphate" claim of the 2015 TV5Monde
/// attack, "Guccifer 2.0"). A claim's `reliability` is its likelihood if the named party did.
pub const CLAIM_FALSE: f64 = 0.1;
/// A state names a suspect only once its evidence has made some candidate at least this many
/// times as likely as its prior; before that it has no suspect (nothing shown or scored).
pub const SUSPECT_LIFT: f64 = 1.5;
/// A belief change of at least this much (in the top suspect's probability) is logged.
pub const BELIEF_EVENT_MIN: f64 = 0.02;

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
/// Every pair is stable (k_a · k_b < α²: 0.045² ≈ 0.002 < 0.0036): hostility spirals only
/// while new shocks arrive, never by itself (cyber-only crises rarely escalate: Valeriano &
/// Maness's Dyadic Cyber Incident data; Schneider's wargames).
pub fn reactivity(posture: Posture) -> f64 {
    match posture {
        Posture::Restrained => 0.01,
        Posture::Cautious => 0.025,
        Posture::Assertive => 0.045,
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
/// A retaliation adds W_RETALIATE · Δbelief to its victim's perceived attack (it is felt
/// as an answer, once the victim knows of it and suspects its author).
pub const W_RETALIATE: f64 = 0.25;
/// Extra tension when a state's red line is hit, times belief in the culprit.
pub const W_RED_LINE: f64 = 0.2;
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
/// A rung is left only when tension falls this far below its threshold (hysteresis), or
/// when the pair is back within SETTLED_WITHIN of its baseline.
pub const RUNG_HYSTERESIS: f64 = 0.08;
pub const SETTLED_WITHIN: f64 = 0.02;
/// An attack on a red-line asset crosses the red line only if it hurts: its severity, or the
/// asset's inoperability, reaches this.
pub const RED_LINE_FROM: f64 = 0.3;
/// A pair's rung holds at least this many hours before it moves again, and moves one rung at
/// a time: diplomatic steps take hours to days (Kahn's ladder is one of deliberate steps).
pub const RUNG_DWELL_H: f64 = 4.0;
/// The armed-conflict threshold is crossed only from the Retaliation rung held this long: a
/// spiral sustained over half a day, not one spike.
pub const ARMED_CONFLICT_SUSTAINED_H: f64 = 12.0;
/// De-escalating acts of one kind between one pair (or by one speaker) within this window
/// have diminishing returns: the n-th has effect w / n. None lowers hostility below the
/// baseline.
pub const RELIEF_WINDOW_H: f64 = 12.0;

// ---------------------------------------------------------------- cascade (DIIM)

/// Rate per hour at which inoperability rises towards its forcing (attacks bite fast).
pub const RISE_RATE: f64 = 2.0;
/// Recovery rate per hour: RECOVERY_BASE + RECOVERY_PER_RESILIENCE · resilience.
pub const RECOVERY_BASE: f64 = 0.03;
pub const RECOVERY_PER_RESILIENCE: f64 = 0.3;
/// Resilience also damps what dependencies pass on: a*_ij · (1 − RESILIENCE_DAMPING · r_i)
/// (backup power, redundant links, manual fallbacks).
pub const RESILIENCE_DAMPING: f64 = 0.6;
/// Inoperability from which an attack on a red-line asset counts as harm (for the
/// armed-conflict threshold).
pub const HARM_FROM: f64 = 0.5;
/// Inoperability an isolated asset keeps (service is cut on purpose).
pub const ISOLATION_INOPERABILITY: f64 = 0.35;
/// Below this inoperability a contained incident's asset counts as recovered.
pub const RECOVERED_BELOW: f64 = 0.05;

// ---------------------------------------------------------------- doctrine (engine players)

/// Hazard per hour that an engine-played ministry takes a diplomatic step it is entitled to.
pub const DIPLOMATIC_STEP_RATE: f64 = 0.5;
/// An engine-played ministry blames publicly only once its belief has held at or above θ
/// for this many hours and rests on at least ATTRIBUTION_MIN_ITEMS credited items: public
/// attribution is a deliberate, slow step (Rid & Buchanan 2015; WannaCry was attributed
/// publicly seven months after the attack, NotPetya eight).
pub const ATTRIBUTION_DELIBERATION_H: f64 = 12.0;
pub const ATTRIBUTION_MIN_ITEMS: usize = 3;
/// Hazard per hour that an engine-played state calls the hotline when tension is high, times
/// its willingness by posture.
pub const HOTLINE_RATE: f64 = 0.4;
pub fn hotline_willingness(posture: Posture) -> f64 {
    match posture {
        Posture::Restrained => 1.5,
        Posture::Cautious => 1.0,
        Posture::Assertive => 0.3,
    }
}
/// Hazard per hour that an engine-played CERT notifies (NOTIFY_RATE + respond) and shares new
/// evidence (SHARE_RATE + respond) once it is entitled to.
pub const NOTIFY_RATE: f64 = 0.5;
pub const SHARE_RATE: f64 = 0.3;
/// Hazard per hour that an engine-played regional body convenes regional coordination on an
/// incident it has been told of that touches two states or more, or a tense pair.
pub const CONVENE_RATE: f64 = 0.5;
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

// ---------------------------------------------------------------- measures

/// Time to acknowledge is reported as the share of messages acknowledged within these hours
/// (what POC communication checks measure) and a Kaplan–Meier median that counts messages
/// never acknowledged as censored, not as missing.
pub const ACK_WITHIN_H: [u32; 3] = [1, 2, 4];
