//! The device's HTTP client for head office: one method per protocol request, every answer
//! decoded into a wire type or a [`ClientError`] that says what the caller should do (retry
//! later, sign in again, wipe, or give up on this request).
//!
//! Plain `http://` is refused for anything but loopback unless the technician explicitly allowed
//! it: the device token and customers' data must not cross a network in clear text.

use std::time::Duration;

use reqwest::header::{
    AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER,
};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;

use crate::wire::{
    self, BlobUploadStatus, BlobsMissingRequest, BlobsMissingResponse, DeviceSignIn,
    DeviceSignedIn, ErrorCode, PullResponse, PushRequest, PushResponse, UPLOAD_LENGTH,
    UPLOAD_OFFSET,
};

/// Why a request to head office did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Head office could not be reached or the connection broke: try again later.
    #[error(
        "head office cannot be reached (no network here, or head office is down); changes stay \
         on this device and are sent at the next sync. Detail: {0}"
    )]
    Offline(String),
    /// Head office (or the network on the way) did not answer in time: try again later.
    #[error(
        "head office did not answer in time (a slow or broken connection); changes stay on this \
         device and are sent at the next sync. Detail: {0}"
    )]
    Timeout(String),
    /// This device was revoked: push nothing more, wipe local data.
    #[error("this device was revoked by head office: {0}")]
    Revoked(String),
    /// The token (or the password, when signing in) was not accepted.
    #[error("head office did not accept the sign-in: {0}")]
    Unauthorized(String),
    /// Too many requests: wait this long.
    #[error("head office asked to slow down")]
    RateLimited(Duration),
    /// Head office answered with an error for this request.
    #[error("head office refused the request ({code}): {message}")]
    Refused { status: u16, code: String, message: String },
    /// The address is not one this device will talk to.
    #[error("{0}")]
    BadAddress(String),
    /// The answer was not what the protocol promises.
    #[error("head office sent an unexpected answer: {0}")]
    Protocol(String),
    /// Head office answered, but its TLS certificate is not one this device trusts (unknown
    /// issuer, expired, another name): someone must fix the certificate or give the device the
    /// CA (`fieldwork login --ca-cert`).
    #[error("head office's certificate is not trusted: {0}")]
    Certificate(String),
}

impl ClientError {
    /// Stable code for the UI and `--json` output.
    pub fn code(&self) -> ErrorCode {
        match self {
            ClientError::Offline(_) => ErrorCode::Offline,
            ClientError::Timeout(_) => ErrorCode::Timeout,
            ClientError::Revoked(_) => ErrorCode::DeviceRevoked,
            ClientError::Unauthorized(_) => ErrorCode::Unauthorized,
            ClientError::RateLimited(_) => ErrorCode::RateLimited,
            // Head office failed on its side; the request itself may well be fine.
            ClientError::Refused { status, .. } if *status >= 500 => ErrorCode::ServerError,
            ClientError::Refused { .. } => ErrorCode::Refused,
            ClientError::BadAddress(_) => ErrorCode::BadAddress,
            ClientError::Protocol(_) => ErrorCode::Protocol,
            ClientError::Certificate(_) => ErrorCode::Certificate,
        }
    }

    /// Whether the same request may succeed later without anyone doing anything.
    pub fn is_transient(&self) -> bool {
        match self {
            // A certificate is usually fixed at head office (renewed, reinstalled): keep trying,
            // with backoff, and say why meanwhile.
            ClientError::Offline(_)
            | ClientError::Timeout(_)
            | ClientError::RateLimited(_)
            | ClientError::Certificate(_) => true,
            // A body damaged on the way (hash_mismatch) is sent again later.
            ClientError::Refused { status, code, .. } => {
                *status >= 500 || *code == ErrorCode::HashMismatch
            }
            _ => false,
        }
    }

    /// Whether head office refused the request with this code.
    pub fn is_refused_as(&self, wanted: ErrorCode) -> bool {
        matches!(self, ClientError::Refused { code, .. } if *code == wanted)
    }
}

type Result<T> = std::result::Result<T, ClientError>;

