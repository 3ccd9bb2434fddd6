//! `cyberdrill serve`: one exercise, many terminals, over SSH.
//!
//! One authoritative [`Exercise`] (engine + journal) sits behind a mutex. Every SSH session
//! runs its own [`App`] over it (its team's view only, chosen by the login, never by what
//! the player types); the facilitator's sessions run the clock. A clock task steps the
//! engine while it runs, and every change is announced on a watch channel so each session
//! redraws. Commands from all sessions reach the engine and the journal in one order, the
//! order the mutex grants, so `replay` reproduces a served exercise.
//!
//! Before login a connection waits in the [`Lobby`], bounded in all and per address, with
//! deadlines for its first line and its login; a full lobby reclaims the connection that has
//! done least instead of refusing a newcomer, so a flood cannot lock out a room of players
//! behind the flood's own address. What is dropped or reclaimed is logged, rate-limited
//! ([`Quiet`]). A journal that cannot be written stops the server, every session told why.
//!
//! `access.rs` holds the teams file and the host key, `session.rs` one session's loop.

pub mod access;
pub mod session;

use crate::exercise::{Error, Exercise, SharedExercise, load, start};
use crate::tui::app::{App, Engine, Role};
use crate::tui::observer::ObserverScreen;
use crate::tui::screen::Screen;
use access::{Access, Who};
use russh::server::{Auth, Msg, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, MethodKind, MethodSet};
use session::Input;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
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
    pub branch: Option<crate::exercise::branch::BranchFrom>,
    /// Where to serve the wall display, if anywhere.
    pub wall: Option<String>,
}

/// Defaults of the command line (also used to print a resume command that needs no more).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:2222";
pub const DEFAULT_HOST_KEY: &str = "cyberdrill-host-key";
pub const DEFAULT_MAX_SESSIONS: usize = 64;
pub const DEFAULT_MAX_PER_TEAM: usize = 8;

/// Keys and packets waiting for a session before the connection stops reading.
const INPUT_QUEUE: usize = 64;
/// Messages (screen updates among them) a session's handle may queue for its connection.
const HANDLE_QUEUE: usize = 4;
/// How often the server looks whether the exercise stopped on a journal failure (it also
/// looks on every change).
const FAILURE_POLL: Duration = Duration::from_millis(500);
/// Bytes taken from one packet of input; a paste longer than this is cut.
const MAX_INPUT_PACKET: usize = 4096;

/// `cyberdrill serve`.
pub fn serve(options: ServeOptions) -> Result<(), Error> {
    if options.init_teams {
        return init_teams(&options);
    }
    #[cfg(unix)]
    process_limits();
    let prepared = prepare(&options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the server runtime: {e}")))?;
    runtime.block_on(run(options, prepared))
}

/// File descriptors the server asks for (each connection takes two), when allowed.
#[cfg(unix)]
const WANTED_FILES: libc::rlim_t = 8192;

/// A file size limit (`ulimit -f`) makes a journal write fail, which stops the exercise
/// cleanly with a resumable journal, instead of killing the server (SIGXFSZ); and the server
/// takes the file descriptors it is allowed, up to [`WANTED_FILES`].
#[cfg(unix)]
fn process_limits() {
    // SAFETY: a valid signal and the "ignore" action; getrlimit/setrlimit on a local struct.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        let mut files = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut files) == 0 && files.rlim_cur < WANTED_FILES {
            files.rlim_cur = WANTED_FILES.min(files.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &files);
        }
    }
}

fn init_teams(options: &ServeOptions) -> Result<(), Error> {
    let reference = scenario_reference(options);
    let loaded = load::load(&reference)?;
    let file = access::init_teams(&loaded.scenario);
    let text = access::render_teams_file(&file);
    if let Err(e) = access::write_private(&options.teams, &text) {
        let hint = if e.kind() == std::io::ErrorKind::AlreadyExists {
            "; it is kept as it is (remove it to make a new one, or pass --teams OTHER)"
        } else {
            ""
        };
        return Err(Error::Usage(format!(
            "cannot write {}: {e}{hint}",
            options.teams.display()
        )));
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
    Ok(())
}

fn scenario_reference(options: &ServeOptions) -> String {
    options
        .scenario
        .clone()
        .unwrap_or_else(|| crate::exercise::DEFAULT_SCENARIO.to_string())
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
    /// The wall display's port, when asked for.
    wall: Option<std::net::TcpListener>,
    /// What a resumed journal lost: its last line, cut off while it was written.
    torn: Option<String>,
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
    let listener =
        listen_on(listen).map_err(|e| format!("cannot listen on {listen}: {e}{hint}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    Ok(listener)
}

/// Connections the kernel may hold for the server before it accepts them. The standard
/// library's 128 overflows under a flood of connections, and a player's connection whose
/// handshake the kernel drops waits a second for its retry; the kernel caps this at
/// `net.core.somaxconn`.
const LISTEN_BACKLOG: i32 = 4096;

/// Like `std::net::TcpListener::bind` (the first address that works, `SO_REUSEADDR` on
/// Unix), with a [`LISTEN_BACKLOG`].
fn listen_on(listen: &str) -> std::io::Result<std::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let mut last = None;
    for address in listen.to_socket_addrs()? {
        let attempt = (|| {
            let socket = socket2::Socket::new(
                socket2::Domain::for_address(address),
                socket2::Type::STREAM,
                Some(socket2::Protocol::TCP),
            )?;
            #[cfg(unix)]
            socket.set_reuse_address(true)?;
            socket.bind(&address.into())?;
            socket.listen(LISTEN_BACKLOG)?;
            Ok(std::net::TcpListener::from(socket))
        })();
        match attempt {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "could not resolve to any addresses",
        )
    }))
}

