//! Prometheus metrics: request counts and latency histograms by route and status, and the
//! background jobs' runs, failures and durations.

use std::sync::Arc;

use doorstep_domain::jobs::JobMetrics;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The metrics of one server. Each server has its own registry, so several test servers in
/// one process do not mix their figures.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// Work waiting or done, read from the database at scrape time.
    queues: IntGaugeVec,
    jobs: JobCounters,
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
        for collector in [
            Box::new(jobs.runs.clone()) as Box<dyn prometheus::core::Collector>,
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
