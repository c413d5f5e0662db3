//! Webhook delivery of departments' feeds: the same items as the pull feed
//! ([`crate::closed_loop::feeds::feed`]), POSTed as JSON and signed, at least once, in
//! cursor order.
//!
//! Each POST carries
//! - `X-Xinyong-Timestamp: <unix seconds>`,
//! - `X-Xinyong-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
//!   (the key is the secret exactly as shown when the webhook was set: its
//!   64 hex characters as ASCII bytes),
//! - `X-Xinyong-Delivery: <department>-<cursor>` (stable across retries, so a
//!   receiver can drop duplicates),
//!
//! and the body `{"department", "items": [...], "cursor"}` with at most
//! [`MAX_ITEMS_PER_POST`] items. A 2xx answer appends `feed_delivered` with
//! the cursor; anything else is retried with exponential backoff (1 s, 2 s,
//! 4 s … at most [`MAX_BACKOFF_SECS`]) kept in memory. Items are never
//! skipped: a failing receiver holds its own queue and nobody else's.
//!
//! Where a webhook may point is [`WebhookTargets`]: `https://` only unless
//! `http://` is allowed, and never an internal address (loopback, private,
//! link-local — cloud metadata —, unique-local …) unless its network is
//! allowed. The URL is checked when it is set and again before each POST,
//! and the addresses a host name resolves to are checked at connection time
//! by the client's own resolver, so the address the POST goes to is the one
//! that was checked (a name that resolves to a public address when set and
//! to 127.0.0.1 later is refused then).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use xinyong_domain::closed_loop::ClosedLoopEvent;

use chrono::{DateTime, Utc};
use hmac::{KeyInit, Mac};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;
use serde::Serialize;
use sha2::Sha256;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::closed_loop::WebhookRow;
use xinyong_domain::event::{Actor, NewEvent};

use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::closed_loop::feeds::{FeedItem, feed};
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::net::{IpNet, is_internal};

/// Items in one POST at most.
pub const MAX_ITEMS_PER_POST: u32 = 100;
/// Longest wait between two attempts.
pub const MAX_BACKOFF_SECS: i64 = 600;
/// POSTs to one webhook in one delivery round at most (then the next
/// department gets its turn).
const MAX_POSTS_PER_ROUND: usize = 10;
/// Webhooks one round reads: one per department at most, and a city has a
/// few dozen departments.
const MAX_WEBHOOKS: u32 = 1_000;
/// Longest accepted URL.
const MAX_URL_LEN: usize = 2_000;

/// A webhook as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub department: String,
    pub url: String,
    pub secret: String,
    pub active: bool,
    pub delivered_cursor: u64,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Webhook {
        Webhook {
            department: row.department.as_str().to_owned(),
            url: row.url,
            secret: row.secret,
            active: row.active,
            delivered_cursor: row.delivered_cursor,
        }
    }
}

/// The department's webhook, if one was ever set.
pub async fn webhook(core: &Core, department: &DepartmentCode) -> Result<Option<Webhook>> {
    Ok(core.store().get(WebhookRow::key(department)).await?.map(Webhook::from))
}

/// `url` trimmed, when a webhook may point there (subscribers' webhooks
/// follow the same rules as departments').
pub(crate) fn checked_url(url: &str, targets: &WebhookTargets) -> Result<String> {
    check_url(url, targets)
}

fn check_url(url: &str, targets: &WebhookTargets) -> Result<String> {
    let url = url.trim();
    let bad = || {
        CoreError::invalid(
            "webhook_url_invalid",
            format!("回调地址(url)应为 http:// 或 https:// 开头、不超过 {MAX_URL_LEN} 个字符的完整网址"),
        )
    };
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).ok_or_else(bad)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if url.len() > MAX_URL_LEN
        || host.is_empty()
        || host.contains('@')
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
        || url.parse::<hyper::Uri>().is_err()
    {
        return Err(bad());
    }
    targets.check(url).map_err(|refused| CoreError::invalid(refused.code(), refused.to_string()))?;
    Ok(url.to_owned())
}

/// Where webhooks may point (configuration `[feeds]`). The default is the
/// strict one: `https://` to public addresses only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookTargets {
    /// Accept `http://` URLs (`feeds.webhook_allow_http`). A feed names
    /// subjects and measures, so by default it travels encrypted only.
    pub allow_http: bool,
    /// Internal networks webhooks may reach (`feeds.webhook_allowed_networks`),
    /// e.g. a department's server on the government intranet.
    pub allowed_networks: Vec<IpNet>,
}

