//! A TCP proxy on loopback that breaks connections on purpose, between a device and head
//! office. Each new connection takes the next planned [`Fault`] (then [`Fault::None`] once the
//! plan is used up):
//! - cut the connection after a number of request bytes (mid-header, mid-body, mid-upload), or
//!   after a number of body bytes of one particular request (an upload of one file);
//! - let the whole exchange reach head office but drop the answer (head office committed, the
//!   device never hears it);
//! - flip a byte of a request's body on the way (a corrupted upload);
//! - send a request to head office twice at once (a duplicate);
//! - delay every chunk.
//!
//! The proxy reads the HTTP/1.1 requests it forwards (request line, headers, `Content-Length`
//! body), so a test can aim a fault at one request, see what reached head office (which
//! requests, with which `Upload-Offset`, how many body bytes), hold every request of a kind
//! until the test lets it go, and keep copies of requests to send them again later — a
//! duplicate delivered late and out of order.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Close both sides once this many bytes went from the device to head office.
    CutRequestAfter(usize),
    /// Forward the device's bytes, swallow every byte of the answer, close after this long.
    DropResponses(Duration),
    /// Wait this long before forwarding each chunk, both ways.
    Delay(Duration),
    /// Close both sides once `after` body bytes of the first request whose request line starts
    /// with `request` (e.g. `PATCH /api/v1/blobs/<sha>`) went to head office.
    CutBody {
        request: String,
        after: usize,
    },
    /// Flip every bit of the body byte at `at` of the first `times` requests whose request line
    /// starts with `request`: the body arrives whole, but wrong.
    FlipBodyByte {
        request: String,
        at: usize,
        times: usize,
    },
    /// Every request whose request line starts with `request` also goes to head office a
    /// second time, over a connection of its own, the moment its last byte arrived: head
    /// office gets the same request twice at once, and the device hears only one answer.
    Duplicate {
        request: String,
    },
}

/// One request as it went through the proxy to head office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Which connection (1, 2, … in accept order).
    pub conn: u64,
    /// `METHOD /path HTTP/1.1`.
    pub line: String,
    /// Its `Upload-Offset` header, when it has one.
    pub upload_offset: Option<u64>,
    /// Its `Content-Length`.
    pub declared: usize,
    /// Body bytes that went on to head office (fewer than `declared` when cut).
    pub forwarded: usize,
    /// The request's head (line and headers) and body, for requests matching a
    /// [`Proxy::capture`] prefix; empty otherwise.
    pub head: String,
    pub body: Vec<u8>,
    /// For a [`Fault::Duplicate`] copy (its `line` starts with `DUPLICATE `): head office's
    /// status line in answer to it.
    pub response: Option<String>,
}

