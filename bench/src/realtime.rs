//! Conversations in real time (issue 24): how much memory `--connections` open WebSockets
//! cost one instance, and how long a message takes from the sender's `POST` to the
//! recipient's socket at a fixed rate, on SQLite, on PostgreSQL, and on PostgreSQL across
//! two instances (sockets held by one, messages sent through the other).
//!
//! Each run starts `doorstep serve` itself on a fresh database holding a generated corpus
//! (`doorstep-demo`, one seeker per connection), with one conversation per seeker with
//! the business of one posting; tokens are minted with the key the server is given, so
//! thousands of sign-ups (and their password hashing) are not part of the set-up. The
//! server's resident memory (VmRSS) is read once it is ready and again once every socket
//! is open and has said `ready`. Then the businesses send `--rate` messages a second for
//! `--seconds`, round-robin over the conversations, each message carrying its send time;
//! every socket reads its frames and the latency is receipt minus send. Every message
//! must arrive exactly once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use doorstep_demo::{Generator, Sizes};
use doorstep_domain::auth::tokens::{KeySet, TokenService, TokenSettings};
use doorstep_domain::entities::conversation;
use doorstep_domain::jobs::CancellationToken;
use doorstep_domain::types::Role;
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, Database, EntityTrait, Set};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

const KEY_ID: &str = "bench";
const KEY_SECRET: &str = "doorstep-realtime-bench-secret-2026";
const ISSUER: &str = "doorstep-bench";
const AUDIENCE: &str = "doorstep-bench";
const PORT_A: u16 = 18_531;
const PORT_B: u16 = 18_532;
const PG_DB: &str = "doorstep_bench_realtime";

#[derive(clap::Args)]
pub struct RealtimeArgs {
    /// The `doorstep` binary to measure.
    #[arg(long)]
    binary: PathBuf,
    /// Runs, comma-separated: `sqlite`, `postgres`, `postgres-across`.
    #[arg(long, default_value = "sqlite,postgres,postgres-across")]
    runs: String,
    #[arg(long, default_value_t = 5_000)]
    connections: usize,
    /// Messages sent per second.
    #[arg(long, default_value_t = 500)]
    rate: u64,
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// A PostgreSQL server whose user may create databases.
    #[arg(
        long,
        env = "BENCH_PG_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    pg_url: String,
    /// Where the Markdown results go.
    #[arg(long)]
    out: PathBuf,
    /// The command line, for the results.
    #[arg(long, default_value = "bench/realtime")]
    command: String,
    /// Targets: memory added by the sockets (MB), p99 on one instance and across (ms).
    #[arg(long, default_value_t = 300.0)]
    memory_target_mb: f64,
    #[arg(long, default_value_t = 100.0)]
    p99_target_ms: f64,
    #[arg(long, default_value_t = 300.0)]
    across_target_ms: f64,
}

struct Outcome {
    run: String,
    rss_ready_mb: f64,
    rss_open_mb: f64,
    connect_s: f64,
    sent: u64,
    send_errors: u64,
    delivered: u64,
    duplicates: u64,
    achieved_rate: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

pub async fn run(args: RealtimeArgs) -> anyhow::Result<()> {
    doorstep_matcher::webhook::install_crypto();
    let mut outcomes = Vec::new();
    for run in args
        .runs
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        let (postgres, across) = match run {
            "sqlite" => (false, false),
            "postgres" => (true, false),
            "postgres-across" => (true, true),
            other => bail!("unknown run {other}: sqlite, postgres or postgres-across"),
        };
        tracing::info!(run, "realtime run");
        outcomes.push(one_run(&args, run, postgres, across).await?);
    }
    write(&args, &outcomes)
}

/// The server processes of a run, killed when dropped.
struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

