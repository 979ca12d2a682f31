//! The log of a test run, captured so a test can search it (issue 25: no resident ID number
//! may ever reach a log). Every event of every level from every crate is written to one
//! buffer in memory, as the server's plain formatter writes it, but only while some test
//! holds a [`Capture`]: the others pay for nothing. The filter is dynamic (asked at each
//! event, never cached per callsite), so a line first logged while nobody captured is
//! still caught later. Tests run in parallel, so a capture
//! holds the lines of every test running meanwhile too, which only makes a search for
//! something that must not appear stricter.
//!
//! With `TEST_LOG` set the log goes to the terminal instead and nothing is captured
//! ([`Capture::start`] answers `None`).

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, dynamic_filter_fn};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

static CAPTURING: AtomicUsize = AtomicUsize::new(0);
static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static INSTALLED: OnceLock<bool> = OnceLock::new();

struct BufferWriter;

impl Write for BufferWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if CAPTURING.load(Ordering::Relaxed) > 0 {
            BUFFER
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber (once per test binary).
pub(crate) fn install() {
    INSTALLED.get_or_init(|| {
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(|| BufferWriter)
            .with_filter(LevelFilter::TRACE)
            .with_filter(dynamic_filter_fn(|_, _| {
                CAPTURING.load(Ordering::Relaxed) > 0
            }));
        tracing_subscriber::registry()
            .with(layer)
            .try_init()
            .is_ok()
    });
}

/// Captures the log while it lives.
pub struct Capture {
    start: usize,
}

impl Capture {
    /// Starts capturing; `None` when the log goes to the terminal (`TEST_LOG`).
    pub fn start() -> Option<Self> {
        install();
        if !INSTALLED.get().copied().unwrap_or(false) {
            return None;
        }
        CAPTURING.fetch_add(1, Ordering::SeqCst);
        let start = BUFFER.lock().unwrap_or_else(|e| e.into_inner()).len();
        Some(Self { start })
    }

    /// Everything logged since the capture started.
    pub fn text(&self) -> String {
        let buffer = BUFFER.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&buffer[self.start.min(buffer.len())..]).into_owned()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if CAPTURING.fetch_sub(1, Ordering::SeqCst) == 1 {
            // The last capture: free what was held.
            BUFFER.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }
}
