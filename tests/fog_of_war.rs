//! Fog of war: a team's view holds only what its own organisations know.
//!
//! The flagship is run with people playing its three teams: Varesh acts (notifies contacts of
//! other teams and a stale one, shares evidence once it knows an incident, asks for
//! consultations), Toravia acknowledges what it receives, Kelmora stays silent, and exercise
//! control sends Kelmora a private message. At many points every team's view is checked
//! against the ground truth (the facilitator view, the event log and the scenario).

use cyberdrill::scenario::{InjectKind, Scenario};
use cyberdrill::sim::{
    Command, CommandError, Control, EventKind, FacilitatorView, MessageStatus, Sim, TeamView, Tlp,
};
use std::collections::BTreeSet;
use std::sync::OnceLock;

fn flagship() -> &'static cyberdrill::scenario::Valid {
    static SCENARIO: OnceLock<cyberdrill::scenario::Valid> = OnceLock::new();
    SCENARIO.get_or_init(|| {
        let b = cyberdrill::builtin::find("flagship").expect("built-in flagship");
        // Each team gets a private brief (the flagship briefs its teams by message).
        let mut source = b.source.to_string();
        for team in ["var", "kel", "tor"] {
            let organisations = format!("organisations: [\"{team}-cert\", \"{team}-mfa\"]");
            assert!(source.contains(&organisations), "{organisations}");
            source = source.replacen(
                &organisations,
                &format!("{organisations}, brief: \"BRIEF-{team}-5521: for this team only.\""),
                1,
            );
        }
        cyberdrill::scenario::from_str(b.file, &source).expect("flagship is valid")
    })
}

/// A private control message to Kelmora, sent during the run; no other team may see it.
const SECRET_SUBJECT: &str = "KELMORA-EYES-ONLY-7731";
const SECRET_BODY: &str = "The duty password is swordfish-4412.";
/// The free text of Varesh's first notification: its recipients may see it, Kelmora too.
const VARESH_TEXT: &str = "VARESH-HEADS-UP-0999: unusual traffic on our banks.";

/// What a team is, in scenario terms.
struct Team {
    id: String,
    name: String,
    /// Index of its state in the scenario (the engine uses scenario order).
    state: usize,
    state_name: String,
    orgs: BTreeSet<String>,
}

fn teams(s: &cyberdrill::scenario::Valid) -> Vec<Team> {
    s.teams
        .iter()
        .map(|t| {
            let state = s.states.iter().position(|x| x.id == t.state).unwrap();
            Team {
                id: t.id.clone(),
                name: t.name.clone(),
                state,
                state_name: s.states[state].name.clone(),
                orgs: t.organisations.iter().cloned().collect(),
            }
        })
        .collect()
}

fn org_of_contact<'a>(s: &'a Scenario, contact: &str) -> &'a str {
    &s.contacts
        .iter()
        .find(|c| c.id == contact)
        .unwrap_or_else(|| panic!("no contact {contact}"))
        .organisation
}

fn state_of_org(s: &cyberdrill::scenario::Valid, org: &str) -> usize {
    let o = s.organisations.iter().find(|o| o.id == org).unwrap();
    s.states.iter().position(|x| x.id == o.state).unwrap()
}

/// How a string looks inside serialised JSON (quotes and the like escaped).
fn json_form(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap();
    quoted[1..quoted.len() - 1].to_string()
}

/// The secrets of the scenario: what a view must never contain, by team.
struct Secrets {
    /// Hidden threat actors' ids and names (state units; groups' real names).
    actors: Vec<String>,
    /// (teams addressed, subject or body) of every scripted control message, and each team's
    /// private brief.
    control_words: Vec<(Vec<String>, String)>,
}

fn secrets(s: &cyberdrill::scenario::Valid) -> Secrets {
    let mut actors = Vec::new();
    for a in &s.actors {
        // A non-state group is a public suspect under the name it is known by (its id is
        // what a team names to blame it); a state unit, and a group's real name behind a
        // public one, stay hidden.
        if a.kind != cyberdrill::scenario::ActorKind::StateUnit {
            if a.known_as.as_ref().is_some_and(|k| *k != a.name) {
                actors.push(a.name.clone());
            }
            continue;
        }
        actors.push(a.id.clone());
        actors.push(a.name.clone());
    }
    let mut control_words = Vec::new();
    for inject in &s.injects {
        if let InjectKind::Message {
            to, subject, body, ..
        } = &inject.kind
        {
            control_words.push((to.clone(), subject.clone()));
            if !body.is_empty() {
                control_words.push((to.clone(), body.clone()));
            }
        }
    }
    // A team's own brief is for it alone.
    for team in &s.teams {
        if !team.brief.is_empty() {
            control_words.push((vec![team.id.clone()], team.brief.clone()));
        }
    }
    assert!(
        control_words.iter().filter(|(to, _)| to.len() == 1).count() >= 3,
        "the flagship gives its teams private briefs"
    );
    Secrets {
        actors,
        control_words,
    }
}

