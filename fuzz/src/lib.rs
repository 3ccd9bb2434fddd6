//! What the fuzz targets share: the built-in scenarios, a driver that runs the engine with
//! commands chosen by the fuzzer (and records them as a journal, so a crash can be replayed
//! with `cyberdrill replay`), and the structure-aware scenario mutator.

use arbitrary::{Result, Unstructured};
use cyberdrill::journal::{self, Line, Mode};
use cyberdrill::scenario::{self, Scenario, Valid};
use cyberdrill::sim::{Command, Control, Sim, TeamView, Tlp};
use serde_json::Value;
use std::sync::OnceLock;

/// The built-in scenarios, parsed once per process.
pub fn builtins() -> &'static [(&'static str, Valid)] {
    static PARSED: OnceLock<Vec<(&'static str, Valid)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        cyberdrill::builtin::SCENARIOS
            .iter()
            .map(|b| {
                let s = scenario::from_str(b.file, b.source).expect("built-in scenarios are valid");
                (b.name, s)
            })
            .collect()
    })
}

/// The flagship scenario (the first built-in).
pub fn flagship() -> &'static Valid {
    &builtins()[0].1
}

/// A built-in by its `builtin:NAME` reference.
pub fn builtin(reference: &str) -> Option<&'static Valid> {
    let name = reference.strip_prefix("builtin:")?;
    builtins().iter().find(|(n, _)| *n == name).map(|(_, s)| s)
}

/// A run of the engine driven by the fuzzer, with everything it accepted recorded.
pub struct Drive {
    pub sim: Sim,
    pub header: Line,
    pub lines: Vec<Line>,
}

/// The directory named by `CYBERDRILL_FUZZ_DUMP`, read once.
fn dump_dir() -> Option<&'static std::path::Path> {
    static DIR: OnceLock<Option<std::path::PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| std::env::var_os("CYBERDRILL_FUZZ_DUMP").map(Into::into))
        .as_deref()
}

/// How the driver runs the engine.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Ticks at most (the exercise may end earlier).
    pub ticks: u32,
    /// Commands and controls tried at most.
    pub actions: u32,
}

/// Builds the engine for `scenario` (headless, or with some teams played by people) and runs
/// it for at most `budget.ticks` ticks, submitting commands and controls the bytes choose.
/// When the bytes run out, the run goes on without commands (the doctrine plays).
pub fn drive(scenario: &Valid, u: &mut Unstructured, budget: Budget) -> Drive {
    let seed: u64 = u.arbitrary().unwrap_or(1);
    let humans: Option<Vec<String>> = match u.int_in_range(0u8..=2).unwrap_or(0) {
        0 => None,
        1 => Some(
            scenario
                .teams
                .iter()
                .filter(|_| u.arbitrary::<bool>().unwrap_or(false))
                .map(|t| t.id.clone())
                .collect(),
        ),
        _ => Some(scenario.teams.iter().map(|t| t.id.clone()).collect()),
    };
    let (mode, sim) = match &humans {
        None => (Mode::Headless, Sim::headless(scenario, seed)),
        Some(h) => (Mode::Play, Sim::with_players(scenario, seed, h)),
    };
    let header = Line::Header {
        format: journal::FORMAT.to_string(),
        tool_version: "fuzz".to_string(),
        scenario: "fuzz.ron".to_string(),
        // Only for a reproducer: the hash takes time.
        scenario_hash: if dump_dir().is_some() {
            cyberdrill::exercise::load::meaning_hash(scenario)
        } else {
            String::new()
        },
        seed,
        mode,
        player: None,
        humans,
        parent: None,
    };
    let mut d = Drive {
        sim,
        header,
        lines: Vec::new(),
    };
    d.dump_journal();
    let mut actions = 0;
    let mut ticks = 0;
    while ticks < budget.ticks && !d.sim.is_over() {
        // 0: no action this tick; more often when the bytes say so.
        let n = if u.is_empty() || actions >= budget.actions {
            0
        } else {
            u.int_in_range(0u8..=3).unwrap_or(0)
        };
        for _ in 0..n {
            actions += 1;
            if act(&mut d, scenario, u).is_err() {
                break;
            }
        }
        d.sim.step();
        ticks += 1;
    }
    d
}

