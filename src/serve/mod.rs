//! `cyberdrill serve`: one exercise, many terminals, over SSH.
//!
//! One authoritative [`Exercise`] (engine + journal) sits behind a mutex. Every SSH session
//! runs its own [`App`] over it (its team's view only, chosen by the login, never by what
//! the player types); the facilitator's sessions run the clock. A clock task steps the
//! engine while it runs, and every change is announced on a watch channel so each session
//! redraws. Commands from all sessions reach the engine and the journal in one order, the
//! order the mutex grants, so `replay` reproduces a served exercise.
//!
//! `access.rs` holds the teams file and the host key, `session.rs` one session's loop.

pub mod access;
pub mod session;

use crate::cli::{EXIT_INVALID, EXIT_OK, EXIT_USAGE, load, replay};
use crate::journal::{JournalWriter, Mode};
use crate::sim::Sim;
use crate::tui::app::{App, Engine, Exercise, Role, SharedExercise};
use access::{Access, Who};
use russh::server::{Auth, Msg, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet};
use session::Input;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, mpsc, watch};

/// Options of `cyberdrill serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub scenario: Option<String>,
    pub listen: String,
    pub teams: PathBuf,
    pub seed: u64,
    pub journal: Option<PathBuf>,
    pub resume: Option<PathBuf>,
    pub host_key: PathBuf,
    pub init_teams: bool,
    pub max_sessions: usize,
    pub max_per_team: usize,
    /// Serve on from a moment of a journaled run.
    pub branch: crate::cli::BranchArgs,
}

/// Defaults of the command line (also used to print a resume command that needs no more).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:2222";
pub const DEFAULT_HOST_KEY: &str = "cyberdrill-host-key";
pub const DEFAULT_MAX_SESSIONS: usize = 64;
pub const DEFAULT_MAX_PER_TEAM: usize = 8;

/// Keys and packets waiting for a session before the connection stops reading.
const INPUT_QUEUE: usize = 64;
/// Bytes taken from one packet of input; a paste longer than this is cut.
const MAX_INPUT_PACKET: usize = 4096;

/// `cyberdrill serve`: returns the exit code.
pub fn serve(options: ServeOptions) -> u8 {
    if options.init_teams {
        return init_teams(&options);
    }
    let prepared = match prepare(&options) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the server runtime: {e}");
            return EXIT_USAGE;
        }
    };
    runtime.block_on(run(options, prepared))
}

fn init_teams(options: &ServeOptions) -> u8 {
    let reference = scenario_reference(options);
    let loaded = match load::load(&reference) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let file = access::init_teams(&loaded.scenario);
    let text = access::render_teams_file(&file);
    if let Err(e) = access::write_private(&options.teams, &text) {
        let hint = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "; it is kept as it is (remove it to make a new one, or pass --teams OTHER)"
        } else {
            ""
        };
        eprintln!("error: cannot write {}: {e}{hint}", options.teams.display());
        return EXIT_USAGE;
    }
    println!(
        "Wrote {} (readable by you only) for {}.",
        options.teams.display(),
        loaded.scenario.meta.title
    );
    println!("Hand each team its user name and password:\n");
    println!("  {:<24} {:<20} team", "user", "password");
    println!(
        "  {:<24} {:<20} white cell (ground truth, clock, injects)",
        access::FACILITATOR,
        file.facilitator.password
    );
    for t in &file.teams {
        let name = loaded
            .scenario
            .teams
            .iter()
            .find(|s| s.id == t.team)
            .map_or("", |s| s.name.as_str());
        println!("  {:<24} {:<20} {name}", t.team, t.password);
    }
    println!(
        "\nStart the exercise with: cyberdrill serve {reference} --teams {}",
        options.teams.display()
    );
    EXIT_OK
}

fn scenario_reference(options: &ServeOptions) -> String {
    options
        .scenario
        .clone()
        .unwrap_or_else(|| crate::cli::DEFAULT_SCENARIO.to_string())
}

/// Everything checked before the port is opened.
struct Prepared {
    exercise: Exercise,
    access: Access,
    teams: Vec<(String, String)>,
    title: String,
    journal_path: PathBuf,
    host_key: russh::keys::PrivateKey,
    host_key_new: bool,
    listener: std::net::TcpListener,
}