fn prepare(options: &ServeOptions) -> Result<Prepared, Error> {
    let branch = match &options.branch {
        Some(crate::exercise::branch::BranchFrom { parent, at }) => {
            if options.scenario.is_some() || options.resume.is_some() {
                return Err(Error::Usage(
                    "--branch serves on from its journal: no scenario and no --resume with it"
                        .into(),
                ));
            }
            Some(crate::exercise::branch::Branch::open(parent, at)?)
        }
        None => None,
    };
    // The scenario: from the journal when resuming or branching, else the one named.
    let (loaded, resumed) = match (&options.resume, &branch) {
        (None, Some(b)) => (b.loaded.clone(), None),
        (Some(path), _) => {
            let (journal, loaded) =
                start::open_played(path, "only a served or played exercise can be resumed")?;
            (loaded, Some(journal))
        }
        (None, None) => (load::load(&scenario_reference(options))?, None),
    };
    let torn = resumed.as_ref().and_then(|j| j.torn_notice());
    let access = Access::load(&options.teams, &loaded.scenario, &loaded.source_ref)?;
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
            return Err(Error::Usage(format!(
                "the journal was served with people playing [{}] but {} lists [{}]; resume with the same teams file",
                recorded.join(", "),
                options.teams.display(),
                humans.join(", ")
            )));
        }
    }
    // A new journal never replaces one: it may be an exercise in progress.
    let new_journal = options.resume.is_none().then(|| match &branch {
        Some(b) => start::branch_journal(b, options.journal.clone()),
        None => options.journal.clone().unwrap_or_else(|| {
            crate::exercise::default_journal(&loaded.scenario.meta.id, options.seed)
        }),
    });
    if let Some(path) = &new_journal
        && path.exists()
    {
        return Err(Error::Usage(format!(
            "{} exists: it may be an exercise in progress; to continue it: `cyberdrill serve --resume {}{}`; to start a new one, name another --journal",
            path.display(),
            path.display(),
            same_options(options)
        )));
    }
    // The port before any file is written: a failed start leaves nothing behind.
    let listener = bind(&options.listen).map_err(Error::Usage)?;
    let wall = options.wall.as_deref().map(crate::wall::bind).transpose()?;
    let (host_key, host_key_new) = access::host_key(&options.host_key)?;
    if let Some(warning) = access::shared_secret_warning(&options.host_key) {
        eprintln!("{warning}");
    }
    // Observers' notes and decisions of the past come back with it (the engine skips them).
    let notes = match (&resumed, &branch) {
        (Some(journal), _) => journal.notes.clone(),
        (None, Some(b)) => b.notes(),
        (None, None) => Default::default(),
    };
    let (sim, writer, journal_path) = match (&options.resume, resumed, &branch) {
        (Some(path), Some(journal), _) => {
            let (sim, writer) = start::resume(&journal, &loaded, path)?;
            (sim, writer, path.clone())
        }
        (None, _, Some(b)) => {
            let path = new_journal.clone().unwrap_or_default();
            let then = [crate::sim::Control::Players {
                humans: humans.clone(),
            }];
            let (sim, writer) = start::branch(b, &path, Some(access::FACILITATOR), &then)?;
            (sim, writer, path)
        }
        _ => {
            let path = new_journal.clone().unwrap_or_default();
            let (sim, writer) =
                start::new_run(&loaded, options.seed, access::FACILITATOR, &humans, &path)
                    .map_err(|e| Error::Usage(e.to_string()))?;
            (sim, writer, path)
        }
    };
    let mut exercise = Exercise::new(sim, Some(writer));
    exercise.notes = notes;
    exercise.online = std::iter::once(access::FACILITATOR.to_string())
        .chain(humans)
        .map(|user| (user, 0))
        .collect();
    Ok(Prepared {
        exercise,
        access,
        teams: crate::exercise::teams(&loaded.scenario),
        title: loaded.scenario.meta.title.clone(),
        journal_path,
        host_key,
        host_key_new,
        listener,
        wall,
        torn,
    })
}