/// Why a webhook URL or address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetRefused {
    #[error("回调地址应以 https:// 开头（http:// 需由信用办在配置 feeds.webhook_allow_http 中开启）")]
    NotHttps,
    #[error(
        "回调地址 {host} 指向内部网络地址 {ip}（本机、内网、链路本地等），不允许推送；\
         如确为本单位内网服务器，请由信用办将其网段加入配置 feeds.webhook_allowed_networks"
    )]
    Internal { host: String, ip: IpAddr },
}

impl TargetRefused {
    pub fn code(&self) -> &'static str {
        match self {
            TargetRefused::NotHttps => "webhook_url_not_https",
            TargetRefused::Internal { .. } => "webhook_address_refused",
        }
    }
}

impl WebhookTargets {
    /// Whether a POST may go to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        !is_internal(ip) || self.allowed_networks.iter().any(|net| net.contains(ip))
    }

    /// The scheme, and the address when the host is one (or `localhost`,
    /// which never resolves elsewhere). Other names are checked when they
    /// are resolved, at each connection.
    pub fn check(&self, url: &str) -> std::result::Result<(), TargetRefused> {
        let scheme_ok = url.starts_with("https://") || (self.allow_http && url.starts_with("http://"));
        if !scheme_ok {
            return Err(TargetRefused::NotHttps);
        }
        let Some(host) = url.parse::<hyper::Uri>().ok().and_then(|u| u.host().map(str::to_owned)) else {
            return Ok(());
        };
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let ip = match bare.parse::<IpAddr>() {
            Ok(ip) => ip,
            Err(_) if is_localhost(bare) => IpAddr::from([127, 0, 0, 1]),
            Err(_) => return Ok(()),
        };
        if self.permits(ip) { Ok(()) } else { Err(TargetRefused::Internal { host, ip }) }
    }
}

fn is_localhost(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// The client's name resolver: the system's (`getaddrinfo`, as hyper's
/// own), keeping only the addresses [`WebhookTargets::permits`]; a name with
/// none left fails the connection.
#[derive(Debug, Clone)]
struct CheckedResolver {
    targets: Arc<WebhookTargets>,
}

type Resolving = Pin<Box<dyn Future<Output = std::io::Result<std::vec::IntoIter<SocketAddr>>> + Send>>;

impl tower::Service<Name> for CheckedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Resolving;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Resolving {
        let targets = Arc::clone(&self.targets);
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = resolved.iter().copied().filter(|a| targets.permits(a.ip())).collect();
            match (allowed.is_empty(), resolved.first()) {
                (false, _) => Ok(allowed.into_iter()),
                (true, Some(first)) => Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    TargetRefused::Internal { host: name.as_str().to_owned(), ip: first.ip() }.to_string(),
                )),
                (true, None) => Err(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("回调地址 {} 无法解析", name.as_str()),
                )),
            }
        })
    }
}

/// Sets (or replaces) the department's webhook. `secret` is 32 bytes from a
/// cryptographic random source, drawn by the caller; it is returned as the
/// hex string the receiver verifies signatures with (shown once). A new
/// webhook starts at the current end of the feed; a replaced one keeps its
/// place, so no item is skipped by changing the URL or the secret.
pub async fn set_webhook(
    core: &Core,
    principal: &Principal,
    department: &DepartmentCode,
    url: &str,
    secret: [u8; 32],
) -> Result<String> {
    authorize(principal, Action::ManageWebhook, &Resource::Department(department.clone()))?;
    let url = check_url(url, &core.settings().webhooks)?;
    let secret = hex::encode(secret);
    let from_cursor = match webhook(core, department).await? {
        Some(w) if w.active => w.delivered_cursor,
        // Every item already in the feed has a log index below the current
        // size; items appended while this runs come after `size - 1`.
        _ => core.store().log_size().await?.saturating_sub(1),
    };
    core.append(vec![NewEvent::new(
        principal.actor(),
        ClosedLoopEvent::WebhookSet { department: department.clone(), url, secret: secret.clone(), from_cursor },
    )])
    .await?;
    Ok(secret)
}

