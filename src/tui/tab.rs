//! The tabs: which screens a role has, in the order of the tabs bar (the number keys pick
//! them), and their names.

/// A tab of the screen. Each is drawn by its own file (`inbox`, `situation`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Team: messages, receipts and notices, with the selected one read out.
    Inbox,
    /// Team: our infrastructure and the incidents we know.
    Situation,
    /// Team: the points of contact, to write to.
    Directory,
    /// Team: our relations with each state on the escalation ladder.
    Relations,
    /// Team: what we sent and did, with what we know of its course.
    Sent,
    /// What happened, newest last: a team's own, or everything for the facilitator.
    Timeline,
    /// What each team is asked to achieve (its own for a team, every one for the facilitator).
    Objectives,
    /// Facilitator: the incidents as they really are, the objectives, every asset.
    GroundTruth,
    /// Facilitator: every pair of states on the ladder.
    Escalation,
    /// Facilitator: the inject queue, by time.
    Injects,
    /// Facilitator: one team's screen as that team sees it.
    TeamScreens,
}

/// A team's tabs.
pub const PLAYER_TABS: [Tab; 7] = [
    Tab::Inbox,
    Tab::Situation,
    Tab::Directory,
    Tab::Relations,
    Tab::Sent,
    Tab::Timeline,
    Tab::Objectives,
];

/// The facilitator's tabs.
pub const FACILITATOR_TABS: [Tab; 6] = [
    Tab::GroundTruth,
    Tab::Escalation,
    Tab::Injects,
    Tab::Timeline,
    Tab::TeamScreens,
    Tab::Objectives,
];

impl Tab {
    /// Its name in the tabs bar.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Inbox => "Inbox",
            Tab::Situation => "Situation",
            Tab::Directory => "Directory",
            Tab::Relations => "Relations",
            Tab::Sent => "Sent",
            Tab::Timeline => "Timeline",
            Tab::Objectives => "Objectives",
            Tab::GroundTruth => "Ground truth",
            Tab::Escalation => "Escalation",
            Tab::Injects => "Injects",
            Tab::TeamScreens => "Team screens",
        }
    }

    /// Whether `w` explains its selected row.
    pub fn has_why(self) -> bool {
        matches!(
            self,
            Tab::Situation | Tab::Relations | Tab::Objectives | Tab::GroundTruth | Tab::Escalation
        )
    }
}

impl std::fmt::Display for Tab {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}