/// Counters showing the checks were not vacuous.
#[derive(Default, Debug)]
struct Coverage {
    views: usize,
    inbox_items: usize,
    receipts: usize,
    sent_items: usize,
    incidents: usize,
    told_incidents: usize,
    /// ... of which the team's own inbox carried none (told through another organisation).
    told_elsewhere: usize,
    message_lines: usize,
    /// Checks of "knows nothing yet ⇒ lists no incidents" while incidents were under way.
    blind_while_attacked: usize,
    own_control_words_seen: usize,
    secret_seen_by_kelmora: bool,
    varesh_text_seen: usize,
    /// Notices in the inbox, and the team's own acts that are not messages.
    notices: usize,
    acts: usize,
    /// Texts a player reads, checked for internal incident ids.
    readable_lines: usize,
}

/// Whether the team's state may have learnt of some incident by now: one of its
/// organisations detected one, it assisted another state, a message to the team carried an
/// incident, or some message from another state reached one of its organisations that no
/// team plays (what such a message carried is not in the facilitator's list).
fn learnt_anything(
    sim: &Sim,
    s: &cyberdrill::scenario::Valid,
    truth: &FacilitatorView,
    team: &Team,
) -> bool {
    let view = sim.team_view(&team.id).unwrap();
    if view
        .inbox
        .iter()
        .any(|m| m.receipt.is_none() && m.incident.is_some())
    {
        return true;
    }
    sim.events().iter().any(|e| match &e.kind {
        EventKind::Detected { state, .. } => *state == team.state,
        EventKind::AssistanceGiven { by, .. } => *by == team.state,
        EventKind::Delivered { message } => {
            let m = &truth.messages[*message];
            let to_org = org_of_contact(s, &m.2);
            let from_org = s.organisations.iter().any(|o| o.id == m.1);
            from_org && !team.orgs.contains(to_org) && state_of_org(s, to_org) == team.state
        }
        _ => false,
    })
}

