//! A webhook receiver for tests: records each request and answers with a status the test
//! chooses.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use crate::fake_http::{FakeHttp, Response};

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

impl Receiver {
    pub async fn start(status: u16) -> Self {
        let status = Arc::new(AtomicU16::new(status));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (s, r) = (status.clone(), received.clone());
        let server = FakeHttp::start(move |request| {
            r.lock().expect("received").push(Delivery {
                path: request.path.clone(),
                body: request.text(),
                headers: request.headers,
            });
            Response::empty(s.load(Ordering::Relaxed))
        })
        .await;
        Self {
            port: server.port,
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
