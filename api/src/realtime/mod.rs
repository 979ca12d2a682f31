//! Real-time delivery of conversations over WebSocket (`GET /api/v1/ws`).
//!
//! The [`Hub`] knows this instance's open connections by party (a seeker's account, a
//! business) and hands each [`Signal`] to the connections of its two parties. Signals
//! reach the hub from the database, never from another instance's memory: on PostgreSQL
//! every instance listens on `doorstep_conversations::stream::CHANNEL` ([`listen`]) and
//! gets every signal, its own included, once committed; on SQLite (one embedded instance)
//! the server hands its signals to the hub after the commit. A connection that hears of
//! new messages reads its streams from the database after the position it reached, so a
//! lost or repeated signal costs a query, never a lost or repeated message.

pub mod socket;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use doorstep_domain::conversations::{presence, stream};
use doorstep_domain::jobs::CancellationToken;
use doorstep_domain::time;
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::mpsc;
use uuid::Uuid;

pub use doorstep_domain::conversations::stream::Signal;

/// Signals a connection may have waiting before it counts as lagging (it then re-reads
/// its streams once it catches up, instead of queueing more).
const QUEUE: usize = 64;

/// What a connection is told.
#[derive(Debug, Clone)]
pub enum Event {
    Signal(Arc<Signal>),
    /// Signals may have been lost (the listener reconnected): re-read the streams.
    Resync,
}

struct Entry {
    connection: u64,
    events: mpsc::Sender<Event>,
    lagging: Arc<AtomicBool>,
}

/// This instance's open connections.
pub struct Hub {
    db: DatabaseConnection,
    /// Names this instance in `realtime_presence`.
    instance: String,
    next: AtomicU64,
    by_party: Mutex<HashMap<Uuid, Vec<Entry>>>,
    open: AtomicU64,
}

/// A connection's place in the hub; leaving it unregisters the connection.
pub struct Registration {
    hub: Arc<Hub>,
    connection: u64,
    parties: Vec<Uuid>,
    pub events: mpsc::Receiver<Event>,
    /// Set when a signal was dropped because the queue was full.
    pub lagging: Arc<AtomicBool>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.hub.unregister(self.connection, &self.parties);
    }
}