/// Checks one team's view against the truth.
fn check_team(
    sim: &Sim,
    s: &cyberdrill::scenario::Valid,
    secrets: &Secrets,
    team: &Team,
    seed: u64,
    cov: &mut Coverage,
) {
    let what = format!(
        "seed {seed}, minute {}, {}",
        sim.facilitator_view().minute,
        team.id
    );
    let view: TeamView = sim.team_view(&team.id).expect("a real team");
    let truth = sim.facilitator_view();
    cov.views += 1;
    assert_eq!(view.team, team.id);
    assert_eq!(view.minute, truth.minute, "{what}");

    // Inbox: only messages to contacts of the team's own organisations, and all of them;
    // plus receipts (acknowledged, bounced) for messages the team's organisations sent.
    for item in &view.inbox {
        let m = &truth.messages[item.id];
        assert_eq!(
            m.2, item.to_contact,
            "{what}: inbox item #{} mislabelled",
            item.id
        );
        if let Some(receipt) = &item.receipt {
            cov.receipts += 1;
            assert!(
                team.orgs.contains(&m.1),
                "{what}: a receipt for message #{} which {} sent, not the team",
                item.id,
                m.1
            );
            let expected = match m.4 {
                MessageStatus::Acknowledged => "acknowledged",
                MessageStatus::Bounced => "bounced",
                other => panic!("{what}: a receipt for #{} which is {other:?}", item.id),
            };
            assert_eq!(receipt.words(), expected, "{what}: #{}", item.id);
            continue;
        }
        cov.inbox_items += 1;
        let org = org_of_contact(s, &item.to_contact);
        assert!(
            team.orgs.contains(org),
            "{what}: inbox holds message #{} to {} ({org}), not one of {:?}",
            item.id,
            item.to_contact,
            team.orgs
        );
        assert!(
            matches!(m.4, MessageStatus::Delivered | MessageStatus::Acknowledged),
            "{what}: inbox shows #{} which is {:?}",
            item.id,
            m.4
        );
    }
    let inbox_ids: BTreeSet<usize> = view
        .inbox
        .iter()
        .filter(|i| i.receipt.is_none())
        .map(|i| i.id)
        .collect();
    for m in &truth.messages {
        let delivered = matches!(m.4, MessageStatus::Delivered | MessageStatus::Acknowledged);
        if delivered && team.orgs.contains(org_of_contact(s, &m.2)) {
            assert!(inbox_ids.contains(&m.0), "{what}: delivered {m:?} missing");
        }
    }

    // Sent: only messages from the team's own organisations, and all of them.
    for item in &view.sent {
        cov.sent_items += 1;
        let from = &truth.messages[item.id].1;
        assert!(
            team.orgs.contains(from),
            "{what}: `sent` holds message #{} from {from}",
            item.id
        );
    }
    let sent_ids: BTreeSet<usize> = view.sent.iter().map(|i| i.id).collect();
    for m in truth.messages.iter().filter(|m| team.orgs.contains(&m.1)) {
        assert!(sent_ids.contains(&m.0), "{what}: sent {m:?} missing");
    }

    // Serialised, the view holds no hidden actor and no other team's control messages.
    let json = serde_json::to_string(&view).unwrap();
    for secret in &secrets.actors {
        assert!(
            !json.contains(secret.as_str()) && !json.contains(&json_form(secret)),
            "{what}: the view names hidden actor `{secret}`"
        );
    }
    for (to, words) in &secrets.control_words {
        let fired_to_us = to.contains(&team.id);
        let ours = secrets
            .control_words
            .iter()
            .any(|(t, w)| w == words && t.contains(&team.id));
        if ours {
            if fired_to_us && json.contains(&json_form(words)) {
                cov.own_control_words_seen += 1;
            }
            continue;
        }
        assert!(
            !json.contains(&json_form(words)),
            "{what}: the view holds `{words}`, sent to {to:?} only"
        );
    }
    if team.id == "team-kelmora" {
        cov.secret_seen_by_kelmora |= json.contains(SECRET_SUBJECT) && json.contains(SECRET_BODY);
    } else {
        assert!(
            !json.contains(SECRET_SUBJECT) && !json.contains(SECRET_BODY),
            "{what}: sees Kelmora's private control message"
        );
    }
    if json.contains(VARESH_TEXT) {
        cov.varesh_text_seen += 1;
    }

    // Incidents: each one the team's state knows (detected, or was told), and nothing before
    // it has learnt anything.
    let incident_ix = |id: &str| {
        truth
            .incidents
            .iter()
            .position(|i| i.id == id)
            .unwrap_or_else(|| panic!("{what}: the view lists `{id}`, which does not exist"))
    };
    let detected = |ix: usize, by_state: Option<usize>| {
        sim.events().iter().any(|e| {
            matches!(e.kind, EventKind::Detected { incident, state, .. }
                if incident == ix && by_state.is_none_or(|s| s == state))
        })
    };
    let learnt = learnt_anything(sim, s, &truth, team);
    if !learnt {
        assert!(
            view.incidents.is_empty() && view.evidence.is_empty(),
            "{what}: lists incidents before learning of any: {:?}",
            view.incidents
        );
        if !truth.incidents.is_empty() {
            cov.blind_while_attacked += 1;
        }
    }
    let known: BTreeSet<&str> = view.incidents.iter().map(|i| i.id.as_str()).collect();
    for inc in &view.incidents {
        cov.incidents += 1;
        let ix = incident_ix(&inc.id);
        let real = &truth.incidents[ix];
        // Known because someone detected it, or because exercise control reported it to
        // the team (a message inject `about` it, which the inbox links to the incident).
        let reported = view.inbox.iter().any(|m| {
            m.kind == cyberdrill::sim::MessageKind::Control
                && m.incident.as_deref() == Some(inc.id.as_str())
        });
        // Or exercise control reported it to some team, which passed it on.
        let reported_anywhere = s.injects.iter().any(|i| {
            matches!(&i.kind, cyberdrill::scenario::InjectKind::Message { about: Some(a), .. } if *a == inc.id)
                && truth
                    .injects
                    .iter()
                    .any(|q| q.id == i.id && matches!(q.status, cyberdrill::sim::view::InjectStatus::Fired(_)))
        });
        assert!(
            detected(ix, None) || reported || reported_anywhere,
            "{what}: knows {} which nobody has detected or reported",
            inc.id
        );
        assert!(inc.since_minute <= view.minute, "{what}: {inc:?}");
        if inc.detected_by_us {
            assert!(
                detected(ix, Some(team.state)),
                "{what}: says it detected {} but no organisation of {} did",
                inc.id,
                team.state_name
            );
        } else if inc.told_by.is_none() {
            assert!(
                reported,
                "{what}: {} neither detected, told nor reported",
                inc.id
            );
        } else {
            cov.told_incidents += 1;
            let teller = inc
                .told_by
                .as_deref()
                .unwrap_or_else(|| panic!("{what}: {} neither detected nor told", inc.id));
            assert_ne!(teller, team.state_name, "{what}: told by itself");
            let teller_ix = s.states.iter().position(|x| x.name == teller).unwrap();
            // Told by a message from the teller's organisations to one of ours that carried
            // the incident, or to another organisation of our state, or through assistance.
            let by_our_inbox = view.inbox.iter().any(|m| {
                m.receipt.is_none()
                    && m.incident.as_deref() == Some(&inc.id)
                    && m.from.ends_with(&format!("({teller})"))
            });
            let by_message = sim.events().iter().any(|e| match &e.kind {
                EventKind::Delivered { message } => {
                    let m = &truth.messages[*message];
                    s.organisations.iter().any(|o| o.id == m.1)
                        && state_of_org(s, &m.1) == teller_ix
                        && state_of_org(s, org_of_contact(s, &m.2)) == team.state
                }
                _ => false,
            });
            let by_assistance = sim.events().iter().any(|e| {
                matches!(e.kind, EventKind::AssistanceGiven { by, to, incident }
                    if by == team.state && to == teller_ix && incident == ix)
            });
            if !by_our_inbox {
                cov.told_elsewhere += 1;
            }
            assert!(
                by_our_inbox || by_message || by_assistance,
                "{what}: says {teller} told it of {}, but nothing from {teller} arrived",
                inc.id
            );
        }
        // The target is shown only for the team's own assets.
        if let Some(target) = &inc.target {
            assert_eq!(&real.victim, &team.state_name, "{what}: {inc:?}");
            assert_eq!(target, &real.target, "{what}");
        }
        assert!(
            inc.beliefs.iter().all(|(c, _)| c != &team.state_name),
            "{what}: suspects itself"
        );
    }
    // Internal incident ids: the serialised view holds none of an incident the team does not
    // know (not even in a field no screen draws), and what a player reads holds none at all
    // (a person reads an incident by its title, or as one they have no report of).
    for inc in &truth.incidents {
        if !known.contains(inc.id.as_str()) {
            assert!(
                !names_id(&json, &inc.id),
                "{what}: the view holds the id of incident {} it does not know",
                inc.id
            );
        }
        for line in readable(&view) {
            cov.readable_lines += 1;
            assert!(
                !names_id(&line, &inc.id),
                "{what}: a player reads the internal id {}: `{line}`",
                inc.id
            );
        }
    }
    for ev in &view.evidence {
        assert!(
            known.contains(ev.incident.as_str()),
            "{what}: evidence #{} on {}, an incident it does not know",
            ev.id,
            ev.incident
        );
        assert_ne!(ev.from.as_deref(), Some(team.state_name.as_str()), "{what}");
    }

    // Assets: only its own state's.
    for a in &view.assets {
        let def = s.assets.iter().find(|x| x.id == a.id).unwrap();
        assert_eq!(def.state, s.states[team.state].id, "{what}: sees {}", a.id);
    }
    // Objectives: its own and the exercise-wide ones.
    for o in &view.objectives {
        let def = s.objectives.iter().find(|x| x.id == o.id).unwrap();
        assert!(
            def.team.as_deref().is_none_or(|t| t == team.id),
            "{what}: sees objective {} of {:?}",
            o.id,
            def.team
        );
    }

    // Timeline: nothing about other teams' messages, no facilitator-only entries, and no
    // incident it does not know (except public attributions, which are public).
    let message_prefixes = [
        "sent #",
        "awaiting clearance: #",
        "cleared for release: #",
        "delivered #",
        "received #",
        "acknowledged #",
        "BOUNCED #",
    ];
    // Questions: only those addressed to this team by name (a question to the room is the
    // facilitator's, and may reveal the ground truth).
    for q in &view.questions {
        let def = s.injects.iter().find(|i| i.id == q.inject).unwrap();
        match &def.kind {
            cyberdrill::scenario::InjectKind::Question { to, .. } => assert!(
                to.contains(&team.id),
                "{what}: sees question {} addressed to {to:?}",
                q.inject
            ),
            other => panic!("{what}: question {} is {other:?}", q.inject),
        }
        assert!(q.minute <= view.minute, "{what}");
    }
    // Acts: only the team's own.
    for a in &view.acts {
        assert!(a.minute <= view.minute, "{what}");
        cov.acts += 1;
    }
    // Objectives' aims name no incident the team does not know.
    for o in &view.objectives {
        for inc in &truth.incidents {
            assert!(
                !o.aim.contains(&format!("incident {}", inc.id)) || known.contains(inc.id.as_str()),
                "{what}: objective {} names incident {} it does not know: {}",
                o.id,
                inc.id,
                o.aim
            );
        }
    }
    // A sender never reads of its message's delivery (only of an acknowledgement).
    for (_, line) in &view.timeline {
        if let Some(rest) = line.strip_prefix("delivered #") {
            let id: usize = rest.split(' ').next().and_then(|n| n.parse().ok()).unwrap();
            let m = &truth.messages[id];
            assert!(
                team.orgs.contains(org_of_contact(s, &m.2)),
                "{what}: reads of the delivery of its own message: `{line}`"
            );
        }
    }
    // Notices pass every test the timeline does (questions apart, checked above).
    let notices: Vec<(u32, String)> = view
        .notices
        .iter()
        .filter(|n| n.kind != cyberdrill::sim::view::NoticeKind::Question)
        .map(|n| (n.minute, n.text.clone()))
        .collect();
    cov.notices += notices.len();
    for (minute, line) in view.timeline.iter().chain(&notices) {
        assert!(*minute <= view.minute, "{what}: {line}");
        if let Some(rest) = message_prefixes.iter().find_map(|p| line.strip_prefix(p)) {
            cov.message_lines += 1;
            let id: usize = rest
                .split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{what}: unparsable message line `{line}`"));
            let m = &truth.messages[id];
            let to_org = org_of_contact(s, &m.2);
            assert!(
                team.orgs.contains(&m.1) || team.orgs.contains(to_org),
                "{what}: timeline shows another team's message: `{line}` ({m:?})"
            );
        }
        if let Some(rest) = line.strip_prefix("exercise control to ") {
            assert!(
                rest.starts_with(&format!("{}:", team.name)),
                "{what}: sees control message to another team: `{line}`"
            );
        }
        for hidden in [
            "started against",
            "QUESTION for discussion",
            "Facilitator ",
            "retaliates against",
            "inject ",
            "world: ",
        ] {
            assert!(
                !line.contains(hidden),
                "{what}: facilitator-only entry `{line}`"
            );
        }
        if let Some((who, _)) = line.split_once(" found evidence #") {
            assert_eq!(who, team.state_name, "{what}: `{line}`");
        }
        if let Some((who, _)) = line.split_once(" judged evidence #") {
            assert_eq!(who, team.state_name, "{what}: `{line}`");
        }
        if let Some((org, _)) = line.split_once(" detected ") {
            let o = s.organisations.iter().find(|o| o.name == org).unwrap();
            assert_eq!(state_of_org(s, &o.id), team.state, "{what}: `{line}`");
        }
        if !line.contains(" publicly blames ") {
            for inc in &truth.incidents {
                let mentioned = line
                    .split(|c: char| c.is_whitespace() || c == ':' || c == ',')
                    .any(|w| w == inc.id);
                assert!(
                    !mentioned || known.contains(inc.id.as_str()),
                    "{what}: timeline mentions incident {} it does not know: `{line}`",
                    inc.id
                );
                // A team reads incidents by title ("DDoS attack on <asset>"): none of an
                // incident it does not know, unless a known one has the same target (a red
                // line declared is public, and names the asset it protects).
                let titled =
                    line.contains(&format!(" on {}", inc.target)) && !line.starts_with("RED LINE:");
                let same_target = view
                    .incidents
                    .iter()
                    .any(|k| truth.incidents[incident_ix(&k.id)].target == inc.target);
                assert!(
                    !titled || known.contains(inc.id.as_str()) || same_target,
                    "{what}: timeline names incident {} on {} it does not know: `{line}`",
                    inc.id,
                    inc.target
                );
            }
        }
    }
}

