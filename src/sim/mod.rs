//! The simulation engine: a bevy_ecs `World` built from a checked scenario, run by one
//! single-threaded schedule in a fixed order, with one seeded ChaCha generator.
//!
//! The public surface is small: [`Sim::new`], [`Sim::submit`], [`Sim::step`],
//! [`Sim::team_view`], [`Sim::facilitator_view`], [`Sim::outcome`]. Nothing outside this
//! module touches the ECS world.

pub mod command;
pub mod constants;
mod doctrine;
pub mod event;
mod objectives;
pub mod outcome;
mod systems;
pub mod view;
pub mod world;

pub use command::{Command, CommandError};
pub use event::{Audience, Event, EventKind};
pub use outcome::{Blame, ObjectiveOutcome, Outcome};
pub use view::{FacilitatorView, TeamView};
pub use world::Ref;
pub use world::{MessageKind, MessageStatus, Phase, Tlp};

use crate::scenario::{Rung, Scenario};
use bevy_ecs::prelude::{IntoScheduleConfigs, Schedule, World};
use bevy_ecs::schedule::SingleThreadedExecutor;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use world::*;

/// What the facilitator can do to steer a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Control {
    FireInject {
        id: String,
    },
    SkipInject {
        id: String,
    },
    DelayInject {
        id: String,
        minutes: u32,
    },
    /// An ad-hoc message or discussion question to a team.
    Message {
        team: String,
        subject: String,
        body: String,
    },
    /// From now on people play these teams and the engine plays the rest (a branch taken
    /// over by another team, or handed to the engine).
    Players {
        humans: Vec<String>,
    },
    /// From now on the run draws from a new seed (a branch whose future is re-rolled; the
    /// past stays as it was).
    Reseed {
        seed: u64,
    },
}

/// A running exercise.
pub struct Sim {
    world: World,
    schedule: Schedule,
    seed: u64,
}

impl Sim {
    /// A run where people play all the scenario's teams and the engine plays everyone else.
    pub fn new(scenario: &Scenario, seed: u64) -> Sim {
        Sim::build(scenario, seed, vec![true; scenario.teams.len()])
    }

    /// A headless run where the engine's doctrine plays every team too.
    pub fn headless(scenario: &Scenario, seed: u64) -> Sim {
        Sim::build(scenario, seed, vec![false; scenario.teams.len()])
    }

    /// A run where people play only these teams (unknown ids are ignored).
    pub fn with_players(scenario: &Scenario, seed: u64, teams: &[String]) -> Sim {
        let human = scenario
            .teams
            .iter()
            .map(|t| teams.contains(&t.id))
            .collect();
        Sim::build(scenario, seed, human)
    }

