//! Per-client rate limits on the public search (`/search`, `/search/suggest`,
//! `/api/v1/public/…`): a token bucket per client, in memory, per process.
//!
//! The client is the TCP peer's address. `X-Forwarded-For` is believed only
//! when the peer is one of the configured trusted proxies: then the header
//! is read from the right, skipping trusted proxies, and the first address
//! that is not one is the client. Anyone can send the header, so believing
//! it from an untrusted peer would let a client pick a fresh key per request
//! (and grow this table without bound). IPv6 clients are keyed by their /64,
//! which a single host usually controls whole. Without a peer address
//! (in-process tests, or a server not started through
//! [`crate::serve`]) every request shares one key.
//!
//! Memory is bounded: at most [`MAX_CLIENTS`] buckets are kept; when full,
//! buckets that have refilled completely (idle clients) are dropped first,
//! then the least recently seen half.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub use xinyong_core::net::IpNet;
use xinyong_core::net::canonical;

use crate::{ApiError, AppState};

/// Clients tracked at most (about 100 bytes each).
pub const MAX_CLIENTS: usize = 100_000;

/// Public-portal settings (configuration `[portal]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSettings {
    /// Sustained public searches per client and minute; 0 turns limits off.
    pub requests_per_minute: u32,
    /// Searches a client may make at once before the sustained rate applies.
    pub burst: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed (default none).
    pub trusted_proxies: Vec<IpNet>,
    /// What one request to a 双公示 list may make the database read.
    pub lists: xinyong_core::portal::ListBounds,
}

impl Default for PortalSettings {
    fn default() -> Self {
        PortalSettings {
            requests_per_minute: 60,
            burst: 20,
            trusted_proxies: Vec::new(),
            lists: xinyong_core::portal::ListBounds::default(),
        }
    }
}