/// Checks and normalises a head-office address typed by a person: `https://host[:port][/path]`,
/// or `http://` to loopback (or anywhere when `allow_insecure_http`).
pub fn parse_base_url(raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") { raw.to_owned() } else { format!("https://{raw}") };
    let mut url = Url::parse(&with_scheme)
        .map_err(|e| ClientError::BadAddress(format!("{raw:?} is not a web address ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if !loopback && !allow_insecure_http {
                return Err(ClientError::BadAddress(format!(
                    "{raw} is not encrypted (http://); use https:// or explicitly allow \
                     unencrypted connections"
                )));
            }
        }
        other => {
            return Err(ClientError::BadAddress(format!(
                "{other}:// is not a head-office address"
            )));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ClientError::BadAddress(String::from(
            "put the user name and password in the sign-in form, not in the address",
        )));
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{path}/"));
    Ok(url)
}

/// A connection to head office for one device.
#[derive(Debug, Clone)]
pub struct HeadOffice {
    http: reqwest::Client,
    base: Url,
    token: Option<String>,
}

/// Extra trust for head office's certificate (a company CA), in PEM.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    pub extra_root_pem: Option<Vec<u8>>,
}

impl HeadOffice {
    /// A client for the head office at `base` (see [`parse_base_url`]), with the device token
    /// once signed in.
    pub fn new(base: Url, token: Option<String>, tls: &TlsOptions) -> Result<HeadOffice> {
        // reqwest is built without a default crypto provider; ring is the one the workspace uses.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("fieldwork-device/", env!("CARGO_PKG_VERSION")))
            .no_proxy();
        if let Some(pem) = &tls.extra_root_pem {
            let cert = reqwest::Certificate::from_pem(pem).map_err(|e| {
                ClientError::BadAddress(format!("the CA certificate is not PEM: {e}"))
            })?;
            builder = builder.tls_certs_merge([cert]);
        }
        let http = builder.build().map_err(|e| ClientError::Protocol(e.to_string()))?;
        Ok(HeadOffice { http, base, token })
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base
            .join(&format!("{}/{path}", wire::API_PREFIX.trim_start_matches('/')))
            .map_err(|e| ClientError::BadAddress(e.to_string()))
    }