/// Whether `text` holds `id` as a whole word (not inside a longer id or word).
fn names_id(text: &str, id: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(id).any(|(at, _)| {
        !text[..at].chars().next_back().is_some_and(word)
            && !text[at + id.len()..].chars().next().is_some_and(word)
    })
}

/// Every text of a team's view that its screens put before a person.
fn readable(view: &TeamView) -> Vec<String> {
    let mut lines: Vec<String> = vec![view.briefing.clone(), view.brief.clone()];
    for m in &view.inbox {
        lines.extend([m.from.clone(), m.subject.clone(), m.text.clone()]);
    }
    for m in &view.sent {
        lines.extend([m.to.clone(), m.subject.clone()]);
    }
    for i in &view.incidents {
        lines.push(i.title.clone());
        lines.extend(i.told_by.clone());
        lines.extend(i.beliefs.iter().map(|(who, _)| who.clone()));
        lines.extend(i.why.iter().map(|(_, w)| w.clone()));
    }
    for r in &view.relations {
        lines.extend(r.why.as_ref().map(|(_, w)| w.clone()));
    }
    for (_, headline, body) in &view.news {
        lines.extend([headline.clone(), body.clone()]);
    }
    lines.extend(view.timeline.iter().map(|(_, l)| l.clone()));
    lines.extend(view.notices.iter().map(|n| n.text.clone()));
    lines.extend(view.questions.iter().map(|q| q.text.clone()));
    for o in &view.objectives {
        lines.extend([o.title.clone(), o.aim.clone()]);
        lines.extend(o.reason.clone());
    }
    for a in &view.acts {
        lines.extend([a.what.clone(), a.to.clone(), a.result.clone()]);
    }
    lines
}

