//! The process exit codes, shared by every command (and by the errors that map to them).

/// Exit code for a valid run.
pub const EXIT_OK: u8 = 0;
/// Exit code when an input is invalid (a scenario with errors, a corrupt journal).
pub const EXIT_INVALID: u8 = 1;
/// Exit code for usage and I/O errors.
pub const EXIT_USAGE: u8 = 2;
