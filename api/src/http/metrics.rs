//! Prometheus metrics: request counts and latency histograms by route and status, the
//! background jobs' runs, failures and durations, the database connection pool, and the
//! process itself (the standard `process_*` series: CPU, memory, open files, start time).

use std::sync::Arc;

use doorstep_domain::jobs::JobMetrics;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};

/// The metrics of one server. Each server has its own registry, so several test servers in
/// one process do not mix their figures.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Work waiting or done, read from the database at scrape time.
    queues: IntGaugeVec,
    jobs: JobCounters,
    pool: PoolGauges,
}

/// The database connection pool, read at scrape time.
struct PoolGauges {
    /// Connections open (idle or in use).
    size: IntGauge,
    idle: IntGauge,
    in_use: IntGauge,
    /// `database_max_connections`.
    max: IntGauge,
}

/// What the pool holds now: `(open, idle, max)`.
fn pool_figures(db: &DatabaseConnection) -> Option<(u32, usize, u32)> {
    match db.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            Some((
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ))
        }
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            Some((
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            ))
        }
        _ => None,
    }
}

/// The background jobs' series, shared with the job registry (the vectors are handles
/// onto the same series).
#[derive(Clone)]
struct JobCounters {
    runs: IntCounterVec,
    failures: IntCounterVec,
    duration: HistogramVec,
}

impl JobMetrics for JobCounters {
    fn observe(&self, job: &str, seconds: f64, failed: bool) {
        self.runs.with_label_values(&[job]).inc();
        if failed {
            self.failures.with_label_values(&[job]).inc();
        }
        self.duration.with_label_values(&[job]).observe(seconds);
    }
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("doorstep_http_requests_total", "HTTP requests served"),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "doorstep_http_request_duration_seconds",
                "Time to serve an HTTP request",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route", "status"],
        )
        .expect("valid metric");
        let queues = IntGaugeVec::new(
            Opts::new(
                "doorstep_queue",
                "Change events not yet applied (index_lag, matcher_backlog) and pushes by state",
            ),
            &["queue"],
        )
        .expect("valid metric");
        let jobs = JobCounters {
            runs: IntCounterVec::new(
                Opts::new("doorstep_job_runs_total", "Runs of each background job"),
                &["job"],
            )
            .expect("valid metric"),
            failures: IntCounterVec::new(
                Opts::new(
                    "doorstep_job_failures_total",
                    "Runs of each background job that failed",
                ),
                &["job"],
            )
            .expect("valid metric"),
            duration: HistogramVec::new(
                HistogramOpts::new(
                    "doorstep_job_duration_seconds",
                    "Time one run of a background job took",
                )
                .buckets(vec![0.001, 0.01, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0]),
                &["job"],
            )
            .expect("valid metric"),
        };
        let gauge = |name: &str, help: &str| IntGauge::new(name, help).expect("valid metric");
        let pool = PoolGauges {
            size: gauge(
                "doorstep_db_pool_connections",
                "Database connections open in the pool (idle or in use)",
            ),
            idle: gauge(
                "doorstep_db_pool_idle_connections",
                "Database connections open and idle",
            ),
            in_use: gauge(
                "doorstep_db_pool_in_use_connections",
                "Database connections checked out by a request or job",
            ),
            max: gauge(
                "doorstep_db_pool_max_connections",
                "Largest number of connections the pool opens (database_max_connections)",
            ),
        };
        // CPU seconds, resident and virtual memory, open and maximum file descriptors,
        // threads and start time of this process, read from /proc at each scrape.
        #[cfg(target_os = "linux")]
        registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .expect("registered once");
        for collector in [
            Box::new(pool.size.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(pool.idle.clone()),
            Box::new(pool.in_use.clone()),
            Box::new(pool.max.clone()),
            Box::new(jobs.runs.clone()),
            Box::new(jobs.failures.clone()),
            Box::new(jobs.duration.clone()),
        ] {
            registry.register(collector).expect("registered once");
        }
        registry
            .register(Box::new(queues.clone()))
            .expect("registered once");
        registry
            .register(Box::new(requests.clone()))
            .expect("registered once");
        registry
            .register(Box::new(latency.clone()))
            .expect("registered once");
        Self {
            registry,
            requests,
            latency,
            queues,
            jobs,
            pool,
        }
    }

    /// Reads the pool's figures now (called at each scrape).
    pub fn observe_pool(&self, db: &DatabaseConnection) {
        if let Some((open, idle, max)) = pool_figures(db) {
            let idle = i64::try_from(idle).unwrap_or(i64::MAX);
            self.pool.size.set(i64::from(open));
            self.pool.idle.set(idle);
            self.pool.in_use.set((i64::from(open) - idle).max(0));
            self.pool.max.set(i64::from(max));
        }
    }

    /// `route` is the route template (`/api/v1/accounts/{id}`), never the raw path, so the
    /// number of series stays bounded.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// Where the job registry records its runs.
    pub fn jobs(&self) -> Arc<dyn JobMetrics> {
        Arc::new(self.jobs.clone())
    }

    pub fn set_queue(&self, queue: &str, value: i64) {
        self.queues.with_label_values(&[queue]).set(value);
    }

    pub fn render(&self) -> String {
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding cannot fail");
        String::from_utf8(out).expect("prometheus text is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
