//! The `doorstep` binary as an operator runs it: started from the shell, sent signals, its
//! output read. (Here rather than in `tests/`, because only the api crate's own tests are
//! given the path of the binary cargo built, `CARGO_BIN_EXE_doorstep`.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

const PHONE: &str = "13900000001";
const PASSWORD: &str = "运维值班密码2026";
/// How long a step may take before the test gives up (a hang guard, not an assertion on
/// speed).
const PATIENCE: Duration = Duration::from_secs(120);

#[test]
fn sigint_lets_in_flight_requests_finish_on_sqlite() {
    stop_with_a_request_in_flight(Db::sqlite(), "INT");
}

#[test]
fn sigterm_lets_in_flight_requests_finish_on_sqlite() {
    stop_with_a_request_in_flight(Db::sqlite(), "TERM");
}

#[test]
#[cfg_attr(
    not(doorstep_pg),
    ignore = "PostgreSQL test skipped: TEST_DATABASE_URL was not set when the tests were built"
)]
fn sigint_lets_in_flight_requests_finish_on_postgres() {
    stop_with_a_request_in_flight(Db::postgres(), "INT");
}

/// A login is in flight (its headers read, its body not yet sent) when the signal comes:
/// the server stops taking connections, the login still completes with 200, and the
/// process exits 0, having logged no warning, no colour codes (its output is a pipe, not a
/// terminal) and nothing about the migration table on each `/readyz`.
fn stop_with_a_request_in_flight(db: Db, signal: &str) {
    let dir = Scratch::new();
    let admin = doorstep(&dir, &db)
        .args([
            "admin",
            "create-admin",
            "--phone",
            PHONE,
            "--name",
            "值班运维",
        ])
        .env("DOORSTEP_NEW_PASSWORD", PASSWORD)
        .output()
        .expect("run doorstep admin");
    assert!(admin.status.success(), "{}", text(&admin));

    let mut server = Server::start(doorstep(&dir, &db).arg("serve"));
    for _ in 0..2 {
        let ready = exchange(
            server.port,
            "GET /readyz HTTP/1.1\r\nHost: doorstep\r\nConnection: close\r\n\r\n",
        );
        assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    }

    let body = format!(r#"{{"login":"{PHONE}","password":"{PASSWORD}"}}"#);
    let mut login = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
    login.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(
        login,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: doorstep\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    // The server answers `100 Continue` once the request is dispatched: it is in flight.
    let mut continued = [0u8; 25];
    login.read_exact(&mut continued).expect("100 Continue");
    assert_eq!(&continued, b"HTTP/1.1 100 Continue\r\n\r\n");

    server.signal(signal);
    let stop_line = server
        .wait_for_line(|line| line.contains("stopping") && line.contains(&format!("SIG{signal}")));
    login.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    login
        .read_to_string(&mut answer)
        .expect("the login's answer");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("access_token"), "{answer}");

    let (status, output) = server.finish();
    assert_eq!(status.code(), Some(0), "{output}");
    assert!(output.contains("closing the database"), "{output}");
    for line in output.lines() {
        assert!(
            !line.contains('\u{1b}'),
            "colour codes in piped output: {line:?}"
        );
    }
    let (_, stopping) = output.split_once(&stop_line).expect("the stop was logged");
    for line in stopping.lines() {
        assert!(
            !line
                .split_whitespace()
                .any(|word| word == "WARN" || word == "ERROR"),
            "a warning on a clean stop: {line}\n{output}"
        );
    }
    let serving = output
        .split_once("doorstep is listening")
        .map(|(_, after)| after)
        .expect("the server said it was listening");
    assert!(
        !serving.contains("seaql_migrations"),
        "/readyz logged about the migration table: {serving}"
    );
}

/// With nothing listening where `DATABASE_URL` points, start fails at once, saying so.
#[test]
fn an_unreachable_postgres_is_named() {
    let dir = Scratch::new();
    let port = free_port();
    let url = format!("postgres://doorstep@127.0.0.1:{port}/doorstep");
    let out = doorstep(
        &dir,
        &Db {
            url: Some(url),
            drop: None,
        },
    )
    .arg("migrate")
    .output()
    .expect("run doorstep migrate");
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains("connection refused"), "{said}");
    assert!(said.contains(&format!("127.0.0.1:{port}")), "{said}");
    assert!(!said.contains("timed out"), "{said}");
}

