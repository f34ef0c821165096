//! Who is calling. Two extractors: [`TechnicianCaller`] for the sync routes (a device bearer
//! token) and [`DispatcherCaller`] for the dispatcher routes (a session cookie plus the CSRF
//! header on every mutating request). A caller of the wrong kind gets `404 not_found`, as if the
//! route were not there; a revoked device gets `401 device_revoked` everywhere, and a disabled
//! user's sessions and devices `401 user_disabled`.
//!
//! Also where a request comes from: [`client_address`], the one answer the rate limit, the
//! sign-in throttle and the logs use.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use fieldwork_wire::wire::{CSRF_HEADER, SESSION_COOKIE};

use crate::api::AppState;
use crate::config::Config;
use crate::error::Error;
use crate::secrets::{constant_time_eq, token_hash};
use crate::store::{DeviceCaller, SessionCaller};

/// The header a proxy names the client in: `X-Forwarded-For: client, proxy1, proxy2`, each
/// proxy appending the address it received the request from.
pub const FORWARDED_FOR: &str = "x-forwarded-for";

/// The address a request comes from, as the rate limit, the sign-in throttle and the logs count
/// it: the peer's address, or, when the peer is a trusted proxy (`--trusted-proxy`), the client
/// the proxies forwarded for (see [`forwarded_client`]).
pub fn client_address(config: &Config, parts: &Parts) -> IpAddr {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
    forwarded_client(&config.trusted_proxies, peer, &parts.headers)
}

/// Who sent a request that `peer` delivered with `headers`, believing `X-Forwarded-For` only
/// as far as `trusted` proxies wrote it:
///
/// - a peer that is not a trusted proxy is the client, whatever the header says (anyone can
///   send one; it is never believed by default);
/// - from a trusted peer, the header's addresses (every `X-Forwarded-For` line in order, each
///   a comma-separated list) are read from the right, as each proxy appends the address it
///   received the request from: the first that is not itself a trusted proxy is the client.
///   What lies to its left was written by the client and is not looked at;
/// - an entry that is not an address (garbage, `unknown`, an empty entry) ends the reading:
///   the client is then the nearest trusted proxy known (the entry to its right, or the peer),
///   as is the first hop when every address in the header is trusted.
///
/// IPv4 addresses written in IPv6 form count as IPv4; an entry may carry a port
/// (`192.0.2.1:5000`, `[2001:db8::1]:5000`). Without a peer address (no connection info) the
/// answer is `::`.
pub fn forwarded_client(
    trusted: &[ipnet::IpNet],
    peer: Option<IpAddr>,
    headers: &HeaderMap,
) -> IpAddr {
    let Some(peer) = peer.map(|p| p.to_canonical()) else {
        return IpAddr::V6(Ipv6Addr::UNSPECIFIED);
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let lines: Vec<Option<&str>> =
        headers.get_all(FORWARDED_FOR).iter().map(|v| v.to_str().ok()).collect();
    let mut nearest = peer;
    for line in lines.into_iter().rev() {
        let Some(line) = line else { return nearest };
        for entry in line.rsplit(',') {
            match forwarded_address(entry) {
                Some(ip) if is_trusted(&ip) => nearest = ip,
                Some(ip) => return ip,
                None => return nearest,
            }
        }
    }
    nearest
}

/// One `X-Forwarded-For` entry's address: `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, with
/// or without a port.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            entry.strip_prefix('[')?.strip_suffix(']')?.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
        })?;
    Some(ip.to_canonical())
}

/// The bearer token of a request, if any.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

/// The session cookie of a request, if any.
pub fn session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

/// A signed-in, not revoked technician device.
#[derive(Debug, Clone)]
pub struct TechnicianCaller(pub DeviceCaller);

/// A signed-in dispatcher or admin with a live session.
#[derive(Debug, Clone)]
pub struct DispatcherCaller(pub SessionCaller);

impl DispatcherCaller {
    pub fn dispatcher(&self) -> crate::store::Dispatcher {
        crate::store::Dispatcher { user_id: self.0.user_id.clone(), name: self.0.user_name.clone() }
    }
}