/// One command (or facilitator control) chosen by the bytes.
fn act(d: &mut Drive, scenario: &Scenario, u: &mut Unstructured) -> Result<()> {
    let tick = d.sim.tick();
    if scenario.teams.is_empty() || u.ratio(1u8, 6u8)? {
        let control = control(scenario, u)?;
        if d.sim.control(&control) {
            d.record(Line::Control { tick, control });
        }
        return Ok(());
    }
    let team = u.choose(&scenario.teams)?.id.clone();
    let view = match d.sim.team_view(&team) {
        Ok(v) => v,
        Err(_) => return Ok(()),
    };
    let command = command(&view, scenario, u)?;
    if d.sim.submit(&team, command.clone()).is_ok() {
        d.record(Line::Command {
            tick,
            team,
            command,
        });
    }
    Ok(())
}

/// An id: usually one the team sees, sometimes any id of the scenario or any text.
fn pick(u: &mut Unstructured, seen: &[String], scenario: &Scenario) -> Result<String> {
    match u.int_in_range(0u8..=9)? {
        0 => Ok(String::arbitrary_take(u)?),
        1 | 2 => {
            let ids = all_ids(scenario);
            Ok(u.choose(&ids).cloned().unwrap_or_default())
        }
        _ => Ok(u.choose(seen).cloned().unwrap_or_default()),
    }
}

trait TakeString {
    fn arbitrary_take(u: &mut Unstructured) -> Result<String>;
}