impl Hub {
    pub fn new(db: DatabaseConnection) -> Arc<Self> {
        Arc::new(Self {
            db,
            instance: format!("serve-{}", Uuid::new_v4().simple()),
            next: AtomicU64::new(1),
            by_party: Mutex::new(HashMap::new()),
            open: AtomicU64::new(0),
        })
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Open connections on this instance.
    pub fn open(&self) -> u64 {
        self.open.load(Ordering::Relaxed)
    }

    fn postgres(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    /// Registers a connection reading the streams of `parties`.
    pub fn register(self: &Arc<Self>, parties: Vec<Uuid>) -> Registration {
        let connection = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(QUEUE);
        let lagging = Arc::new(AtomicBool::new(false));
        {
            let mut by_party = self.by_party.lock().unwrap_or_else(|p| p.into_inner());
            for party in &parties {
                by_party.entry(*party).or_default().push(Entry {
                    connection,
                    events: tx.clone(),
                    lagging: lagging.clone(),
                });
            }
        }
        self.open.fetch_add(1, Ordering::Relaxed);
        Registration {
            hub: self.clone(),
            connection,
            parties,
            events: rx,
            lagging,
        }
    }

    fn unregister(&self, connection: u64, parties: &[Uuid]) {
        let mut by_party = self.by_party.lock().unwrap_or_else(|p| p.into_inner());
        for party in parties {
            if let Some(entries) = by_party.get_mut(party) {
                entries.retain(|e| e.connection != connection);
                if entries.is_empty() {
                    by_party.remove(party);
                }
            }
        }
        self.open.fetch_sub(1, Ordering::Relaxed);
    }

    /// Hands `signal` to this instance's connections of its parties.
    pub fn dispatch(&self, signal: Signal) {
        let signal = Arc::new(signal);
        let by_party = self.by_party.lock().unwrap_or_else(|p| p.into_inner());
        let mut told = Vec::new();
        for party in signal.parties() {
            for entry in by_party.get(&party).into_iter().flatten() {
                // Told once, even were it to read both parties.
                if told.contains(&entry.connection) {
                    continue;
                }
                told.push(entry.connection);
                if entry
                    .events
                    .try_send(Event::Signal(signal.clone()))
                    .is_err()
                {
                    entry.lagging.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// Tells every connection to re-read its streams.
    pub fn resync_all(&self) {
        let by_party = self.by_party.lock().unwrap_or_else(|p| p.into_inner());
        for entry in by_party.values().flatten() {
            if entry.events.try_send(Event::Resync).is_err() {
                entry.lagging.store(true, Ordering::Relaxed);
            }
        }
    }

    /// A message was committed (`signal` names its conversation). Its transaction notified
    /// PostgreSQL, whose listener brings the signal here; on SQLite the signal is handed
    /// over now.
    pub fn committed(&self, signal: Signal) {
        if !self.postgres() {
            self.dispatch(signal);
        }
    }

    /// Sends a live-only signal (read receipt, typing) to every instance.
    pub async fn publish(&self, signal: Signal) {
        if !self.postgres() {
            self.dispatch(signal);
            return;
        }
        if let Err(err) = stream::announce(&self.db, &signal).await {
            tracing::warn!(error = %err, "could not announce a conversation signal");
        }
    }

    /// Refreshes this instance's presence rows every `every` until `token` is cancelled
    /// (the server forgets them once it has stopped: [`Hub::forget_presence`]).
    pub async fn keep_presence(self: Arc<Self>, every: Duration, token: CancellationToken) {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = token.cancelled() => break,
                _ = tick.tick() => {}
            }
            match presence::beat(&self.db, &self.instance, time::now()).await {
                Ok(0) => {}
                Ok(swept) => tracing::info!(swept, "forgot connections of stopped instances"),
                // A beat cut short by the stop is no news.
                Err(_) if token.is_cancelled() => break,
                Err(err) => tracing::warn!(error = %err, "could not refresh realtime presence"),
            }
        }
    }

    /// Forgets this instance's connections (its server has stopped: none is open).
    pub async fn forget_presence(&self) {
        if let Err(err) = presence::instance_stopped(&self.db, &self.instance).await {
            tracing::warn!(error = %err, "could not forget this instance's connections");
        }
    }
}

/// Listens for signals on PostgreSQL until `token` is cancelled, reconnecting when the
/// connection drops (and then telling every connection to re-read its streams, since
/// signals sent meanwhile were lost). Does nothing on SQLite.
pub async fn listen(hub: Arc<Hub>, token: CancellationToken) {
    use sea_orm::sqlx::postgres::PgListener;
    if !hub.postgres() {
        return;
    }
    let pool = hub.db.get_postgres_connection_pool().clone();
    let mut first = true;
    loop {
        let connected = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(stream::CHANNEL).await?;
            Ok::<_, sea_orm::sqlx::Error>(listener)
        };
        let mut listener = tokio::select! {
            _ = token.cancelled() => return,
            connected = connected => match connected {
                Ok(listener) => listener,
                Err(err) => {
                    tracing::warn!(error = %err, "cannot listen for conversation signals; retrying");
                    tokio::select! {
                        _ = token.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    }
                }
            },
        };
        if !first {
            hub.resync_all();
        }
        first = false;
        loop {
            let next = tokio::select! {
                _ = token.cancelled() => return,
                next = listener.try_recv() => next,
            };
            match next {
                Ok(Some(notification)) => {
                    match serde_json::from_str::<Signal>(notification.payload()) {
                        Ok(signal) => hub.dispatch(signal),
                        Err(err) => {
                            tracing::warn!(error = %err, "an unreadable conversation signal")
                        }
                    }
                }
                // The connection dropped; the next call reconnects. Whatever was sent in
                // between is gone: every connection re-reads.
                Ok(None) => hub.resync_all(),
                Err(err) => {
                    tracing::warn!(error = %err, "lost the conversation signal listener");
                    break;
                }
            }
        }
    }
}