    fn build(scenario: &Scenario, seed: u64, human: Vec<bool>) -> Sim {
        let region = Region::from_scenario(scenario);
        let mut world = World::new();
        let start = jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M", &scenario.clock.start)
            .unwrap_or_else(|_| jiff::civil::date(2026, 3, 2).at(0, 0, 0, 0));
        let tick_minutes = scenario.clock.tick_minutes.max(1);
        world.insert_resource(Clock {
            tick: 0,
            tick_minutes,
            end_tick: scenario.clock.duration.minutes().div_ceil(tick_minutes),
            start_minute_of_day: start.hour() as u32 * 60 + start.minute() as u32,
            start_weekday: start.weekday().to_monday_zero_offset() as u32,
        });
        world.insert_resource(SimRng(ChaCha8Rng::seed_from_u64(seed)));
        let n = region.n_states();
        let mut h = vec![0.0; n * n];
        let mut hotline = vec![false; n * n];
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    h[a * n + b] = region.baseline[region.pair(a, b)];
                }
            }
        }
        for r in &scenario.relations {
            if let (Some(a), Some(b)) = (
                region.state_of_ref(&r.between.0),
                region.state_of_ref(&r.between.1),
            ) {
                hotline[region.pair(a, b)] = r.hotline;
            }
        }
        let mut tensions = Tensions {
            n,
            h0: h.clone(),
            h,
            rung: vec![Rung::Routine; n * n],
            peak: vec![Rung::Routine; n * n],
            since: vec![None; n * n],
            hotline_up: hotline.clone(),
            hotline,
            ledger: vec![Vec::new(); n * n],
            drift: vec![0.0; n * n],
            reliefs: Vec::new(),
        };
        for a in 0..n {
            for b in (a + 1)..n {
                let level = tensions.level(a, b);
                let rung = Rung::ALL
                    .iter()
                    .copied()
                    .filter(|r| level >= constants::rung_threshold(*r))
                    .max()
                    .unwrap_or(Rung::Routine);
                let p = tensions.pair(a, b);
                tensions.rung[p] = rung;
                tensions.peak[p] = rung;
            }
        }
        world.insert_resource(tensions);
        let mut entities = Entities::default();
        for s in 0..n {
            entities
                .states
                .push(world.spawn((StateIx(s), Mind::default())).id());
        }
        for a in 0..region.assets.len() {
            entities.assets.push(
                world
                    .spawn((AssetIx(a), Inoperability(0.0), Forcing::default()))
                    .id(),
            );
        }
        for (c, def) in scenario.contacts.iter().enumerate() {
            let status = ContactStatus {
                stale: def.stale,
                ..Default::default()
            };
            entities
                .contacts
                .push(world.spawn((ContactIx(c), status)).id());
        }
        world.insert_resource(entities);
        world.insert_resource(Facts {
            fired: vec![None; region.injects.len()],
            met: vec![None; region.objectives.len()],
            failed: vec![None; region.objectives.len()],
            downtime_h: vec![0.0; region.assets.len()],
            peak_q: vec![0.0; region.assets.len()],
            reasons: vec![None; region.objectives.len()],
            ..Default::default()
        });
        world.insert_resource(Incidents::default());
        world.insert_resource(EvidencePool::default());
        world.insert_resource(Mailroom::default());
        world.insert_resource(event::EventLog::default());
        world.insert_resource(Pending::default());
        world.insert_resource(systems::BeliefShifts::default());
        world.insert_resource(systems::RedLinesHit::default());
        world.insert_resource(Players { human });
        world.insert_resource(region);

        let mut schedule = Schedule::default();
        schedule.set_executor(SingleThreadedExecutor::new());
        schedule.add_systems(
            (
                systems::advance_clock,
                systems::fire_injects,
                systems::progress_incidents,
                systems::propagate_cascade,
                systems::detect_incidents,
                systems::move_messages,
                systems::apply_commands,
                doctrine::play_doctrine,
                systems::update_attribution,
                systems::update_escalation,
                objectives::evaluate_objectives,
            )
                .chain(),
        );
        Sim {
            world,
            schedule,
            seed,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Ticks run so far.
    pub fn tick(&self) -> u32 {
        self.world.resource::<Clock>().tick
    }

    pub fn end_tick(&self) -> u32 {
        self.world.resource::<Clock>().end_tick
    }

    pub fn tick_minutes(&self) -> u32 {
        self.world.resource::<Clock>().tick_minutes
    }

    pub fn is_over(&self) -> bool {
        self.world.resource::<Clock>().is_over()
    }

    /// Queues a team's command for the next tick, after checking it against what the team
    /// knows. The error says why it was refused; nothing is queued then.
    pub fn submit(&mut self, team: &str, command: Command) -> Result<(), CommandError> {
        let region = self.world.resource::<Region>().clone();
        let Some(Ref::Team(t)) = region.ids.get(team).copied() else {
            return Err(CommandError::UnknownTeam(team.to_string()));
        };
        let actor = command::Actor {
            state: region.teams[t].state,
            team: Some(t),
            org: None,
        };
        command::check(&self.world, actor, &command)?;
        self.world.resource_mut::<Pending>().0.push((t, command));
        Ok(())
    }

    /// Runs one tick. Returns false (and does nothing) once the exercise is over.
    pub fn step(&mut self) -> bool {
        if self.is_over() {
            return false;
        }
        self.schedule.run(&mut self.world);
        true
    }

    /// Runs to the end of the exercise.
    pub fn run_to_end(&mut self) {
        while self.step() {}
    }

    /// Everything that happened, in order (ground truth: for the facilitator and reports).
    pub fn events(&self) -> &[Event] {
        &self.world.resource::<event::EventLog>().0
    }

    /// One line describing an event, in the words of an exercise log.
    pub fn describe(&self, event: &Event) -> String {
        view::describe(&self.world, event)
    }

    /// Minutes since the start.
    pub fn minute(&self) -> u32 {
        self.tick() * self.tick_minutes()
    }

    /// What one team knows. Errors for an unknown team.
    pub fn team_view(&self, team: &str) -> Result<TeamView, CommandError> {
        view::team_view(&self.world, team)
    }

    /// The ground truth, for the facilitator.
    pub fn facilitator_view(&self) -> FacilitatorView {
        view::facilitator_view(&self.world)
    }

    /// The outcome so far (final once the exercise is over).
    pub fn outcome(&self) -> Outcome {
        outcome::outcome(&self.world, self.seed)
    }

    /// Applies a facilitator control action (journaled like team commands).
    pub fn control(&mut self, control: &Control) -> bool {
        // After the end nothing changes any more (the journal's end line is the last word);
        // who plays and the seed of the future are moot then, and a branch at the very end
        // still records them.
        if self.is_over() && !matches!(control, Control::Players { .. } | Control::Reseed { .. }) {
            return false;
        }
        match control {
            Control::FireInject { id } => self.fire_inject_now(id),
            Control::SkipInject { id } => self.skip_inject(id),
            Control::DelayInject { id, minutes } => self.delay_inject(id, *minutes),
            Control::Message {
                team,
                subject,
                body,
            } => {
                let region = self.world.resource::<Region>().clone();
                let Some(Ref::Team(t)) = region.ids.get(team).copied() else {
                    return false;
                };
                systems::deliver_control(
                    &mut self.world,
                    &region,
                    t,
                    "Exercise control",
                    subject,
                    body,
                )
                .is_some()
            }
            Control::Players { humans } => {
                let region = self.world.resource::<Region>();
                if humans
                    .iter()
                    .any(|h| !region.teams.iter().any(|t| &t.id == h))
                {
                    return false;
                }
                let human = region
                    .teams
                    .iter()
                    .map(|t| humans.contains(&t.id))
                    .collect();
                self.world.insert_resource(Players { human });
                true
            }
            Control::Reseed { seed } => {
                self.world
                    .insert_resource(SimRng(ChaCha8Rng::seed_from_u64(*seed)));
                self.seed = *seed;
                true
            }
        }
    }

    /// The teams people play now.
    pub fn humans(&self) -> Vec<String> {
        let region = self.world.resource::<Region>();
        let players = self.world.resource::<Players>();
        region
            .teams
            .iter()
            .zip(&players.human)
            .filter(|(_, h)| **h)
            .map(|(t, _)| t.id.clone())
            .collect()
    }

    /// Facilitator control: fire an inject at the next tick, ignoring its time and condition.
    pub fn fire_inject_now(&mut self, id: &str) -> bool {
        let Some(i) = self.world.resource::<Region>().inject_index(id) else {
            return false;
        };
        let mut facts = self.world.resource_mut::<Facts>();
        facts.skipped.remove(&i);
        facts.fire_now.insert(i)
    }

    /// Facilitator control: never fire this inject.
    pub fn skip_inject(&mut self, id: &str) -> bool {
        let Some(i) = self.world.resource::<Region>().inject_index(id) else {
            return false;
        };
        self.world.resource_mut::<Facts>().skipped.insert(i)
    }

    /// Facilitator control: hold this inject back for `minutes` from now.
    pub fn delay_inject(&mut self, id: &str, minutes: u32) -> bool {
        let Some(i) = self.world.resource::<Region>().inject_index(id) else {
            return false;
        };
        let clock = *self.world.resource::<Clock>();
        let until = clock.tick + clock.ticks_for(minutes);
        self.world.resource_mut::<Facts>().delayed.insert(i, until);
        true
    }
}