impl TakeString for String {
    fn arbitrary_take(u: &mut Unstructured) -> Result<String> {
        let len = u.int_in_range(0usize..=24)?;
        let bytes = u.bytes(len.min(u.len()))?;
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Every id the scenario defines, and `non-state`.
pub fn all_ids(s: &Scenario) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    ids.extend(s.states.iter().map(|x| x.id.clone()));
    ids.extend(s.organisations.iter().map(|x| x.id.clone()));
    ids.extend(s.assets.iter().map(|x| x.id.clone()));
    ids.extend(s.contacts.iter().map(|x| x.id.clone()));
    ids.extend(s.actors.iter().map(|x| x.id.clone()));
    ids.extend(s.teams.iter().map(|x| x.id.clone()));
    ids.extend(s.injects.iter().map(|x| x.id.clone()));
    ids.extend(s.objectives.iter().map(|x| x.id.clone()));
    ids.push("non-state".to_string());
    ids
}

fn text(u: &mut Unstructured) -> Result<String> {
    String::arbitrary_take(u)
}

fn command(view: &TeamView, scenario: &Scenario, u: &mut Unstructured) -> Result<Command> {
    let contacts: Vec<String> = view.directory.iter().map(|c| c.id.clone()).collect();
    let incidents: Vec<String> = view.incidents.iter().map(|i| i.id.clone()).collect();
    let states: Vec<String> = view.relations.iter().map(|r| r.state.clone()).collect();
    let own: Vec<String> = view.assets.iter().map(|a| a.id.clone()).collect();
    let foreign: Vec<String> = view.foreign_assets.iter().map(|a| a.0.clone()).collect();
    let mut blame: Vec<String> = states.clone();
    blame.extend(view.groups.iter().map(|g| g.0.clone()));
    blame.push("non-state".to_string());
    let message = |u: &mut Unstructured| -> Result<usize> {
        if u.ratio(1u8, 8u8)? {
            return u.arbitrary();
        }
        Ok(u.choose(&view.inbox).map(|m| m.id).unwrap_or(0))
    };
    let recipients = |u: &mut Unstructured| -> Result<Vec<String>> {
        let n = u.int_in_range(0usize..=3)?;
        (0..n).map(|_| pick(u, &contacts, scenario)).collect()
    };
    let incident = |u: &mut Unstructured| pick(u, &incidents, scenario);
    let tlp = |u: &mut Unstructured| -> Result<Tlp> {
        Ok(*u.choose(&[Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::Red])?)
    };
    Ok(match u.int_in_range(0u8..=14)? {
        0 => Command::Notify {
            to: recipients(u)?,
            incident: if u.arbitrary()? {
                Some(incident(u)?)
            } else {
                None
            },
            text: text(u)?,
        },
        1 => Command::ShareEvidence {
            to: recipients(u)?,
            incident: incident(u)?,
            level: tlp(u)?,
        },
        2 => Command::RequestAssistance {
            to: pick(u, &contacts, scenario)?,
            incident: incident(u)?,
        },
        3 => Command::RequestConsultation {
            to: pick(u, &contacts, scenario)?,
            text: text(u)?,
        },
        4 => Command::Acknowledge {
            message: message(u)?,
        },
        5 => Command::Demarche {
            to: pick(u, &contacts, scenario)?,
            text: text(u)?,
        },
        6 => Command::PublicAttribution {
            incident: incident(u)?,
            blame: pick(u, &blame, scenario)?,
        },
        7 => Command::RestraintStatement { text: text(u)? },
        8 => Command::HotlineCall {
            state: pick(u, &states, scenario)?,
        },
        9 => Command::ConveneRegional {
            incident: if u.arbitrary()? {
                Some(incident(u)?)
            } else {
                None
            },
        },
        10 => Command::RequestTakedown {
            to: pick(u, &contacts, scenario)?,
            incident: incident(u)?,
        },
        11 => Command::Retaliate {
            target: pick(u, &foreign, scenario)?,
        },
        12 => Command::Isolate {
            asset: pick(u, &own, scenario)?,
        },
        13 => Command::Restore {
            asset: pick(u, &own, scenario)?,
        },
        _ => Command::RaiseAlert {
            level: if u.ratio(1u8, 4u8)? {
                u.arbitrary()?
            } else {
                u.int_in_range(0..=3)?
            },
        },
    })
}

fn control(scenario: &Scenario, u: &mut Unstructured) -> Result<Control> {
    let injects: Vec<String> = scenario.injects.iter().map(|i| i.id.clone()).collect();
    let teams: Vec<String> = scenario.teams.iter().map(|t| t.id.clone()).collect();
    Ok(match u.int_in_range(0u8..=5)? {
        0 => Control::FireInject {
            id: pick(u, &injects, scenario)?,
        },
        1 => Control::SkipInject {
            id: pick(u, &injects, scenario)?,
        },
        2 => Control::DelayInject {
            id: pick(u, &injects, scenario)?,
            minutes: if u.ratio(1u8, 4u8)? {
                u.arbitrary()?
            } else {
                u.int_in_range(0..=24 * 60)?
            },
        },
        3 => Control::Message {
            team: pick(u, &teams, scenario)?,
            subject: text(u)?,
            body: text(u)?,
        },
        4 => Control::Players {
            humans: teams
                .iter()
                .filter(|_| u.arbitrary::<bool>().unwrap_or(false))
                .cloned()
                .collect(),
        },
        _ => Control::Reseed {
            seed: u.arbitrary()?,
        },
    })
}

impl Drive {
    /// Reads everything a person or a report could look at: every team's view, the
    /// facilitator's, each event described, the outcome as JSON.
    pub fn look(&self, scenario: &Scenario) {
        for t in &scenario.teams {
            let _ = self.sim.team_view(&t.id);
        }
        let _ = self.sim.facilitator_view();
        for e in self.sim.events().iter().rev().take(64) {
            let _ = self.sim.describe(e);
        }
        let outcome = self.sim.outcome();
        let _ = journal::outcome_hash(&outcome);
    }

    /// The journal of what was accepted, as `cyberdrill replay` reads it: a regression test
    /// replays a crash from it.
    pub fn journal_text(&self) -> String {
        std::iter::once(&self.header)
            .chain(&self.lines)
            .map(|l| serde_json::to_string(l).unwrap_or_default() + "\n")
            .collect()
    }

    fn record(&mut self, line: Line) {
        self.lines.push(line);
        self.dump_journal();
    }