/// Varesh's and Toravia's moves for this tick (Kelmora stays silent).
/// The incidents each acting team has already notified or shared.
#[derive(Default)]
struct Done {
    shared: BTreeSet<String>,
    notified: BTreeSet<String>,
    tor_notified: BTreeSet<String>,
}

fn play(sim: &mut Sim, done: &mut Done) {
    let Done {
        shared,
        notified,
        tor_notified,
    } = done;
    let tick = sim.tick();
    if tick == 1 {
        sim.submit(
            "team-varesh",
            Command::Notify {
                // Two other teams' desks, and Lirria's stale mailbox (it bounces).
                to: vec![
                    "kel-cert-desk".into(),
                    "tor-cert-desk".into(),
                    "lir-cert-old".into(),
                ],
                incident: None,
                text: VARESH_TEXT.into(),
            },
        )
        .expect("notify accepted");
    }
    if tick == 40 {
        sim.submit(
            "team-varesh",
            Command::RequestConsultation {
                to: "kel-mfa-hotline".into(),
                text: "Let us compare notes.".into(),
            },
        )
        .expect("consultation accepted");
    }
    if tick == 30 {
        assert!(sim.control(&Control::Message {
            team: "team-kelmora".into(),
            subject: SECRET_SUBJECT.into(),
            body: SECRET_BODY.into(),
        }));
    }
    let varesh = sim.team_view("team-varesh").unwrap();
    for inc in &varesh.incidents {
        if notified.insert(inc.id.clone()) {
            sim.submit(
                "team-varesh",
                Command::Notify {
                    to: vec!["kel-cert-desk".into()],
                    incident: Some(inc.id.clone()),
                    text: String::new(),
                },
            )
            .expect("notify about a known incident accepted");
        }
        if !shared.contains(&inc.id) {
            match sim.submit(
                "team-varesh",
                Command::ShareEvidence {
                    to: vec!["tor-cert-portal".into(), "mrf-cct-portal".into()],
                    incident: inc.id.clone(),
                    level: Tlp::Amber,
                },
            ) {
                Ok(()) => {
                    shared.insert(inc.id.clone());
                }
                Err(CommandError::NoEvidence(_)) => {}
                Err(e) => panic!("share evidence on {} refused: {e}", inc.id),
            }
        }
    }
    let toravia = sim.team_view("team-toravia").unwrap();
    // Toravia writes to organisations of Varesh that no team plays (the central bank, the
    // police): the Varesh team must not see those messages, though its state learns from them.
    if tick == 2 {
        sim.submit(
            "team-toravia",
            Command::Notify {
                to: vec!["cbv-soc".into(), "var-police-desk".into()],
                incident: None,
                text: "ToraCERT here: tell us if you see anything.".into(),
            },
        )
        .expect("notify accepted");
    }
    for inc in &toravia.incidents {
        if tor_notified.insert(inc.id.clone()) {
            sim.submit(
                "team-toravia",
                Command::Notify {
                    to: vec!["cbv-soc".into()],
                    incident: Some(inc.id.clone()),
                    text: String::new(),
                },
            )
            .expect("notify about a known incident accepted");
        }
    }
    for item in toravia
        .inbox
        .iter()
        .filter(|i| i.receipt.is_none() && !i.acknowledged)
    {
        sim.submit("team-toravia", Command::Acknowledge { message: item.id })
            .expect("acknowledging a delivered message");
    }
}