/// What one request's credentials were found to be, kept in its extensions by the first
/// lookup (the rate limit's) so the handler's extractor does not read the database again.
#[derive(Debug, Clone)]
struct Looked<T>(Option<T>);

async fn device(state: &AppState, parts: &mut Parts) -> Result<Option<DeviceCaller>, Error> {
    if let Some(Looked(d)) = parts.extensions.get::<Looked<DeviceCaller>>() {
        return Ok(d.clone());
    }
    let Some(token) = bearer(parts) else { return Ok(None) };
    let found = state.store.device_by_token(&token_hash(token)).await?;
    parts.extensions.insert(Looked(found.clone()));
    Ok(found)
}

async fn session(state: &AppState, parts: &mut Parts) -> Result<Option<SessionCaller>, Error> {
    if let Some(Looked(s)) = parts.extensions.get::<Looked<SessionCaller>>() {
        return Ok(s.clone());
    }
    let Some(cookie) = session_cookie(parts) else { return Ok(None) };
    let found = state
        .store
        .session(&token_hash(cookie))
        .await?
        .filter(|s| s.expires_at > chrono::Utc::now());
    parts.extensions.insert(Looked(found.clone()));
    Ok(found)
}

/// Whom a request is from, as far as its credentials verify: `device:<id>` for a known device
/// token, `user:<id>` for a live session, `None` when it has neither (a made-up token or cookie
/// proves nothing). The rate limit keys its buckets by this, so a caller cannot get a fresh
/// bucket by sending new credentials with each request.
pub(crate) async fn verified_key(state: &AppState, parts: &mut Parts) -> Option<String> {
    if bearer(parts).is_some()
        && let Ok(Some(d)) = device(state, parts).await
    {
        return Some(format!("device:{}", d.device_id));
    }
    if session_cookie(parts).is_some()
        && let Ok(Some(s)) = session(state, parts).await
    {
        return Some(format!("user:{}", s.user_id));
    }
    None
}

impl FromRequestParts<AppState> for TechnicianCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if bearer(parts).is_some() {
            return match device(state, parts).await? {
                Some(d) if d.revoked => Err(Error::DeviceRevoked),
                Some(d) if d.user_disabled => Err(Error::UserDisabled),
                Some(d) => Ok(TechnicianCaller(d)),
                None => Err(Error::Unauthorized),
            };
        }
        if session_cookie(parts).is_some() && session(state, parts).await?.is_some() {
            // A dispatcher has no sync routes.
            return Err(Error::NotFound);
        }
        Err(Error::Unauthorized)
    }
}