    /// When `CYBERDRILL_FUZZ_DUMP` names a directory, (re)writes the journal of what was
    /// accepted so far there (`fuzz.jsonl`), line by line so that it survives the crash.
    fn dump_journal(&self) {
        if let Some(dir) = dump_dir() {
            let _ = std::fs::create_dir_all(dir);
            let _ = std::fs::write(dir.join("fuzz.jsonl"), self.journal_text());
        }
    }
}

/// When `CYBERDRILL_FUZZ_DUMP` names a directory, writes the scenario text there
/// (`fuzz.ron`): with the journal the driver writes beside it, a crash found by a
/// structure-aware target becomes a plain reproducer (`cyberdrill replay fuzz.jsonl
/// --scenario fuzz.ron`, or a regression test). Run the target on the crash file with it set.
pub fn dump_scenario(text: &[u8]) {
    if let Some(dir) = dump_dir() {
        let _ = std::fs::create_dir_all(dir);
        let _ = std::fs::write(dir.join("fuzz.ron"), text);
    }
}

// ---------------------------------------------------------------------------------------
// The structure-aware mutator.

/// Durations an author might write, and some an author should not.
const SPANS: &[&str] = &[
    "0", "0m", "1m", "4m", "5m", "59m", "1h", "90m", "2h", "6h", "12h", "23h", "1d", "2d", "7d",
    "29d", "30d", "31d", "1w", "4w", "30s", "1M", "", "soon", "100000d",
];

/// Names of unit variants across the format's enumerations.
const VARIANTS: &[&str] = &[
    "Restrained",
    "Cautious",
    "Assertive",
    "SafeZone",
    "NationalCert",
    "ForeignMinistry",
    "DefenceMinistry",
    "Regulator",
    "Operator",
    "LawEnforcement",
    "RegionalBody",
    "Press",
    "Energy",
    "Finance",
    "Broadcasting",
    "Telecom",
    "Transport",
    "Health",
    "Government",
    "Cable",
    "Water",
    "Email",
    "Phone",
    "Portal",
    "Hotline",
    "DiplomaticNote",
    "Always",
    "StateUnit",
    "Proxy",
    "Criminal",
    "Hacktivist",
    "PocExchange",
    "IncidentNotification",
    "ConsultationMechanism",
    "JointExercise",
    "CertCooperation",
    "Ddos",
    "Intrusion",
    "Wiper",
    "Ransomware",
    "Phishing",
    "SupplyChain",
    "PhysicalCut",
    "Routine",
    "Concern",
    "Demarche",
    "Sanctions",
    "Countermeasures",
    "Retaliation",
    "ArmedConflict",
    "NonState",
    "Trace",
    "Claim",
    "Exculpatory",
    "Notify",
    "ShareEvidence",
    "RequestAssistance",
    "RequestConsultation",
    "HotlineCall",
    "RegionalCoordination",
    "RequestTakedown",
    "Control",
];

const NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    0.999,
    1.0001,
    1e-300,
    1e300,
    -1e300,
    5.5,
    5.75,
    5.3,
    14.0,
    14.25,
    -12.0,
    -12.25,
    24.0,
    25.0,
    60.0,
    61.0,
    255.0,
    256.0,
    10080.0,
    10081.0,
    4294967295.0,
    4294967296.0,
];

const INTEGERS: &[u64] = &[
    0,
    1,
    2,
    3,
    5,
    9,
    17,
    23,
    24,
    25,
    59,
    60,
    61,
    255,
    256,
    1440,
    10080,
    10081,
    43200,
    u32::MAX as u64,
    u32::MAX as u64 + 1,
    u64::MAX,
];

/// Mutates a scenario's parsed form (as a JSON tree) a few times: numbers, ids, durations,
/// variants, lists (an element dropped, repeated under a new id, moved), optional fields
/// dropped.
pub fn mutate(u: &mut Unstructured, value: &mut Value, ids: &[String]) -> Result<()> {
    let n = u.int_in_range(1u8..=8)?;
    for i in 0..n {
        let node = walk(u, value)?;
        mutate_node(u, node, ids, i)?;
    }
    Ok(())
}