/// What every connection shares.
#[derive(Clone)]
struct Hub {
    exercise: SharedExercise,
    changes: watch::Receiver<u64>,
    /// Set when the server stops: every session restores its player's terminal and says why.
    stop: watch::Receiver<Option<session::Stop>>,
    /// Session tasks still running.
    live: Arc<AtomicUsize>,
    /// Connections open (logged in or not).
    connections: Arc<AtomicUsize>,
    /// Connections logged in.
    logged_in: Arc<AtomicUsize>,
    /// Connections not logged in yet.
    lobby: Arc<Lobby>,
    /// The log of connections that did not get in, rate-limited.
    quiet: Arc<Quiet>,
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

// ---------------------------------------------------------------------------------------
// Before login: the lobby of connections waiting to log in, their deadlines, and the log of
// what was refused. A room of players behind one NAT address must get in while someone
// floods that address with half-open connections, so a full lobby never turns a newcomer
// away: it reclaims the waiting connection that has done least, the oldest first.

/// Connections that may wait to log in at once, from every address together: each costs a
/// task, its key-exchange state and two file descriptors, so this bounds the memory and the
/// descriptors that anonymous clients can take.
const LOBBY_TOTAL: usize = 256;
/// Connections from one address (an IPv6 /64 counts as one) that may wait to log in at once:
/// twice the default session cap, so a whole exercise behind one NAT can connect at once,
/// and half the lobby, so one address cannot take it all from the others.
const LOBBY_PER_SOURCE: usize = 128;
/// A client must send its SSH identification line within this time. SSH clients send it as
/// soon as the TCP connection is up; a connection that stays silent is not a player.
const IDENT_DEADLINE: Duration = Duration::from_secs(10);
/// A connection must log in within this time (the player may be comparing the host key's
/// fingerprint, then typing the password).
const LOGIN_DEADLINE: Duration = Duration::from_secs(120);
/// Bytes received beyond which a connection counts as in its key exchange (an
/// identification line is at most 255 bytes; a client's key exchange offer is more).
const KEX_BYTES: u64 = 512;
/// The first bytes of a connection kept, to say in the log what a client that is not SSH sent.
const FIRST_BYTES: usize = 40;

// How far a connection got (`Progress::stage`), from 0: not even its identification line.
/// Its identification line arrived.
const GREETED: u8 = 1;
/// The key exchange is done: it is authenticating.
const KEYED: u8 = 2;
const LOGGED_IN: u8 = 3;
const IN_SESSION: u8 = 4;

/// What a connection has done so far, shared by its task, its handler, its stream and the
/// lobby.
#[derive(Default)]
struct Progress {
    stage: AtomicU8,
    /// Bytes received from the client.
    received: AtomicU64,
    /// Its first [`FIRST_BYTES`] bytes.
    first: Mutex<Vec<u8>>,
}

impl Progress {
    fn stage(&self) -> u8 {
        self.stage.load(Ordering::SeqCst)
    }

    fn reach(&self, stage: u8) {
        self.stage.fetch_max(stage, Ordering::SeqCst);
    }

    fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    fn saw(&self, bytes: &[u8]) {
        let before = self
            .received
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        if before < FIRST_BYTES as u64 {
            let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
            let room = FIRST_BYTES.saturating_sub(first.len());
            first.extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
    }

    fn first(&self) -> Vec<u8> {
        self.first.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How much it has done, for the lobby: 0 nothing received, 1 its identification line
    /// (or part of it), 2 its part of the key exchange, 3 keys exchanged.
    fn rank(&self) -> u8 {
        if self.stage() >= KEYED {
            3
        } else if self.received() >= KEX_BYTES {
            2
        } else if self.received() > 0 {
            1
        } else {
            0
        }
    }

    fn describe(&self) -> &'static str {
        match self.rank() {
            0 => "had sent nothing",
            1 => "had sent only its identification",
            2 => "was in its key exchange",
            _ => "was logging in",
        }
    }
}

/// The stream russh reads, counting what the client sends.
struct Metered<S> {
    inner: S,
    progress: Arc<Progress>,
}

impl<S: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Metered<S> {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut this.inner).poll_read(cx, buf);
        if let std::task::Poll::Ready(Ok(())) = &polled
            && let Some(new) = buf.filled().get(before..)
            && !new.is_empty()
        {
            let fresh = this.progress.received() < 4;
            this.progress.saw(new);
            // A client that does not begin with `SSH-` (TLS, HTTP, noise) goes at once,
            // without waiting for a line end that may never come.
            if fresh && !could_be_ssh(&this.progress.first()) {
                return std::task::Poll::Ready(Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not an SSH client",
                )));
            }
        }
        polled
    }
}

impl<S: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Metered<S> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// The address a limit counts: an IPv4 address, or the /64 network of an IPv6 one (one
/// site's network; its owner has all 2^64 addresses in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Source(std::net::IpAddr);

impl Source {
    fn of(ip: std::net::IpAddr) -> Source {
        use std::net::{IpAddr, Ipv6Addr};
        match ip {
            IpAddr::V4(_) => Source(ip),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Source(IpAddr::V4(v4)),
                None => Source(IpAddr::V6(Ipv6Addr::from_bits(
                    v6.to_bits() & !((1u128 << 64) - 1),
                ))),
            },
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            std::net::IpAddr::V4(a) => write!(f, "{a}"),
            std::net::IpAddr::V6(a) => write!(f, "{a}/64"),
        }
    }
}

/// Connections that have not logged in yet.
#[derive(Default)]
struct Lobby {
    state: Mutex<LobbyState>,
}

#[derive(Default)]
struct LobbyState {
    next: u64,
    waiting: BTreeMap<u64, Waiting>,
    per_source: BTreeMap<Source, usize>,
}

struct Waiting {
    source: Source,
    peer: SocketAddr,
    since: tokio::time::Instant,
    progress: Arc<Progress>,
    /// Tells the connection's task to go.
    reclaim: Arc<Notify>,
}

/// A connection's place in the lobby, given back when dropped (at login or when it goes).
struct Ticket {
    lobby: Arc<Lobby>,
    id: u64,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.lobby.lock().remove(self.id);
    }
}

/// A waiting connection that gave its place to a newcomer.
struct Reclaimed {
    source: Source,
    line: String,
}

impl LobbyState {
    fn remove(&mut self, id: u64) -> Option<Waiting> {
        let w = self.waiting.remove(&id)?;
        if let Some(n) = self.per_source.get_mut(&w.source) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_source.remove(&w.source);
            }
        }
        Some(w)
    }

    /// The connection to reclaim among those of `only` (or all): the one that has done least;
    /// among equals, one from the address with most waiting, then the oldest.
    fn victim(&self, only: Option<Source>) -> Option<u64> {
        self.waiting
            .iter()
            .filter(|(_, w)| only.is_none_or(|s| w.source == s))
            .min_by_key(|(id, w)| {
                let crowd = self.per_source.get(&w.source).copied().unwrap_or(0);
                (w.progress.rank(), std::cmp::Reverse(crowd), w.since, **id)
            })
            .map(|(id, _)| *id)
    }

    /// "waiting to log in: 256 (128 from 127.0.0.1)": the lobby now, for the log.
    fn status(&self, source: Source) -> String {
        format!(
            "waiting to log in now: {} ({} from {source})",
            self.waiting.len(),
            self.per_source.get(&source).copied().unwrap_or(0)
        )
    }
}