fn run_seed(seed: u64, act: bool, cov: &mut Coverage) {
    let s = flagship();
    let teams = teams(s);
    let secrets = secrets(s);
    let mut sim = Sim::new(s, seed);
    let mut done = Done::default();
    for team in &teams {
        let view = sim.team_view(&team.id).unwrap();
        assert!(
            view.incidents.is_empty(),
            "{}: incidents at the start",
            team.id
        );
    }
    loop {
        if sim.tick() < 12 || sim.tick().is_multiple_of(4) || sim.is_over() {
            for team in &teams {
                check_team(&sim, s, &secrets, team, seed, cov);
            }
        }
        if sim.is_over() {
            break;
        }
        if act {
            play(&mut sim, &mut done);
        }
        sim.step();
    }
    assert!(
        !act || !done.shared.is_empty(),
        "seed {seed}: Varesh never shared evidence"
    );
}

#[test]
fn team_views_hold_only_what_the_team_knows() {
    let mut cov = Coverage::default();
    for seed in [1, 2, 3, 7, 42, 1234] {
        run_seed(seed, true, &mut cov);
    }
    // The checks saw real traffic in every direction.
    assert!(cov.inbox_items > 100, "{cov:?}");
    assert!(cov.sent_items > 100, "{cov:?}");
    assert!(cov.receipts > 10, "{cov:?}");
    assert!(cov.incidents > 100, "{cov:?}");
    assert!(cov.told_incidents > 0, "{cov:?}");
    assert!(cov.told_elsewhere > 0, "{cov:?}");
    assert!(cov.message_lines > 100, "{cov:?}");
    assert!(cov.blind_while_attacked > 0, "{cov:?}");
    assert!(cov.own_control_words_seen > 0, "{cov:?}");
    assert!(cov.secret_seen_by_kelmora, "{cov:?}");
    assert!(cov.varesh_text_seen > 0, "{cov:?}");
    assert!(cov.notices > 100, "{cov:?}");
    assert!(cov.readable_lines > 1000, "{cov:?}");
}

/// With every team idle, the engine's own traffic and the incidents' course must not leak
/// either (e.g. an incident contained or recovered on a team's asset before the team knew of
/// it: its timeline must not name it; seeds 9, 10 and 28 have such incidents).
#[test]
fn idle_team_views_hold_only_what_the_team_knows() {
    let mut cov = Coverage::default();
    for seed in [9, 10, 28, 42] {
        run_seed(seed, false, &mut cov);
    }
    assert!(cov.incidents > 100, "{cov:?}");
    assert!(cov.blind_while_attacked > 0, "{cov:?}");
}

