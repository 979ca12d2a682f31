//! Structured logs with `tracing`. Every request runs inside a span carrying its request id,
//! so every line logged while serving it names the request.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::config::LogFormat;

/// Installs the global subscriber, writing to standard output. `RUST_LOG`, when set, wins
/// over the configured level. Colours only on a terminal (and never with `NO_COLOR` set), so
/// a log file or journal gets no escape codes.
pub fn init(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(FmtSpan::NONE)
        .with_ansi(colour());
    // A second init (tests, or a command that initialises twice) is harmless.
    let _ = match format {
        LogFormat::Pretty => builder.compact().try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Checks a `log_level` setting: comma-separated directives, each a level (`info`) or
/// `target=level` (`doorstep_api=debug`), levels being `trace`, `debug`, `info`, `warn`,
/// `error` or `off`. A bare word that is not a level (`verbose`) would be read by
/// `tracing` as a target name and silently log nothing of it, so it is refused.
pub fn check_filter(filter: &str) -> Result<(), String> {
    use std::str::FromStr;
    use tracing_subscriber::filter::LevelFilter;
    let directives: Vec<&str> = filter
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    if directives.is_empty() {
        return Err("log_level is empty (try \"info\")".into());
    }
    for directive in directives {
        let level = directive
            .rsplit_once('=')
            .map_or(directive, |(_, level)| level);
        if LevelFilter::from_str(level.trim()).is_err() {
            return Err(format!(
                "log_level {filter:?}: {directive:?} names no level (use trace, debug, info, warn, error or off, optionally as target=level)"
            ));
        }
    }
    EnvFilter::try_new(filter)
        .map(drop)
        .map_err(|err| format!("log_level {filter:?}: {err}"))
}
