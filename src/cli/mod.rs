//! The command-line interface: argument types and one function per subcommand.
//!
//! `main.rs` only parses and dispatches; each subcommand returns the process exit code.

pub mod check;
pub mod compare;
pub mod import;
pub mod replay;
pub mod report;
pub mod run;
pub mod sweep;

use crate::exercise::{Error, LoadError, ReplayError, load};
pub use crate::exit::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::report::table;
use std::io::IsTerminal;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// cyberdrill: a tabletop cyber-crisis exercise simulator.
#[derive(Debug, Parser)]
#[command(name = "cyberdrill", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Play an exercise in the terminal, as a team or as the facilitator.
    Play {
        /// Scenario file or `builtin:NAME` (default: the built-in flagship).
        scenario: Option<String>,
        /// The team to play (its id in the scenario).
        #[arg(long = "as", value_name = "TEAM", conflicts_with = "facilitator")]
        team: Option<String>,
        /// Play as the facilitator (sees the ground truth, steers injects and pace).
        #[arg(long)]
        facilitator: bool,
        /// Observe a team (or `all`) as an evaluator while the engine plays every team: its
        /// screen read-only, the ground truth, and an evaluation guide for notes and ratings.
        #[arg(long, value_name = "TEAM", conflicts_with_all = ["team", "facilitator"])]
        observe: Option<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the journal (default: cyberdrill-<scenario>-seed<N>.jsonl here).
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
        /// Continue a session from its journal after a crash or a quit.
        #[arg(long, value_name = "JOURNAL", conflicts_with_all = ["scenario", "journal"])]
        resume: Option<PathBuf>,
        #[command(flatten)]
        branch: BranchArgs,
        /// Also serve a read-only wall display for the room's projector on this address
        /// and port (e.g. 0.0.0.0:8080): the clock, the news and the public events, the
        /// questions; the ground truth when the facilitator reveals it (R).
        #[arg(long, value_name = "ADDR:PORT")]
        wall: Option<String>,
    },
    /// Serve an exercise over SSH: each team and the facilitator join with `ssh`.
    Serve {
        /// Scenario file or `builtin:NAME` (default: the built-in flagship).
        scenario: Option<String>,
        /// Address and port to listen on (0.0.0.0:2222 for other machines).
        #[arg(long, default_value = crate::serve::DEFAULT_LISTEN, value_name = "ADDR:PORT")]
        listen: String,
        /// Who may log in: the teams file (`--init-teams` writes one).
        #[arg(long, default_value = "cyberdrill-teams.ron", value_name = "FILE")]
        teams: PathBuf,
        /// Write a teams file with random passwords for every team, print them, and exit.
        #[arg(long)]
        init_teams: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the journal (default: cyberdrill-<scenario>-seed<N>.jsonl here).
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
        /// Continue a served exercise from its journal (after the server stopped).
        #[arg(long, value_name = "JOURNAL", conflicts_with_all = ["scenario", "journal", "init_teams"])]
        resume: Option<PathBuf>,
        #[command(flatten)]
        branch: BranchArgs,
        /// Also serve a read-only wall display for the room's projector on this address
        /// and port (e.g. 0.0.0.0:8080): the clock, the news and the public events, the
        /// questions; the ground truth when the facilitator reveals it (R).
        #[arg(long, value_name = "ADDR:PORT")]
        wall: Option<String>,
        /// The server's SSH host key; generated there on first start and kept.
        #[arg(long, default_value = crate::serve::DEFAULT_HOST_KEY, value_name = "FILE")]
        host_key: PathBuf,
        /// Most sessions open at once.
        #[arg(long, default_value_t = crate::serve::DEFAULT_MAX_SESSIONS as u16, value_parser = clap::value_parser!(u16).range(1..=1000))]
        max_sessions: u16,
        /// Most sessions open at once per team (and for the facilitator).
        #[arg(long, default_value_t = crate::serve::DEFAULT_MAX_PER_TEAM as u16, value_parser = clap::value_parser!(u16).range(1..=1000))]
        max_per_team: u16,
    },
    /// Check scenario files: exit 0 if all are valid, 1 if any is invalid, 2 on I/O errors.
    Check {
        /// Scenario files (RON).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Output format: human-readable diagnostics, or JSON for editors.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run a scenario headless: the engine's doctrine plays every team; prints the outcome.
    Run {
        /// Scenario file, or `builtin:NAME` (see `cyberdrill scenarios`); not with --branch.
        scenario: Option<String>,
        /// The seed (default 1). With --branch: re-roll the future from this seed (default:
        /// the parent's random stream continues).
        #[arg(long)]
        seed: Option<u64>,
        #[command(flatten)]
        branch: BranchArgs,
        /// Write a journal (JSONL) that `replay` can check.
        #[arg(long, value_name = "FILE")]
        journal: Option<PathBuf>,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
        /// Also print the full event log (ground truth) before the outcome.
        #[arg(long)]
        timeline: bool,
    },
    /// Re-run a journal and verify the outcome is identical.
    Replay {
        journal: PathBuf,
        /// Stop at this tick and print the outcome there.
        #[arg(long)]
        until: Option<u32>,
        /// Use this scenario file instead of the one the journal names.
        #[arg(long)]
        scenario: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Monte-Carlo over seeds: distributions of the outcome metrics.
    Sweep {
        /// Scenario file or `builtin:NAME`; not with --branch.
        scenario: Option<String>,
        #[command(flatten)]
        branch: BranchArgs,
        #[command(flatten)]
        seeds: Seeds,
        /// Override one value of the scenario, e.g. `relations[varesh,kelmora].hotline=false`
        /// (repeatable; see docs/authoring.md).
        #[arg(long = "set", value_name = "PATH=VALUE")]
        sets: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Run two scenarios (or a scenario and a variant) on the same seeds and compare every
    /// metric of `sweep`, with 95% intervals of the difference.
    Compare {
        /// Scenario A: a file or `builtin:NAME`; or a sweep JSON file (`sweep --json`, `merge
        /// --json`), then B must be one too and the runs in them are compared.
        a: String,
        /// Scenario B (default: A again, changed by --set), or a sweep JSON file.
        b: Option<String>,
        #[command(flatten)]
        seeds: Seeds,
        /// Override a value of A (repeatable), e.g. `states[varesh].government_control=0.9`.
        #[arg(long = "set-a", value_name = "PATH=VALUE")]
        set_a: Vec<String>,
        /// Override a value of B (repeatable), e.g. `relations[varesh,kelmora].hotline=false`.
        #[arg(long = "set", visible_alias = "set-b", value_name = "PATH=VALUE")]
        set_b: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Merge sweep JSON files from several shards into one summary.
    Merge {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The after-action report of a journal (from `play` or `run --journal`).
    Report {
        journal: PathBuf,
        #[arg(long, value_enum, default_value_t = report::ReportFormat::Md)]
        format: report::ReportFormat,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Use this scenario file instead of the one the journal names.
        #[arg(long)]
        scenario: Option<String>,
        /// Place the run among N runs of the same scenario with the engine playing every
        /// team (seeds 0..N): per objective how often the engine meets it, per measure the
        /// run's percentile.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
        baseline: Option<u64>,
        /// The HSEEP After-Action Report / Improvement Plan: objectives with the engine's
        /// result and the observers' ratings, strengths and areas for improvement, the
        /// decision log, the Improvement Plan (Markdown or HTML).
        #[arg(long)]
        aar: bool,
        /// Write the Improvement Plan as CSV, one row per area for improvement.
        #[arg(long, value_name = "FILE")]
        ip_csv: Option<PathBuf>,
    },
    /// Compare two runs of one scenario (a branch and its parent, or two played runs): where
    /// they part, and what ends differently.
    Diff {
        a: PathBuf,
        b: PathBuf,
        /// How many of the events only one run has to list per side.
        #[arg(long, default_value_t = 20)]
        events: usize,
        #[arg(long)]
        json: bool,
    },
    /// Turn a Master Scenario Events List (CSV, or T3SF-style JSON) into a scenario: each row
    /// an inject at its time to the team it names; what cannot be mapped is listed for you to
    /// complete (`check` shows it).
    Import {
        /// The MSEL: a CSV file with a header row, or a JSON list of injects.
        msel: PathBuf,
        /// Write the scenario here (default: standard output).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Add the injects to this scenario's world and teams instead of a placeholder world.
        #[arg(long, value_name = "SCENARIO")]
        base: Option<String>,
    },
    /// Draw the world a scenario sets up: states, organisations and their points of contact,
    /// assets and their dependencies, relations.
    Graph {
        /// Scenario file or `builtin:NAME`.
        scenario: String,
        #[arg(long, value_enum, default_value_t = GraphFormat::Svg)]
        format: GraphFormat,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List the built-in scenarios.
    Scenarios,
}

/// A branch: continue a journaled run differently from a moment of it.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BranchArgs {
    /// Branch from this journal: rebuild its run exactly up to --at, then go on from there.
    #[arg(long, value_name = "JOURNAL", requires = "at")]
    pub branch: Option<PathBuf>,
    /// The branch point: `+HH:MM` since the start (e.g. `+12:00`) or a tick number.
    #[arg(long, value_name = "TIME", requires = "branch")]
    pub at: Option<String>,
}

impl BranchArgs {
    /// The branch point, when both `--branch` and `--at` are given (clap requires both).
    pub fn point(&self) -> Option<crate::exercise::branch::BranchFrom> {
        Some(crate::exercise::branch::BranchFrom {
            parent: self.branch.clone()?,
            at: self.at.clone()?,
        })
    }
}

/// Which seeds a sweep or a comparison runs, and on how many threads.
#[derive(Debug, Clone, clap::Args)]
pub struct Seeds {
    /// Number of runs (seeds from --seeds' start, default 0).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seed range `A..B` (B excluded).
    #[arg(long, value_parser = sweep::parse_range)]
    pub seeds: Option<(u64, u64)>,
    /// Worker threads (default: all cores; the result does not depend on it).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// What `graph` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT, for `dot -Tpng` and friends.
    Dot,
    /// A self-contained SVG, drawn without Graphviz.
    Svg,
}

/// How `check` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// Prints an error, with the diagnostics it carries, and gives its exit code: the one place
/// where an error becomes what the process says and how it exits.
pub fn fail(error: impl Into<Error>) -> u8 {
    let error = error.into();
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let load = match &error {
        Error::Load(l) => Some(l),
        Error::Replay(ReplayError::Load { source, .. }) => Some(source),
        _ => None,
    };
    if let Some(l) = load {
        if let Some(details) = l.details(color) {
            eprint!("{details}");
        }
        if matches!(error, Error::Replay(_)) {
            eprintln!("error: {l}");
        }
    }
    eprintln!("error: {error}");
    exit_code(&error)
}

/// The exit code of an error: 2 for usage and I/O, 1 for invalid input or a stopped exercise.
pub fn exit_code(error: &Error) -> u8 {
    let load = |l: &LoadError| match l {
        LoadError::UnknownBuiltin { .. } | LoadError::Unreadable { .. } => EXIT_USAGE,
        LoadError::Invalid { .. } | LoadError::Override { .. } => EXIT_INVALID,
    };
    match error {
        Error::Load(l) | Error::Replay(ReplayError::Load { source: l, .. }) => load(l),
        Error::Replay(ReplayError::Usage(_)) | Error::Usage(_) => EXIT_USAGE,
        Error::Replay(ReplayError::Invalid(_))
        | Error::Invalid(_)
        | Error::Stopped(_)
        | Error::Terminal(_) => EXIT_INVALID,
    }
}

/// The exit code of a command that returns nothing but its errors.
fn done(result: Result<(), Error>) -> u8 {
    result.map_or_else(fail, |()| EXIT_OK)
}

/// Runs the parsed command; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Play {
            scenario,
            team,
            facilitator,
            observe,
            seed,
            journal,
            resume,
            branch,
            wall,
        } => done(crate::tui::play(crate::tui::PlayOptions {
            scenario,
            team,
            facilitator,
            observe,
            seed,
            journal,
            resume,
            branch: branch.point(),
            wall,
        })),
        Command::Serve {
            scenario,
            listen,
            teams,
            init_teams,
            seed,
            journal,
            resume,
            host_key,
            max_sessions,
            max_per_team,
            branch,
            wall,
        } => done(crate::serve::serve(crate::serve::ServeOptions {
            branch: branch.point(),
            wall,
            scenario,
            listen,
            teams,
            seed,
            journal,
            resume,
            host_key,
            init_teams,
            max_sessions: usize::from(max_sessions),
            max_per_team: usize::from(max_per_team),
        })),
        Command::Check { files, format } => check::run(&files, format),
        Command::Run {
            scenario,
            seed,
            branch,
            journal,
            json,
            timeline,
        } => run::run(
            scenario.as_deref(),
            seed,
            &branch,
            journal.as_deref(),
            json,
            timeline,
        ),
        Command::Replay {
            journal,
            until,
            scenario,
            json,
        } => replay::run(&journal, until, scenario.as_deref(), json),
        Command::Sweep {
            scenario,
            branch,
            seeds,
            sets,
            json,
        } => sweep::run(scenario.as_deref(), &branch, &seeds, &sets, json),
        Command::Compare {
            a,
            b,
            seeds,
            set_a,
            set_b,
            json,
        } => compare::run(&compare::CompareOptions {
            a,
            b,
            seeds,
            set_a,
            set_b,
            json,
        }),
        Command::Merge { files, json } => sweep::merge(&files, json),
        Command::Report {
            journal,
            format,
            output,
            scenario,
            baseline,
            aar,
            ip_csv,
        } => {
            if aar && format == report::ReportFormat::Json {
                eprintln!(
                    "error: --aar is Markdown or HTML; the JSON report holds the observations and decisions already (its `evaluation`)"
                );
                return EXIT_USAGE;
            }
            report::run(
                &journal,
                format,
                output.as_deref(),
                scenario.as_deref(),
                baseline,
                aar,
                ip_csv.as_deref(),
            )
        }
        Command::Diff { a, b, events, json } => match crate::report::diff::diff(&a, &b) {
            Ok(d) => {
                table::emit(&d, json, |d| crate::report::diff::text(d, events));
                EXIT_OK
            }
            Err(e) => fail(e),
        },
        Command::Import { msel, output, base } => {
            import::run(&msel, output.as_deref(), base.as_deref())
        }
        Command::Graph {
            scenario,
            format,
            output,
        } => {
            let loaded = match load::load(&scenario) {
                Ok(l) => l,
                Err(e) => return fail(e),
            };
            let text = match format {
                GraphFormat::Dot => crate::report::graph::dot(&loaded.scenario),
                GraphFormat::Svg => crate::report::graph::svg(&loaded.scenario) + "\n",
            };
            report::write_output(&text, output.as_deref())
        }
        Command::Scenarios => {
            for b in crate::builtin::SCENARIOS {
                let title = crate::scenario::from_str(b.file, b.source)
                    .map(|s| s.into_inner().meta.title)
                    .unwrap_or_default();
                println!("builtin:{:<22} {title}", b.name);
            }
            EXIT_OK
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_the_exit_code_of_its_kind() {
        let unreadable = || LoadError::Unreadable {
            reference: "x.ron".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        let invalid = || LoadError::Override {
            reference: "x.ron".into(),
            rendered: String::new(),
        };
        let cases = [
            (Error::Load(unreadable()), EXIT_USAGE),
            (Error::Load(invalid()), EXIT_INVALID),
            (
                Error::Replay(ReplayError::Load {
                    reference: "x.ron".into(),
                    source: unreadable(),
                }),
                EXIT_USAGE,
            ),
            (
                Error::Replay(ReplayError::Load {
                    reference: "x.ron".into(),
                    source: invalid(),
                }),
                EXIT_INVALID,
            ),
            (Error::Replay(ReplayError::Usage(String::new())), EXIT_USAGE),
            (
                Error::Replay(ReplayError::Invalid(String::new())),
                EXIT_INVALID,
            ),
            (Error::Usage(String::new()), EXIT_USAGE),
            (Error::Invalid(String::new()), EXIT_INVALID),
            (Error::Stopped(String::new()), EXIT_INVALID),
        ];
        for (error, code) in cases {
            assert_eq!(exit_code(&error), code, "{error:?}");
        }
    }

    #[test]
    fn a_journal_whose_scenario_fails_names_both() {
        let error = Error::Replay(ReplayError::Load {
            reference: "builtin:nope".into(),
            source: LoadError::UnknownBuiltin {
                name: "nope".into(),
                known: vec!["flagship".into()],
            },
        });
        assert_eq!(
            error.to_string(),
            "cannot load the journal's scenario builtin:nope"
        );
        let Error::Replay(ReplayError::Load { source, .. }) = &error else {
            unreachable!()
        };
        assert_eq!(
            source.to_string(),
            "no built-in scenario `nope` (built-in: flagship)"
        );
    }
}