/// Varesh publicly blames Kelmora for each incident as soon as it knows of it, and tells no
/// one: the other teams read of the attributions before they know the incidents, and their
/// views must name none of them (neither by the scenario's id nor by title).
#[test]
fn a_public_attribution_reveals_no_incident_to_those_who_do_not_know_it() {
    let s = flagship();
    let teams = teams(s);
    let secrets = secrets(s);
    let mut cov = Coverage::default();
    // Checks of a team that read of an attribution on an incident it did not know.
    let mut unknown_blames = 0;
    for seed in [1, 2] {
        let mut sim = Sim::new(s, seed);
        let mut blamed: BTreeSet<String> = BTreeSet::new();
        loop {
            if sim.tick().is_multiple_of(4) || sim.is_over() {
                for team in &teams {
                    check_team(&sim, s, &secrets, team, seed, &mut cov);
                    let view = sim.team_view(&team.id).unwrap();
                    let reads_blame = view
                        .timeline
                        .iter()
                        .any(|(_, l)| l.starts_with("Republic of Varesh publicly blames"));
                    if reads_blame
                        && blamed
                            .iter()
                            .any(|b| view.incidents.iter().all(|i| &i.id != b))
                    {
                        unknown_blames += 1;
                    }
                }
            }
            if sim.is_over() {
                break;
            }
            let varesh = sim.team_view("team-varesh").unwrap();
            for inc in &varesh.incidents {
                if blamed.insert(inc.id.clone()) {
                    sim.submit(
                        "team-varesh",
                        Command::PublicAttribution {
                            incident: inc.id.clone(),
                            blame: "kelmora".into(),
                        },
                    )
                    .expect("a public attribution accepted");
                }
            }
            sim.step();
        }
    }
    assert!(unknown_blames > 0, "{cov:?}");
}

#[test]
fn nothing_is_known_before_the_first_incident() {
    let s = flagship();
    let mut sim = Sim::new(s, 9);
    // The first incident starts at 1h (tick 12).
    for _ in 0..11 {
        sim.step();
        for t in &s.teams {
            let view = sim.team_view(&t.id).unwrap();
            assert!(view.incidents.is_empty(), "{}: {:?}", t.id, view.incidents);
            assert!(view.evidence.is_empty(), "{}: {:?}", t.id, view.evidence);
        }
    }
    assert!(sim.facilitator_view().incidents.is_empty());
}

/// What the facilitator does to injects (fire, skip, delay) is on the facilitator's Timeline
/// only: no team's view holds a word of it, while every other fog-of-war check still holds.
#[test]
fn facilitator_actions_stay_with_the_facilitator() {
    const ACTIONS: [&str; 3] = [
        "Facilitator fired inject",
        "Facilitator skipped inject",
        "Facilitator delayed inject",
    ];
    let s = flagship();
    let teams = teams(s);
    let secrets = secrets(s);
    let mut cov = Coverage::default();
    let mut sim = Sim::new(s, 5);
    let controls = [
        (
            0,
            Control::DelayInject {
                id: "ddos-vcb".into(),
                minutes: 30,
            },
        ),
        (
            3,
            Control::SkipInject {
                id: "news-claim".into(),
            },
        ),
        (
            5,
            Control::FireInject {
                id: "q-phase1".into(),
            },
        ),
        (
            20,
            Control::DelayInject {
                id: "intrusion-rtgs".into(),
                minutes: 30,
            },
        ),
        (
            30,
            Control::FireInject {
                id: "msg-vcb-ciso".into(),
            },
        ),
        (
            40,
            Control::SkipInject {
                id: "phish-vcb".into(),
            },
        ),
    ];
    loop {
        let now = sim.tick();
        for (_, control) in controls.iter().filter(|(t, _)| *t == now) {
            assert!(sim.control(control), "{control:?}");
        }
        for team in &teams {
            check_team(&sim, s, &secrets, team, 5, &mut cov);
            let json = serde_json::to_string(&sim.team_view(&team.id).unwrap()).unwrap();
            for words in ACTIONS {
                assert!(
                    !json.contains(words),
                    "minute {}: {} sees `{words}`",
                    sim.minute(),
                    team.id
                );
            }
        }
        if sim.is_over() {
            break;
        }
        sim.step();
        // Checked every tick early on, then every fourth.
        while sim.tick() > 40 && !sim.tick().is_multiple_of(4) && !sim.is_over() {
            sim.step();
        }
    }
    // Not vacuous: the facilitator sees each of them.
    let truth = sim.facilitator_view();
    let seen = truth
        .timeline
        .iter()
        .filter(|(_, l)| ACTIONS.iter().any(|a| l.starts_with(a)))
        .count();
    assert_eq!(seen, controls.len(), "{:?}", truth.timeline);
}

#[test]
fn unknown_teams_have_no_view() {
    let sim = Sim::new(flagship(), 1);
    assert!(matches!(
        sim.team_view("corvath"),
        Err(CommandError::UnknownTeam(_))
    ));
    assert!(sim.team_view("").is_err());
}