#[test]
fn an_invalid_log_level_is_refused_at_start() {
    let dir = Scratch::new();
    let out = doorstep(&dir, &Db::sqlite())
        .arg("migrate")
        .env("DOORSTEP_LOG_LEVEL", "verbose")
        .output()
        .expect("run doorstep migrate");
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("log_level") && said.contains("verbose"),
        "{said}"
    );
    assert!(!dir.0.join("data").exists(), "nothing was started: {said}");
}

/// `doorstep backup` on PostgreSQL points at pg_dump and writes nothing.
#[test]
#[cfg_attr(
    not(doorstep_pg),
    ignore = "PostgreSQL test skipped: TEST_DATABASE_URL was not set when the tests were built"
)]
fn backup_on_postgres_points_to_pg_dump() {
    let dir = Scratch::new();
    let out = doorstep(&dir, &Db::postgres())
        .args(["backup", "copy.db"])
        .output()
        .expect("run doorstep backup");
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
    assert!(!dir.0.join("copy.db").exists());
}

/// The database a test runs on: SQLite in the scratch folder (the default), or a new
/// PostgreSQL database dropped afterwards.
struct Db {
    url: Option<String>,
    drop: Option<(String, String)>,
}

impl Db {
    fn sqlite() -> Self {
        Self {
            url: None,
            drop: None,
        }
    }

    fn postgres() -> Self {
        let admin = std::env::var("TEST_DATABASE_URL").expect("TEST_DATABASE_URL");
        let name = format!("doorstep_process_{}", uuid::Uuid::new_v4().simple());
        postgres(&admin, &format!("CREATE DATABASE {name}"));
        let (base, _) = admin
            .rsplit_once('/')
            .expect("a database in TEST_DATABASE_URL");
        Self {
            url: Some(format!("{base}/{name}")),
            drop: Some((admin.clone(), name)),
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.drop {
            postgres(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

fn postgres(url: &str, sql: &str) {
    use sea_orm::ConnectionTrait;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let db = sea_orm::Database::connect(url)
                .await
                .expect("TEST_DATABASE_URL");
            db.execute_unprepared(sql).await.expect(sql);
            let _ = db.close().await;
        });
}

/// The binary, run in `dir` with its data there and nothing from this process's settings.
fn doorstep(dir: &Scratch, db: &Db) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_doorstep"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("DOORSTEP_")
            || ["DATABASE_URL", "SMTP_URL", "RUST_LOG", "NO_COLOR"].contains(&name.as_ref())
        {
            cmd.env_remove(name.as_ref());
        }
    }
    cmd.current_dir(&dir.0)
        .env("DOORSTEP_DATA_DIR", dir.0.join("data"))
        .env("DOORSTEP_BIND", "127.0.0.1:0")
        .env("DOORSTEP_HTTP_WORKERS", "1")
        .env("DOORSTEP_PASSWORD_HASH_WAIT_MS", "120000")
        .stdin(Stdio::null());
    if let Some(url) = &db.url {
        cmd.env("DATABASE_URL", url);
    }
    cmd
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One request on its own connection, answered whole.
fn exchange(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("an answer");
    answer
}

/// A running `doorstep serve`, its output lines collected as they come.
struct Server {
    child: Child,
    port: u16,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(command: &mut Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start doorstep serve");
        let (tx, lines) = channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let mut server = Self {
            child,
            port: 0,
            lines,
            seen: Vec::new(),
        };
        let listening = server.wait_for_line(|line| line.contains("doorstep is listening"));
        server.port = listening
            .split_whitespace()
            .find_map(|word| word.strip_prefix("address="))
            .and_then(|address| address.rsplit_once(':'))
            .and_then(|(_, port)| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {listening:?}"));
        server
    }

    fn wait_for_line(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            match self.lines.recv_timeout(PATIENCE) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("never came; the output so far:\n{}", self.seen.join("\n"));
                }
            }
        }
    }

    fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(sent.success());
    }

    /// Waits for the process to exit; its status and everything it wrote.
    fn finish(mut self) -> (ExitStatus, String) {
        let status = self.child.wait().expect("wait for doorstep");
        // The reader threads end with the pipes.
        while let Ok(line) = self.lines.recv_timeout(PATIENCE) {
            self.seen.push(line);
        }
        (status, self.seen.join("\n"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "doorstep-process-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