async fn one_run(
    args: &RealtimeArgs,
    run: &str,
    postgres: bool,
    across: bool,
) -> anyhow::Result<Outcome> {
    let scratch = std::env::temp_dir().join(format!("doorstep-realtime-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&scratch)?;
    let database_url = if postgres {
        let admin = Database::connect(&args.pg_url).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"))
            .await?;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {PG_DB}"))
            .await?;
        format!(
            "{}/{PG_DB}",
            args.pg_url.rsplit_once('/').context("a URL")?.0
        )
    } else {
        format!("sqlite://{}/doorstep.db?mode=rwc", scratch.display())
    };
    let env = |port: u16, data: &Path| -> Vec<(String, String)> {
        [
            ("DATABASE_URL", database_url.clone()),
            ("DOORSTEP_DATA_DIR", data.display().to_string()),
            ("DOORSTEP_BIND", format!("127.0.0.1:{port}")),
            ("DOORSTEP_LOG_LEVEL", "warn".into()),
            ("DOORSTEP_JWT_KEYS", format!("{KEY_ID}:{KEY_SECRET}")),
            ("DOORSTEP_JWT_ISSUER", ISSUER.into()),
            ("DOORSTEP_JWT_AUDIENCE", AUDIENCE.into()),
            ("DOORSTEP_MATCH_IN_PROCESS", "false".into()),
            ("DOORSTEP_RETENTION_INTERVAL_SECS", "0".into()),
            (
                "DOORSTEP_CONVERSATION_MESSAGES_PER_MINUTE",
                "100000000".into(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    };
    let data_a = scratch.join("a");
    let status = Command::new(&args.binary)
        .arg("migrate")
        .envs(env(PORT_A, &data_a))
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("doorstep migrate failed");
    }
    let (seekers, merchants) = load(&database_url, args.connections).await?;
    let mut servers = Servers(Vec::new());
    servers
        .0
        .push(start(&args.binary, env(PORT_A, &data_a), &scratch, "a")?);
    ready(PORT_A).await?;
    let socket_port = if across {
        let data_b = scratch.join("b");
        servers
            .0
            .push(start(&args.binary, env(PORT_B, &data_b), &scratch, "b")?);
        ready(PORT_B).await?;
        PORT_B
    } else {
        PORT_A
    };
    let holder = servers.0.last().context("a server")?.id();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_ready = rss_mb(holder)?;

    // Open every socket, a hundred at a time.
    let (received_tx, mut received_rx) = mpsc::unbounded_channel::<(u64, u64)>();
    let epoch = Instant::now();
    let connect_started = Instant::now();
    let mut sockets = Vec::with_capacity(seekers.len());
    for chunk in seekers.chunks(100) {
        let opened = futures_util::future::join_all(
            chunk
                .iter()
                .map(|token| open_socket(socket_port, token.clone())),
        )
        .await;
        for socket in opened {
            sockets.push(socket?);
        }
    }
    let connect_s = connect_started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_open = rss_mb(holder)?;
    let stop = CancellationToken::new();
    let mut readers = Vec::new();
    for socket in sockets {
        readers.push(tokio::spawn(read_frames(
            socket,
            received_tx.clone(),
            epoch,
            stop.clone(),
        )));
    }
    drop(received_tx);

    // Send at the fixed rate, through the first instance.
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let sent = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let total = args.rate * args.seconds;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate as f64));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let send_started = Instant::now();
    let mut sends = Vec::with_capacity(total as usize);
    for n in 0..total {
        tick.tick().await;
        let k = (n as usize) % merchants.len();
        let (conversation, token) = merchants[k].clone();
        let (http, sent, errors) = (http.clone(), sent.clone(), errors.clone());
        sends.push(tokio::spawn(async move {
            let at = epoch.elapsed().as_micros() as u64;
            let text = format!("消息 n:{} t:{}", letters(n), letters(at));
            let answer = http
                .post(format!(
                    "http://127.0.0.1:{PORT_A}/api/v1/conversations/{conversation}/messages"
                ))
                .bearer_auth(token)
                .json(&serde_json::json!({"kind": "text", "text": text}))
                .send()
                .await;
            match answer {
                Ok(response) if response.status() == 201 => {
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                Ok(response) => {
                    let status = response.status();
                    let body = response.text().await.unwrap_or_default();
                    tracing::warn!(%status, body = %body.chars().take(300).collect::<String>(), "a send was refused");
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "a send failed");
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for send in sends {
        send.await?;
    }
    let achieved_rate = total as f64 / send_started.elapsed().as_secs_f64();
    // Let the last messages arrive.
    let sent = sent.load(Ordering::Relaxed);
    let mut latencies: HashMap<u64, Vec<u64>> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while (latencies.len() as u64) < sent && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(200), received_rx.recv()).await {
            Ok(Some((n, latency))) => latencies.entry(n).or_default().push(latency),
            Ok(None) => break,
            Err(_) => {}
        }
    }
    while let Ok((n, latency)) = received_rx.try_recv() {
        latencies.entry(n).or_default().push(latency);
    }
    stop.cancel();
    for reader in readers {
        reader.abort();
    }
    drop(servers);
    let _ = std::fs::remove_dir_all(&scratch);
    let duplicates = latencies.values().map(|l| l.len() as u64 - 1).sum();
    let mut firsts: Vec<u64> = latencies.values().map(|l| l[0]).collect();
    firsts.sort_unstable();
    let pick = |q: f64| -> f64 {
        if firsts.is_empty() {
            return f64::NAN;
        }
        let i = ((firsts.len() as f64 * q) as usize).min(firsts.len() - 1);
        firsts[i] as f64 / 1000.0
    };
    Ok(Outcome {
        run: run.to_owned(),
        rss_ready_mb: rss_ready,
        rss_open_mb: rss_open,
        connect_s,
        sent,
        send_errors: errors.load(Ordering::Relaxed),
        delivered: latencies.len() as u64,
        duplicates,
        achieved_rate,
        p50_ms: pick(0.5),
        p99_ms: pick(0.99),
        max_ms: firsts.last().map_or(f64::NAN, |m| *m as f64 / 1000.0),
    })
}

/// Digits as letters (a = 0 … j = 9), so no number in a message looks like a phone number
/// (the server would mask it).
fn letters(n: u64) -> String {
    n.to_string()
        .bytes()
        .map(|b| char::from(b'a' + (b - b'0')))
        .collect()
}

fn number(letters: &str) -> Option<u64> {
    letters
        .bytes()
        .map(|b| {
            (b'a'..=b'j')
                .contains(&b)
                .then(|| char::from(b - b'a' + b'0'))
        })
        .collect::<Option<String>>()?
        .parse()
        .ok()
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_socket(port: u16, token: String) -> anyhow::Result<Socket> {
    let mut request = format!("ws://127.0.0.1:{port}/api/v1/ws").into_client_request()?;
    request
        .headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    // Up to `ready`.
    while let Some(frame) = socket.next().await {
        if let Message::Text(text) = frame?
            && text.as_str().contains("\"ready\"")
        {
            return Ok(socket);
        }
    }
    bail!("a socket closed before it was ready")
}

async fn read_frames(
    mut socket: Socket,
    received: mpsc::UnboundedSender<(u64, u64)>,
    epoch: Instant,
    stop: CancellationToken,
) {
    loop {
        let frame = tokio::select! {
            _ = stop.cancelled() => break,
            frame = socket.next() => frame,
        };
        let Some(Ok(frame)) = frame else { break };
        // Pings are answered by the library as frames are read.
        if let Message::Text(text) = frame {
            let now = epoch.elapsed().as_micros() as u64;
            let Ok(value) = serde_json::from_str::<serde_json::Value>(text.as_str()) else {
                continue;
            };
            if value["type"] != "message" {
                continue;
            }
            let body = value["message"]["body"].as_str().unwrap_or_default();
            let mut n = None;
            let mut at = None;
            for part in body.split(' ') {
                if let Some(v) = part.strip_prefix("n:") {
                    n = number(v);
                } else if let Some(v) = part.strip_prefix("t:") {
                    at = number(v);
                }
            }
            if let (Some(n), Some(at)) = (n, at) {
                let _ = received.send((n, now.saturating_sub(at)));
            }
        }
    }
    let _ = socket.close(None).await;
}

/// Loads a corpus with one seeker per connection and opens a conversation for each with
/// the business of one posting. Returns the seekers' tokens, and per conversation (in
/// the seekers' order) its id and a token of its business's owner.
async fn load(
    database_url: &str,
    connections: usize,
) -> anyhow::Result<(Vec<String>, Vec<(Uuid, String)>)> {
    let db = Database::connect(database_url).await?;
    let generator = Generator::new(2026, Sizes::scaled(connections), chrono::Utc::now());
    doorstep_demo::load::load(&db, &generator, false).await?;
    let tokens = TokenService::new(
        KeySet::new(vec![(KEY_ID.to_owned(), KEY_SECRET.as_bytes().to_vec())])?,
        TokenSettings {
            issuer: ISSUER.into(),
            audience: AUDIENCE.into(),
            access_ttl: Duration::from_secs(3600),
        },
    );
    let owners: HashMap<Uuid, (Uuid, i32)> = generator
        .businesses()
        .iter()
        .map(|b| (b.business.id, (b.owner.id, b.owner.token_version)))
        .collect();
    let now = chrono::Utc::now();
    let mut seekers = Vec::with_capacity(connections);
    let mut merchants = Vec::with_capacity(connections);
    let mut rows = Vec::with_capacity(connections);
    for k in 0..connections {
        let seeker = generator.seeker(k).account;
        let posting = generator.posting(k % generator.sizes().postings).posting;
        let (owner, version) = owners[&posting.business_id];
        let id = Uuid::now_v7();
        rows.push(conversation::ActiveModel {
            id: Set(id),
            posting_id: Set(posting.id),
            business_id: Set(posting.business_id),
            seeker_id: Set(seeker.id),
            opened_by: Set(seeker.id),
            message_count: Set(0),
            seeker_read_seq: Set(0),
            business_read_seq: Set(0),
            seeker_notified_seq: Set(0),
            business_notified_seq: Set(0),
            seeker_first_at: Set(None),
            first_reply_at: Set(None),
            last_message_at: Set(now),
            created_at: Set(now),
        });
        seekers.push(
            tokens
                .issue(seeker.id, Role::Seeker, seeker.token_version)
                .token,
        );
        merchants.push((id, tokens.issue(owner, Role::Merchant, version).token));
    }
    for chunk in rows.chunks(500) {
        conversation::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&db)
            .await?;
    }
    db.close().await?;
    Ok((seekers, merchants))
}

fn start(
    binary: &Path,
    env: Vec<(String, String)>,
    scratch: &Path,
    name: &str,
) -> anyhow::Result<Child> {
    let log = std::fs::File::create(scratch.join(format!("server-{name}.log")))?;
    Ok(Command::new(binary)
        .arg("serve")
        .envs(env)
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()?)
}

async fn ready(port: u16) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(response) = http
            .get(format!("http://127.0.0.1:{port}/readyz"))
            .send()
            .await
            && response.status() == 200
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server on port {port} did not become ready")
}

fn rss_mb(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .context("VmRSS")?
        .parse()?;
    Ok(kib / 1024.0)
}

fn write(args: &RealtimeArgs, outcomes: &[Outcome]) -> anyhow::Result<()> {
    let commit = Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut lines = vec![
        "## Conversations in real time".to_owned(),
        String::new(),
        format!(
            "Measured {} at commit {commit} with `{}`. {cores} cores; server, clients and \
             databases share the machine, on loopback.",
            chrono::Utc::now().format("%Y-%m-%d"),
            args.command
        ),
        String::new(),
        format!(
            "{} WebSockets held by one instance (each a seeker with one conversation); then \
             {} messages a second for {} s sent by the businesses over HTTP, round-robin over \
             the conversations; latency is from just before the `POST` to the frame read on \
             the recipient's socket. `postgres-across`: the sockets are held by a second \
             instance, the messages sent through the first. Targets: sockets add ≤ {} MB; \
             p99 ≤ {} ms on one instance, ≤ {} ms across.",
            args.connections,
            args.rate,
            args.seconds,
            args.memory_target_mb,
            args.p99_target_ms,
            args.across_target_ms
        ),
        String::new(),
        "| run | RSS ready MB | RSS with sockets MB | added MB | sockets opened in s | sent (refused) | delivered once | duplicates | send rate /s | p50 ms | p99 ms | max ms | targets |".to_owned(),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|".to_owned(),
    ];
    for o in outcomes {
        let added = o.rss_open_mb - o.rss_ready_mb;
        let p99_target = if o.run.ends_with("across") {
            args.across_target_ms
        } else {
            args.p99_target_ms
        };
        let met = added <= args.memory_target_mb
            && o.p99_ms <= p99_target
            && o.delivered == o.sent
            && o.duplicates == 0
            && o.send_errors == 0;
        lines.push(format!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.1} | {} ({}) | {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {} |",
            o.run,
            o.rss_ready_mb,
            o.rss_open_mb,
            added,
            o.connect_s,
            o.sent,
            o.send_errors,
            o.delivered,
            o.duplicates,
            o.achieved_rate,
            o.p50_ms,
            o.p99_ms,
            o.max_ms,
            if met { "met" } else { "missed" }
        ));
    }
    let text = lines.join("\n") + "\n";
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &text)?;
    println!("{text}");
    let lost: u64 = outcomes
        .iter()
        .map(|o| o.sent - o.delivered.min(o.sent))
        .sum();
    let duplicated: u64 = outcomes.iter().map(|o| o.duplicates).sum();
    if lost > 0 || duplicated > 0 {
        bail!("{lost} messages were not delivered and {duplicated} were delivered twice");
    }
    Ok(())
}