/// The room's wall display shows only what every team sees on its own screen: each public
/// event as it stands in every team's timeline, the news every team reads, the questions
/// put to every team; nothing private (a team's brief, a private message, a notification's
/// text) and no ground truth until the facilitator reveals it.
#[test]
fn the_wall_shows_only_what_every_team_sees() {
    let s = flagship();
    let teams = teams(s);
    let mut public_seen = 0usize;
    let mut kinds = BTreeSet::new();
    for seed in [1, 42] {
        let mut sim = Sim::new(s, seed);
        let mut done = Done::default();
        loop {
            if sim.tick().is_multiple_of(6) || sim.is_over() {
                let wall = sim.wall_view(false);
                assert!(
                    wall.reveal.is_none(),
                    "seed {seed}: the truth before the reveal"
                );
                let json = serde_json::to_string(&wall).unwrap();
                for secret in [SECRET_SUBJECT, SECRET_BODY, VARESH_TEXT, "BRIEF-"] {
                    assert!(
                        !json.contains(secret),
                        "seed {seed}: the wall shows {secret}"
                    );
                }
                for team in &teams {
                    let view = sim.team_view(&team.id).unwrap();
                    assert_eq!(wall.minute, view.minute);
                    assert_eq!(wall.news, view.news, "seed {seed}: news of {}", team.id);
                    for e in &wall.public {
                        assert!(
                            view.timeline.contains(&(e.minute, e.text.clone())),
                            "seed {seed} tick {}: {} does not see the wall's {:?}",
                            sim.tick(),
                            team.id,
                            e
                        );
                    }
                    for q in &wall.questions {
                        assert!(view.questions.contains(q), "{}: {q:?}", team.id);
                    }
                }
                public_seen = public_seen.max(wall.public.len());
                kinds.extend(wall.public.iter().map(|e| format!("{:?}", e.kind)));
            }
            if sim.is_over() {
                break;
            }
            play(&mut sim, &mut done);
            sim.step();
        }
        let revealed = sim.wall_view(true).reveal.expect("the reveal");
        let truth = sim.facilitator_view();
        assert_eq!(revealed.incidents, truth.incidents);
        assert!(
            !revealed.beliefs.is_empty(),
            "seed {seed}: no beliefs revealed"
        );
        // The flagship's questions are put to the room: they wait for the reveal.
        assert!(!revealed.room_questions.is_empty());
    }
    assert!(public_seen > 5, "{public_seen} public events");
    assert!(kinds.contains("News"), "{kinds:?}");
    assert!(kinds.len() > 1, "only {kinds:?} on the wall");
}

/// Observers' notes and a team's decision log: a team's screen, on every tab, never shows an
/// observation, nor another team's decision (its own it does, on its Timeline).
#[test]
fn no_team_sees_observations_or_another_teams_decisions() {
    use cyberdrill::evaluation::{Decision, Observation, Rating};
    use cyberdrill::exercise::{Exercise, SharedExercise};
    use cyberdrill::journal::Line;
    use cyberdrill::tui::app::{App, Engine, Role};
    let scenario = flagship();
    let ids: Vec<String> = scenario.teams.iter().map(|t| t.id.clone()).collect();
    let names: Vec<(String, String)> = scenario
        .teams
        .iter()
        .map(|t| (t.id.clone(), t.name.clone()))
        .collect();
    let mut exercise = Exercise::new(Sim::with_players(scenario, 4, &ids), None);
    for _ in 0..12 {
        exercise.step();
    }
    for team in &ids {
        exercise
            .note(Line::Observation(Observation {
                tick: 12,
                observer: "eva".into(),
                team: team.clone(),
                objective: None,
                rating: Some(Rating::M),
                text: format!("OBSERVED-{team}-0042"),
            }))
            .unwrap();
        exercise
            .note(Line::Decision(Decision {
                tick: 12,
                team: team.clone(),
                decision: format!("DECIDED-{team}-0043"),
                rationale: "because".into(),
            }))
            .unwrap();
    }
    let shared = SharedExercise {
        exercise: std::sync::Arc::new(std::sync::Mutex::new(exercise)),
        changed: std::sync::Arc::new(|| {}),
    };
    for team in &ids {
        let mut app = App::over(
            Engine::Shared(shared.clone()),
            Role::Team(team.clone()),
            names.clone(),
        );
        let mut own_seen = false;
        for tab in 0..7 {
            app.tab = tab;
            let mut terminal =
                ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 60)).unwrap();
            terminal
                .draw(|f| cyberdrill::tui::ui::draw(f, &app))
                .unwrap();
            let shown = format!("{}", terminal.backend());
            assert!(
                !shown.contains("OBSERVED-"),
                "{team} tab {tab} shows an observation"
            );
            for other in ids.iter().filter(|o| *o != team) {
                assert!(
                    !shown.contains(&format!("DECIDED-{other}")),
                    "{team} tab {tab} shows {other}'s decision"
                );
            }
            own_seen |= shown.contains(&format!("DECIDED-{team}"));
        }
        assert!(own_seen, "{team} sees its own decision on its Timeline");
        assert_eq!(app.decisions.len(), 1, "{team}");
    }
}