/// Opens the port, with a hint for the usual slips.
fn bind(listen: &str) -> Result<std::net::TcpListener, String> {
    let hint = if listen.parse::<u16>().is_ok() {
        format!(
            " (an address and a port: 127.0.0.1:{listen} for this machine only, 0.0.0.0:{listen} for the network)"
        )
    } else {
        String::new()
    };
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| format!("cannot listen on {listen}: {e}{hint}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    Ok(listener)
}

fn prepare(options: &ServeOptions) -> Result<Prepared, u8> {
    let fail = |message: String, code: u8| {
        eprintln!("error: {message}");
        code
    };
    let branch = match (&options.branch.branch, &options.branch.at) {
        (Some(parent), Some(at)) => {
            if options.scenario.is_some() || options.resume.is_some() {
                return Err(fail(
                    "--branch serves on from its journal: no scenario and no --resume with it"
                        .into(),
                    EXIT_USAGE,
                ));
            }
            Some(crate::cli::branch::Branch::open(parent, at).map_err(|e| e.report())?)
        }
        _ => None,
    };
    // The scenario: from the journal when resuming or branching, else the one named.
    let (loaded, resumed) = match &options.resume {
        None if branch.is_some() => (
            branch
                .as_ref()
                .map(|b| b.loaded.clone())
                .ok_or(EXIT_USAGE)?,
            None,
        ),
        Some(path) => {
            let (journal, loaded) = replay::open(path, None).map_err(|e| match e {
                replay::ReplayError::Usage(m) => fail(m, EXIT_USAGE),
                replay::ReplayError::Invalid(m) => fail(m, EXIT_INVALID),
            })?;
            if journal.mode != Mode::Play {
                return Err(fail(
                    format!(
                        "{} records a headless run; only a served or played exercise can be resumed",
                        path.display()
                    ),
                    EXIT_INVALID,
                ));
            }
            (loaded, Some(journal))
        }
        None => (load::load(&scenario_reference(options))?, None),
    };
    let access = Access::load(&options.teams, &loaded.scenario, &loaded.source_ref)
        .map_err(|(m, code)| fail(m, code))?;
    let humans = access.teams();
    if let Some(warning) = access::shared_secret_warning(&options.teams) {
        eprintln!("{warning}");
    }
    if let Some(journal) = &resumed {
        let mut recorded = crate::journal::current_humans(journal).unwrap_or_default();
        let mut listed = humans.clone();
        recorded.sort();
        listed.sort();
        if recorded != listed {
            return Err(fail(
                format!(
                    "the journal was served with people playing [{}] but {} lists [{}]; resume with the same teams file",
                    recorded.join(", "),
                    options.teams.display(),
                    humans.join(", ")
                ),
                EXIT_USAGE,
            ));
        }
    }
    // A new journal never replaces one: it may be an exercise in progress.
    let new_journal = options.resume.is_none().then(|| {
        options.journal.clone().unwrap_or_else(|| match &branch {
            Some(b) => b.default_path(loaded.scenario.clock.tick_minutes.max(1)),
            None => crate::tui::default_journal(&loaded.scenario.meta.id, options.seed),
        })
    });
    if let Some(path) = &new_journal
        && path.exists()
    {
        return Err(fail(
            format!(
                "{} exists: it may be an exercise in progress; to continue it: `cyberdrill serve --resume {}{}`; to start a new one, name another --journal",
                path.display(),
                path.display(),
                same_options(options)
            ),
            EXIT_USAGE,
        ));
    }
    // The port before any file is written: a failed start leaves nothing behind.
    let listener = bind(&options.listen).map_err(|m| fail(m, EXIT_USAGE))?;
    let (host_key, host_key_new) =
        access::host_key(&options.host_key).map_err(|(m, code)| fail(m, code))?;
    if let Some(warning) = access::shared_secret_warning(&options.host_key) {
        eprintln!("{warning}");
    }
    let (sim, writer, journal_path) = match (&options.resume, resumed) {
        (Some(path), Some(journal)) => {
            let sim = replay::resume(&journal, &loaded.scenario, path).map_err(|e| match e {
                replay::ReplayError::Usage(m) | replay::ReplayError::Invalid(m) => {
                    fail(m, EXIT_INVALID)
                }
            })?;
            let writer = JournalWriter::append_to(path).map_err(|e| {
                fail(
                    format!("cannot continue {}: {e}", path.display()),
                    EXIT_USAGE,
                )
            })?;
            (sim, writer, path.clone())
        }
        (None, _) if branch.is_some() => {
            let b = branch.as_ref().ok_or(EXIT_USAGE)?;
            let path = new_journal.clone().unwrap_or_default();
            let then = [crate::sim::Control::Players {
                humans: humans.clone(),
            }];
            b.write(&path, Some(access::FACILITATOR), &then)
                .map_err(|m| fail(m, EXIT_USAGE))?;
            let sim = b.sim(&then).map_err(|e| e.report())?;
            let writer = JournalWriter::append_to(&path).map_err(|e| {
                fail(
                    format!("cannot continue {}: {e}", path.display()),
                    EXIT_USAGE,
                )
            })?;
            (sim, writer, path)
        }
        _ => {
            let path = new_journal.clone().unwrap_or_default();
            let header =
                crate::cli::run::play_header(&loaded, options.seed, access::FACILITATOR, &humans);
            let writer = JournalWriter::create(&path, header).map_err(|e| {
                fail(
                    format!("cannot write the journal {}: {e}", path.display()),
                    EXIT_USAGE,
                )
            })?;
            (
                Sim::with_players(&loaded.scenario, options.seed, &humans),
                writer,
                path,
            )
        }
    };
    let mut exercise = Exercise::new(sim, Some(writer));
    exercise.online = std::iter::once(access::FACILITATOR.to_string())
        .chain(humans)
        .map(|user| (user, 0))
        .collect();
    Ok(Prepared {
        exercise,
        access,
        teams: crate::tui::teams(&loaded.scenario),
        title: loaded.scenario.meta.title.clone(),
        journal_path,
        host_key,
        host_key_new,
        listener,
    })
}

/// What every connection shares.
#[derive(Clone)]
struct Hub {
    exercise: SharedExercise,
    changes: watch::Receiver<u64>,
    /// Becomes true when the server stops: every session restores its player's terminal.
    stop: watch::Receiver<bool>,
    /// Session tasks still running.
    live: Arc<AtomicUsize>,
    /// Connections open (logged in or not).
    connections: Arc<AtomicUsize>,
    /// Connections not logged in yet, per address.
    pending: Arc<Mutex<BTreeMap<std::net::IpAddr, usize>>>,
    access: Arc<Access>,
    teams: Vec<(String, String)>,
    sessions: Arc<Mutex<Sessions>>,
    max_sessions: usize,
    max_per_team: usize,
}

/// Open sessions, in total and per login.
#[derive(Default)]
struct Sessions {
    total: usize,
    per_user: BTreeMap<String, usize>,
    next_id: u64,
}

impl Hub {
    fn sessions(&self) -> std::sync::MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a session slot for this login, or says why not. The slot is given back when
    /// the returned [`Slot`] is dropped (when the session ends).
    fn admit(&self, who: &Who) -> Result<(u64, Slot), String> {
        let mut s = self.sessions();
        let user = who.user().to_string();
        let mine = s.per_user.get(&user).copied().unwrap_or(0);
        if s.total >= self.max_sessions {
            return Err(format!(
                "The exercise is full ({} sessions). Try again later.",
                self.max_sessions
            ));
        }
        if mine >= self.max_per_team {
            return Err(format!(
                "`{user}` already has {mine} session{} open (the limit). Close one and try again.",
                if mine == 1 { "" } else { "s" }
            ));
        }
        s.total += 1;
        *s.per_user.entry(user.clone()).or_default() += 1;
        s.next_id += 1;
        let id = s.next_id;
        drop(s);
        self.show_online(&user, 1);
        Ok((
            id,
            Slot {
                hub: self.clone(),
                who: who.clone(),
            },
        ))
    }

    fn release(&self, who: &Who) {
        let mut s = self.sessions();
        s.total = s.total.saturating_sub(1);
        if let Some(n) = s.per_user.get_mut(who.user()) {
            *n = n.saturating_sub(1);
        }
        drop(s);
        self.show_online(who.user(), -1);
    }

    /// Tells the facilitator's screens who is connected.
    fn show_online(&self, user: &str, delta: isize) {
        {
            let mut ex = self.exercise.lock();
            let n = ex.online.entry(user.to_string()).or_default();
            *n = n.saturating_add_signed(delta);
        }
        (self.exercise.changed)();
    }
}

/// A session's place under the caps, given back when dropped.
struct Slot {
    hub: Hub,
    who: Who,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.hub.release(&self.who);
    }
}

