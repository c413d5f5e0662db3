//! Console login throttling: growing delays, never a hard lock.
//!
//! Failures are counted three ways: per login name from one client (the
//! guesser at one account), per client (one address trying many names) and
//! per login name from anywhere (a guesser spread over many addresses).
//! Each count has some free failures; every failure beyond them makes the
//! next attempt wait twice as long as the last (1 s, 2 s, 4 s …) up to its
//! cap. While a wait runs the attempt is answered 429 with `Retry-After`
//! without looking at the password. The cap per login name from anywhere is
//! short, so a stranger who knows a clerk's login can delay the clerk by a
//! minute at most, not lock the account; the guesser's own client waits up
//! to a quarter of an hour per name. A count is forgotten
//! [`LoginThrottleSettings::forget_after`] after the wait of its last failure
//! ended (so a capped wait does not reset it by itself); a
//! successful login clears the counts of that name from that client. In
//! memory, per process: a restart forgets them, which only helps the
//! legitimate user.
//!
//! Clients are keyed as for the public search limits
//! ([`crate::ratelimit::client_key`]): the TCP peer, or the address a trusted
//! proxy reports; IPv6 by /64.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Tracked names, clients and pairs at most, per table: about 100 bytes each.
const MAX_TRACKED: usize = 100_000;

/// One way of counting failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures before any wait.
    pub free: u32,
    /// Longest wait.
    pub cap: Duration,
}

impl ThrottleRule {
    /// The wait after `failures` failures: none within the free ones, then
    /// 1 s doubling up to the cap.
    pub fn wait(&self, failures: u32) -> Duration {
        let Some(beyond) = failures.checked_sub(self.free).filter(|b| *b > 0) else { return Duration::zero() };
        let secs = 1_i64.checked_shl(beyond.saturating_sub(1).min(40)).unwrap_or(i64::MAX);
        Duration::seconds(secs).min(self.cap)
    }
}

/// The three rules and how long a count is remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginThrottleSettings {
    /// One login name from one client.
    pub per_name_and_client: ThrottleRule,
    /// One client, whatever names it tries (offices share NAT addresses,
    /// hence the free failures).
    pub per_client: ThrottleRule,
    /// One login name from anywhere: short, so nobody can lock a clerk out.
    pub per_name: ThrottleRule,
    pub forget_after: Duration,
}

impl Default for LoginThrottleSettings {
    fn default() -> Self {
        LoginThrottleSettings {
            per_name_and_client: ThrottleRule { free: 3, cap: Duration::minutes(15) },
            per_client: ThrottleRule { free: 20, cap: Duration::minutes(5) },
            per_name: ThrottleRule { free: 5, cap: Duration::minutes(1) },
            forget_after: Duration::minutes(15),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: DateTime<Utc>,
}

type Table<K> = Mutex<HashMap<K, Failures>>;

/// Failed console logins, counted per name and client, per client and per
/// name.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    settings: LoginThrottleSettings,
    pairs: Table<(Option<IpAddr>, String)>,
    clients: Table<Option<IpAddr>>,
    names: Table<String>,
}

fn name_key(login: &str) -> String {
    login.trim().to_lowercase().chars().take(64).collect()
}

/// How long the attempt must still wait by one table.
fn remaining<K: std::hash::Hash + Eq>(table: &Table<K>, key: &K, rule: ThrottleRule, now: DateTime<Utc>) -> Duration {
    let map = table.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    map.get(key).map_or(Duration::zero(), |f| (f.last + rule.wait(f.count) - now).max(Duration::zero()))
}

/// Counts one failure. A count is forgotten once `forget_after` has passed
/// since the wait its last failure imposed ended.
fn count<K: std::hash::Hash + Eq + Clone>(
    table: &Table<K>,
    key: K,
    rule: ThrottleRule,
    now: DateTime<Utc>,
    forget_after: Duration,
) {
    let forgotten = |f: &Failures| now - (f.last + rule.wait(f.count)) >= forget_after;
    let mut map = table.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if map.len() >= MAX_TRACKED && !map.contains_key(&key) {
        map.retain(|_, f| !forgotten(f));
        if map.len() >= MAX_TRACKED {
            // Still full of recent failures: drop the older half.
            let mut lasts: Vec<DateTime<Utc>> = map.values().map(|f| f.last).collect();
            lasts.sort_unstable();
            let median = lasts[lasts.len() / 2];
            map.retain(|_, f| f.last > median);
        }
    }
    let entry = map.entry(key).or_insert(Failures { count: 0, last: now });
    if forgotten(entry) {
        entry.count = 0;
    }
    entry.count = entry.count.saturating_add(1);
    entry.last = now;
}

impl LoginThrottle {
    pub fn new(settings: LoginThrottleSettings) -> LoginThrottle {
        LoginThrottle { settings, ..LoginThrottle::default() }
    }

    /// `Err(wait)` when an attempt for `login` from `client` must wait.
    pub fn check(&self, client: Option<IpAddr>, login: &str, now: DateTime<Utc>) -> Result<(), Duration> {
        let s = &self.settings;
        let name = name_key(login);
        let wait = [
            remaining(&self.pairs, &(client, name.clone()), s.per_name_and_client, now),
            remaining(&self.clients, &client, s.per_client, now),
            remaining(&self.names, &name, s.per_name, now),
        ]
        .into_iter()
        .max()
        .unwrap_or_else(Duration::zero);
        if wait > Duration::zero() { Err(wait) } else { Ok(()) }
    }

    /// Counts a failed attempt everywhere.
    pub fn failed(&self, client: Option<IpAddr>, login: &str, now: DateTime<Utc>) {
        let name = name_key(login);
        let s = &self.settings;
        count(&self.pairs, (client, name.clone()), s.per_name_and_client, now, s.forget_after);
        count(&self.clients, client, s.per_client, now, s.forget_after);
        count(&self.names, name, s.per_name, now, s.forget_after);
    }

    /// A successful login clears that name's count from that client (the
    /// other counts run on: a guesser cannot reset them by logging into an
    /// account of its own).
    pub fn succeeded(&self, client: Option<IpAddr>, login: &str) {
        let mut pairs = self.pairs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        pairs.remove(&(client, name_key(login)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_cap() {
        let rule = ThrottleRule { free: 3, cap: Duration::minutes(15) };
        let waits: Vec<i64> = (0..16).map(|n| rule.wait(n).num_seconds()).collect();
        assert_eq!(waits, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(rule.wait(u32::MAX).num_seconds(), 900);
    }
}
