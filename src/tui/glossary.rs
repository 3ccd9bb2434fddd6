//! The words of the exercise, one meaning each: shown on the second page of `?` help and
//! written out in `docs/glossary.md` (a test keeps the two in step).

/// (term, meaning). The meanings are what a first-time player needs to act on.
pub const GLOSSARY: &[(&str, &str)] = &[
    (
        "Point of contact",
        "a desk, phone, portal or hotline in the Directory. You act only through them; each is staffed at its own local hours (24/7 or e.g. 08–18 Mon–Fri).",
    ),
    (
        "Acknowledgement",
        "the recipient's confirmation that it has your message. You never see delivery itself: Sent says \"sent\" until an acknowledgement (or a bounce) comes back.",
    ),
    (
        "Bounce",
        "a message that could not be delivered: the address is out of date (the Directory then marks it BOUNCED) or the hotline circuit is down. Find another contact.",
    ),
    (
        "Clearance",
        "your own government's approval before your CERT shares abroad. \"Government control\" is how tightly your government holds your CERT (0–100%): the higher, the likelier a message waits for clearance, and the longer (up to a day near 100%).",
    ),
    (
        "TLP (Traffic Light Protocol)",
        "the label on what you share, saying how far the recipient may pass it on: CLEAR anyone; GREEN their community, not the public; AMBER their organisation and those who need to know; RED the named recipients only. In this exercise it is a label: it does not change how fast or far evidence travels.",
    ),
    (
        "Alert level",
        "0 (normal) to 3: how hard your organisations watch. Each level makes your watchers detect attacks 25% faster (level 3: 75% faster).",
    ),
    (
        "Evidence",
        "traces and claims pointing at a suspect, found by your analysts, shared by others or public. Some is planted to mislead; once judged planted it no longer counts.",
    ),
    (
        "Attribution",
        "naming who is behind an incident. Privately it is your belief; publicly it is an act others react to, and blaming the wrong party has a cost.",
    ),
    (
        "Tension",
        "how hostile one state is towards another, from 0 (calm) to 1 (on the brink); one number each way. Attacks, accusations and démarches raise it; hotline calls, consultations and restraint ease it.",
    ),
    (
        "Escalation ladder, rungs",
        "where relations between two states stand: routine relations, concern raised privately, démarche, sanctions, cyber countermeasures, cyber retaliation, the armed-conflict threshold. Tension moves a pair up (and down) the rungs.",
    ),
    (
        "Démarche",
        "a formal diplomatic protest delivered to another state's foreign ministry: a rung of the ladder and an act that raises tension.",
    ),
    (
        "Red line",
        "an attack a state has declared intolerable (e.g. on hospitals); crossing it raises that state's tension sharply towards whoever it blames.",
    ),
    (
        "Hotline",
        "a direct line between two governments. An answered call eases tension on both sides; it works only while the circuit is up.",
    ),
    (
        "Objective",
        "what your team is asked to achieve, with its deadline or condition: open until it is met or missed; the Objectives tab says why it was missed.",
    ),
    (
        "Notice",
        "a line in the Inbox for something that happened which your team can know: a detection, news, a hotline call, a red line, an objective's result, a discussion question.",
    ),
    (
        "Inject",
        "an event the scenario (or the facilitator) brings into play at a time or on a condition: an attack, a message, news, a change in the world, a question.",
    ),
];

#[cfg(test)]
mod tests {
    /// Every term of the help's glossary is explained in docs/glossary.md, and the other way
    /// round, so the screens and the docs use one vocabulary.
    #[test]
    fn the_docs_glossary_has_every_term() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/glossary.md"))
            .expect("docs/glossary.md");
        for (term, _) in super::GLOSSARY {
            assert!(
                doc.contains(&format!("**{term}**")),
                "docs/glossary.md lacks **{term}**"
            );
        }
        let terms = doc
            .lines()
            .filter(|l| l.starts_with("- **") && l.contains("**: "))
            .count();
        assert_eq!(
            terms,
            super::GLOSSARY.len(),
            "docs/glossary.md has other terms"
        );
    }
}