/// A connection not logged in yet, counted per address until it logs in or goes.
struct Pending {
    hub: Hub,
    ip: std::net::IpAddr,
}

impl Pending {
    /// Counts a new connection from `ip`, unless too many are waiting already.
    fn new(hub: &Hub, ip: std::net::IpAddr) -> Result<Pending, String> {
        let mut waiting = hub.pending.lock().unwrap_or_else(|e| e.into_inner());
        let all: usize = waiting.values().sum();
        let mine = waiting.get(&ip).copied().unwrap_or(0);
        if all >= PENDING_LOGINS {
            return Err(format!("{all} connections are waiting to log in"));
        }
        if mine >= PENDING_PER_ADDRESS {
            return Err(format!(
                "{mine} connections from {ip} are waiting to log in"
            ));
        }
        *waiting.entry(ip).or_default() += 1;
        Ok(Pending {
            hub: hub.clone(),
            ip,
        })
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let mut waiting = self.hub.pending.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = waiting.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                waiting.remove(&self.ip);
            }
        }
    }
}

/// Connections that may wait at the login prompt beyond the session cap.
const PENDING_LOGINS: usize = 64;
/// Connections from one address that may wait at the login prompt: a whole exercise room
/// behind one NAT address logs in at once, so this is not small.
const PENDING_PER_ADDRESS: usize = 32;
/// A connection must log in within this time.
const LOGIN_DEADLINE: Duration = Duration::from_secs(120);

