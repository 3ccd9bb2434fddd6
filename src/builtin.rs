//! Scenarios embedded in the binary, so `play` and `run` work with nothing else on disk.

/// A built-in scenario: its name (for `builtin:NAME`), file name and source.
pub struct Builtin {
    pub name: &'static str,
    pub file: &'static str,
    pub source: &'static str,
}

/// Every built-in scenario; the first is the flagship that `play` opens by default.
pub const SCENARIOS: &[Builtin] = &[
    Builtin {
        name: "flagship",
        file: "scenarios/flagship.ron",
        source: include_str!("../scenarios/flagship.ron"),
    },
    Builtin {
        name: "comms-check",
        file: "scenarios/comms-check.ron",
        source: include_str!("../scenarios/comms-check.ron"),
    },
    Builtin {
        name: "wiper-broadcast-banks",
        file: "scenarios/wiper-broadcast-banks.ron",
        source: include_str!("../scenarios/wiper-broadcast-banks.ron"),
    },
    Builtin {
        name: "cable-grid-cascade",
        file: "scenarios/cable-grid-cascade.ron",
        source: include_str!("../scenarios/cable-grid-cascade.ron"),
    },
    Builtin {
        name: "asean-cert-drill",
        file: "scenarios/asean-cert-drill.ron",
        source: include_str!("../scenarios/asean-cert-drill.ron"),
    },
    Builtin {
        name: "hospital-red-line",
        file: "scenarios/hospital-red-line.ron",
        source: include_str!("../scenarios/hospital-red-line.ron"),
    },
];

/// Finds a built-in scenario by name.
pub fn find(name: &str) -> Option<&'static Builtin> {
    SCENARIOS.iter().find(|b| b.name == name)
}