/// Stops delivery to the department's webhook.
pub async fn remove_webhook(core: &Core, principal: &Principal, department: &DepartmentCode) -> Result<()> {
    authorize(principal, Action::ManageWebhook, &Resource::Department(department.clone()))?;
    match webhook(core, department).await? {
        Some(w) if w.active => {
            core.append(vec![NewEvent::new(
                principal.actor(),
                ClosedLoopEvent::WebhookRemoved { department: department.clone() },
            )])
            .await?;
            Ok(())
        }
        _ => {
            Err(CoreError::NotFound { what: format!("部门 {department} 的回调地址"), code: "webhook_not_found" })
        }
    }
}

/// `sha256=<hex>` over `timestamp + "." + body`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = match hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What one POST carries.
#[derive(Debug, Serialize)]
pub struct DeliveryBody<'a> {
    pub department: &'a str,
    pub items: &'a [FeedItem],
    pub cursor: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Backoff {
    failures: u32,
    next_at: DateTime<Utc>,
}

/// The HTTP client and the retry state (per department, in memory: a
/// restart retries at once, which only delivers sooner).
#[derive(Debug)]
pub struct WebhookClient {
    http: Client<HttpsConnector<HttpConnector<CheckedResolver>>, Full<Bytes>>,
    targets: Arc<WebhookTargets>,
    timeout: Duration,
    backoff: Mutex<HashMap<String, Backoff>>,
}

impl Default for WebhookClient {
    /// Ten seconds per POST, the strict [`WebhookTargets`].
    fn default() -> Self {
        WebhookClient::new(Duration::from_secs(10), WebhookTargets::default())
    }
}

impl WebhookClient {
    /// A client whose requests give up after `timeout`. `https://` URLs are
    /// verified against the system's root certificates (`/etc/ssl/certs`;
    /// install an intranet CA there); `http://` URLs are plain HTTP. POSTs
    /// go only where `targets` permits.
    pub fn new(timeout: Duration, targets: WebhookTargets) -> WebhookClient {
        let targets = Arc::new(targets);
        let mut http = HttpConnector::new_with_resolver(CheckedResolver { targets: Arc::clone(&targets) });
        http.set_connect_timeout(Some(timeout));
        http.enforce_http(false);
        let provider = || Arc::new(rustls::crypto::ring::default_provider());
        let tls = HttpsConnectorBuilder::new().with_provider_and_native_roots(provider()).unwrap_or_else(|e| {
            // Without trusted roots no server certificate verifies: HTTPS
            // deliveries fail (and are retried) with a clear error; HTTP
            // ones still work.
            tracing::warn!(error = %e, "no system root certificates: HTTPS webhooks cannot be verified");
            let config = rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .expect("ring supports TLS 1.2 and 1.3")
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth();
            HttpsConnectorBuilder::new().with_tls_config(config)
        });
        let connector = tls.https_or_http().enable_http1().wrap_connector(http);
        WebhookClient {
            http: Client::builder(TokioExecutor::new()).build(connector),
            targets,
            timeout,
            backoff: Mutex::new(HashMap::new()),
        }
    }

    /// When the department's webhook is tried next, if it is backing off.
    pub fn next_attempt(&self, department: &str) -> Option<DateTime<Utc>> {
        self.backoff.lock().unwrap_or_else(|p| p.into_inner()).get(department).map(|b| b.next_at)
    }

    pub(crate) fn waiting(&self, department: &str, now: DateTime<Utc>) -> bool {
        self.next_attempt(department).is_some_and(|at| now < at)
    }

    pub(crate) fn failed(&self, department: &str, now: DateTime<Utc>) -> DateTime<Utc> {
        let mut map = self.backoff.lock().unwrap_or_else(|p| p.into_inner());
        let failures = map.get(department).map_or(0, |b| b.failures).saturating_add(1);
        let secs =
            1_i64.checked_shl(failures.saturating_sub(1).min(30)).unwrap_or(MAX_BACKOFF_SECS).min(MAX_BACKOFF_SECS);
        let next_at = now + chrono::Duration::seconds(secs);
        map.insert(department.to_owned(), Backoff { failures, next_at });
        next_at
    }

    pub(crate) fn succeeded(&self, department: &str) {
        self.backoff.lock().unwrap_or_else(|p| p.into_inner()).remove(department);
    }

