use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

#[derive(Default)]
struct Recorded(Mutex<Vec<(String, bool)>>);

impl JobMetrics for Recorded {
    fn observe(&self, job: &str, _seconds: f64, failed: bool) {
        self.0.lock().unwrap().push((job.to_owned(), failed));
    }
}

async fn db() -> DatabaseConnection {
    sea_orm::Database::connect("sqlite::memory:").await.unwrap()
}

#[tokio::test]
async fn runs_are_observed_with_their_failures() {
    let metrics = Arc::new(Recorded::default());
    let mut registry = Registry::new(db().await, metrics.clone());
    registry.add(Job::new(
        "ok",
        Schedule::every(Duration::from_millis(10)),
        |_| async { Ok(Report::new().with("done", 1u64)) },
    ));
    registry.add(Job::new(
        "broken",
        Schedule::every(Duration::from_millis(10)),
        |_| async { Err(JobError::msg("no")) },
    ));
    let running = registry.start(CancellationToken::new());
    tokio::time::sleep(Duration::from_millis(100)).await;
    running.stop(Duration::from_secs(1)).await;
    let seen = metrics.0.lock().unwrap().clone();
    assert!(seen.contains(&("ok".to_owned(), false)), "{seen:?}");
    assert!(seen.contains(&("broken".to_owned(), true)), "{seen:?}");
    assert!(!seen.contains(&("ok".to_owned(), true)), "{seen:?}");
}

#[tokio::test]
async fn cancelling_stops_every_job_promptly() {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new(db().await, Arc::new(NoMetrics));
    for name in ["a", "b", "c"] {
        let runs = runs.clone();
        registry.add(Job::new(
            name,
            // Long periods: after the first run each job waits on its tick, which the
            // token must interrupt.
            Schedule::every(Duration::from_secs(3600)),
            move |_| {
                let runs = runs.clone();
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok(Report::new())
                }
            },
        ));
    }
    let token = CancellationToken::new();
    let running = registry.start(token.clone());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 3, "each job ran at once");
    token.cancel();
    let started = Instant::now();
    running.stop(Duration::from_secs(10)).await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(runs.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_run_that_hangs_is_aborted_after_the_grace_period() {
    let mut registry = Registry::new(db().await, Arc::new(NoMetrics));
    registry.add(Job::new(
        "hangs",
        Schedule::every(Duration::from_secs(1)),
        |_| async {
            std::future::pending::<()>().await;
            Ok(Report::new())
        },
    ));
    let running = registry.start(CancellationToken::new());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let started = Instant::now();
    running.stop(Duration::from_millis(100)).await;
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn the_first_run_waits_for_its_delay_and_a_wake_runs_early() {
    let runs = Arc::new(AtomicUsize::new(0));
    let signal = Arc::new(tokio::sync::Notify::new());
    let mut registry = Registry::new(db().await, Arc::new(NoMetrics));
    let counted = runs.clone();
    let woken = signal.clone();
    registry.add(
        Job::new(
            "late",
            Schedule::every(Duration::from_secs(3600)).first_after(Duration::from_secs(3600)),
            move |_| {
                let runs = counted.clone();
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok(Report::new())
                }
            },
        )
        .wake_on(move || {
            let woken = woken.clone();
            async move { woken.notified().await }
        }),
    );
    let running = registry.start(CancellationToken::new());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 0, "not before its first delay");
    signal.notify_one();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "woken");
    running.stop(Duration::from_secs(1)).await;
}

#[test]
fn a_report_is_empty_when_every_count_is_zero() {
    assert!(Report::new().with("closed", 0u64).is_empty());
    let report = Report::new().with("closed", 2usize).with("escalated", 0u64);
    assert!(!report.is_empty());
    assert_eq!(report.get("closed"), 2);
    assert_eq!(report.to_string(), "closed=2 escalated=0");
}

#[test]
fn steps_run_on_after_a_failure_and_fail_the_run() {
    let mut steps = Steps::new();
    steps.record("matched", Ok::<usize, String>(3));
    steps.record("pushed", Err::<usize, _>("smtp down"));
    steps.record("mailed", Ok::<usize, String>(1));
    let err = steps.finish().unwrap_err();
    assert!(err.to_string().contains("pushed"));
}
