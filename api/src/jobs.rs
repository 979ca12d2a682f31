//! Doorstep's background jobs, listed once. `doorstep serve` runs all of them (the
//! matcher only with `match_in_process`, retention only with a non-zero
//! `retention_interval_secs`); `doorstep worker` runs the same registry without the
//! server's own jobs (it has no rate limiters to prune, and the sweeps, gig jobs and
//! retention are left to the servers). The mechanism (schedules, leases, metrics,
//! shutdown) is `doorstep_domain::jobs`.

use std::sync::Arc;
use std::time::Duration;

use doorstep_domain::jobs::{
    BoxFuture, Job, JobError, JobMetrics, MissedTickBehavior, Registry, Report, Schedule, Steps,
    Task,
};
use doorstep_domain::media::MediaStore;
use doorstep_matcher::Matcher;
use doorstep_search_index::SearchIndex;
use doorstep_search_index::sync::{Follower, Syncer};
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::startup::AppState;

/// What the jobs work with.
pub struct Parts<'a> {
    pub settings: &'a Settings,
    pub db: DatabaseConnection,
    /// This process's search index, kept current by the `search_sync` job.
    pub search: Arc<SearchIndex>,
    /// The matching worker, if this process runs one.
    pub matcher: Option<Matcher>,
    /// The server's state, in `doorstep serve`: its jobs run only there.
    pub server: Option<Arc<AppState>>,
    pub metrics: Arc<dyn JobMetrics>,
}

/// Every job this process runs, ready to start.
pub fn registry(parts: Parts<'_>) -> Registry {
    let settings = parts.settings;
    let mut registry = Registry::new(parts.db.clone(), parts.metrics);
    registry.add(search_sync(settings, parts.db.clone(), parts.search));
    if let Some(matcher) = parts.matcher {
        registry.add(matching(settings, matcher));
    }
    if let Some(state) = parts.server {
        registry.add(limiter_pruning(state.clone()));
        registry.add(sweeps(settings, parts.db.clone()));
        registry.add(gig_jobs(settings, parts.db.clone()));
        if let Some(job) = wechat_push(settings, parts.db.clone(), &state) {
            registry.add(job);
        }
        if let Some(job) = retention(settings, parts.db, state.media.clone()) {
            registry.add(job);
        }
    }
    registry
}

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms.max(10))
}

/// Applies change events to the search index every `search_poll_ms`.
fn search_sync(settings: &Settings, db: DatabaseConnection, index: Arc<SearchIndex>) -> Job {
    struct SearchSync(Follower);
    impl Task for SearchSync {
        fn run(
            &mut self,
            _now: chrono::DateTime<chrono::Utc>,
        ) -> BoxFuture<'_, Result<Report, JobError>> {
            Box::pin(async move { Ok(Report::new().with("applied", self.0.pass().await?)) })
        }
    }
    let syncer = Syncer {
        index,
        db,
        gap_timeout: Duration::from_secs(settings.search_gap_timeout_secs),
    };
    Job::new(
        "search_sync",
        Schedule::every(millis(settings.search_poll_ms)).missed(MissedTickBehavior::Delay),
        SearchSync(Follower::new(syncer)),
    )
    .quiet()
}

/// Matches, pushes, digests and queued mail every `match_poll_ms`, and as soon as the
/// search index applied a change this process can match.
fn matching(settings: &Settings, matcher: Matcher) -> Job {
    let index = matcher.index.clone();
    let matcher = Arc::new(matcher);
    Job::new(
        "matcher",
        Schedule::every(millis(settings.match_poll_ms)).missed(MissedTickBehavior::Delay),
        move |_now| {
            let matcher = matcher.clone();
            async move { matcher.run_once().await }
        },
    )
    .wake_on(move || {
        let index = index.clone();
        async move { index.advanced().await }
    })
    .quiet()
}

/// Forgets rate-limit keys that have been idle long enough, every minute.
fn limiter_pruning(state: Arc<AppState>) -> Job {
    Job::new(
        "limiter_pruning",
        Schedule::every(Duration::from_secs(60)),
        move |_now| {
            let state = state.clone();
            async move {
                state.login_limiter.prune();
                state.search_limiter.prune();
                state.signup_limiter.prune();
                state.anonymous_write_limiter.prune();
                Ok(Report::new())
            }
        },
    )
    .quiet()
}

/// Every `expiry_sweep_secs`: closes expired postings (listings already hide them; this
/// makes the closure visible to merchants and to the change-event consumers) and escalates
/// overdue 随手拍 reports and overdue complaints, and raises the platform's complaints about
/// repeat no-pays. All are conditional updates (or unique keys), safe on every instance at
/// once.
fn sweeps(settings: &Settings, db: DatabaseConnection) -> Job {
    let public_url = Arc::new(settings.public_url());
    let complaint_rules = settings.complaint_rules();
    Job::new(
        "sweeps",
        Schedule::every(Duration::from_secs(settings.expiry_sweep_secs.max(1))),
        move |now| {
            let (db, public_url) = (db.clone(), public_url.clone());
            async move {
                let mut steps = Steps::new();
                steps.record(
                    "closed",
                    doorstep_domain::postings::close_expired(&db).await,
                );
                steps.record(
                    "escalated",
                    doorstep_domain::reports::handling::escalate_overdue(&db, now, &public_url)
                        .await,
                );
                steps.record(
                    "complaints_escalated",
                    doorstep_domain::complaints::handling::escalate_overdue(&db, now).await,
                );
                steps.record(
                    "no_pay_complaints",
                    doorstep_domain::complaints::auto::raise_repeat_no_pays(
                        &db,
                        &complaint_rules,
                        now,
                    )
                    .await,
                );
                steps.finish()
            }
        },
    )
}