/// Accepts connections for ever: at most `max_sessions + PENDING_LOGINS` at once, each to log
/// in within [`LOGIN_DEADLINE`].
async fn accept(listener: tokio::net::TcpListener, config: Arc<russh::server::Config>, hub: Hub) {
    let open = hub.connections.clone();
    let limit = hub.max_sessions + PENDING_LOGINS;
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait rather than spin.
                log(&format!("cannot accept a connection: {e}"));
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        if open.load(Ordering::SeqCst) >= limit {
            log(&format!(
                "refused connection from {peer}: {limit} open already"
            ));
            continue;
        }
        let pending = match Pending::new(&hub, peer.ip()) {
            Ok(p) => p,
            Err(why) => {
                log(&format!("refused connection from {peer}: {why}"));
                continue;
            }
        };
        // A second handle on the socket, to cut a connection that overstays its welcome even
        // when its client no longer answers.
        let (stream, cutter) = match split_off_cutter(stream) {
            Ok(pair) => pair,
            Err(e) => {
                log(&format!("cannot take the connection from {peer}: {e}"));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let _ = socket2::SockRef::from(&stream).set_tcp_keepalive(
            &socket2::TcpKeepalive::new()
                .with_time(Duration::from_secs(60))
                .with_interval(Duration::from_secs(10))
                .with_retries(3),
        );
        let counted = OpenConnection::new(open.clone());
        let progress = Arc::new(AtomicU8::new(CONNECTED));
        let connection = Connection {
            hub: hub.clone(),
            peer: Some(peer),
            who: None,
            progress: progress.clone(),
            pending: Some(pending),
            channel: None,
            size: None,
            resize: None,
            input: None,
        };
        let config = config.clone();
        tokio::spawn(async move {
            let _counted = counted;
            let started = tokio::time::timeout(
                LOGIN_DEADLINE,
                russh::server::run_stream(config, stream, connection),
            )
            .await;
            let Ok(Ok(running)) = started else { return };
            let handle = running.handle();
            tokio::pin!(running);
            tokio::select! {
                _ = &mut running => return,
                _ = tokio::time::sleep(LOGIN_DEADLINE) => {}
            }
            // A connection that never logs in, or logs in and opens no terminal (`ssh -N`),
            // holds a slot for nothing.
            let why = match progress.load(Ordering::SeqCst) {
                CONNECTED => Some("no login"),
                LOGGED_IN => Some("no terminal session"),
                _ => None,
            };
            if let Some(why) = why {
                log(&format!(
                    "disconnected {peer}: {why} within {LOGIN_DEADLINE:?}"
                ));
                let _ = handle
                    .disconnect(
                        russh::Disconnect::ByApplication,
                        format!("{why} within two minutes"),
                        "en".into(),
                    )
                    .await;
                // Whether or not the client answers, the connection goes.
                tokio::time::sleep(Duration::from_secs(1)).await;
                let _ = cutter.shutdown(std::net::Shutdown::Both);
            }
            let _ = running.await;
        });
    }
}

/// The stream for russh and a duplicate of its socket to shut it down from outside.
fn split_off_cutter(
    stream: tokio::net::TcpStream,
) -> std::io::Result<(tokio::net::TcpStream, std::net::TcpStream)> {
    let std = stream.into_std()?;
    let cutter = std.try_clone()?;
    Ok((tokio::net::TcpStream::from_std(std)?, cutter))
}

/// How far a connection got: connected, logged in, or with a terminal session.
const CONNECTED: u8 = 0;
const LOGGED_IN: u8 = 1;
const IN_SESSION: u8 = 2;

/// Counts an open connection until dropped.
struct OpenConnection(Arc<AtomicUsize>);

impl OpenConnection {
    fn new(open: Arc<AtomicUsize>) -> OpenConnection {
        open.fetch_add(1, Ordering::SeqCst);
        OpenConnection(open)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One client connection: its login, its one terminal channel, its session's input.
struct Connection {
    hub: Hub,
    peer: Option<SocketAddr>,
    who: Option<Who>,
    progress: Arc<AtomicU8>,
    /// Held until login.
    pending: Option<Pending>,
    channel: Option<ChannelId>,
    size: Option<(u16, u16)>,
    /// Where window sizes go once the session runs (only the latest matters).
    resize: Option<watch::Sender<(u16, u16)>>,
    input: Option<mpsc::Sender<Input>>,
}

impl Connection {
    fn peer(&self) -> String {
        self.peer.map_or("?".to_string(), |p| p.to_string())
    }

    fn logged(&mut self, who: Option<Who>, user: &str, how: &str) -> Auth {
        match who {
            Some(w) => {
                log(&format!("login {} ({how}) from {}", w.user(), self.peer()));
                self.who = Some(w);
                self.progress.store(LOGGED_IN, Ordering::SeqCst);
                self.pending = None;
                Auth::Accept
            }
            None => {
                log(&format!(
                    "refused {how} for `{}` from {}",
                    user.escape_debug(),
                    self.peer()
                ));
                // Keep both methods open: a mistyped password may be typed again (up to
                // `max_auth_attempts`, each refusal taking `auth_rejection_time`).
                Auth::Reject {
                    proceed_with_methods: Some(methods()),
                    partial_success: false,
                }
            }
        }
    }

    /// The client is done with its terminal: the session's input ends, so the session ends.
    fn hang_up(&mut self, channel: ChannelId) {
        if self.channel == Some(channel) {
            self.input = None;
            self.resize = None;
        }
    }

    /// Refuses a request on our channel: the client hears "failure", then the channel ends.
    fn refuse(&self, what: &str, channel: ChannelId, session: &mut Session) {
        log(&format!(
            "refused {what} from {} ({})",
            self.who.as_ref().map_or("?", |w| w.user()),
            self.peer()
        ));
        let _ = session.channel_failure(channel);
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_password(&mut self, user: &str, password: &str) -> Result<Auth, Self::Error> {
        let who = self.hub.access.password(user, password);
        Ok(self.logged(who, user, "password"))
    }

    async fn auth_publickey_offered(
        &mut self,
        user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        // Spare the signature when the key is not one of this user's.
        if self.hub.access.key(user, offer.public_key).is_some() {
            return Ok(Auth::Accept);
        }
        Ok(self.logged(None, user, "public key"))
    }

    async fn auth_publickey(
        &mut self,
        user: &str,
        key: VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        let who = self.hub.access.key(user, key.public_key);
        Ok(self.logged(who, user, "public key"))
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // One terminal per connection; dropping `reply` refuses the channel.
        if self.who.is_some() && self.channel.is_none() {
            self.channel = Some(channel.id());
            reply.accept().await;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        cols: u32,
        rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.size = Some((clamp_cols(cols), clamp_rows(rows)));
        session.channel_success(channel)?;
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        cols: u32,
        rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let size = (clamp_cols(cols), clamp_rows(rows));
        self.size = Some(size);
        if let Some(tx) = &self.resize {
            let _ = tx.send(size);
        }
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(who) = self.who.clone() else {
            self.refuse("a shell before login", channel, session);
            return Ok(());
        };
        if self.channel != Some(channel) || self.input.is_some() {
            self.refuse("a second shell", channel, session);
            return Ok(());
        }
        session.channel_success(channel)?;
        let handle = session.handle();
        let Some(size) = self.size else {
            log(&format!("turned away {}: no terminal", who.user()));
            turn_away(
                handle,
                channel,
                "cyberdrill needs a terminal: connect with `ssh -t`.".into(),
            );
            return Ok(());
        };
        let (id, slot) = match self.hub.admit(&who) {
            Ok(admitted) => admitted,
            Err(message) => {
                log(&format!("turned away {}: {message}", who.user()));
                turn_away(handle, channel, message);
                return Ok(());
            }
        };
        self.progress.store(IN_SESSION, Ordering::SeqCst);
        let role = match &who {
            Who::Facilitator => Role::Facilitator,
            Who::Team(t) => Role::Team(t.clone()),
        };
        let app = App::over(
            Engine::Shared(self.hub.exercise.clone()),
            role,
            self.hub.teams.clone(),
        );
        let (tx, rx) = mpsc::channel(INPUT_QUEUE);
        self.input = Some(tx);
        let (resize_tx, resize_rx) = watch::channel(size);
        self.resize = Some(resize_tx);
        let changes = self.hub.changes.clone();
        let stop = self.hub.stop.clone();
        let live = OpenConnection::new(self.hub.live.clone());
        let user = who.user().to_string();
        let peer = self.peer();
        log(&format!("session {id} opened: {user} from {peer}"));
        tokio::spawn(async move {
            let _live = live;
            let why =
                session::run(app, handle.clone(), channel, rx, resize_rx, changes, stop).await;
            // The slot is free again as soon as the session ends, even if the connection
            // stays (an `ssh` ControlMaster may open another session on it).
            drop(slot);
            log(&format!("session {id} closed: {user} ({why})"));
            let _ = handle.exit_status_request(channel, 0).await;
            let _ = handle.eof(channel).await;
            let _ = handle.close(channel).await;
        });
        Ok(())
    }

    async fn data(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel == Some(channel)
            && let Some(tx) = &self.input
        {
            let bytes = data[..data.len().min(MAX_INPUT_PACKET)].to_vec();
            // Never wait here: this loop also reads the client's window updates, which a
            // session blocked on output needs. A session this far behind loses the keys.
            let _ = tx.try_send(Input::Bytes(bytes));
        }
        Ok(())
    }

    async fn channel_eof(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.hang_up(channel);
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.hang_up(channel);
        if self.channel == Some(channel) {
            // The connection may open another terminal (one at a time).
            self.channel = None;
            self.size = None;
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Answer "success" so the client shows the words below rather than a bare failure.
        log(&format!(
            "refused a command (exec) from {} ({})",
            self.who.as_ref().map_or("?", |w| w.user()),
            self.peer()
        ));
        session.channel_success(channel)?;
        turn_away(
            session.handle(),
            channel,
            "cyberdrill runs no commands: connect without one (ssh -p PORT TEAM@HOST).".into(),
        );
        Ok(())
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse(
            &format!("subsystem {}", name.escape_debug()),
            channel,
            session,
        );
        session.close(channel)?;
        Ok(())
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single: bool,
        _protocol: &str,
        _cookie: &str,
        _screen: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.refuse("X11 forwarding", channel, session);
        Ok(())
    }

    async fn agent_request(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        log(&format!("refused agent forwarding ({channel:?})"));
        Ok(false)
    }

    async fn channel_open_direct_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        _host: &str,
        _port: u32,
        _originator: &str,
        _originator_port: u32,
        _reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Dropping `reply` refuses the channel.
        log(&format!(
            "refused port forwarding (-L) from {}",
            self.peer()
        ));
        Ok(())
    }

    async fn tcpip_forward(
        &mut self,
        _address: &str,
        _port: &mut u32,
        _session: &mut Session,
    ) -> Result<bool, Self::Error> {
        log(&format!(
            "refused port forwarding (-R) from {}",
            self.peer()
        ));
        Ok(false)
    }
}

/// The ways in: public keys and passwords.
fn methods() -> MethodSet {
    MethodSet::from(&[MethodKind::PublicKey, MethodKind::Password][..])
}

/// Tells the client why it cannot have a session, then ends the channel (all through the
/// handle's queue, so the words arrive before the close).
fn turn_away(handle: russh::server::Handle, channel: ChannelId, message: String) {
    tokio::spawn(async move {
        let _ = handle
            .data(channel, format!("{message}\r\n").into_bytes())
            .await;
        let _ = handle.exit_status_request(channel, 1).await;
        let _ = handle.eof(channel).await;
        let _ = handle.close(channel).await;
    });
}

/// Terminal sizes as the server draws them: a client may claim 4 billion columns, and every
/// cell of a session's screen costs memory and drawing time.
fn clamp_cols(n: u32) -> u16 {
    n.clamp(1, 400) as u16
}

fn clamp_rows(n: u32) -> u16 {
    n.clamp(1, 150) as u16
}

/// A line on the server's terminal, with the wall-clock time (outside the simulation).
fn log(message: &str) {
    use std::io::Write;
    let now = jiff::Timestamp::now().strftime("%H:%M:%S");
    // A closed log (the terminal went away) must not stop the exercise.
    let _ = writeln!(std::io::stdout(), "{now} {message}");
}

async fn run(options: ServeOptions, prepared: Prepared) -> u8 {
    #[cfg(unix)]
    // SAFETY: a valid handler for a valid signal; a client that goes away must not end the
    // server with SIGPIPE (main restores the default action for the other commands).
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let address = prepared
        .listener
        .local_addr()
        .map_or(options.listen.clone(), |a| a.to_string());
    let summary = prepared_summary(&prepared, &address);
    let listener = match tokio::net::TcpListener::from_std(prepared.listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", options.listen);
            return EXIT_USAGE;
        }
    };
    let (version_tx, version_rx) = watch::channel(0u64);
    let version_tx = Arc::new(version_tx);
    let clock_wake = Arc::new(Notify::new());
    let changed: Arc<dyn Fn() + Send + Sync> = {
        let version_tx = version_tx.clone();
        let clock_wake = clock_wake.clone();
        Arc::new(move || {
            version_tx.send_modify(|v| *v += 1);
            clock_wake.notify_one();
        })
    };
    let exercise = SharedExercise {
        exercise: Arc::new(Mutex::new(prepared.exercise)),
        changed,
    };
    let (stop_tx, stop_rx) = watch::channel(false);
    let live = Arc::new(AtomicUsize::new(0));
    let connections = Arc::new(AtomicUsize::new(0));
    let hub = Hub {
        exercise: exercise.clone(),
        changes: version_rx,
        stop: stop_rx,
        live: live.clone(),
        connections: connections.clone(),
        pending: Arc::new(Mutex::new(BTreeMap::new())),
        access: Arc::new(prepared.access),
        teams: prepared.teams.clone(),
        sessions: Arc::new(Mutex::new(Sessions::default())),
        max_sessions: options.max_sessions,
        max_per_team: options.max_per_team,
    };
    print_banner(&options, &summary);

    let config = Arc::new(russh::server::Config {
        methods: methods(),
        auth_rejection_time: Duration::from_secs(1),
        auth_rejection_time_initial: Some(Duration::from_secs(0)),
        keys: vec![prepared.host_key],
        // A player may watch for hours without typing. No SSH keepalives: OpenSSH refuses one
        // that arrives while its user is still typing the password. TCP keepalives (set on
        // each connection) find dead clients instead.
        inactivity_timeout: None,
        keepalive_interval: None,
        max_auth_attempts: 6,
        nodelay: true,
        ..Default::default()
    });
    let clock = tokio::spawn(run_clock(exercise.clone(), clock_wake, version_tx.clone()));
    tokio::select! {
        _ = accept(listener, config, hub) => {}
        _ = shutdown_signal() => log("stopping (signal)"),
    }
    clock.abort();
    // Give every session the chance to leave the alternate screen and close its channel.
    let _ = stop_tx.send(true);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while live.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Then for the clients to hang up, so the last screen bytes are not cut off.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while connections.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (tick, minute, over) = {
        let mut ex = exercise.lock();
        ex.mark();
        let tick = ex.sim.tick();
        (tick, tick * ex.sim.tick_minutes(), ex.sim.is_over())
    };
    let path = prepared.journal_path.display();
    say(&format!(
        "Stopped at tick {tick} ({}){}. Journal: {path}",
        crate::sim::view::hhmm_span(minute),
        if over { " (the exercise is over)" } else { "" }
    ));
    if !over {
        say(&format!(
            "Continue later with: cyberdrill serve --resume {path}{}",
            same_options(&options)
        ));
    }
    say(&format!(
        "After-action report: cyberdrill report {path} --format html -o report.html"
    ));
    say(&format!("Check it replays: cyberdrill replay {path}"));
    EXIT_OK
}

/// The options a resumed server needs to be reached as before.
fn same_options(o: &ServeOptions) -> String {
    let mut words = vec![format!("--teams {}", o.teams.display())];
    if o.listen != DEFAULT_LISTEN {
        words.push(format!("--listen {}", o.listen));
    }
    if o.host_key != std::path::Path::new(DEFAULT_HOST_KEY) {
        words.push(format!("--host-key {}", o.host_key.display()));
    }
    if o.max_sessions != DEFAULT_MAX_SESSIONS {
        words.push(format!("--max-sessions {}", o.max_sessions));
    }
    if o.max_per_team != DEFAULT_MAX_PER_TEAM {
        words.push(format!("--max-per-team {}", o.max_per_team));
    }
    format!(" {}", words.join(" "))
}

/// A line on the server's terminal; a closed terminal or pipe must not stop the exercise.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

struct Summary {
    title: String,
    address: String,
    fingerprint: String,
    host_key_new: bool,
    journal: PathBuf,
    people: Vec<(String, String)>,
    bots: Vec<String>,
    /// Simulated minutes already played (when resumed).
    minute: u32,
}

fn prepared_summary(prepared: &Prepared, address: &str) -> Summary {
    let humans = prepared.access.teams();
    let name = |id: &str| {
        prepared
            .teams
            .iter()
            .find(|(t, _)| t == id)
            .map_or(String::new(), |(_, n)| n.clone())
    };
    Summary {
        title: prepared.title.clone(),
        address: address.to_string(),
        fingerprint: access::fingerprint(&prepared.host_key),
        host_key_new: prepared.host_key_new,
        journal: prepared.journal_path.clone(),
        people: humans.iter().map(|t| (t.clone(), name(t))).collect(),
        bots: prepared
            .teams
            .iter()
            .filter(|(t, _)| !humans.contains(t))
            .map(|(_, n)| n.clone())
            .collect(),
        minute: prepared.exercise.sim.tick() * prepared.exercise.sim.tick_minutes(),
    }
}

fn print_banner(options: &ServeOptions, s: &Summary) {
    let (host, port) = s
        .address
        .rsplit_once(':')
        .map_or((s.address.as_str(), "22"), |(h, p)| (h, p));
    // Listening on every interface: players use this machine's address on their network.
    let anywhere = matches!(host, "0.0.0.0" | "[::]");
    let host = if anywhere { "HOST" } else { host };
    say(&format!("cyberdrill serve — {}", s.title));
    say(&format!(
        "Host key: {} ({})",
        options.host_key.display(),
        if s.host_key_new {
            "new"
        } else {
            "kept from before"
        }
    ));
    say(&format!("Host key fingerprint: {}", s.fingerprint));
    say("  (players: check that `ssh` shows this fingerprint before answering yes)");
    say(&format!("Journal: {}", s.journal.display()));
    if s.minute > 0 {
        say(&format!(
            "Resumed at {}.",
            crate::sim::view::hhmm_span(s.minute)
        ));
    }
    say(&format!(
        "Facilitator: ssh -p {port} {}@{host}",
        access::FACILITATOR
    ));
    for (id, name) in &s.people {
        say(&format!("  {name}: ssh -p {port} {id}@{host}"));
    }
    if anywhere {
        say("  (HOST: this machine's name or address as the players' machines reach it)");
    }
    if !s.bots.is_empty() {
        say(&format!("Played by the engine: {}", s.bots.join(", ")));
    }
    say("The clock is paused until the facilitator starts it. Ctrl-C here ends the exercise.");
    say(&format!("Listening on {}", s.address));
}

/// Steps the engine while the exercise runs; sleeps on `wake` while it is paused or over.
/// A change of pace or a pause takes effect at once; other changes (commands) do not move
/// the next tick.
async fn run_clock(exercise: SharedExercise, wake: Arc<Notify>, version: Arc<watch::Sender<u64>>) {
    let settings = || {
        let ex = exercise.lock();
        (!ex.paused && !ex.sim.is_over(), ex.tick_interval())
    };
    loop {
        let (running, interval) = settings();
        if !running {
            wake.notified().await;
            continue;
        }
        let started = tokio::time::Instant::now();
        let mut deadline = started + interval;
        let go = loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => break true,
                _ = wake.notified() => {
                    let (running, now_interval) = settings();
                    if !running {
                        break false;
                    }
                    deadline = started + now_interval;
                }
            }
        };
        if !go {
            continue;
        }
        let (stepped, ended) = {
            let mut ex = exercise.lock();
            let stepped = !ex.paused && ex.step();
            (stepped, stepped && ex.sim.is_over())
        };
        if ended {
            log("the exercise is over; Ctrl-C here stops the server");
        }
        if stepped {
            version.send_modify(|v| *v += 1);
        }
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        // A closed server terminal (SIGHUP) stops cleanly too.
        let mut hangup = signal(SignalKind::hangup()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
            _ = async {
                match hangup.as_mut() {
                    Some(h) => { h.recv().await; }
                    None => std::future::pending::<()>().await,
                }
            } => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
