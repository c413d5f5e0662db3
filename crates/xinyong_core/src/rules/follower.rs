//! Rules published while a process runs reach it through the log follower:
//! `xinyong rules publish` in another process, another `serve` over the same
//! PostgreSQL database, or this process itself.

use std::sync::atomic::{AtomicU64, Ordering};

use xinyong_domain::event::{EventBody, EventKind};
use xinyong_domain::rules::{PublishedRuleSet, RuleSetName, RulesEvent, RulesKind};

use crate::log::Core;
use crate::log::follower::{FollowedEvent, LogSubscriber};

/// Swaps the core's rule book when a `rules_published` entry arrives. The
/// event carries the whole text and the effective date, so the new book is
/// built from the bodies the follower already read, without a query.
#[derive(Debug)]
pub struct RulesFollower {
    core: Core,
    applied: AtomicU64,
}

impl RulesFollower {
    /// Follows for `core` (and every clone of it), from the log size its
    /// book was loaded at.
    pub fn new(core: Core) -> RulesFollower {
        let applied = core.rule_book().applied();
        RulesFollower { core, applied: AtomicU64::new(applied) }
    }

    /// The log size the core's rules reflect.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }
}

// Follower dispatch: exhaustive over event kinds, no `_` arm (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl LogSubscriber for RulesFollower {
    fn wants(&self, kind: EventKind) -> bool {
        match kind {
            EventKind::Rules(k) => match k {
                RulesKind::RulesPublished => true,
            },
            EventKind::Subjects(_)
            | EventKind::Auth(_)
            | EventKind::Collection(_)
            | EventKind::Lists(_)
            | EventKind::Checks(_)
            | EventKind::ClosedLoop(_)
            | EventKind::Objections(_)
            | EventKind::Repair(_)
            | EventKind::Evaluation(_)
            | EventKind::Subscriptions(_)
            | EventKind::Inspections(_)
            | EventKind::Campaigns(_)
            | EventKind::Commitments(_)
            | EventKind::Registrations(_)
            | EventKind::Notices(_)
            | EventKind::Reports(_)
            | EventKind::Agencies(_)
            | EventKind::Log(_) => false,
        }
    }

    fn apply(&self, events: &[&FollowedEvent], through: u64) {
        let mut more = Vec::new();
        let applied = self.applied();
        for event in events.iter().filter(|e| e.seq >= applied) {
            match &event.body {
                EventBody::Rules(RulesEvent::RulesPublished { rule_kind, version, sha256, text, effective }) => {
                    let Some(name) = RuleSetName::parse(rule_kind) else {
                        tracing::warn!(seq = event.seq, kind = %rule_kind, "unknown rule set kind; ignored");
                        continue;
                    };
                    more.push(PublishedRuleSet {
                        name,
                        version: version.clone(),
                        sha256: sha256.clone(),
                        text: text.clone(),
                        effective: *effective,
                        seq: event.seq,
                    });
                }
                EventBody::Subjects(_)
                | EventBody::Auth(_)
                | EventBody::Collection(_)
                | EventBody::Lists(_)
                | EventBody::Checks(_)
                | EventBody::ClosedLoop(_)
                | EventBody::Objections(_)
                | EventBody::Repair(_)
                | EventBody::Evaluation(_)
                | EventBody::Subscriptions(_)
                | EventBody::Inspections(_)
                | EventBody::Campaigns(_)
                | EventBody::Commitments(_)
                | EventBody::Registrations(_)
                | EventBody::Notices(_)
                | EventBody::Reports(_)
                | EventBody::Agencies(_)
                | EventBody::Log(_) => {}
            }
        }
        if !more.is_empty() {
            let names: Vec<String> = more.iter().map(|p| format!("{} {}", p.name, p.version)).collect();
            match self.core.rule_book().with_published(more, through) {
                Ok(book) => {
                    self.core.set_rule_book(book);
                    metrics::counter!("xinyong_rules_reloads_total").increment(1);
                    tracing::info!(published = ?names, "rules reloaded from the log");
                }
                // Publishing checks every version against the book it joins,
                // so this is a build that cannot read a newer one: keep
                // judging by the rules it can read, loudly.
                Err(e) => {
                    tracing::error!(published = ?names, error = %e, "published rules unusable; keeping the rules in force")
                }
            }
        }
        self.applied.fetch_max(through, Ordering::AcqRel);
    }
}
