//! The end-to-end tests: every test that runs the real `cyberdrill` binary, in one test
//! binary (one build and link instead of one per file), sharing one harness.
//!
//! - [`harness`]: the binary's path, the timeouts, temporary directories and scripts, the
//!   skip messages for missing tools, and the turn every test takes (the fault tests run
//!   alone: they measure time and memory); `harness::server`, the one launcher of
//!   `cyberdrill serve` that `serve_ssh`, `serve_faults` and `wall` use; `harness::tmux`, the
//!   one terminal (a tmux session on a server private to the test) of `tui`, `serve_ssh`,
//!   `serve_faults` and `wall`.
//! - The command line: `check_cli`, `engine_cli` (run, replay, sweep, compare, import),
//!   `branch`, `graph`, `report`, `evaluation`, `fuzz_regressions`.
//! - The terminal: `tui` (`play` in tmux); over SSH: `serve_ssh`, `serve_faults`; the wall
//!   display in a browser: `wall`.
//!
//! The load test (`tests/serve_load.rs`) stays a binary of its own.

mod harness;

mod branch;
mod check_cli;
mod engine_cli;
mod evaluation;
mod fuzz_regressions;
mod graph;
mod report;
mod serve_faults;
mod serve_ssh;
mod tui;
mod wall;
