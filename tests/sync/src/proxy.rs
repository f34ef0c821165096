//! A TCP proxy on loopback that breaks connections on purpose, between a device and head
//! office. Each new connection takes the next planned [`Fault`] (then [`Fault::None`] once the
//! plan is used up):
//! - cut the connection after a number of request bytes (mid-header, mid-body, mid-upload);
//! - let the whole exchange reach head office but drop the answer (head office committed, the
//!   device never hears it);
//! - delay every chunk.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Close both sides once this many bytes went from the device to head office.
    CutRequestAfter(usize),
    /// Forward the device's bytes, swallow every byte of the answer, close after this long.
    DropResponses(Duration),
    /// Wait this long before forwarding each chunk, both ways.
    Delay(Duration),
}

/// A running proxy; stops when dropped.
pub struct Proxy {
    pub port: u16,
    plan: Arc<Mutex<VecDeque<Fault>>>,
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
        let plan: Arc<Mutex<VecDeque<Fault>>> = Arc::default();
        let plan2 = plan.clone();
        runtime.spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { return };
                let fault = plan2.lock().unwrap().pop_front().unwrap_or(Fault::None);
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)).await {
                        relay(client, server, fault).await;
                    }
                });
            }
        });
        Proxy { port, plan, _runtime: runtime }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The faults of the next connections, in order.
    pub fn plan(&self, faults: &[Fault]) {
        let mut p = self.plan.lock().unwrap();
        p.clear();
        p.extend(faults.iter().copied());
    }
}

async fn relay(client: TcpStream, server: TcpStream, fault: Fault) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut sent = 0usize;
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Fault::Delay(d) = fault {
                tokio::time::sleep(d).await;
            }
            let mut chunk = &buf[..n];
            if let Fault::CutRequestAfter(limit) = fault {
                let room = limit.saturating_sub(sent);
                if room < chunk.len() {
                    chunk = &chunk[..room];
                    let _ = sw.write_all(chunk).await;
                    return true;
                }
            }
            if sw.write_all(chunk).await.is_err() {
                break;
            }
            sent += chunk.len();
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
            match fault {
                Fault::DropResponses(_) => continue,
                Fault::Delay(d) => tokio::time::sleep(d).await,
                _ => {}
            }
            if cw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = cw.shutdown().await;
    };
    match fault {
        Fault::CutRequestAfter(_) => {
            // Whichever ends first: once the cut happened, both halves are dropped (closed).
            tokio::select! {
                _ = up => {}
                () = down => {}
            }
        }
        Fault::DropResponses(after) => {
            // Head office gets the whole request and answers; the device hears nothing and
            // the connection is closed under it.
            tokio::select! {
                _ = async { tokio::join!(up, down) } => {}
                () = tokio::time::sleep(after) => {}
            }
        }
        _ => {
            tokio::join!(up, down);
        }
    }
}
