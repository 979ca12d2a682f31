//! Background work, owned in one place: a [`Registry`] of periodic [`Job`]s, each with its
//! schedule, an optional named lease (so one instance of several does a pass), and
//! per-job metrics; all of them stop through one [`CancellationToken`]. The concrete list
//! of Doorstep's jobs is assembled in the `api` crate (`api/src/jobs.rs`), which `serve`
//! and `worker` both run. Rows worked through one by one (pushes, queued mail, gig
//! notices) are claimed and settled through [`queue`].

pub mod queue;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio::task::JoinSet;
pub use tokio::time::MissedTickBehavior;
pub use tokio_util::sync::CancellationToken;

use crate::time;

/// A boxed future, as [`Task::run`] and [`Job::wake_on`] return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What one run did: named counts. A run whose counts are all zero did nothing worth an
/// info line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report(Vec<(&'static str, u64)>);

impl Report {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the count `what`.
    pub fn with(mut self, what: &'static str, count: impl TryInto<u64>) -> Self {
        self.set(what, count);
        self
    }

    pub fn set(&mut self, what: &'static str, count: impl TryInto<u64>) {
        let count = count.try_into().unwrap_or(u64::MAX);
        match self.0.iter_mut().find(|(name, _)| *name == what) {
            Some(entry) => entry.1 = count,
            None => self.0.push((what, count)),
        }
    }

    /// Adds every count of `other`.
    pub fn extend(&mut self, other: Report) {
        for (what, count) in other.0 {
            self.set(what, count);
        }
    }

    pub fn get(&self, what: &str) -> u64 {
        self.0
            .iter()
            .find(|(name, _)| *name == what)
            .map_or(0, |(_, n)| *n)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|(_, n)| *n == 0)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (what, n)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{what}={n}")?;
        }
        Ok(())
    }
}

/// Why a run failed. Not a `std::error::Error` itself, so that any error converts into it
/// with `?` (as `anyhow::Error` does).
pub struct JobError(Box<dyn std::error::Error + Send + Sync>);

impl JobError {
    pub fn msg(message: impl Into<String>) -> Self {
        Self(message.into().into())
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for JobError {
    fn from(err: E) -> Self {
        Self(Box::new(err))
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A run made of independent steps: a failed step is logged and the next one still runs
/// (a broken mail server must not stop matching); the run fails if any step did.
#[derive(Debug, Default)]
pub struct Steps {
    report: Report,
    failed: Vec<&'static str>,
}

impl Steps {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a step's outcome under `what`.
    pub fn record<N: TryInto<u64>, E: fmt::Display>(
        &mut self,
        what: &'static str,
        outcome: Result<N, E>,
    ) {
        match outcome {
            Ok(count) => self.report.set(what, count),
            Err(err) => {
                tracing::warn!(step = what, error = %err, "job step failed; retrying");
                self.failed.push(what);
            }
        }
    }

    /// Records a step that reports several counts.
    pub fn record_report<E: fmt::Display>(
        &mut self,
        what: &'static str,
        outcome: Result<Report, E>,
    ) {
        match outcome {
            Ok(report) => self.report.extend(report),
            Err(err) => self.record::<u64, E>(what, Err(err)),
        }
    }

    pub fn finish(self) -> Result<Report, JobError> {
        if self.failed.is_empty() {
            Ok(self.report)
        } else {
            Err(JobError::msg(format!(
                "failed steps: {}",
                self.failed.join(", ")
            )))
        }
    }
}

/// The work of a job: one run at `now`. A closure `FnMut(DateTime<Utc>) -> impl Future`
/// is a task; a task with state kept between runs implements this by hand.
pub trait Task: Send + 'static {
    fn run(&mut self, now: DateTime<Utc>) -> BoxFuture<'_, Result<Report, JobError>>;
}

impl<F, Fut> Task for F
where
    F: FnMut(DateTime<Utc>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Report, JobError>> + Send + 'static,
{
    fn run(&mut self, now: DateTime<Utc>) -> BoxFuture<'_, Result<Report, JobError>> {
        Box::pin(self(now))
    }
}

/// When a job runs: every `every`, the first time after `first` (zero: at once), and what
/// happens to ticks missed while a run took longer than a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    pub every: Duration,
    pub first: Duration,
    pub missed: MissedTickBehavior,
}

impl Schedule {
    /// Every `every` (at least a millisecond), first at once, missed ticks caught up in a
    /// burst (tokio's default).
    pub fn every(every: Duration) -> Self {
        Self {
            every: every.max(Duration::from_millis(1)),
            first: Duration::ZERO,
            missed: MissedTickBehavior::Burst,
        }
    }

    pub fn first_after(mut self, first: Duration) -> Self {
        self.first = first;
        self
    }

    pub fn missed(mut self, missed: MissedTickBehavior) -> Self {
        self.missed = missed;
        self
    }
}

/// A named lease (a row in `leases`) a job must hold to run: taken or renewed before each
/// run for `ttl`, so of several instances one runs it while the others skip their tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub name: &'static str,
    pub ttl: chrono::Duration,
}

/// Something that wakes a job before its next tick (the search index telling the matcher
/// it advanced).
type Wake = Box<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// One periodic job.
pub struct Job {
    name: &'static str,
    schedule: Schedule,
    lease: Option<Lease>,
    wake: Option<Wake>,
    quiet: bool,
    task: Box<dyn Task>,
}

impl Job {
    pub fn new(name: &'static str, schedule: Schedule, task: impl Task) -> Self {
        Self {
            name,
            schedule,
            lease: None,
            wake: None,
            quiet: false,
            task: Box::new(task),
        }
    }

