//! The simulation engine: a bevy_ecs `World` built from a checked scenario, run by one
//! single-threaded schedule in a fixed order, with one seeded ChaCha generator.
//!
//! The public surface is small: [`Sim::new`], [`Sim::submit`], [`Sim::step`],
//! [`Sim::team_view`], [`Sim::facilitator_view`], [`Sim::outcome`]. Nothing outside this
//! module touches the ECS world: `world`, `effects` and the systems are private to the crate.

pub mod command;
pub mod constants;
mod doctrine;
pub(crate) mod effects;
pub mod event;
mod objectives;
pub mod outcome;
pub(crate) mod resolved;
mod systems;
pub mod view;
pub(crate) mod world;

pub use command::{Command, CommandError};
pub use event::{Audience, Event, EventKind};
pub use outcome::{Blame, ObjectiveOutcome, Outcome};
pub use view::{FacilitatorView, TeamView};
pub use world::Ref;
pub use world::{MessageKind, MessageStatus, Phase, Tlp};

use crate::scenario::{Rung, Valid};
use bevy_ecs::prelude::{IntoScheduleConfigs, Schedule, World};
use bevy_ecs::schedule::SingleThreadedExecutor;
use bevy_ecs::system::SystemState;
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
    /// The scenario is a checked one ([`Valid`]): every id it refers to resolves.
    pub fn new(scenario: &Valid, seed: u64) -> Sim {
        Sim::build(scenario, seed, vec![true; scenario.teams.len()])
    }

    /// A headless run where the engine's doctrine plays every team too.
    pub fn headless(scenario: &Valid, seed: u64) -> Sim {
        Sim::build(scenario, seed, vec![false; scenario.teams.len()])
    }

    /// A run where people play only these teams (unknown ids are ignored).
    pub fn with_players(scenario: &Valid, seed: u64, teams: &[String]) -> Sim {
        let human = scenario
            .teams
            .iter()
            .map(|t| teams.contains(&t.id))
            .collect();
        Sim::build(scenario, seed, human)
    }

    fn build(scenario: &Valid, seed: u64, human: Vec<bool>) -> Sim {
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
        world.insert_resource(Minds(vec![Mind::default(); n]));
        for _ in &region.assets {
            entities
                .assets
                .push(world.spawn((Inoperability(0.0), Forcing::default())).id());
        }
        for def in &scenario.contacts {
            let status = ContactStatus {
                stale: def.stale,
                ..Default::default()
            };
            entities.contacts.push(world.spawn(status).id());
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
        world.insert_resource(command::Pending::default());
        world.insert_resource(systems::BeliefShifts::default());
        world.insert_resource(systems::RedLinesHit::default());
        world.insert_resource(resolved::Revisions::default());
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
                // Skipped on the (many) ticks without commands: fetching its data costs
                // more than the nothing it would do.
                systems::apply_commands.run_if(systems::commands_pending),
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
        let region = self.world.resource::<Region>();
        let Some(Ref::Team(t)) = region.ids.get(team).copied() else {
            return Err(CommandError::UnknownTeam(team.to_string()));
        };
        let actor = command::Actor {
            state: region.teams[t].state,
            team: Some(t),
            org: None,
        };
        let order = command::resolve(effects::Read::of(&self.world), actor, &command)?;
        self.world
            .resource_mut::<command::Pending>()
            .0
            .push((t, order));
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

    /// The discussion questions posed at this tick that ask for the clock to pause
    /// (`pause: true`), each with the ids of the teams it is addressed to (empty: the whole
    /// room); `play` and `serve` pause their clock on them.
    pub fn pausing_questions(&self) -> Vec<(String, Vec<String>)> {
        view::pausing_questions_now(&self.world)
    }

    /// The ground truth, for the facilitator.
    pub fn facilitator_view(&self) -> FacilitatorView {
        view::facilitator_view(&self.world)
    }

    /// What the room's wall display shows: only what every team sees, and the ground truth
    /// once `revealed`.
    pub fn wall_view(&self, revealed: bool) -> view::WallView {
        view::wall_view(&self.world, revealed)
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
                let Some(Ref::Team(t)) = self.world.resource::<Region>().ids.get(team).copied()
                else {
                    return false;
                };
                let mut state = SystemState::<effects::Effects>::new(&mut self.world);
                let Ok(mut fx) = state.get_mut(&mut self.world) else {
                    return false;
                };
                let sent = effects::deliver_control(&mut fx, t, "Exercise control", subject, body);
                state.apply(&mut self.world);
                sent.is_some()
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

    /// Facilitator control: fire an inject at the next tick, ignoring its time and condition
    /// (and a skip or a delay). On the facilitator's timeline as "fired … early".
    pub fn fire_inject_now(&mut self, id: &str) -> bool {
        let Some(i) = self.world.resource::<Region>().inject_index(id) else {
            return false;
        };
        let mut facts = self.world.resource_mut::<Facts>();
        facts.skipped.remove(&i);
        let queued = facts.fire_now.insert(i);
        // An inject that has fired already fires no more: nothing to put on the timeline
        // (a journal may still hold such a control; it is accepted as before).
        let effective = queued && facts.fired[i].is_none();
        if effective {
            self.log_control(i, event::InjectControl::Fire);
        }
        queued
    }

    /// Facilitator control: never fire this inject (for an `Incident` inject: the whole
    /// incident never happens).
    pub fn skip_inject(&mut self, id: &str) -> bool {
        let Some(i) = self.world.resource::<Region>().inject_index(id) else {
            return false;
        };
        let mut facts = self.world.resource_mut::<Facts>();
        let new = facts.skipped.insert(i);
        let effective = new && facts.fired[i].is_none();
        if effective {
            self.log_control(i, event::InjectControl::Skip);
        }
        new
    }

    /// Facilitator control: hold this inject back `minutes` more. It fires no earlier than
    /// `minutes` past the latest of now, its scheduled time (`at`) and any earlier delay: two
    /// delays of 30 minutes hold a timed inject back an hour past its time; a conditional one
    /// still waits for its condition after that. [`Sim::inject_delay`] tells the minute.
    ///
    /// (Until issue 19 a delay meant "not before now + minutes", so an inject due later
    /// than that fired on time anyway; journals holding a delay replay with this meaning.)
    pub fn delay_inject(&mut self, id: &str, minutes: u32) -> bool {
        let region = self.world.resource::<Region>();
        let Some(i) = region.inject_index(id) else {
            return false;
        };
        let at = region.injects[i].at.map(|a| a.minutes());
        let clock = *self.world.resource::<Clock>();
        let facts = self.world.resource::<Facts>();
        // One that has fired is past delaying (accepted, as it always was, and ignored).
        if facts.fired[i].is_some() {
            return true;
        }
        let previous = facts
            .delayed
            .get(&i)
            .map(|&t| t.saturating_mul(clock.tick_minutes));
        let tick = delayed_tick(clock.tick, clock.tick_minutes, at, previous, minutes);
        self.world.resource_mut::<Facts>().delayed.insert(i, tick);
        self.log_control(
            i,
            event::InjectControl::Delay {
                to_minute: tick.saturating_mul(clock.tick_minutes),
            },
        );
        true
    }

    /// The earliest minute a delayed inject may fire (none: it is not delayed).
    pub fn inject_delay(&self, id: &str) -> Option<u32> {
        let i = self.world.resource::<Region>().inject_index(id)?;
        let clock = self.world.resource::<Clock>();
        self.world
            .resource::<Facts>()
            .delayed
            .get(&i)
            .map(|&t| t.saturating_mul(clock.tick_minutes))
    }

    /// Puts a facilitator's control of an inject on the facilitator's timeline.
    fn log_control(&mut self, inject: usize, action: event::InjectControl) {
        let tick = self.world.resource::<Clock>().tick;
        self.world.resource_mut::<event::EventLog>().push(
            tick,
            EventKind::Facilitator { inject, action },
            Audience::Facilitator,
        );
    }
}

/// The tick before which a delayed inject may not fire: `minutes` past the latest of now, its
/// scheduled minute and an earlier delay's minute, rounded up to a tick, and at least the next
/// tick.
fn delayed_tick(
    now_tick: u32,
    tick_minutes: u32,
    at: Option<u32>,
    previous: Option<u32>,
    minutes: u32,
) -> u32 {
    let tick_minutes = tick_minutes.max(1);
    let from = [Some(now_tick.saturating_mul(tick_minutes)), at, previous]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
    from.saturating_add(minutes)
        .div_ceil(tick_minutes)
        .max(now_tick.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Condition, Inject, InjectKind, Span};

    /// The flagship, with extra question injects (they change nothing in the world) that wait
    /// on a condition.
    fn flagship_with(extra: Vec<Inject>) -> Valid {
        let b = crate::builtin::find("flagship").expect("built-in flagship");
        let mut s = crate::scenario::from_str(b.file, b.source)
            .expect("flagship is valid")
            .into_inner();
        s.injects.extend(extra);
        Valid::check(s).expect("the questions are valid")
    }

    fn question(id: &str, at: Option<u32>, when: Condition) -> Inject {
        Inject {
            id: id.into(),
            at: at.map(Span::from_minutes),
            when: Some(when),
            until: None,
            kind: InjectKind::Question {
                text: format!("{id}?"),
                to: Vec::new(),
                pause: false,
            },
        }
    }

    /// The tick an inject fired at, stepping as far as `limit`.
    fn fired_at(sim: &mut Sim, id: &str, limit: u32) -> Option<u32> {
        let i = sim.world.resource::<Region>().inject_index(id)?;
        while sim.tick() < limit {
            if let Some(t) = sim.world.resource::<Facts>().fired[i] {
                return Some(t);
            }
            sim.step();
        }
        sim.world.resource::<Facts>().fired[i]
    }

    fn status(sim: &Sim, id: &str) -> String {
        let view = sim.facilitator_view();
        let row = view.injects.iter().find(|r| r.id == id).expect("a row");
        row.status.words()
    }

    #[test]
    fn the_flagship_fires_ddos_vcb_at_one_hour() {
        let mut sim = Sim::headless(&flagship_with(Vec::new()), 1);
        assert_eq!(fired_at(&mut sim, "ddos-vcb", 40), Some(12));
    }

    #[test]
    fn a_delay_holds_a_timed_inject_past_its_time() {
        // ddos-vcb is due at +01:00 (tick 12 of 5 minutes); delayed at +00:00, it fires at
        // +01:30, not at +01:00, and is labelled delayed until then.
        let mut sim = Sim::headless(&flagship_with(Vec::new()), 1);
        assert!(sim.delay_inject("ddos-vcb", 30));
        assert_eq!(sim.inject_delay("ddos-vcb"), Some(90));
        for _ in 0..17 {
            sim.step();
            assert_eq!(
                status(&sim, "ddos-vcb"),
                "delayed to +01:30",
                "{}",
                sim.tick()
            );
        }
        assert_eq!(fired_at(&mut sim, "ddos-vcb", 40), Some(18));
        assert_eq!(status(&sim, "ddos-vcb"), "fired at +01:30");
        // On the facilitator's timeline, at the moment it was delayed.
        let view = sim.facilitator_view();
        assert!(
            view.timeline
                .contains(&(0, "Facilitator delayed inject ddos-vcb to +01:30".into())),
            "{:?}",
            &view.timeline[..5]
        );
    }

    #[test]
    fn two_delays_add_up() {
        // Twice at once: an hour past its time.
        let mut sim = Sim::headless(&flagship_with(Vec::new()), 1);
        assert!(sim.delay_inject("ddos-vcb", 30));
        assert!(sim.delay_inject("ddos-vcb", 30));
        assert_eq!(sim.inject_delay("ddos-vcb"), Some(120));
        assert_eq!(fired_at(&mut sim, "ddos-vcb", 40), Some(24));

        // Once at the start, once more at +01:20 (before the first delay ran out): +02:00.
        let mut sim = Sim::headless(&flagship_with(Vec::new()), 1);
        assert!(sim.delay_inject("ddos-vcb", 30));
        for _ in 0..16 {
            sim.step();
        }
        assert!(sim.delay_inject("ddos-vcb", 30));
        assert_eq!(sim.inject_delay("ddos-vcb"), Some(120));
        assert_eq!(status(&sim, "ddos-vcb"), "delayed to +02:00");
        assert_eq!(fired_at(&mut sim, "ddos-vcb", 40), Some(24));
    }

    #[test]
    fn a_conditional_inject_is_delayed_past_now_its_time_and_its_last_delay() {
        // news-standoff fires at +00:10 (tick 2): `after-standoff` would fire at tick 3.
        let after = || {
            question(
                "after-standoff",
                None,
                Condition::InjectFired("news-standoff".into()),
            )
        };
        let mut sim = Sim::headless(&flagship_with(vec![after()]), 1);
        assert_eq!(fired_at(&mut sim, "after-standoff", 40), Some(3));

        // Delayed at +00:00 (no time of its own): not before +00:30.
        let mut sim = Sim::headless(&flagship_with(vec![after()]), 1);
        assert!(sim.delay_inject("after-standoff", 30));
        assert_eq!(sim.inject_delay("after-standoff"), Some(30));
        // Again at +00:20: 30 minutes past the first delay, the later of now and it.
        for _ in 0..4 {
            sim.step();
        }
        assert!(sim.delay_inject("after-standoff", 30));
        assert_eq!(sim.inject_delay("after-standoff"), Some(60));
        assert_eq!(fired_at(&mut sim, "after-standoff", 40), Some(12));

        // With a time already past: 30 minutes from now.
        let late = question(
            "late",
            Some(10),
            Condition::InjectFired("news-standoff".into()),
        );
        let never = question("never", Some(10), Condition::InjectFired("q-phase4".into()));
        let mut sim = Sim::headless(&flagship_with(vec![late, never]), 1);
        assert!(sim.delay_inject("late", 30));
        assert_eq!(sim.inject_delay("late"), Some(40), "max(now, at) + 30");
        for _ in 0..4 {
            sim.step();
        }
        assert!(sim.delay_inject("never", 30));
        assert_eq!(
            sim.inject_delay("never"),
            Some(50),
            "now +00:20 is after its +00:10"
        );
        assert_eq!(fired_at(&mut sim, "late", 40), Some(8));
        // Past its delay and still waiting on its condition, it stays labelled delayed.
        assert_eq!(fired_at(&mut sim, "never", 20), None);
        assert_eq!(status(&sim, "never"), "delayed to +00:50");
    }

    #[test]
    fn a_fired_inject_is_past_delaying() {
        let mut sim = Sim::headless(&flagship_with(Vec::new()), 1);
        assert_eq!(fired_at(&mut sim, "news-standoff", 10), Some(2));
        let events = sim.events().len();
        // Accepted (journals may hold such a control), and nothing changes.
        assert!(sim.delay_inject("news-standoff", 30));
        assert_eq!(sim.inject_delay("news-standoff"), None);
        assert_eq!(sim.events().len(), events);
        assert!(!sim.delay_inject("no-such-inject", 30));
    }

    #[test]
    fn fire_and_skip_are_on_the_facilitators_timeline_only() {
        let mut sim = Sim::new(&flagship_with(Vec::new()), 1);
        assert!(sim.skip_inject("ddos-vcb"));
        assert!(sim.fire_inject_now("q-phase1"));
        sim.step();
        let lines: Vec<String> = sim
            .facilitator_view()
            .timeline
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert!(
            lines.contains(
                &"Facilitator skipped inject ddos-vcb (the incident will not happen)".to_string()
            ),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"Facilitator fired inject q-phase1 early (due at +04:00)".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"inject q-phase1 fired".to_string()));
        assert_eq!(fired_at(&mut sim, "ddos-vcb", 30), None, "skipped");
        for team in ["team-varesh", "team-kelmora", "team-toravia"] {
            let view = sim.team_view(team).unwrap();
            assert!(
                view.timeline
                    .iter()
                    .all(|(_, l)| !l.contains("Facilitator")),
                "{team}"
            );
        }
    }

    #[test]
    fn the_queue_is_sorted_by_the_earliest_time() {
        let mut sim = Sim::headless(&flagship_with(Vec::new()), 1);
        assert!(sim.delay_inject("ddos-vcb", 120));
        let rows = sim.facilitator_view().injects;
        let times: Vec<Option<u32>> = rows.iter().map(|r| r.earliest_minute).collect();
        let timed = times.iter().take_while(|t| t.is_some()).count();
        assert!(times[timed..].iter().all(Option::is_none));
        assert!(times[..timed].windows(2).all(|w| w[0] <= w[1]), "{times:?}");
        let ddos = rows.iter().find(|r| r.id == "ddos-vcb").unwrap();
        assert_eq!(ddos.earliest_minute, Some(180));
        assert_eq!(ddos.at_minute, Some(60));
        // Equal times keep scenario order.
        let briefs: Vec<&str> = rows.iter().take(3).map(|r| r.id.as_str()).collect();
        assert_eq!(briefs, ["brief-varesh", "brief-kelmora", "brief-toravia"]);
    }

    #[test]
    fn a_command_that_no_longer_holds_leaves_an_event_for_its_team() {
        let mut sim = Sim::new(&flagship_with(Vec::new()), 1);
        sim.step();
        let view = sim.team_view("team-varesh").unwrap();
        let message = view.inbox.first().expect("the brief is in the inbox").id;
        // Both are accepted (the message is unacknowledged when they are submitted); the
        // second no longer holds once the first has run.
        for _ in 0..2 {
            sim.submit("team-varesh", Command::Acknowledge { message })
                .unwrap();
        }
        sim.step();
        let dropped: Vec<String> = sim
            .team_view("team-varesh")
            .unwrap()
            .timeline
            .into_iter()
            .map(|(_, line)| line)
            .filter(|line| line.contains("could not be carried out"))
            .collect();
        assert_eq!(
            dropped,
            [format!(
                "Varesh (VarCERT + MFA): the acknowledge could not be carried out (message #{message} is already acknowledged)"
            )]
        );
        for other in ["team-kelmora", "team-toravia"] {
            let view = sim.team_view(other).unwrap();
            assert!(
                view.timeline
                    .iter()
                    .all(|(_, l)| !l.contains("could not be carried out")),
                "{other}"
            );
        }
    }
}