    /// POSTs a text `body` and reads the answer's text (at most 64 KiB):
    /// a witness's `add-checkpoint` (`crate::log::witness`).
    pub async fn post_text(&self, url: &str, body: String) -> std::result::Result<(u16, String), String> {
        const MAX_ANSWER: usize = 64 * 1024;
        self.targets.check(url).map_err(|refused| refused.to_string())?;
        let req = hyper::Request::post(url)
            .header("content-type", "text/plain; charset=utf-8")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let answer = tokio::time::timeout(self.timeout, async {
            let response = self.http.request(req).await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let limited = http_body_util::Limited::new(response.into_body(), MAX_ANSWER);
            let bytes = limited.collect().await.map_err(|e| e.to_string())?.to_bytes();
            Ok::<_, String>((status, String::from_utf8_lossy(&bytes).into_owned()))
        })
        .await;
        answer.unwrap_or_else(|_| Err(format!("{} 秒内没有响应", self.timeout.as_secs())))
    }

    /// POSTs `body`; `Ok(status)` for any HTTP answer, `Err` when none came.
    pub(crate) async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> std::result::Result<u16, String> {
        // A URL set before the targets were narrowed, or an address literal
        // (the connector does not resolve those).
        self.targets.check(url).map_err(|refused| refused.to_string())?;
        let mut req = hyper::Request::post(url).header("content-type", "application/json");
        for (name, value) in headers {
            req = req.header(*name, value.as_str());
        }
        let req = req.body(Full::new(Bytes::from(body))).map_err(|e| e.to_string())?;
        let answer = tokio::time::timeout(self.timeout, async {
            let response = self.http.request(req).await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            // Read (and drop) the body so the connection can be reused.
            let _ = response.into_body().collect().await;
            Ok::<u16, String>(status)
        })
        .await;
        answer.unwrap_or_else(|_| Err(format!("{} 秒内没有响应", self.timeout.as_secs())))
    }
}

/// What one delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// POSTs answered 2xx.
    pub delivered: usize,
    /// Items in them.
    pub items: usize,
    /// POSTs that failed (will be retried).
    pub failed: usize,
    /// Webhooks skipped because they are backing off.
    pub waiting: usize,
}

/// One delivery round: every active webhook with items after its cursor
/// gets them, [`MAX_ITEMS_PER_POST`] per POST. `serve` calls this every
/// `feeds.webhook_interval_ms`.
pub async fn deliver_webhooks(core: &Core, client: &WebhookClient, now: DateTime<Utc>) -> Result<DeliveryReport> {
    let mut report = DeliveryReport::default();
    let hooks: Vec<Webhook> = xinyong_storage::closed_loop::active_webhooks(core.store(), MAX_WEBHOOKS)
        .await?
        .into_iter()
        .map(Webhook::from)
        .collect();
    for hook in hooks {
        if client.waiting(&hook.department, now) {
            report.waiting += 1;
            continue;
        }
        let Ok(department) = DepartmentCode::parse(&hook.department) else { continue };
        let mut cursor = hook.delivered_cursor;
        for _ in 0..MAX_POSTS_PER_ROUND {
            let page = feed(core, &department, cursor, MAX_ITEMS_PER_POST).await?;
            if page.items.is_empty() {
                break;
            }
            let body = serde_json::to_vec(&DeliveryBody {
                department: department.as_str(),
                items: &page.items,
                cursor: page.next_cursor,
            })
            .map_err(|e| CoreError::Internal(e.to_string()))?;
            let timestamp = now.timestamp();
            let headers = [
                ("x-xinyong-timestamp", timestamp.to_string()),
                ("x-xinyong-signature", signature(&hook.secret, timestamp, &body)),
                ("x-xinyong-delivery", format!("{department}-{}", page.next_cursor)),
            ];
            match client.post(&hook.url, &headers, body).await {
                Ok(status) if (200..300).contains(&status) => {
                    client.succeeded(department.as_str());
                    core.append(vec![NewEvent::new(
                        Actor::system(),
                        ClosedLoopEvent::FeedDelivered { department: department.clone(), cursor: page.next_cursor },
                    )])
                    .await?;
                    report.delivered += 1;
                    report.items += page.items.len();
                    cursor = page.next_cursor;
                    if !page.more {
                        break;
                    }
                }
                answer => {
                    let next = client.failed(department.as_str(), now);
                    let why = match answer {
                        Ok(status) => format!("HTTP {status}"),
                        Err(e) => e,
                    };
                    tracing::warn!(department = %department, url = %hook.url, cursor, error = %why, next_attempt = %next, "webhook delivery failed");
                    metrics::counter!("xinyong_webhook_failures_total").increment(1);
                    report.failed += 1;
                    break;
                }
            }
        }
    }
    Ok(report)
}