    /// Runs only while holding lease `name` (held by `<job name>-<random id>`).
    pub fn with_lease(mut self, name: &'static str, ttl: chrono::Duration) -> Self {
        self.lease = Some(Lease { name, ttl });
        self
    }

    /// Also runs as soon as a future from `wake` completes.
    pub fn wake_on<F, Fut>(mut self, wake: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.wake = Some(Box::new(move || Box::pin(wake())));
        self
    }

    /// Logs what its runs did at debug level only (a job running several times a second).
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn schedule(&self) -> Schedule {
        self.schedule
    }

    pub fn lease(&self) -> Option<Lease> {
        self.lease
    }
}

/// Where the registry reports each run (the api's Prometheus registry).
pub trait JobMetrics: Send + Sync {
    fn observe(&self, job: &str, seconds: f64, failed: bool);
}

/// Metrics nobody reads (a process without a `/metrics`).
pub struct NoMetrics;

impl JobMetrics for NoMetrics {
    fn observe(&self, _job: &str, _seconds: f64, _failed: bool) {}
}

/// The jobs of one process.
pub struct Registry {
    db: DatabaseConnection,
    metrics: Arc<dyn JobMetrics>,
    jobs: Vec<Job>,
}

impl Registry {
    /// `db` holds the jobs' leases.
    pub fn new(db: DatabaseConnection, metrics: Arc<dyn JobMetrics>) -> Self {
        Self {
            db,
            metrics,
            jobs: Vec::new(),
        }
    }

    pub fn add(&mut self, job: Job) -> &mut Self {
        self.jobs.push(job);
        self
    }

    pub fn jobs(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter()
    }

    /// Spawns every job on the current runtime; they run until `token` is cancelled.
    pub fn start(self, token: CancellationToken) -> Running {
        let mut tasks = JoinSet::new();
        for job in self.jobs {
            tasks.spawn(drive(
                job,
                self.db.clone(),
                self.metrics.clone(),
                token.clone(),
            ));
        }
        Running { tasks, token }
    }
}

/// The running jobs of a [`Registry`].
pub struct Running {
    tasks: JoinSet<()>,
    token: CancellationToken,
}

impl Running {
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    /// Cancels every job and waits for runs in flight to finish, at most `grace`; a run
    /// still going then is aborted (its transaction, if any, rolls back).
    pub async fn stop(mut self, grace: Duration) {
        self.token.cancel();
        let finished = tokio::time::timeout(grace, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!(
                left = self.tasks.len(),
                "background jobs did not stop in time; aborting them"
            );
            self.tasks.shutdown().await;
        }
    }
}

async fn drive(
    mut job: Job,
    db: DatabaseConnection,
    metrics: Arc<dyn JobMetrics>,
    token: CancellationToken,
) {
    let holder = format!("{}-{}", job.name, uuid::Uuid::new_v4().simple());
    let schedule = job.schedule;
    let mut tick =
        tokio::time::interval_at(tokio::time::Instant::now() + schedule.first, schedule.every);
    tick.set_missed_tick_behavior(schedule.missed);
    loop {
        let woken = async {
            match &job.wake {
                Some(wake) => wake().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = token.cancelled() => break,
            _ = tick.tick() => {}
            _ = woken => {}
        }
        let now = time::now();
        if let Some(lease) = job.lease
            && !hold_lease(&db, lease, &holder, now).await
        {
            continue;
        }
        let started = Instant::now();
        let outcome = job.task.run(now).await;
        let seconds = started.elapsed().as_secs_f64();
        match &outcome {
            Ok(report) if report.is_empty() => tracing::debug!(job = job.name, "job: nothing due"),
            Ok(report) if job.quiet => tracing::debug!(job = job.name, %report, "job ran"),
            Ok(report) => tracing::info!(job = job.name, %report, "job ran"),
            Err(err) => tracing::warn!(job = job.name, error = %err, "job failed; retrying"),
        }
        metrics.observe(job.name, seconds, outcome.is_err());
    }
    tracing::debug!(job = job.name, "job stopped");
}

/// Whether this instance holds `lease` (taking or renewing it) for the next `ttl`; a
/// database error is logged and counts as not holding it, so the job waits for its next
/// tick.
async fn hold_lease(
    db: &DatabaseConnection,
    lease: Lease,
    holder: &str,
    now: DateTime<Utc>,
) -> bool {
    match crate::leases::claim(
        db,
        lease.name,
        holder,
        lease.ttl,
        now,
        serde_json::json!({}),
    )
    .await
    {
        Ok(held) => held,
        Err(err) => {
            tracing::warn!(error = %err, lease = lease.name, "lease unavailable");
            false
        }
    }
}

#[cfg(test)]
mod tests;