/// The client a request counts against; `None` = no peer address known.
pub fn client_key(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = canonical(peer?);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer;
    if is_trusted(peer) {
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        for hop in hops.iter().rev() {
            // An unreadable hop ends the walk: what lies left of it was
            // written by nobody we trust.
            let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else { break };
            client = ip;
            if !is_trusted(ip) {
                break;
            }
        }
    }
    Some(match client {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        v4 => v4,
    })
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets per client.
#[derive(Debug)]
pub struct RateLimiter {
    /// Tokens added per second.
    rate: f64,
    burst: f64,
    max_clients: usize,
    buckets: Mutex<HashMap<Option<IpAddr>, Bucket>>,
}

impl RateLimiter {
    pub fn new(settings: &PortalSettings) -> RateLimiter {
        RateLimiter::with_capacity(settings, MAX_CLIENTS)
    }

    pub fn with_capacity(settings: &PortalSettings, max_clients: usize) -> RateLimiter {
        RateLimiter {
            rate: f64::from(settings.requests_per_minute) / 60.0,
            burst: f64::from(settings.burst.max(1)),
            max_clients: max_clients.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`; `Err(wait)` when the client must wait.
    pub fn check(&self, key: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        // A poisoned lock only means another request panicked mid-update;
        // the counters are still usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if !buckets.contains_key(&key) && buckets.len() >= self.max_clients {
            self.evict(&mut buckets, now);
        }
        let bucket = buckets.entry(key).or_insert(Bucket { tokens: self.burst, last: now });
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate))
        }
    }

    fn evict(&self, buckets: &mut HashMap<Option<IpAddr>, Bucket>, now: Instant) {
        let full =
            |b: &Bucket| b.tokens + now.saturating_duration_since(b.last).as_secs_f64() * self.rate >= self.burst;
        buckets.retain(|_, b| !full(b));
        if buckets.len() >= self.max_clients {
            let mut seen: Vec<Instant> = buckets.values().map(|b| b.last).collect();
            seen.sort_unstable();
            let cutoff = seen[seen.len() / 2];
            buckets.retain(|_, b| b.last > cutoff);
        }
    }

    /// Clients tracked now.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// Seconds for `Retry-After`, at least 1.
fn retry_after(wait: Duration) -> HeaderValue {
    HeaderValue::from(wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0))
}

/// The client a request comes from, keyed by [`client_key`]; `None`
/// without a peer address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    fn of(parts: &Parts, state: &AppState) -> ClientAddr {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        ClientAddr(client_key(peer, &parts.headers, &state.portal.trusted_proxies))
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr::of(parts, state))
    }
}

fn check(parts: &Parts, state: &AppState) -> Result<(), Duration> {
    let ClientAddr(key) = ClientAddr::of(parts, state);
    let result = state.limiter.check(key, Instant::now());
    if result.is_err() {
        metrics::counter!("xinyong_rate_limited_total").increment(1);
    }
    result
}

const LIMITED: &str = "查询过于频繁，请稍等片刻再试。";

/// A visitor of the public search pages, within the rate limit; otherwise
/// the request is answered with a 429 page.
#[derive(Debug, Clone, Copy)]
pub struct PublicVisitor;

impl FromRequestParts<AppState> for PublicVisitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        check(parts, state).map(|()| PublicVisitor).map_err(|wait| {
            let page =
                crate::web::error_page(state, ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", LIMITED));
            ([(header::RETRY_AFTER, retry_after(wait))], page).into_response()
        })
    }
}

/// A client of the public JSON API, within the rate limit; otherwise a 429
/// envelope with code `rate_limited`.
#[derive(Debug, Clone, Copy)]
pub struct PublicApiClient;

impl FromRequestParts<AppState> for PublicApiClient {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        check(parts, state).map(|()| PublicApiClient).map_err(|wait| {
            let err = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", LIMITED);
            ([(header::RETRY_AFTER, retry_after(wait))], err).into_response()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).expect("header"));
        }
        h
    }

    #[test]
    fn networks_parse_and_match() {
        let net: IpNet = "10.0.0.0/8".parse().expect("net");
        assert!(net.contains(ip("10.1.2.3")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.9.9.9")));
        let one: IpNet = "192.168.1.5".parse().expect("host");
        assert!(one.contains(ip("192.168.1.5")) && !one.contains(ip("192.168.1.6")));
        let v6: IpNet = "fd00::/8".parse().expect("v6");
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("fe80::1")));
        assert!("0.0.0.0/0".parse::<IpNet>().expect("all").contains(ip("8.8.8.8")));
        for bad in ["", "10.0.0.0/33", "::/129", "example.org", "10.0.0.0/x"] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("net")];
        // No peer: one shared key.
        assert_eq!(client_key(None, &headers(&["1.2.3.4"]), &trusted), None);
        // An untrusted peer cannot choose its key.
        assert_eq!(client_key(Some(ip("5.6.7.8")), &headers(&["1.2.3.4"]), &trusted), Some(ip("5.6.7.8")));
        // Behind a trusted proxy: the address the proxy saw.
        assert_eq!(client_key(Some(ip("10.0.0.2")), &headers(&["1.2.3.4"]), &trusted), Some(ip("1.2.3.4")));
        // A client forging the header gets the rightmost untrusted hop: itself.
        assert_eq!(
            client_key(Some(ip("10.0.0.2")), &headers(&["9.9.9.9, 1.2.3.4", "10.0.0.7"]), &trusted),
            Some(ip("1.2.3.4"))
        );
        // Only proxies in the chain: the leftmost; garbage stops the walk.
        assert_eq!(client_key(Some(ip("10.0.0.2")), &headers(&["10.0.0.9"]), &trusted), Some(ip("10.0.0.9")));
        assert_eq!(client_key(Some(ip("10.0.0.2")), &headers(&["1.2.3.4, junk"]), &trusted), Some(ip("10.0.0.2")));
        // Trusted peer without the header: the peer.
        assert_eq!(client_key(Some(ip("10.0.0.2")), &HeaderMap::new(), &trusted), Some(ip("10.0.0.2")));
        // IPv6 clients are keyed by their /64.
        assert_eq!(client_key(Some(ip("2001:db8:1:2:aaaa::1")), &HeaderMap::new(), &[]), Some(ip("2001:db8:1:2::")));
    }

    #[test]
    fn buckets_allow_the_burst_then_the_rate() {
        let settings = PortalSettings { requests_per_minute: 60, burst: 3, ..PortalSettings::default() };
        let limiter = RateLimiter::new(&settings);
        let t0 = Instant::now();
        let a = Some(ip("1.1.1.1"));
        for _ in 0..3 {
            assert!(limiter.check(a, t0).is_ok());
        }
        let wait = limiter.check(a, t0).expect_err("burst used up");
        assert!(wait <= Duration::from_secs(1) && wait > Duration::ZERO, "{wait:?}");
        // Another client is not affected.
        assert!(limiter.check(Some(ip("2.2.2.2")), t0).is_ok());
        // One token per second comes back.
        assert!(limiter.check(a, t0 + Duration::from_millis(1_050)).is_ok());
        assert!(limiter.check(a, t0 + Duration::from_millis(1_100)).is_err());
        // Zero per minute: no limit.
        let off = RateLimiter::new(&PortalSettings { requests_per_minute: 0, ..settings });
        assert!((0..100).all(|_| off.check(a, t0).is_ok()));
    }

    #[test]
    fn memory_stays_bounded() {
        let settings = PortalSettings { requests_per_minute: 60, burst: 2, ..PortalSettings::default() };
        let limiter = RateLimiter::with_capacity(&settings, 100);
        let t0 = Instant::now();
        for i in 0..1_000u32 {
            let key = Some(IpAddr::from(std::net::Ipv4Addr::from(i)));
            let now = t0 + Duration::from_millis(u64::from(i));
            limiter.check(key, now).expect("first request");
            limiter.check(key, now).expect("second request");
            assert!(limiter.tracked() <= 100);
        }
        // A client that used its burst keeps its (empty) bucket when others
        // are evicted, as long as it was seen recently.
        let hot = Some(ip("9.9.9.9"));
        let later = t0 + Duration::from_millis(1_000);
        limiter.check(hot, later).expect("burst");
        limiter.check(hot, later).expect("burst");
        assert!(limiter.check(hot, later).is_err());
    }
}
