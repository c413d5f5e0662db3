//! Department display names, kept in memory. Pages name the department of
//! every record, listing and task they show, and the names change only when
//! a department is registered (a few times a year): reading the whole
//! `departments` table for each page was one of the subject page's dozen
//! statements, twice.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use xinyong_domain::auth::AuthKind;
use xinyong_domain::event::{EventBody, EventKind};

use crate::error::Result;
use crate::log::Core;
use crate::log::follower::{FollowedEvent, LogSubscriber};

/// Display names by department code.
pub type Names = BTreeMap<String, String>;

/// How long names read from the database are believed. A registration in
/// this process forgets them at once, one in another process (the CLI,
/// another server) through `serve`'s log follower within one poll; this
/// bounds what a follower that has fallen behind can leave on a page.
const BELIEVED_FOR: Duration = Duration::from_secs(30);

/// The names read last, shared by every clone of a [`Core`].
#[derive(Debug, Default)]
pub struct DepartmentNames {
    state: RwLock<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Counts the registrations seen: names read while one was committed
    /// (the read began before it was forgotten) are not kept.
    generation: u64,
    names: Option<(Arc<Names>, Instant)>,
}

impl DepartmentNames {
    /// The names still believed, or the generation a fresh read fills.
    fn cached(&self) -> std::result::Result<Arc<Names>, u64> {
        let state = self.state.read().unwrap_or_else(PoisonError::into_inner);
        match &state.names {
            Some((names, read_at)) if read_at.elapsed() < BELIEVED_FOR => Ok(Arc::clone(names)),
            _ => Err(state.generation),
        }
    }

    fn keep(&self, generation: u64, names: &Arc<Names>) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.generation == generation {
            state.names = Some((Arc::clone(names), Instant::now()));
        }
    }

    /// Forgets the names: the next page reads them again.
    pub fn forget(&self) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        state.generation += 1;
        state.names = None;
    }

    /// Whether appending `events` changes a department's name.
    pub fn changed_by<'a>(events: impl IntoIterator<Item = &'a EventBody>) -> bool {
        events.into_iter().any(|e| e.kind() == EventKind::Auth(AuthKind::DepartmentRegistered))
    }
}

/// Department display names by code, for the pages' tables and filters.
pub async fn department_names(core: &Core) -> Result<Arc<Names>> {
    let cache = core.department_names_cache();
    let generation = match cache.cached() {
        Ok(names) => return Ok(names),
        Err(generation) => generation,
    };
    let names: Arc<Names> =
        Arc::new(super::departments(core).await?.into_iter().map(|d| (d.code.as_str().to_owned(), d.name)).collect());
    cache.keep(generation, &names);
    Ok(names)
}

// Follower dispatch: exhaustive over event kinds, no `_` arm (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl LogSubscriber for DepartmentNames {
    /// A registration in another process (the CLI, another server).
    fn wants(&self, kind: EventKind) -> bool {
        match kind {
            EventKind::Auth(k) => match k {
                AuthKind::DepartmentRegistered => true,
                AuthKind::ApiTokenRevoked
                | AuthKind::UserCreated
                | AuthKind::UserPasswordChanged
                | AuthKind::UserDisabled
                | AuthKind::UserPasswordReset
                | AuthKind::ApiTokenIssued
                | AuthKind::PersonalDataRead
                | AuthKind::ActivationCodeIssued
                | AuthKind::SubjectAccountOpened
                | AuthKind::SubjectAccountPasswordChanged
                | AuthKind::SubjectAccountDisabled
                | AuthKind::SubjectTotpEnabled
                | AuthKind::SubjectTotpDisabled => false,
            },
            EventKind::Subjects(_)
            | EventKind::Rules(_)
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

    fn apply(&self, events: &[&FollowedEvent], _through: u64) {
        if !events.is_empty() {
            self.forget();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(pairs: &[(&str, &str)]) -> Arc<Names> {
        Arc::new(pairs.iter().map(|(c, n)| ((*c).to_owned(), (*n).to_owned())).collect())
    }

    #[test]
    fn names_read_before_a_registration_are_not_kept() {
        let cache = DepartmentNames::default();
        let Err(generation) = cache.cached() else { panic!("nothing is cached at first") };
        cache.forget();
        cache.keep(generation, &names(&[("SCJ", "市场监管局")]));
        assert!(cache.cached().is_err(), "a read begun before the registration would show the old names");
        let Err(generation) = cache.cached() else { unreachable!() };
        cache.keep(generation, &names(&[("SCJ", "市场监督管理局")]));
        assert_eq!(cache.cached().ok().and_then(|n| n.get("SCJ").cloned()).as_deref(), Some("市场监督管理局"));
    }
}