impl Lobby {
    fn lock(&self) -> std::sync::MutexGuard<'_, LobbyState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Lets a new connection wait to log in. When its address already has
    /// [`LOBBY_PER_SOURCE`] waiting, or the lobby [`LOBBY_TOTAL`], the waiting connection
    /// that has done least (of that address, or of all) is reclaimed for it.
    fn admit(
        self: &Arc<Self>,
        peer: SocketAddr,
        progress: Arc<Progress>,
        reclaim: Arc<Notify>,
    ) -> (Ticket, Option<Reclaimed>) {
        let source = Source::of(peer.ip());
        let now = tokio::time::Instant::now();
        let mut state = self.lock();
        let mine = state.per_source.get(&source).copied().unwrap_or(0);
        let full = if mine >= LOBBY_PER_SOURCE {
            Some((
                Some(source),
                format!("{mine} connections from {source} were waiting to log in"),
            ))
        } else if state.waiting.len() >= LOBBY_TOTAL {
            Some((
                None,
                format!("{} connections were waiting to log in", state.waiting.len()),
            ))
        } else {
            None
        };
        let reclaimed = full.and_then(|(only, why)| {
            let id = state.victim(only)?;
            let victim = state.remove(id)?;
            victim.reclaim.notify_one();
            Some(Reclaimed {
                source: victim.source,
                line: format!(
                    "reclaimed {} for a new connection from {peer}: it {} after {:.1} s, and {why}",
                    victim.peer,
                    victim.progress.describe(),
                    now.saturating_duration_since(victim.since).as_secs_f64(),
                ),
            })
        });
        state.next += 1;
        let id = state.next;
        state.waiting.insert(
            id,
            Waiting {
                source,
                peer,
                since: now,
                progress,
                reclaim,
            },
        );
        *state.per_source.entry(source).or_default() += 1;
        let reclaimed = reclaimed.map(|r| Reclaimed {
            line: format!("{}; {}", r.line, state.status(source)),
            ..r
        });
        (
            Ticket {
                lobby: self.clone(),
                id,
            },
            reclaimed,
        )
    }
}

/// What the log says about connections that did not get in, by kind: at most
/// [`LOG_BURST`] lines of a kind per [`LOG_WINDOW`], then one line that counts the rest, so a
/// flood of connections does not flood the facilitator's terminal.
#[derive(Default)]
struct Quiet {
    kinds: Mutex<BTreeMap<&'static str, Window>>,
}

const LOG_BURST: u32 = 5;
const LOG_WINDOW: Duration = Duration::from_secs(10);
/// Addresses named in a summary line.
const LOG_SOURCES: usize = 4;

/// Kinds of lines, as the summary names them.
const RECLAIMED: &str = "waiting connections reclaimed";
const SILENT_DROPPED: &str = "connections dropped for sending no identification";
const NOT_SSH: &str = "connections dropped for not speaking SSH";
const BROKEN: &str = "connections dropped for a broken handshake";
const NO_LOGIN: &str = "connections closed for not logging in";
const REFUSED: &str = "connections refused";
const ACCEPT_FAILED: &str = "failures to accept a connection";

struct Window {
    since: tokio::time::Instant,
    shown: u32,
    hidden: u64,
    sources: std::collections::BTreeSet<Source>,
    more_sources: bool,
}

impl Window {
    fn new(since: tokio::time::Instant) -> Window {
        Window {
            since,
            shown: 0,
            hidden: 0,
            sources: Default::default(),
            more_sources: false,
        }
    }

    fn summary(&self, kind: &str, now: tokio::time::Instant) -> Option<String> {
        if self.hidden == 0 {
            return None;
        }
        let mut from: Vec<String> = self.sources.iter().map(|s| s.to_string()).collect();
        if self.more_sources {
            from.push("others".into());
        }
        Some(format!(
            "… {} more {kind} in the last {:.0} s (from {})",
            self.hidden,
            now.saturating_duration_since(self.since).as_secs_f64(),
            from.join(", ")
        ))
    }
}

impl Quiet {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, Window>> {
        self.kinds.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Logs `line` unless [`LOG_BURST`] lines of its kind were logged in this window.
    fn note(&self, kind: &'static str, source: Option<Source>, line: &str) {
        let (summary, show) = self.count(kind, source, tokio::time::Instant::now());
        if let Some(s) = summary {
            log(&s);
        }
        if show {
            log(line);
        }
    }

    /// Counts a line of `kind`: whether to show it, and the summary of the window it ended.
    fn count(
        &self,
        kind: &'static str,
        source: Option<Source>,
        now: tokio::time::Instant,
    ) -> (Option<String>, bool) {
        {
            let mut kinds = self.lock();
            let w = kinds.entry(kind).or_insert_with(|| Window::new(now));
            let mut summary = None;
            if now.saturating_duration_since(w.since) >= LOG_WINDOW {
                summary = w.summary(kind, now);
                *w = Window::new(now);
            }
            let show = w.shown < LOG_BURST;
            if show {
                w.shown += 1;
            } else {
                w.hidden += 1;
                if let Some(s) = source
                    && !w.sources.contains(&s)
                {
                    if w.sources.len() < LOG_SOURCES {
                        w.sources.insert(s);
                    } else {
                        w.more_sources = true;
                    }
                }
            }
            (summary, show)
        }
    }

