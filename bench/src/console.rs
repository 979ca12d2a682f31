//! The officer console against a loaded server: signs in through the console's own form,
//! walks every page reachable from the home page (following `/console/…` links, at most two
//! addresses per page kind), then times each page kind over repeated sequential requests.
//! Sequential requests over loopback: what is measured is the server's time plus a
//! loopback round trip, an upper bound of the server time the issue's target is about.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde::Serialize;

use crate::stats::{Latency, latency};

#[derive(clap::Args)]
pub struct ConsoleArgs {
    /// The server, e.g. http://127.0.0.1:18480.
    #[arg(long)]
    base: String,
    /// An officer's or admin's phone or e-mail.
    #[arg(long)]
    login: String,
    /// Their password (default: `BENCH_OFFICER_PASSWORD`).
    #[arg(long, env = "BENCH_OFFICER_PASSWORD")]
    password: String,
    /// Timed requests per page kind.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// At most this many page kinds are walked.
    #[arg(long, default_value_t = 60)]
    max_pages: usize,
    #[arg(long)]
    json: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct PageFigures {
    /// The page kind: its path with ids replaced by `{id}`.
    page: String,
    /// The address timed.
    example: String,
    bytes: usize,
    latency: Latency,
}

/// A path's kind: every segment that looks like an id becomes `{id}`; the query goes.
fn kind_of(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.split('/')
        .map(|segment| {
            if segment.len() >= 32 && segment.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The `/console…` links of a page that are pages (not files, not forms' actions).
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in html.match_indices("href=\"") {
        let rest = &html[at + 6..];
        let Some(end) = rest.find('"') else { continue };
        let href = rest[..end].replace("&amp;", "&");
        let is_page = (href == "/console" || href.starts_with("/console/"))
            && !href.starts_with("/console/assets/")
            && !href.split('?').next().unwrap_or_default().ends_with(".csv")
            && !href.contains('#');
        if is_page {
            found.push(href);
        }
    }
    found
}

fn cookie_of(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!(r#"name="{name}" value=""#);
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

async fn sign_in(http: &reqwest::Client, args: &ConsoleArgs) -> anyhow::Result<String> {
    let form = http
        .get(format!("{}/console/sign-in", args.base))
        .send()
        .await?;
    let pre = cookie_of(&form, "doorstep_console_sign_in").context("the sign-in cookie")?;
    let token = hidden(&form.text().await?, "_csrf").context("the sign-in form's token")?;
    let answer = http
        .post(format!("{}/console/sign-in", args.base))
        .header(COOKIE, pre)
        .form(&[
            ("_csrf", token.as_str()),
            ("login", args.login.as_str()),
            ("password", args.password.as_str()),
        ])
        .send()
        .await?;
    if answer.headers().get(LOCATION).is_none() {
        bail!("console sign-in refused: {}", answer.status());
    }
    cookie_of(&answer, "doorstep_console").context("the session cookie")
}

pub async fn run(args: ConsoleArgs) -> anyhow::Result<()> {
    doorstep_matcher::webhook::install_crypto();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let cookie = sign_in(&http, &args).await?;
    let get = async |path: &str| -> anyhow::Result<(u16, String)> {
        let response = http
            .get(format!("{}{path}", args.base))
            .header(COOKIE, &cookie)
            .send()
            .await?;
        Ok((response.status().as_u16(), response.text().await?))
    };

    // Walk: one address per page kind is timed; up to two are opened to find more links.
    let mut examples: BTreeMap<String, String> = BTreeMap::new();
    let mut opened: BTreeMap<String, usize> = BTreeMap::new();
    let mut queue = VecDeque::from(["/console".to_owned()]);
    while let Some(path) = queue.pop_front() {
        let kind = kind_of(&path);
        let times = opened.entry(kind.clone()).or_default();
        if *times >= 2 || (examples.len() >= args.max_pages && !examples.contains_key(&kind)) {
            continue;
        }
        *times += 1;
        let (status, html) = get(&path).await?;
        if status != 200 {
            tracing::warn!(path, status, "console page not timed");
            continue;
        }
        examples.entry(kind).or_insert_with(|| path.clone());
        queue.extend(links(&html));
    }

    let mut figures = Vec::new();
    for (kind, example) in &examples {
        let mut samples = Vec::with_capacity(args.rounds);
        let mut bytes = 0;
        for _ in 0..args.rounds {
            let started = Instant::now();
            let (status, html) = get(example).await?;
            samples.push(started.elapsed());
            if status != 200 {
                bail!("{example} answered {status} while being timed");
            }
            bytes = html.len();
        }
        figures.push(PageFigures {
            page: kind.clone(),
            example: example.clone(),
            bytes,
            latency: latency(&samples),
        });
    }

    println!(
        "Officer console pages, each requested {} times in a row over loopback by an admin (every district), after signing in through the console's form:",
        args.rounds
    );
    println!();
    println!("| page | p50 ms | p99 ms | max ms | bytes |");
    println!("|---|---|---|---|---|");
    for f in &figures {
        println!(
            "| `{}` | {:.2} | {:.2} | {:.2} | {} |",
            f.page, f.latency.p50_ms, f.latency.p99_ms, f.latency.max_ms, f.bytes
        );
    }
    let worst = figures
        .iter()
        .map(|f| Duration::from_secs_f64(f.latency.p99_ms / 1000.0))
        .max()
        .unwrap_or_default();
    println!();
    println!(
        "{} page kinds; the slowest p99 is {:.1} ms (target: under 100 ms).",
        figures.len(),
        worst.as_secs_f64() * 1000.0
    );
    println!();
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&figures)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_make_one_page_kind() {
        assert_eq!(
            kind_of("/console/businesses/01a25301-4a2a-7685-a5d7-f1a1c5082a3c?done=verified"),
            "/console/businesses/{id}"
        );
        assert_eq!(
            kind_of("/console/businesses?status=verified"),
            "/console/businesses"
        );
    }

    #[test]
    fn only_console_pages_are_followed() {
        let html = r#"<a href="/console/fairs">x</a><a href="/console/assets/console.css"></a>
            <a href="/api/v1/me"></a><a href="/console/figures.csv?d=1"></a><a href="/console/audit?a=1&amp;b=2">"#;
        assert_eq!(links(html), ["/console/fairs", "/console/audit?a=1&b=2"]);
    }
}