/// A node reached by a random walk from the root (stopping early sometimes).
fn walk<'v>(u: &mut Unstructured, root: &'v mut Value) -> Result<&'v mut Value> {
    // The path first, then down it: the borrow checker prefers it so.
    let mut path = Vec::new();
    let mut node = &*root;
    loop {
        let children = match node {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        if children == 0 || u.ratio(1u8, 6u8)? {
            break;
        }
        let i = u.choose_index(children)?;
        path.push(i);
        node = match node {
            Value::Array(a) => &a[i],
            Value::Object(o) => o.values().nth(i).unwrap_or(node),
            _ => node,
        };
    }
    let mut node = root;
    for i in path {
        node = match node {
            Value::Array(a) => &mut a[i],
            Value::Object(o) => o
                .values_mut()
                .nth(i)
                .expect("the path was walked on this tree"),
            _ => unreachable!("the path was walked on this tree"),
        };
    }
    Ok(node)
}

fn mutate_node(u: &mut Unstructured, node: &mut Value, ids: &[String], n: u8) -> Result<()> {
    match node {
        Value::Number(num) => {
            let f = if num.is_u64() && u.ratio(3u8, 4u8)? {
                let v = if u.arbitrary()? {
                    *u.choose(INTEGERS)?
                } else {
                    u64::from(u.arbitrary::<u32>()?)
                };
                Value::from(v)
            } else {
                let v = match u.int_in_range(0u8..=2)? {
                    0 => *u.choose(NUMBERS)?,
                    1 => {
                        num.as_f64().unwrap_or(0.0)
                            + f64::from(u.int_in_range(-100i8..=100)?) / 100.0
                    }
                    _ => u.arbitrary()?,
                };
                serde_json::Number::from_f64(v).map_or(Value::from(0), Value::Number)
            };
            *node = f;
        }
        Value::String(s) => {
            *s = match u.int_in_range(0u8..=5)? {
                0 | 1 => u.choose(ids).cloned().unwrap_or_default(),
                2 => u.choose(SPANS)?.to_string(),
                3 => u.choose(VARIANTS)?.to_string(),
                4 => format!("{}m", u.arbitrary::<u32>()? % 50_000),
                _ => String::arbitrary_take(u)?,
            };
        }
        Value::Bool(b) => *b = !*b,
        Value::Null => {
            *node = match u.int_in_range(0u8..=2)? {
                0 => Value::from(u.choose(ids).cloned().unwrap_or_default()),
                1 => Value::from(u.choose(SPANS)?.to_string()),
                _ => Value::from(u.choose(INTEGERS)?.min(&60).to_owned()),
            };
        }
        Value::Array(items) => match u.int_in_range(0u8..=4)? {
            0 if !items.is_empty() => {
                let i = u.choose_index(items.len())?;
                items.remove(i);
            }
            1 if !items.is_empty() => {
                // Repeated, under a new id when it has one (more entities).
                let i = u.choose_index(items.len())?;
                let mut copy = items[i].clone();
                if let Some(Value::String(id)) = copy.get_mut("id") {
                    id.push_str(&format!("-x{n}{}", items.len()));
                }
                let count = if u.ratio(1u8, 8u8)? {
                    u.int_in_range(2usize..=64)?
                } else {
                    1
                };
                for _ in 0..count {
                    items.push(copy.clone());
                }
            }
            2 if items.len() > 1 => {
                let (a, b) = (u.choose_index(items.len())?, u.choose_index(items.len())?);
                items.swap(a, b);
            }
            3 => items.clear(),
            _ => {
                if let Some(first) = items.first().cloned() {
                    items.insert(0, first);
                }
            }
        },
        Value::Object(fields) => {
            if !fields.is_empty() {
                let i = u.choose_index(fields.len())?;
                if let Some(key) = fields.keys().nth(i).cloned() {
                    fields.remove(&key);
                }
            }
        }
    }
    Ok(())
}