/// Runs the gig jobs, queues the notices of unread conversations and delivers the queued
/// notices every `gig_jobs_secs`. Every instance runs
/// this job; the `gig_jobs` lease lets one of them do a pass at a time, and the jobs'
/// conditional updates keep a pass that overlaps another (a lease that ran out) harmless.
fn gig_jobs(settings: &Settings, db: DatabaseConnection) -> Job {
    let every_secs = settings.gig_jobs_secs;
    let rules = Arc::new(settings.gig_rules());
    let quiet = chrono::Duration::seconds(
        i64::try_from(settings.conversation_notice_quiet_secs).unwrap_or(i64::MAX),
    );
    let ttl = chrono::Duration::seconds(i64::try_from(every_secs.max(10) * 3).unwrap_or(90));
    Job::new(
        "gig_jobs",
        Schedule::every(Duration::from_secs(every_secs.max(1))).missed(MissedTickBehavior::Delay),
        move |now| {
            let (db, rules) = (db.clone(), rules.clone());
            async move {
                let mut steps = Steps::new();
                steps.record_report(
                    "gig_jobs",
                    doorstep_domain::gigs::jobs::run_all(&db, &rules, now)
                        .await
                        .map(Report::from),
                );
                steps.record(
                    "conversation_notices",
                    doorstep_domain::conversations::notices::tell_absent(&db, now, quiet)
                        .await
                        .map(|told| told.queued),
                );
                steps.record(
                    "notices",
                    doorstep_matcher::gig_notices::deliver(&db, now).await,
                );
                steps.finish()
            }
        },
    )
    .with_lease("gig_jobs", ttl)
}

/// Sends due WeChat subscribe messages every `wechat_push_poll_ms`, when WeChat and at
/// least one template are configured. Every instance runs it: the rows are leased one by
/// one (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
fn wechat_push(settings: &Settings, db: DatabaseConnection, state: &AppState) -> Option<Job> {
    let wechat = state.wechat.clone()?;
    if state.wechat_templates.by_group.is_empty() {
        return None;
    }
    let sender = Arc::new(doorstep_matcher::wechat::push::WechatPush {
        db,
        wechat,
        templates: (*state.wechat_templates).clone(),
        rules: doorstep_matcher::wechat::push::PushRules {
            max_attempts: doorstep_matcher::MatchSettings::default().max_attempts,
            retry_base: Duration::from_millis(settings.push_retry_base_ms.max(1)),
            lease: chrono::Duration::seconds(30),
        },
    });
    Some(
        Job::new(
            "wechat_push",
            Schedule::every(millis(settings.wechat_push_poll_ms)).missed(MissedTickBehavior::Delay),
            move |_now| {
                let sender = sender.clone();
                async move {
                    let mut steps = Steps::new();
                    steps.record("sent", sender.run_once().await.map(|p| p.sent));
                    steps.finish()
                }
            },
        )
        .quiet(),
    )
}

/// The retention job every `retention_interval_secs` (0: never), the first time a few
/// minutes after start rather than at once, so a restart loop does not hammer the database
/// and short-lived test servers never run it. A `retention` lease lets one instance run
/// it per period; the job is safe to run twice regardless.
fn retention(
    settings: &Settings,
    db: DatabaseConnection,
    media: Arc<dyn MediaStore>,
) -> Option<Job> {
    let every_secs = settings.retention_interval_secs;
    if every_secs == 0 {
        return None;
    }
    // Two periods: the holder renews at each of its ticks, a late tick does not let another
    // instance in, and a holder that died is replaced after at most two periods.
    let ttl = chrono::Duration::seconds(
        i64::try_from(every_secs.saturating_mul(2)).unwrap_or(i64::MAX / 2),
    );
    let schedule = Schedule::every(Duration::from_secs(every_secs))
        .first_after(Duration::from_secs(every_secs.min(300)))
        .missed(MissedTickBehavior::Delay);
    let policy = settings.retention_policy();
    Some(
        Job::new("retention", schedule, move |now| {
            let (db, media) = (db.clone(), media.clone());
            async move {
                let report =
                    doorstep_domain::retention::run(&db, media.as_ref(), now, &policy).await?;
                if report.total() > 0 {
                    tracing::info!(?report, "retention job: what changed");
                }
                Ok(Report::new().with("changed", report.total()))
            }
        })
        .with_lease("retention", ttl),
    )
}
