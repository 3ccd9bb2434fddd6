//! cyberdrill: a tabletop cyber-crisis exercise simulator.
//!
//! `scenario` reads and checks RON scenario files; `cli` holds the command implementations
//! the binary dispatches to.

pub mod analysis;
pub mod builtin;
pub mod cli;
pub mod evaluation;
pub mod exercise;
pub mod exit;
pub mod journal;
pub mod report;
pub mod scenario;
pub mod serve;
pub mod sim;
pub mod tui;
pub mod wall;