    /// Logs the count of what was left out of windows that have ended.
    fn flush(&self) {
        self.flush_older(LOG_WINDOW);
    }

    /// Logs every count not logged yet (when the server stops).
    fn flush_all(&self) {
        self.flush_older(Duration::ZERO);
    }

    fn flush_older(&self, age: Duration) {
        let now = tokio::time::Instant::now();
        let lines: Vec<String> = {
            let mut kinds = self.lock();
            let mut lines = Vec::new();
            kinds.retain(|kind, w| {
                if now.saturating_duration_since(w.since) < age {
                    return true;
                }
                lines.extend(w.summary(kind, now));
                false
            });
            lines
        };
        for line in lines {
            log(&line);
        }
    }
}

/// Logs the counts of left-out lines as their windows end, for ever.
async fn flush_quiet(quiet: Arc<Quiet>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        quiet.flush();
    }
}

/// At most this many connections logged in at once (with a session or still opening one).
fn logged_in_limit(max_sessions: usize) -> usize {
    2 * max_sessions.max(8)
}

/// Accepts connections for ever. Each waits in the [`Lobby`] until it logs in: it must send
/// its identification within [`IDENT_DEADLINE`] and log in within [`LOGIN_DEADLINE`].
async fn accept(listener: tokio::net::TcpListener, config: Arc<russh::server::Config>, hub: Hub) {
    let open = hub.connections.clone();
    let limit = logged_in_limit(hub.max_sessions);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait rather than spin.
                hub.quiet.note(
                    ACCEPT_FAILED,
                    None,
                    &format!("cannot accept a connection: {e}"),
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        };
        let source = Source::of(peer.ip());
        let logged_in = hub.logged_in.load(Ordering::SeqCst);
        if logged_in >= limit {
            hub.quiet.note(
                REFUSED,
                Some(source),
                &format!("refused connection from {peer}: {logged_in} connections are logged in (the limit)"),
            );
            continue;
        }
        // A second handle on the socket, to cut a connection that overstays its welcome even
        // when its client no longer answers.
        let (stream, cutter) = match split_off_cutter(stream) {
            Ok(pair) => pair,
            Err(e) => {
                hub.quiet.note(
                    ACCEPT_FAILED,
                    Some(source),
                    &format!("cannot take the connection from {peer}: {e}"),
                );
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
        let progress = Arc::new(Progress::default());
        let reclaim = Arc::new(Notify::new());
        let (ticket, reclaimed) = hub.lobby.admit(peer, progress.clone(), reclaim.clone());
        if let Some(r) = reclaimed {
            hub.quiet.note(RECLAIMED, Some(r.source), &r.line);
        }
        let connection = Connection {
            hub: hub.clone(),
            peer: Some(peer),
            who: None,
            progress: progress.clone(),
            ticket: Some(ticket),
            logged_in: None,
            channel: None,
            size: None,
            resize: None,
            input: None,
        };
        let stream = Metered {
            inner: stream,
            progress: progress.clone(),
        };
        let talk = Talk {
            peer,
            progress,
            reclaim,
            cutter,
            quiet: hub.quiet.clone(),
        };
        tokio::spawn(talk.run(config.clone(), stream, connection, counted));
    }
}

/// One connection's life, from the TCP connection to its end.
struct Talk {
    peer: SocketAddr,
    progress: Arc<Progress>,
    reclaim: Arc<Notify>,
    /// A duplicate of the socket, to shut it down from outside russh.
    cutter: std::net::TcpStream,
    quiet: Arc<Quiet>,
}

impl Talk {
    async fn run(
        self,
        config: Arc<russh::server::Config>,
        stream: Metered<tokio::net::TcpStream>,
        connection: Connection,
        counted: OpenConnection,
    ) {
        let _counted = counted;
        let peer = self.peer;
        let source = Some(Source::of(peer.ip()));
        let started_at = tokio::time::Instant::now();
        // Its identification line first, soon; unless reclaimed while it says nothing.
        // (Dropping the unfinished handshake closes the socket.)
        let greeting = tokio::time::timeout(
            IDENT_DEADLINE,
            russh::server::run_stream(config, stream, connection),
        );
        let started = tokio::select! {
            started = greeting => started,
            () = self.reclaim.notified() => return,
        };
        let running = match started {
            Err(_) => {
                let what = if self.progress.received() == 0 {
                    "it sent nothing"
                } else {
                    "it sent no SSH identification line"
                };
                self.quiet.note(
                    SILENT_DROPPED,
                    source,
                    &format!(
                        "dropped {peer}: {what} within {} s",
                        IDENT_DEADLINE.as_secs()
                    ),
                );
                return;
            }
            Ok(Err(e)) => {
                if let Some(why) = self.not_ssh(&e) {
                    self.quiet
                        .note(NOT_SSH, source, &format!("dropped {peer}: {why}"));
                }
                return;
            }
            Ok(Ok(running)) => running,
        };
        self.progress.reach(GREETED);
        let handle = running.handle();
        tokio::pin!(running);
        let reclaimed = loop {
            tokio::select! {
                ended = &mut running => {
                    if let Err(e) = ended
                        && self.progress.stage() < LOGGED_IN
                        && !left(&e)
                    {
                        self.quiet.note(
                            BROKEN,
                            source,
                            &format!("dropped {peer}: its SSH handshake failed ({e})"),
                        );
                    }
                    return;
                }
                () = tokio::time::sleep_until(started_at + LOGIN_DEADLINE) => break false,
                // Reclaimed, unless it logged in meanwhile.
                () = self.reclaim.notified() => if self.progress.stage() < LOGGED_IN {
                    break true;
                },
            }
        };
        // A connection that never logs in, or logs in and opens no terminal (`ssh -N`),
        // holds a place for nothing.
        let why = if reclaimed {
            Some("the server is busy with other connections; connect again")
        } else {
            match self.progress.stage() {
                s if s < LOGGED_IN => Some("no login within two minutes"),
                LOGGED_IN => Some("no terminal session within two minutes"),
                _ => None,
            }
        };
        if let Some(why) = why {
            let line = format!("disconnected {peer}: {why}");
            match self.progress.stage() {
                _ if reclaimed => {}
                // Logged in: few, and worth a line each.
                LOGGED_IN => log(&line),
                _ => self.quiet.note(NO_LOGIN, source, &line),
            }
            let bye = handle.disconnect(russh::Disconnect::ByApplication, why.into(), "en".into());
            let _ = tokio::time::timeout(Duration::from_millis(500), bye).await;
            // Whether or not the client answers, the connection goes.
            let grace = if reclaimed { 100 } else { 1000 };
            tokio::time::sleep(Duration::from_millis(grace)).await;
            let _ = self.cutter.shutdown(std::net::Shutdown::Both);
            let _ = tokio::time::timeout(Duration::from_secs(5), &mut running).await;
            return;
        }
        let _ = running.await;
    }

    /// Why a connection that failed before its identification was not SSH; None when it
    /// just went away without a word (a port scan, a health check).
    fn not_ssh(&self, e: &russh::Error) -> Option<String> {
        let first = self.progress.first();
        if first.is_empty() {
            return None;
        }
        let more = if self.progress.received() > first.len() as u64 {
            "…"
        } else {
            ""
        };
        let sent = format!("it sent \"{}{more}\"", escape_bytes(&first));
        Some(if !could_be_ssh(&first) {
            format!("not an SSH client: {sent}")
        } else if left(e) {
            // Gone in the middle of its identification line.
            return None;
        } else if first.contains(&b'\n') {
            format!("not SSH 2.0: {sent}")
        } else {
            format!("its identification line is longer than 255 bytes: {sent}")
        })
    }
}

/// Whether a client's first bytes may begin an SSH identification line (`SSH-`): a client
/// sends nothing before it (only a server may).
fn could_be_ssh(first: &[u8]) -> bool {
    first.iter().zip(b"SSH-").all(|(a, b)| a == b)
}

/// Bytes for the log: printable ASCII as it is, the rest escaped.
fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// Whether an error only says the client went away.
fn left(e: &russh::Error) -> bool {
    matches!(
        e,
        russh::Error::Disconnect | russh::Error::HUP | russh::Error::IO(_)
    )
}

/// The stream for russh and a duplicate of its socket to shut it down from outside.
fn split_off_cutter(
    stream: tokio::net::TcpStream,
) -> std::io::Result<(tokio::net::TcpStream, std::net::TcpStream)> {
    let std = stream.into_std()?;
    let cutter = std.try_clone()?;
    Ok((tokio::net::TcpStream::from_std(std)?, cutter))
}

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
    progress: Arc<Progress>,
    /// Its place in the lobby, held until login.
    ticket: Option<Ticket>,
    /// Counts it among the logged-in connections, from login on.
    logged_in: Option<OpenConnection>,
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
                self.progress.reach(LOGGED_IN);
                self.ticket = None;
                if self.logged_in.is_none() {
                    self.logged_in = Some(OpenConnection::new(self.hub.logged_in.clone()));
                }
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

    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        // Asked when the client starts to authenticate: the key exchange is done.
        self.progress.reach(KEYED);
        Ok(None)
    }

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
        self.progress.reach(IN_SESSION);
        let engine = Engine::Shared(self.hub.exercise.clone());
        let teams = self.hub.teams.clone();
        let app: Box<dyn Screen> = match &who {
            Who::Facilitator => Box::new(App::over(engine, Role::Facilitator, teams)),
            Who::Team(t) => Box::new(App::over(engine, Role::Team(t.clone()), teams)),
            Who::Observer(name) => match self.hub.access.observer(name) {
                Some(seat) => Box::new(ObserverScreen::new(
                    self.hub.exercise.clone(),
                    seat.clone(),
                    teams,
                    false,
                )),
                None => {
                    turn_away(handle, channel, "No such observer.".into());
                    return Ok(());
                }
            },
        };
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
        let io = session::Io {
            handle: handle.clone(),
            channel,
            input: rx,
            size: resize_rx,
            changes,
            stop,
            label: format!("session {id} ({user})"),
        };
        tokio::spawn(async move {
            let _live = live;
            let why = session::run(app, io).await;
            // The slot is free again as soon as the session ends, even if the connection
            // stays (an `ssh` ControlMaster may open another session on it).
            drop(slot);
            log(&format!("session {id} closed: {user} ({why})"));
            let status = u32::from(why == "the journal cannot be written");
            // Bounded: a client that does not read may never take these.
            let _ = tokio::time::timeout(Duration::from_secs(2), async {
                let _ = handle.exit_status_request(channel, status).await;
                let _ = handle.eof(channel).await;
                let _ = handle.close(channel).await;
            })
            .await;
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

async fn run(options: ServeOptions, prepared: Prepared) -> Result<(), Error> {
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
    let listener = tokio::net::TcpListener::from_std(prepared.listener)
        .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", options.listen)))?;
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
    let wall = prepared.wall.map(|listener| {
        let url = listener
            .local_addr()
            .map_or_else(|_| String::new(), |a| crate::wall::url(&a));
        exercise.lock().wall = Some(url.clone());
        let task = tokio::spawn(crate::wall::run(
            listener,
            exercise.clone(),
            version_rx.clone(),
        ));
        (url, task)
    });
    let (stop_tx, stop_rx) = watch::channel(None);
    let live = Arc::new(AtomicUsize::new(0));
    let connections = Arc::new(AtomicUsize::new(0));
    let quiet = Arc::new(Quiet::default());
    let hub = Hub {
        exercise: exercise.clone(),
        changes: version_rx.clone(),
        stop: stop_rx,
        live: live.clone(),
        connections: connections.clone(),
        logged_in: Arc::new(AtomicUsize::new(0)),
        lobby: Arc::new(Lobby::default()),
        quiet: quiet.clone(),
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
        // What a session's handle may queue for the connection: with the one screen update
        // a session keeps in flight (session.rs), this bounds what waits in the server for
        // a client that does not read.
        event_buffer_size: HANDLE_QUEUE,
        ..Default::default()
    });
    let clock = tokio::spawn(crate::exercise::clock::run_clock(
        exercise.clone(),
        clock_wake,
        version_tx.clone(),
        || log("the exercise is over; Ctrl-C here stops the server"),
    ));
    let flusher = tokio::spawn(flush_quiet(quiet.clone()));
    let failure = tokio::select! {
        _ = accept(listener, config, hub) => None,
        _ = shutdown_signal() => {
            log("stopping (signal)");
            None
        }
        failure = journal_failure(exercise.clone(), version_rx) => {
            log(&format!("stopping: {failure}"));
            Some(failure)
        }
    };
    clock.abort();
    if let Some((_, task)) = &wall {
        task.abort();
    }
    // Give every session the chance to leave the alternate screen, say why, and close its
    // channel.
    let _ = stop_tx.send(Some(match &failure {
        Some(f) => session::Stop::Failed(f.clone()),
        None => session::Stop::Signal,
    }));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while live.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Then for the clients to hang up, so the last screen bytes are not cut off.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    while connections.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    flusher.abort();
    quiet.flush_all();
    let (tick, minute, over) = {
        let mut ex = exercise.lock();
        ex.mark();
        let tick = ex.sim.tick();
        (tick, tick * ex.sim.tick_minutes(), ex.sim.is_over())
    };
    let path = prepared.journal_path.display();
    if let Some(failure) = failure {
        // The journal holds every line up to the failure, whole (journal.rs cuts a failed
        // line back off); nothing was accepted after it.
        say(&format!("The exercise stopped: {failure}."));
        say(&format!(
            "Stopped at tick {tick} ({}). Journal: {path}: it holds every action accepted before the failure, in whole lines; a resumed exercise goes on from its last line.",
            crate::sim::view::hhmm_span(minute)
        ));
        say(&format!(
            "Make room on its disk (or copy it to a disk with room), then continue with: cyberdrill serve --resume {path}{}",
            same_options(&options)
        ));
        return Err(Error::Stopped(format!("the exercise stopped: {failure}")));
    }
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
    Ok(())
}

/// Waits until the exercise stops because its journal could not be written; its message.
async fn journal_failure(exercise: SharedExercise, mut changes: watch::Receiver<u64>) -> String {
    loop {
        if let Some(f) = exercise.lock().failure() {
            return f.to_string();
        }
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    return std::future::pending().await;
                }
            }
            () = tokio::time::sleep(FAILURE_POLL) => {}
        }
    }
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
    torn: Option<String>,
    /// The wall display's address, when there is one.
    wall: Option<String>,
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
        torn: prepared.torn.clone(),
        wall: prepared
            .wall
            .as_ref()
            .and_then(|w| w.local_addr().ok())
            .map(|a| crate::wall::url(&a)),
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
    if let Some(torn) = &s.torn {
        say(&format!("Note: {torn}."));
    }
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
    if let Some(url) = &s.wall {
        say(&format!(
            "Wall display (read-only, for the projector): {url}; the facilitator's R reveals the ground truth on it"
        ));
    }
    say(&format!("Listening on {}", s.address));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(ip: &str, port: u16) -> SocketAddr {
        SocketAddr::new(ip.parse().unwrap(), port)
    }

    /// A connection that has received `bytes` (and reached `stage`).
    fn progress(bytes: usize, stage: u8) -> Arc<Progress> {
        let p = Arc::new(Progress::default());
        if bytes > 0 {
            p.saw(&vec![b'S'; bytes]);
        }
        p.reach(stage);
        p
    }

    #[test]
    fn a_full_address_gives_up_its_least_advanced_oldest_connection() {
        let lobby = Arc::new(Lobby::default());
        let mut tickets = Vec::new();
        let mut kept = Vec::new();
        // A player in its key exchange, one logging in, then silent connections.
        for (i, (bytes, stage)) in [(2000, GREETED), (2000, KEYED)]
            .into_iter()
            .chain(std::iter::repeat_n((0, 0), LOBBY_PER_SOURCE - 2))
            .enumerate()
        {
            let reclaim = Arc::new(Notify::new());
            let (t, r) = lobby.admit(
                peer("10.0.0.1", 1000 + i as u16),
                progress(bytes, stage),
                reclaim.clone(),
            );
            assert!(r.is_none());
            tickets.push(t);
            kept.push(reclaim);
        }
        // Another address is not touched when this one is full.
        let (_other, r) = lobby.admit(peer("10.0.0.2", 1), progress(0, 0), Arc::new(Notify::new()));
        assert!(r.is_none());
        let (_new, r) = lobby.admit(
            peer("10.0.0.1", 9999),
            progress(0, 0),
            Arc::new(Notify::new()),
        );
        let r = r.expect("a place reclaimed");
        // The oldest silent one: the third admitted.
        assert!(r.line.starts_with("reclaimed 10.0.0.1:1002 "), "{}", r.line);
        assert!(r.line.contains("it had sent nothing"), "{}", r.line);
        assert!(
            r.line
                .contains("128 connections from 10.0.0.1 were waiting to log in"),
            "{}",
            r.line
        );
        let state = lobby.lock();
        assert_eq!(state.waiting.len(), LOBBY_PER_SOURCE + 1);
        assert_eq!(
            state
                .per_source
                .get(&Source::of("10.0.0.1".parse().unwrap())),
            Some(&LOBBY_PER_SOURCE)
        );
        drop(state);
        // The reclaimed one was told; its ticket's drop changes nothing more.
        drop(tickets.remove(2));
        assert_eq!(lobby.lock().waiting.len(), LOBBY_PER_SOURCE + 1);
        drop(tickets);
        // The other address's and the newcomer's.
        assert_eq!(lobby.lock().waiting.len(), 2);
    }

    #[test]
    fn a_full_lobby_gives_up_a_connection_of_the_most_crowded_address() {
        let lobby = Arc::new(Lobby::default());
        let mut tickets = Vec::new();
        // Three addresses under their cap, at the same progress, one with most waiting.
        for i in 0..LOBBY_TOTAL {
            let ip = match i {
                0..100 => "10.0.0.1",
                100..220 => "10.0.0.2",
                _ => "10.0.0.4",
            };
            let (t, r) = lobby.admit(
                peer(ip, i as u16),
                progress(20, GREETED),
                Arc::new(Notify::new()),
            );
            assert!(r.is_none(), "{i}");
            tickets.push(t);
        }
        let (_new, r) = lobby.admit(peer("10.0.0.3", 1), progress(0, 0), Arc::new(Notify::new()));
        let r = r.expect("a place reclaimed");
        assert_eq!(r.source, Source::of("10.0.0.2".parse().unwrap()));
        assert!(
            r.line.contains("256 connections were waiting"),
            "{}",
            r.line
        );
        assert_eq!(lobby.lock().waiting.len(), LOBBY_TOTAL);
    }

    #[test]
    fn an_ipv6_network_counts_as_one_address() {
        let a = Source::of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = Source::of("2001:db8:1:2:bbbb::2".parse().unwrap());
        let c = Source::of("2001:db8:1:3::1".parse().unwrap());
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        assert_eq!(
            Source::of("::ffff:192.0.2.7".parse().unwrap()).to_string(),
            "192.0.2.7"
        );
    }

    #[test]
    fn what_a_client_sent_is_shown_safely() {
        assert!(could_be_ssh(b"SSH-2.0-x"));
        assert!(could_be_ssh(b"SS"));
        assert!(!could_be_ssh(b"GET /"));
        assert!(!could_be_ssh(b"\x16\x03"));
        assert_eq!(
            escape_bytes(b"GET /\r\n\"\\\x00\xff"),
            "GET /\\r\\n\\\"\\\\\\x00\\xff"
        );
        let p = progress(0, 0);
        p.saw(&[b'x'; 100]);
        assert_eq!(p.first().len(), FIRST_BYTES);
        assert_eq!(p.received(), 100);
        assert_eq!(p.rank(), 1);
        p.saw(&[b'x'; 500]);
        assert_eq!(p.rank(), 2);
        p.reach(KEYED);
        assert_eq!(p.rank(), 3);
        // Stages only go forward.
        p.reach(GREETED);
        assert_eq!(p.stage(), KEYED);
    }

    #[test]
    fn the_log_of_refusals_is_rate_limited_and_counts_the_rest() {
        let quiet = Quiet::default();
        let source = Some(Source::of("192.0.2.9".parse().unwrap()));
        let start = tokio::time::Instant::now();
        let shown = (0..100)
            .filter(|_| quiet.count(RECLAIMED, source, start).1)
            .count();
        assert_eq!(shown, LOG_BURST as usize);
        {
            let kinds = quiet.lock();
            let w = &kinds[RECLAIMED];
            assert_eq!(w.shown, LOG_BURST);
            assert_eq!(w.hidden, 100 - u64::from(LOG_BURST));
            let summary = w.summary(RECLAIMED, w.since + LOG_WINDOW).unwrap();
            assert_eq!(
                summary,
                "… 95 more waiting connections reclaimed in the last 10 s (from 192.0.2.9)"
            );
        }
        // The next window starts with the summary of the last.
        let (summary, shown) = quiet.count(RECLAIMED, None, start + LOG_WINDOW);
        assert!(shown);
        assert!(summary.unwrap().starts_with("… 95 more"));
    }

    #[test]
    fn a_listener_takes_the_usual_addresses() {
        let l = listen_on("127.0.0.1:0").expect("listen");
        assert!(l.local_addr().unwrap().port() > 0);
        assert!(listen_on("2847").is_err());
        let taken = l.local_addr().unwrap().to_string();
        assert_eq!(
            listen_on(&taken).unwrap_err().kind(),
            std::io::ErrorKind::AddrInUse
        );
    }
}