impl Seen {
    /// A header of a captured request.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

#[derive(Default)]
struct Shared {
    plan: Mutex<VecDeque<Fault>>,
    log: Mutex<Vec<Seen>>,
    capture: Mutex<Vec<String>>,
    hold: Mutex<Option<String>>,
    held: AtomicUsize,
    conns: AtomicU64,
    /// Head office's port for the next connections ([`Proxy::set_upstream`]).
    upstream: AtomicU16,
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
    _runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy").field("port", &self.port).finish_non_exhaustive()
    }
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `127.0.0.1:upstream`.
    pub fn start(upstream: u16) -> Proxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared: Arc<Shared> = Arc::default();
        shared.upstream.store(upstream, Ordering::SeqCst);
        let shared2 = shared.clone();
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { return };
                let fault = shared2.plan.lock().unwrap().pop_front().unwrap_or(Fault::None);
                let conn = shared2.conns.fetch_add(1, Ordering::SeqCst) + 1;
                let upstream = shared2.upstream.load(Ordering::SeqCst);
                let shared = shared2.clone();
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await {
                        relay(client, server, fault, conn, upstream, shared).await;
                    }
                });
            }
        });
        Proxy { port, shared, _runtime: runtime }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Head office's own address (behind the proxy).
    pub fn upstream_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.upstream.load(Ordering::SeqCst))
    }

    /// Sends the connections made from now on to head office at `port` (another instance);
    /// connections already open stay where they are.
    pub fn set_upstream(&self, port: u16) {
        self.shared.upstream.store(port, Ordering::SeqCst);
    }

    /// The faults of the next connections, in order.
    pub fn plan(&self, faults: &[Fault]) {
        let mut p = self.shared.plan.lock().unwrap();
        p.clear();
        p.extend(faults.iter().cloned());
    }

    /// Every request forwarded so far (in the order their heads arrived).
    pub fn requests(&self) -> Vec<Seen> {
        self.shared.log.lock().unwrap().clone()
    }

    /// Keeps the head and body of requests whose line starts with `prefix` from now on.
    pub fn capture(&self, prefix: &str) {
        self.shared.capture.lock().unwrap().push(prefix.to_owned());
    }

    /// Holds every request whose line starts with `prefix` before it reaches head office, until
    /// [`Proxy::release`].
    pub fn hold(&self, prefix: &str) {
        *self.shared.hold.lock().unwrap() = Some(prefix.to_owned());
    }

    /// How many requests have been held so far.
    pub fn held(&self) -> usize {
        self.shared.held.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` requests have been held (panics after `within`).
    pub fn wait_held(&self, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.held() < n {
            assert!(Instant::now() < deadline, "no request was held within {within:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Lets held requests (and later ones) through.
    pub fn release(&self) {
        *self.shared.hold.lock().unwrap() = None;
    }
}

/// The request head being read, or how much of the current body is still to come.
enum ReqState {
    Head,
    Body { remaining: usize, pos: usize, index: usize, capture: bool, cut_at: Option<usize> },
}

/// What the device-to-head-office half does with the bytes it reads.
struct Upstream {
    fault: Fault,
    conn: u64,
    shared: Arc<Shared>,
    pending: Vec<u8>,
    state: ReqState,
    /// Raw bytes forwarded (for [`Fault::CutRequestAfter`]).
    sent: usize,
    /// How many more requests to corrupt or cut.
    armed: usize,
    /// The body offset to corrupt in the current request.
    flip_at: Option<usize>,
    /// The current request, head and body, when it is to be sent twice.
    copy: Option<(String, Vec<u8>)>,
    upstream: u16,
}

impl Upstream {
    fn target(&self) -> Option<&str> {
        match &self.fault {
            Fault::CutBody { request, .. } | Fault::FlipBodyByte { request, .. } => {
                Some(request.as_str())
            }
            _ => None,
        }
    }

    /// Writes raw bytes on; `false` when the connection is to be cut here.
    async fn write(&mut self, sw: &mut OwnedWriteHalf, bytes: &[u8]) -> bool {
        let mut chunk = bytes;
        let mut cut = false;
        if let Fault::CutRequestAfter(limit) = self.fault {
            let room = limit.saturating_sub(self.sent);
            if room < chunk.len() {
                chunk = &chunk[..room];
                cut = true;
            }
        }
        if sw.write_all(chunk).await.is_err() {
            return false;
        }
        self.sent += chunk.len();
        !cut
    }

    /// Handles bytes read from the device; `false` once the connection is to be closed.
    async fn feed(&mut self, sw: &mut OwnedWriteHalf, data: &[u8]) -> bool {
        self.pending.extend_from_slice(data);
        loop {
            match &mut self.state {
                ReqState::Head => {
                    let Some(end) = find(&self.pending, b"\r\n\r\n") else { return true };
                    let head: Vec<u8> = self.pending.drain(..end + 4).collect();
                    let text = String::from_utf8_lossy(&head).into_owned();
                    let line = text.lines().next().unwrap_or_default().to_owned();
                    let header = |name: &str| {
                        text.lines().skip(1).find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                        })
                    };
                    let declared: usize =
                        header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                    let capture =
                        self.shared.capture.lock().unwrap().iter().any(|p| line.starts_with(p));
                    let hold = self
                        .shared
                        .hold
                        .lock()
                        .unwrap()
                        .as_ref()
                        .is_some_and(|p| line.starts_with(p.as_str()));
                    if hold {
                        self.shared.held.fetch_add(1, Ordering::SeqCst);
                        while self.shared.hold.lock().unwrap().is_some() {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                        }
                    }
                    let targeted =
                        self.armed > 0 && self.target().is_some_and(|t| line.starts_with(t));
                    let cut_at = match &self.fault {
                        Fault::CutBody { after, .. } if targeted => Some(*after),
                        _ => None,
                    };
                    let index = {
                        let mut log = self.shared.log.lock().unwrap();
                        log.push(Seen {
                            conn: self.conn,
                            line: line.clone(),
                            upload_offset: header("upload-offset").and_then(|v| v.parse().ok()),
                            declared,
                            forwarded: 0,
                            head: if capture { text.clone() } else { String::new() },
                            body: Vec::new(),
                            response: None,
                        });
                        log.len() - 1
                    };
                    let mut flip = None;
                    if targeted {
                        self.armed -= 1;
                        if let Fault::FlipBodyByte { at, .. } = &self.fault {
                            flip = Some(*at);
                        }
                    }
                    if let Fault::Duplicate { request } = &self.fault
                        && line.starts_with(request.as_str())
                    {
                        self.copy = Some((line.clone(), head.clone()));
                    }
                    if !self.write(sw, &head).await {
                        return false;
                    }
                    self.state =
                        ReqState::Body { remaining: declared, pos: 0, index, capture, cut_at };
                    if let Some(at) = flip {
                        self.flip_at = Some(at);
                    }
                }
                ReqState::Body { remaining, .. } if *remaining == 0 => {
                    self.state = ReqState::Head;
                    self.flip_at = None;
                    if let Some((line, bytes)) = self.copy.take() {
                        tokio::spawn(send_copy(
                            self.upstream,
                            self.conn,
                            line,
                            bytes,
                            self.shared.clone(),
                        ));
                    }
                }
                ReqState::Body { .. } if self.pending.is_empty() => return true,
                ReqState::Body { remaining, pos, index, capture, cut_at } => {
                    let n = (*remaining).min(self.pending.len());
                    let mut body: Vec<u8> = self.pending.drain(..n).collect();
                    let mut cut = false;
                    if let Some(limit) = *cut_at {
                        let room = limit.saturating_sub(*pos);
                        if room < body.len() {
                            body.truncate(room);
                            cut = true;
                        }
                    }
                    if let Some(at) = self.flip_at
                        && at >= *pos
                        && at < *pos + body.len()
                    {
                        body[at - *pos] ^= 0xff;
                    }
                    let (index, capture) = (*index, *capture);
                    *remaining -= n;
                    *pos += body.len();
                    if let Some((_, copy)) = &mut self.copy {
                        copy.extend_from_slice(&body);
                    }
                    if !self.write(sw, &body).await {
                        return false;
                    }
                    {
                        let mut log = self.shared.log.lock().unwrap();
                        let seen = &mut log[index];
                        seen.forwarded += body.len();
                        if capture {
                            seen.body.extend_from_slice(&body);
                        }
                    }
                    if cut {
                        return false;
                    }
                }
            }
        }
    }
}

/// Sends a copy of a whole request to head office over a connection of its own and logs the
/// status line of the answer.
async fn send_copy(upstream: u16, conn: u64, line: String, bytes: Vec<u8>, shared: Arc<Shared>) {
    let mut answer = None;
    if let Ok(mut server) = TcpStream::connect(("127.0.0.1", upstream)).await
        && server.write_all(&bytes).await.is_ok()
    {
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        let read = async {
            while find(&got, b"\r\n").is_none() {
                match server.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                }
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(30), read).await;
        answer = find(&got, b"\r\n").map(|end| String::from_utf8_lossy(&got[..end]).into_owned());
    }
    shared.log.lock().unwrap().push(Seen {
        conn,
        line: format!("DUPLICATE {line}"),
        upload_offset: None,
        declared: 0,
        forwarded: 0,
        head: String::new(),
        body: Vec::new(),
        response: Some(answer.unwrap_or_default()),
    });
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

async fn relay(
    client: TcpStream,
    server: TcpStream,
    fault: Fault,
    conn: u64,
    upstream: u16,
    shared: Arc<Shared>,
) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let armed = match &fault {
        Fault::FlipBodyByte { times, .. } => *times,
        Fault::CutBody { .. } => 1,
        _ => 0,
    };
    let delay = match &fault {
        Fault::Delay(d) => Some(*d),
        _ => None,
    };
    let drop_responses = matches!(fault, Fault::DropResponses(_));
    let cutting = matches!(fault, Fault::CutRequestAfter(_) | Fault::CutBody { .. });
    let drop_after = match &fault {
        Fault::DropResponses(after) => Some(*after),
        _ => None,
    };
    let mut state = Upstream {
        fault,
        conn,
        shared,
        pending: Vec::new(),
        state: ReqState::Head,
        sent: 0,
        armed,
        flip_at: None,
        copy: None,
        upstream,
    };
    let up = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            if !state.feed(&mut sw, &buf[..n]).await {
                // Cut: both halves are dropped (closed) when the relay ends.
                return true;
            }
        }
        let _ = sw.shutdown().await;
        false
    };
    let down = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match sr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if drop_responses {
                continue;
            }
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
            if cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = cw.shutdown().await;
    };
    if cutting {
        // Whichever ends first: once the cut happened, both halves are dropped (closed).
        tokio::select! {
            _ = up => {}
            () = down => {}
        }
    } else if let Some(after) = drop_after {
        // Head office gets the whole request and answers; the device hears nothing and the
        // connection is closed under it.
        tokio::select! {
            _ = async { tokio::join!(up, down) } => {}
            () = tokio::time::sleep(after) => {}
        }
    } else {
        tokio::join!(up, down);
    }
}