    fn request(&self, method: Method, path: &str) -> Result<reqwest::RequestBuilder> {
        let mut req = self.http.request(method, self.url(path)?);
        if let Some(token) = &self.token {
            let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| ClientError::Protocol(String::from("the token is not a header")))?;
            value.set_sensitive(true);
            req = req.header(AUTHORIZATION, value);
        }
        Ok(req)
    }

    async fn send(req: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let resp = req.send().await.map_err(|e| transport(&e))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        Err(error_from(resp).await)
    }

    async fn json<T: DeserializeOwned>(req: reqwest::RequestBuilder) -> Result<T> {
        let resp = Self::send(req).await?;
        let bytes = resp.bytes().await.map_err(|e| transport(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()))
    }

    /// `GET /healthz`: whether head office answers at all (a quick probe, 5 s at most).
    pub async fn reachable(&self) -> bool {
        let Ok(url) = self.base.join("healthz") else { return false };
        matches!(
            self.http.get(url).timeout(Duration::from_secs(5)).send().await,
            Ok(r) if r.status().is_success()
        )
    }

    /// `POST /auth/device`: signs this device in as a technician.
    pub async fn sign_in(&self, body: &DeviceSignIn) -> Result<DeviceSignedIn> {
        Self::json(self.request(Method::POST, "auth/device")?.json(body)).await
    }

    /// `POST /sync/push`, its JSON zstd-compressed when it is more than a few hundred bytes (a
    /// day's work is mostly repeated keys and ids: 10,000 mutations shrink about tenfold).
    pub async fn push(&self, body: &PushRequest) -> Result<PushResponse> {
        let json = serde_json::to_vec(body).map_err(|e| ClientError::Protocol(e.to_string()))?;
        let (bytes, encoding) = compress(json);
        let mut req = self
            .request(Method::POST, "sync/push")?
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(encoding) = encoding {
            req = req.header(CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        Self::json(req.body(bytes)).await
    }

    /// `GET /sync/pull`.
    pub async fn pull(&self, cursor: i64, limit: usize) -> Result<PullResponse> {
        let req = self
            .request(Method::GET, "sync/pull")?
            .query(&[("cursor", cursor.to_string()), ("limit", limit.to_string())]);
        Self::json(req).await
    }

    /// `POST /blobs/missing`.
    pub async fn blobs_missing(&self, hashes: &[String]) -> Result<Vec<String>> {
        let body = BlobsMissingRequest { hashes: hashes.to_vec() };
        let resp: BlobsMissingResponse =
            Self::json(self.request(Method::POST, "blobs/missing")?.json(&body)).await?;
        Ok(resp.missing)
    }

    /// `HEAD /blobs/{sha256}`: how many bytes head office holds of it.
    pub async fn blob_offset(&self, sha256: &str) -> Result<u64> {
        let resp = Self::send(self.request(Method::HEAD, &format!("blobs/{sha256}"))?).await?;
        header_u64(resp.headers(), UPLOAD_OFFSET)
            .ok_or_else(|| ClientError::Protocol(String::from("HEAD without Upload-Offset")))
    }

    /// `PATCH /blobs/{sha256}`: sends `chunk`, the bytes from `offset` of a `total`-byte file.
    pub async fn blob_chunk(
        &self,
        sha256: &str,
        offset: u64,
        total: u64,
        chunk: Vec<u8>,
    ) -> Result<BlobUploadStatus> {
        let req = self
            .request(Method::PATCH, &format!("blobs/{sha256}"))?
            .header(UPLOAD_OFFSET, offset.to_string())
            .header(UPLOAD_LENGTH, total.to_string())
            .header(reqwest::header::CONTENT_TYPE, "application/offset+octet-stream")
            .body(chunk);
        Self::json(req).await
    }

    /// `GET /blobs/{sha256}`.
    pub async fn blob(&self, sha256: &str) -> Result<Vec<u8>> {
        let resp = Self::send(self.request(Method::GET, &format!("blobs/{sha256}"))?).await?;
        let bytes = resp.bytes().await.map_err(|e| transport(&e))?;
        Ok(bytes.to_vec())
    }
}

/// Bodies at least this long are sent compressed; below it the frame costs more than it saves.
const COMPRESS_FROM_BYTES: usize = 512;

/// The body to send and its `Content-Encoding`: zstd at its default level when that is shorter
/// (it is, for any JSON of some length), the body as it is otherwise.
fn compress(body: Vec<u8>) -> (Vec<u8>, Option<&'static str>) {
    if body.len() < COMPRESS_FROM_BYTES {
        return (body, None);
    }
    match zstd::bulk::compress(&body, 0) {
        Ok(packed) if packed.len() < body.len() => (packed, Some("zstd")),
        _ => (body, None),
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// A request that got no answer: a certificate this device does not trust, or head office out of
/// reach (refused, reset, timed out, name not found…).
fn transport(e: &reqwest::Error) -> ClientError {
    if tls_problem(e) {
        ClientError::Certificate(describe(e))
    } else if e.is_timeout() {
        ClientError::Timeout(describe(e))
    } else {
        ClientError::Offline(describe(e))
    }
}

/// Whether a rustls certificate error is somewhere in the chain. rustls errors travel inside
/// `io::Error`s (sometimes one inside another), whose `source()` skips the error they wrap, so
/// those are opened by hand.
fn tls_problem(e: &reqwest::Error) -> bool {
    fn check(err: &(dyn std::error::Error + 'static), depth: usize) -> bool {
        if depth > 16 {
            return false;
        }
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_)
                    | rustls::Error::NoCertificatesPresented
                    | rustls::Error::UnsupportedNameType
            );
        }
        let wrapped = err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        if let Some(inner) = wrapped
            && check(inner, depth + 1)
        {
            return true;
        }
        err.source().is_some_and(|next| check(next, depth + 1))
    }
    check(e, 0)
}

/// The error chain of a transport failure in one line (reqwest's top-level message alone says
/// only "error sending request").
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// [`wire::ErrorBody`] with its code as the string head office sent.
#[derive(serde::Deserialize)]
struct RawErrorBody {
    code: String,
    message: String,
}

async fn error_from(resp: reqwest::Response) -> ClientError {
    let status = resp.status();
    let retry_after = header_u64(resp.headers(), RETRY_AFTER.as_str());
    let offset = header_u64(resp.headers(), UPLOAD_OFFSET);
    // Read leniently: a newer head office may send a code this device does not know yet.
    let body: Option<RawErrorBody> = match resp.bytes().await {
        Ok(b) => serde_json::from_slice(&b).ok(),
        Err(e) => return transport(&e),
    };
    let answered = body.is_some();
    let (code, message) = match body {
        Some(b) => (b.code, b.message),
        None => (String::from("unknown"), status.to_string()),
    };
    let known = code.parse::<ErrorCode>().ok();
    match (status, known) {
        (StatusCode::UNAUTHORIZED, Some(ErrorCode::DeviceRevoked)) => ClientError::Revoked(message),
        (StatusCode::UNAUTHORIZED, _) => ClientError::Unauthorized(message),
        (StatusCode::TOO_MANY_REQUESTS, _) => {
            ClientError::RateLimited(Duration::from_secs(retry_after.unwrap_or(1).clamp(1, 300)))
        }
        (StatusCode::CONFLICT, Some(ErrorCode::OffsetMismatch)) => ClientError::Refused {
            status: status.as_u16(),
            code,
            // The right offset travels in the header; keep it where the uploader finds it.
            message: offset.map(|o| o.to_string()).unwrap_or(message),
        },
        // A proxy or load balancer in front of head office that cannot reach it.
        (
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT,
            _,
        ) if !answered => ClientError::Offline(message),
        _ => ClientError::Refused { status: status.as_u16(), code, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_zstd_compressed_and_short_ones_sent_as_they_are() {
        let short = br#"{"device_id":"x","mutations":[]}"#.to_vec();
        assert_eq!(compress(short.clone()), (short, None));

        let long = serde_json::to_vec(&serde_json::json!({
            "mutations": (0..200).map(|i| serde_json::json!({"seq": i, "kind": "note_added", "text": "checked the drain pump"})).collect::<Vec<_>>()
        }))
        .unwrap();
        let (packed, encoding) = compress(long.clone());
        assert_eq!(encoding, Some("zstd"));
        assert!(packed.len() * 5 < long.len(), "{} of {} bytes", packed.len(), long.len());
        assert_eq!(zstd::bulk::decompress(&packed, long.len()).unwrap(), long);
    }

    #[test]
    fn https_and_loopback_http_are_accepted_and_normalised() {
        assert_eq!(
            parse_base_url("ho.example.com", false).unwrap().as_str(),
            "https://ho.example.com/"
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:8080", false).unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(
            parse_base_url("https://example.com/fieldwork/?x=1#y", false).unwrap().as_str(),
            "https://example.com/fieldwork/"
        );
        assert!(parse_base_url("http://localhost:9", false).is_ok());
        assert!(parse_base_url("http://[::1]:9", false).is_ok());
    }

    #[test]
    fn plain_http_to_another_host_needs_explicit_consent() {
        let err = parse_base_url("http://192.168.1.5:8080", false).unwrap_err();
        assert_eq!(err.code(), "bad_address");
        assert!(err.to_string().contains("not encrypted"), "{err}");
        assert!(parse_base_url("http://192.168.1.5:8080", true).is_ok());
    }

    #[test]
    fn credentials_and_odd_schemes_are_refused() {
        assert!(parse_base_url("https://u:p@example.com", false).is_err());
        assert!(parse_base_url("ftp://example.com", false).is_err());
        assert!(parse_base_url("https://", false).is_err());
    }

    #[test]
    fn the_api_prefix_is_joined_under_the_base_path() {
        let ho = HeadOffice::new(
            parse_base_url("https://example.com/fw", false).unwrap(),
            None,
            &TlsOptions::default(),
        )
        .unwrap();
        assert_eq!(
            ho.url("sync/pull").unwrap().as_str(),
            "https://example.com/fw/api/v1/sync/pull"
        );
    }
}
