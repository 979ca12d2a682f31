//! A real SMTP server for tests, on a random loopback port, that keeps what it receives, so
//! mail is tested over the wire, not through a mock transport. It speaks the part of RFC 5321
//! a submission client uses (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP,
//! QUIT). The embeddable servers on crates.io pull in a TLS stack with a C build for tests
//! that do not use TLS, so this one is written out.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One received message: its envelope recipients and its data.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub data: String,
}

pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
}

async fn session(
    stream: tokio::net::TcpStream,
    inbox: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 doorstep-test-smtp ESMTP\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if command.starts_with("EHLO") {
            b"250-doorstep-test-smtp\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if command.starts_with("HELO") || command.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if command.starts_with("MAIL FROM") {
            to.clear();
            b"250 OK\r\n"
        } else if command.starts_with("RCPT TO") {
            let address = line.trim_end()[8..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>');
            to.push(address.split('>').next().unwrap_or("").to_owned());
            b"250 OK\r\n"
        } else if command == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            inbox.lock().expect("inbox").push(Received {
                to: std::mem::take(&mut to),
                data,
            });
            b"250 queued\r\n"
        } else if command == "RSET" {
            to.clear();
            b"250 OK\r\n"
        } else if command == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

impl SmtpServer {
    /// Starts a server on a free loopback port; it serves until the test's runtime ends.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().expect("address").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let shared = inbox.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, shared.clone()));
            }
        });
        Self { port, inbox }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().expect("inbox").clone()
    }
}

impl Received {
    /// The message's text parts, decoded from base64 or quoted-printable (lettre picks the
    /// encoding by content, so a link in a Chinese mail is rarely readable in the raw data).
    pub fn decoded_text(&self) -> String {
        decoded_text(&self.data)
    }
}

/// The text parts of a raw message (as received, or an `.eml` file of the mail outbox),
/// decoded from base64 or quoted-printable.
pub fn decoded_text(data: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    for part in data.split("\r\n--") {
        let Some((headers, body)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let headers = headers.to_ascii_lowercase();
        if !headers.contains("content-type: text/") {
            continue;
        }
        let body = body.trim_end_matches(['-', '\r', '\n']);
        if headers.contains("content-transfer-encoding: base64") {
            let joined: String = body.split_whitespace().collect();
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(joined) {
                out.push_str(&String::from_utf8_lossy(&bytes));
            }
        } else if headers.contains("content-transfer-encoding: quoted-printable") {
            out.push_str(&decode_quoted_printable(body));
        } else {
            out.push_str(body);
        }
        out.push('\n');
    }
    out
}

fn decode_quoted_printable(text: &str) -> String {
    let mut bytes = Vec::new();
    let mut chars = text
        .replace("=\r\n", "")
        .into_bytes()
        .into_iter()
        .peekable();
    while let Some(b) = chars.next() {
        if b == b'=' {
            let hi = chars.next();
            let lo = chars.next();
            if let (Some(hi), Some(lo)) = (hi, lo)
                && let Ok(v) = u8::from_str_radix(&format!("{}{}", hi as char, lo as char), 16)
            {
                bytes.push(v);
                continue;
            }
        }
        bytes.push(b);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
