//! A WebSocket client of `GET /api/v1/ws`, for tests that read like the conversation
//! they check: connect as someone, then expect the frames they should get.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::{Session, TestApp};

/// How long a test waits for a frame it expects.
const PATIENCE: Duration = Duration::from_secs(10);

/// One open connection.
pub struct Live {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The `resumed` count of the `ready` frame.
    pub resumed: u64,
}

impl TestApp {
    /// Connects `who` (token in the `Authorization` header), resuming after `since`, and
    /// waits for the `ready` frame; the frames before it are returned.
    pub async fn live(&self, who: &Session, since: Option<Uuid>) -> (Live, Vec<Value>) {
        connect(&self.address, who, since).await
    }
}

/// Connects `who` to the server at `address` (an instance of a test's app).
pub async fn connect(address: &str, who: &Session, since: Option<Uuid>) -> (Live, Vec<Value>) {
    let mut url = format!("{}/api/v1/ws", address.replacen("http", "ws", 1));
    if let Some(since) = since {
        url.push_str(&format!("?since={since}"));
    }
    let mut request = url.into_client_request().expect("a WebSocket request");
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", who.access_token)
            .parse()
            .expect("a header value"),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the WebSocket opens");
    assert_eq!(response.status(), 101);
    let mut live = Live { socket, resumed: 0 };
    let mut before = Vec::new();
    loop {
        let frame = live.next().await;
        if frame["type"] == "ready" {
            live.resumed = frame["resumed"].as_u64().expect("resumed");
            break;
        }
        before.push(frame);
    }
    (live, before)
}

impl Live {
    /// The next text frame, as JSON; panics after ten seconds without one.
    pub async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("a frame within ten seconds")
                .expect("the connection is open")
                .expect("a well-formed frame");
            match message {
                Message::Text(text) => {
                    return serde_json::from_str(text.as_str()).expect("a JSON frame");
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// The next frame of type `kind`, skipping others (typing hints, read receipts).
    pub async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Sends a JSON text frame.
    pub async fn send(&mut self, frame: &Value) {
        self.socket
            .send(Message::text(frame.to_string()))
            .await
            .expect("the frame is sent");
    }

    /// Sends raw text (not necessarily JSON).
    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::text(text.to_owned()))
            .await
            .expect("the frame is sent");
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}
