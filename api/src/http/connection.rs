//! The connection layer under actix's HTTP/1 dispatcher. The dispatcher answers some requests
//! itself before any service or middleware sees them — 431 for a head with more than 96
//! headers or over 32 KiB, 400 for a head it cannot parse, 408 for a head that does not
//! arrive in time, 500 for a connection that ends mid-message — always with an empty body.
//! None of these can be intercepted above the socket, so the socket's writer recognises them
//! (their head is the first thing in a write, with `content-length: 0`; every response the
//! app itself sends for these statuses has a problem body) and sends a problem document
//! instead.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use doorstep_domain::ErrorCode;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::problem::PROBLEM_JSON;

/// A connection whose error responses from the dispatcher are rewritten as problem+json.
pub struct ProblemIo<T> {
    inner: T,
    /// A rewritten response not yet written in full.
    pending: Vec<u8>,
    written: usize,
}

impl<T> ProblemIo<T> {
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

/// `(status line, code, detail)` of each response the dispatcher sends itself.
const OWN_ERRORS: &[(&[u8], u16, ErrorCode, &str)] = &[
    (
        b"HTTP/1.1 431 ",
        431,
        ErrorCode::HeadersTooLarge,
        "the request head has more than 96 header fields or is larger than 32 KiB",
    ),
    (
        b"HTTP/1.1 400 ",
        400,
        ErrorCode::MalformedRequest,
        "the request line or a header is not valid HTTP/1.1",
    ),
    (
        b"HTTP/1.1 408 ",
        408,
        ErrorCode::RequestTimeout,
        "the request head did not arrive in time",
    ),
    (
        b"HTTP/1.1 500 ",
        500,
        ErrorCode::Internal,
        "the connection ended in the middle of a request",
    ),
];

/// The problem+json response replacing `head`, if `head` is an empty-bodied error response
/// of the dispatcher's own.
fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    // The status line first: every write passes here, and most are not these.
    let (status_line, status, code, detail) = OWN_ERRORS
        .iter()
        .find(|(line, ..)| head.starts_with(line))?;
    // Their heads are short; a larger write is the app's own response.
    let scan = &head[..head.len().min(1024)];
    let end = scan.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head_text = std::str::from_utf8(&head[..end]).ok()?.to_ascii_lowercase();
    if !head_text.contains("\r\ncontent-length: 0\r\n") || head_text.contains("\r\ncontent-type:") {
        return None;
    }
    let prefix = std::str::from_utf8(status_line).ok()?;
    let title = actix_web::http::StatusCode::from_u16(*status)
        .ok()?
        .canonical_reason()
        .unwrap_or("Error");
    let body = serde_json::json!({
        "type": format!("urn:doorstep:problem:{code}"),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    })
    .to_string();
    // Keep the dispatcher's own headers (date, connection) and replace the length.
    let kept: String = std::str::from_utf8(&head[..end - 2])
        .ok()?
        .split("\r\n")
        .skip(1)
        .filter(|line| {
            !line.is_empty() && !line.to_ascii_lowercase().starts_with("content-length:")
        })
        .map(|line| format!("{line}\r\n"))
        .collect();
    let mut out = format!(
        "{prefix}{title}\r\ncontent-type: {PROBLEM_JSON}\r\ncontent-length: {}\r\n{kept}\r\n{body}",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&head[end..]);
    Some(out)
}

impl<T: AsyncWrite + Unpin> ProblemIo<T> {
    /// Writes what is left of a rewritten response.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if let Some(replacement) = rewrite(buf) {
            self.pending = replacement;
            self.written = 0;
            // The dispatcher's bytes are taken whole; the replacement drains on later polls
            // (and at the latest on flush and shutdown, which the dispatcher always calls).
            let _ = self.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_the_dispatchers_empty_431() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\ndate: Sun, 06 Dec 2026 22:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(rewrite(head).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(head.contains("content-type: application/problem+json"));
        assert!(head.contains("connection: close"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let problem: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(problem["status"], 431);
        assert_eq!(problem["code"], "headers_too_large");
    }

    #[test]
    fn leaves_the_apps_own_responses_alone() {
        let problem = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 20\r\ncontent-type: application/problem+json\r\n\r\n{\"code\":\"invalid\"}..";
        assert!(rewrite(problem).is_none());
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert!(rewrite(ok).is_none());
        let partial = b"HTTP/1.1 431 Request Header Fi";
        assert!(rewrite(partial).is_none());
    }
}