impl FromRequestParts<AppState> for DispatcherCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if session_cookie(parts).is_some() {
            let Some(s) = session(state, parts).await? else {
                return Err(Error::SessionExpired);
            };
            if s.user_disabled {
                return Err(Error::UserDisabled);
            }
            if !s.role.dispatches() {
                return Err(Error::NotFound);
            }
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if !safe {
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if !sent.is_some_and(|t| constant_time_eq(t, &s.csrf_token)) {
                    return Err(Error::CsrfFailed);
                }
            }
            return Ok(DispatcherCaller(s));
        }
        if bearer(parts).is_some() {
            return match device(state, parts).await? {
                Some(d) if d.revoked => Err(Error::DeviceRevoked),
                // A technician has no dispatcher routes.
                Some(_) => Err(Error::NotFound),
                None => Err(Error::Unauthorized),
            };
        }
        Err(Error::Unauthorized)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_trusted_proxy;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(lines: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for l in lines {
            h.append(FORWARDED_FOR, axum::http::HeaderValue::from_bytes(l).unwrap());
        }
        h
    }

    /// The client of a request from `peer` with `lines` of X-Forwarded-For, trusting `trusted`.
    fn client(trusted: &[&str], peer: &str, lines: &[&[u8]]) -> IpAddr {
        let trusted: Vec<_> = trusted.iter().map(|t| parse_trusted_proxy(t).unwrap()).collect();
        forwarded_client(&trusted, Some(ip(peer)), &headers(lines))
    }

    #[test]
    fn the_header_of_an_untrusted_peer_is_ignored() {
        // Never trusted by default: a caller cannot pick the address it is counted as.
        assert_eq!(client(&[], "203.0.113.9", &[b"198.51.100.1"]), ip("203.0.113.9"));
        assert_eq!(client(&[], "10.0.0.2", &[b"198.51.100.1"]), ip("10.0.0.2"));
        // Trusting another proxy does not make this peer one.
        assert_eq!(client(&["10.0.0.1"], "10.0.0.2", &[b"198.51.100.1"]), ip("10.0.0.2"));
        assert_eq!(client(&[], "::ffff:203.0.113.9", &[]), ip("203.0.113.9"), "as IPv4");
        assert_eq!(forwarded_client(&[], None, &headers(&[b"1.2.3.4"])), ip("::"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client() {
        let lb = ["10.0.0.0/8"];
        assert_eq!(client(&lb, "10.0.0.1", &[b"198.51.100.7"]), ip("198.51.100.7"));
        // A client that sends its own header: the proxy appends the real address, rightmost.
        assert_eq!(
            client(&lb, "10.0.0.1", &[b"1.1.1.1, 2.2.2.2, 198.51.100.7"]),
            ip("198.51.100.7")
        );
        // The same as two header lines (the proxy added a line of its own).
        assert_eq!(client(&lb, "10.0.0.1", &[b"1.1.1.1", b"198.51.100.7"]), ip("198.51.100.7"));
        // A chain of trusted proxies is skipped, by address or network, IPv4 or IPv6.
        assert_eq!(
            client(
                &["10.0.0.0/8", "fd00::/8"],
                "10.0.0.1",
                &[b"1.1.1.1, 198.51.100.7, fd00::5, 10.9.9.9"]
            ),
            ip("198.51.100.7")
        );
        assert_eq!(
            client(&["::1"], "::1", &[b"2001:db8::7"]),
            ip("2001:db8::7"),
            "an IPv6 peer and client"
        );
        // Ports and brackets, as some proxies write them; IPv4 in IPv6 form.
        assert_eq!(client(&lb, "10.0.0.1", &[b"198.51.100.7:5000"]), ip("198.51.100.7"));
        assert_eq!(client(&lb, "10.0.0.1", &[b"[2001:db8::7]:5000"]), ip("2001:db8::7"));
        assert_eq!(client(&lb, "10.0.0.1", &[b"[2001:db8::7]"]), ip("2001:db8::7"));
        assert_eq!(client(&lb, "10.0.0.1", &[b"::ffff:198.51.100.7"]), ip("198.51.100.7"));
        assert_eq!(client(&lb, "::ffff:10.0.0.1", &[b"198.51.100.7"]), ip("198.51.100.7"));
    }

    #[test]
    fn a_malformed_or_missing_header_stops_at_the_nearest_trusted_hop() {
        let lb = ["10.0.0.0/8"];
        // No header: the proxy itself (health checks, a proxy that forwards nothing).
        assert_eq!(client(&lb, "10.0.0.1", &[]), ip("10.0.0.1"));
        // Garbage where the client's address should be: nothing to its left is believed.
        for bad in [&b"unknown"[..], b"", b" , ", b"not-an-ip", b"1.2.3.4.5", b"999.1.1.1"] {
            assert_eq!(client(&lb, "10.0.0.1", &[bad]), ip("10.0.0.1"), "{bad:?}");
        }
        assert_eq!(client(&lb, "10.0.0.1", &[b"198.51.100.7, garbage, 10.0.0.9"]), ip("10.0.0.9"));
        assert_eq!(client(&lb, "10.0.0.1", &[b"198.51.100.7,"]), ip("10.0.0.1"), "empty entry");
        // A value that is not text at all.
        assert_eq!(client(&lb, "10.0.0.1", &[b"198.51.100.7", b"\xff\xfe"]), ip("10.0.0.1"));
        // Every address trusted: the first hop.
        assert_eq!(client(&lb, "10.0.0.1", &[b"10.1.1.1, 10.2.2.2"]), ip("10.1.1.1"));
    }
}
