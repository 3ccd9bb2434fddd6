//! The wall display: a read-only web page for the room's projector (`serve --wall`,
//! `play --wall`).
//!
//! It shows the simulated time and pace, whether the clock runs, the news and the events
//! every team sees, and the discussion questions put to every team, from the engine's
//! [`WallView`] projection: nothing that a team could not see on its own screen, until the
//! facilitator reveals the ground truth (the `R` key). The page is one self-contained file
//! (`page.html`: styles and script inline, nothing fetched from elsewhere); it follows the
//! exercise by server-sent events (`/events`), one `state` event per change, and `/state`
//! gives the same JSON once. Nothing on it changes the exercise.

use crate::exercise::{Error, SharedExercise};
use crate::sim::view::{WallView, hhmm_span};
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The page, with its styles and script; the state it is served with replaces [`STATE`].
const PAGE: &str = include_str!("page.html");
/// Where the page holds the state it was served with.
const STATE: &str = "/*STATE*/";

/// The least time between two updates sent to one browser: at a fast pace the clock ticks
/// many times a second, and a projector needs no more than this.
const UPDATE_EVERY: Duration = Duration::from_millis(250);

/// The page may run only its own inline script and style, and talk only to this server.
const CONTENT_SECURITY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:";

/// Opens the wall's port, before the exercise starts (a mistake stops the start).
pub fn bind(listen: &str) -> Result<std::net::TcpListener, Error> {
    let hint = if listen.parse::<u16>().is_ok() {
        format!(
            " (an address and a port: 127.0.0.1:{listen} for this machine only, 0.0.0.0:{listen} for the network)"
        )
    } else {
        String::new()
    };
    let listener = std::net::TcpListener::bind(listen).map_err(|e| {
        Error::Usage(format!(
            "cannot open the wall display on {listen}: {e}{hint}"
        ))
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::Usage(format!("cannot open the wall display on {listen}: {e}")))?;
    Ok(listener)
}

/// The address to put in a browser, for a listener's address (`0.0.0.0` is every address
/// of this machine: the room uses its name or address there).
pub fn url(address: &std::net::SocketAddr) -> String {
    if address.ip().is_unspecified() {
        format!("http://HOST:{}/", address.port())
    } else {
        format!("http://{address}/")
    }
}

/// A state as JSON, with the change counter it was read at.
type Sent = (u64, Arc<str>);

/// What the wall knows: the exercise, and when it changes.
#[derive(Clone)]
struct Wall {
    exercise: SharedExercise,
    changes: watch::Receiver<u64>,
    /// The last state sent, by the change counter it was read at, so that many browsers
    /// share one projection per change.
    last: Arc<Mutex<Option<Sent>>>,
}

/// One update of the page: the projection and the clock.
#[derive(Serialize)]
struct Snapshot {
    #[serde(flatten)]
    view: WallView,
    /// `+HH:MM` since the start, and the end.
    time: String,
    end: String,
    paused: bool,
    /// Simulated minutes per real second.
    pace_minutes: u32,
    /// Why the exercise stopped (its journal could not be written).
    stopped: Option<String>,
}

impl Wall {
    /// The state as JSON, built once per change.
    fn state(&self) -> Arc<str> {
        let version = *self.changes.borrow();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((v, json)) = last.as_ref()
            && *v == version
        {
            return json.clone();
        }
        let snapshot = {
            let ex = self.exercise.lock();
            let view = ex.sim.wall_view(ex.revealed);
            Snapshot {
                time: hhmm_span(view.minute),
                end: hhmm_span(view.end_minute),
                paused: ex.paused || view.over,
                pace_minutes: ex.pace_minutes(),
                stopped: ex.failure().map(str::to_string),
                view,
            }
        };
        let json: Arc<str> = serde_json::to_string(&snapshot)
            .unwrap_or_else(|_| "{}".to_string())
            .into();
        *last = Some((version, json.clone()));
        json
    }
}

/// Serves the wall until the task is dropped.
pub async fn run(
    listener: std::net::TcpListener,
    exercise: SharedExercise,
    changes: watch::Receiver<u64>,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let wall = Wall {
        exercise,
        changes,
        last: Arc::new(Mutex::new(None)),
    };
    let app = Router::new()
        .route("/", get(page))
        .route("/state", get(state))
        .route("/events", get(events))
        .with_state(wall);
    axum::serve(listener, app).await
}

/// The page with the state now, so that it shows at once (and to a browser that cannot
/// follow the events).
async fn page(State(wall): State<Wall>) -> Response {
    // `<` escaped, so that no text of the scenario can end the script element.
    let state = wall.state().replace('<', "\\u003c");
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY),
        ],
        PAGE.replacen(STATE, &state, 1),
    )
        .into_response()
}

async fn state(State(wall): State<Wall>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        wall.state().to_string(),
    )
        .into_response()
}

/// The state now, then again after every change (at most every [`UPDATE_EVERY`]).
async fn events(
    State(wall): State<Wall>,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let mut changes = wall.changes.clone();
    changes.mark_changed();
    let stream = futures_util::stream::unfold(
        (wall, changes, false),
        |(wall, mut changes, sent)| async move {
            if sent {
                tokio::time::sleep(UPDATE_EVERY).await;
            }
            // The exercise is gone (the server stops): end the stream.
            changes.changed().await.ok()?;
            let event = Event::default().event("state").data(wall.state());
            Some((Ok(event), (wall, changes, true)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_needs_nothing_from_elsewhere() {
        for remote in ["http://", "https://", "//cdn", "@import", "<link", "src=\""] {
            assert!(!PAGE.contains(remote), "the page refers to {remote}");
        }
        assert!(PAGE.contains("new EventSource(\"/events\")"));
        assert_eq!(PAGE.matches(STATE).count(), 1);
    }

    #[test]
    fn every_address_is_shown_as_host() {
        let any: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(url(&any), "http://HOST:8080/");
        assert_eq!(url(&local), "http://127.0.0.1:8080/");
    }
}
