//! A webhook receiver for tests: a plain HTTP/1.1 server on a random loopback port that
//! records each request and answers with a status the test chooses.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct Delivery {
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    pub body: String,
}

pub struct Receiver {
    pub port: u16,
    status: Arc<AtomicU16>,
    received: Arc<Mutex<Vec<Delivery>>>,
}

async fn handle(
    stream: tokio::net::TcpStream,
    status: u16,
    received: Arc<Mutex<Vec<Delivery>>>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = HashMap::new();
    loop {
        line.clear();
        reader.read_line(&mut line).await?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        if let Some((name, value)) = trimmed.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).await?;
    received.lock().expect("received").push(Delivery {
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    write.write_all(reply.as_bytes()).await?;
    write.shutdown().await
}

impl Receiver {
    pub async fn start(status: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let port = listener.local_addr().expect("address").port();
        let status = Arc::new(AtomicU16::new(status));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (status.clone(), received.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(handle(stream, s.load(Ordering::Relaxed), r.clone()));
            }
        });
        Self {
            port,
            status,
            received,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/doorstep", self.port)
    }

    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::Relaxed);
    }

    pub fn received(&self) -> Vec<Delivery> {
        self.received.lock().expect("received").clone()
    }
}
