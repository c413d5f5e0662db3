//! Events: every change to public credit information is one of these, appended
//! to the tamper-evident log. Each bounded context owns its event type (in its
//! folder's `events.rs`) and says there, in an exhaustive match, which
//! projection rows each kind writes; [`EventBody`] only composes them. The
//! serde tag (`kind`) and the fields of every kind are those of the first
//! wave's flat enum, so the canonical body bytes, and with them every log
//! entry, leaf hash and checkpoint, are unchanged (see
//! `crates/xinyong/tests/compat.rs`).
//!
//! The log itself does not hold the event body. It holds the canonical *entry*
//! ([`crate::log::LogEntry`]): public metadata plus a salted SHA-256 commitment
//! to the body. Personal data can therefore be erased from the record store
//! when the law requires it without breaking the log; and the body of a public
//! record can be proven by handing out the body together with its salt.
//!
//! Exhaustiveness is the point: every context's `writes`, every follower's
//! `wants`/`apply` and the dispatch here match without a `_` arm (and
//! `clippy::wildcard_enum_match_arm` is denied on them), so a kind added to a
//! context does not compile until each of them says what it does with it.
//! A match that forgets a kind is an error:
//!
//! ```compile_fail,E0004
//! use xinyong_domain::subjects::SubjectsEvent;
//!
//! fn writes(event: &SubjectsEvent) -> usize {
//!     match event {
//!         SubjectsEvent::LegalPersonRegistered { .. } => 1,
//!         // LegalPersonUpdated, NaturalPersonRegistered, RelationAdded and
//!         // RelationEnded are not handled: error[E0004].
//!     }
//! }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use strum::VariantArray as _;

use crate::agencies::{AgenciesEvent, AgenciesKind};
use crate::auth::{AuthEvent, AuthKind};
use crate::campaigns::{CampaignsEvent, CampaignsKind};
use crate::checks::{ChecksEvent, ChecksKind};
use crate::closed_loop::{ClosedLoopEvent, ClosedLoopKind};
use crate::collection::{CollectionEvent, CollectionKind};
use crate::commitments::{CommitmentsEvent, CommitmentsKind};
use crate::evaluation::{EvaluationEvent, EvaluationKind};
use crate::inspections::{InspectionsEvent, InspectionsKind};
use crate::lists::{ListsEvent, ListsKind};
use crate::log::{EntryVersion, LogEntry, LogEvent, LogKind, body_commitment};
use crate::notices::{NoticesEvent, NoticesKind};
use crate::objections::{ObjectionsEvent, ObjectionsKind};
use crate::projection::{ProjectionError, ProjectionWrite, TableSpec};
use crate::registrations::{RegistrationsEvent, RegistrationsKind};
use crate::repair::{RepairEvent, RepairKind};
use crate::reports::{ReportsEvent, ReportsKind};
use crate::rules::{RulesEvent, RulesKind};
use crate::subjects::{SubjectsEvent, SubjectsKind};
use crate::subscriptions::{SubscriptionsEvent, SubscriptionsKind};

/// Who caused an event: `system`, `demo`, `department:<code>`, `user:<login>`,
/// `token:<id>`. Lower-case ASCII so it can sit in the entry line format.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Actor(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("操作者标识无效：{0:?}(只允许小写字母、数字和 _ : . - @,1–64 个字符)")]
pub struct ActorError(String);

impl Actor {
    pub fn parse(raw: &str) -> Result<Actor, ActorError> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_:.-@".contains(&b));
        if ok { Ok(Actor(raw.to_owned())) } else { Err(ActorError(raw.to_owned())) }
    }

    pub fn system() -> Actor {
        Actor("system".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Actor {
    type Error = ActorError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Actor::parse(&value)
    }
}

impl From<Actor> for String {
    fn from(value: Actor) -> Self {
        value.0
    }
}

/// What happened: one context's event. Serialised as that context's event
/// (`{"kind": "...", ...}`), with no wrapper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventBody {
    Subjects(SubjectsEvent),
    Auth(AuthEvent),
    Rules(RulesEvent),
    Collection(CollectionEvent),
    Lists(ListsEvent),
    Checks(ChecksEvent),
    ClosedLoop(ClosedLoopEvent),
    Objections(ObjectionsEvent),
    Repair(RepairEvent),
    Evaluation(EvaluationEvent),
    Subscriptions(SubscriptionsEvent),
    Inspections(InspectionsEvent),
    Campaigns(CampaignsEvent),
    Commitments(CommitmentsEvent),
    Registrations(RegistrationsEvent),
    Notices(NoticesEvent),
    Reports(ReportsEvent),
    Agencies(AgenciesEvent),
    Log(LogEvent),
}

/// The kind of an event, typed: what followers subscribe to and the
/// `kind` line of the log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    Subjects(SubjectsKind),
    Auth(AuthKind),
    Rules(RulesKind),
    Collection(CollectionKind),
    Lists(ListsKind),
    Checks(ChecksKind),
    ClosedLoop(ClosedLoopKind),
    Objections(ObjectionsKind),
    Repair(RepairKind),
    Evaluation(EvaluationKind),
    Subscriptions(SubscriptionsKind),
    Inspections(InspectionsKind),
    Campaigns(CampaignsKind),
    Commitments(CommitmentsKind),
    Registrations(RegistrationsKind),
    Notices(NoticesKind),
    Reports(ReportsKind),
    Agencies(AgenciesKind),
    Log(LogKind),
}

/// Where and when an event sits in the log: what its projection writes may use
/// besides the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventMeta {
    /// Log index; the `seq` of every row the event writes.
    pub seq: u64,
    pub time: DateTime<Utc>,
}

impl EventMeta {
    /// The event time in milliseconds since the epoch (how instants are stored).
    pub fn time_ms(&self) -> i64 {
        self.time.timestamp_millis()
    }
}

macro_rules! compose {
    ($($variant:ident($event:ty, $kind:ty)),+ $(,)?) => {
        $(
            impl From<$event> for EventBody {
                fn from(e: $event) -> EventBody {
                    EventBody::$variant(e)
                }
            }

            impl From<$kind> for EventKind {
                fn from(k: $kind) -> EventKind {
                    EventKind::$variant(k)
                }
            }
        )+

        #[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
        impl EventBody {
            pub fn kind(&self) -> EventKind {
                match self {
                    $(EventBody::$variant(e) => EventKind::$variant(e.into()),)+
                }
            }

            /// The legal-person subject named in the public entry. Natural
            /// persons are never named in the log: their events carry `-`.
            pub fn public_subject(&self) -> Option<&str> {
                match self {
                    $(EventBody::$variant(e) => e.public_subject(),)+
                }
            }

            /// The projection rows this event writes. Each write carries rows
            /// that depend only on this event, so replaying the log reproduces
            /// the tables exactly.
            pub fn projection_writes(&self, meta: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
                match self {
                    $(EventBody::$variant(e) => e.writes(meta),)+
                }
            }

            /// Parses a stored body whose kind is known (the `kind` column),
            /// without first reading the JSON into a generic value.
            pub fn from_json(kind: EventKind, json: &str) -> Result<EventBody, serde_json::Error> {
                match kind {
                    $(EventKind::$variant(_) => serde_json::from_str::<$event>(json).map(EventBody::$variant),)+
                }
            }
        }

        impl Serialize for EventBody {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(EventBody::$variant(e) => e.serialize(s),)+
                }
            }
        }

        impl EventKind {
            /// The snake_case name: the serde tag and the entry's `kind` line.
            pub fn name(self) -> &'static str {
                match self {
                    $(EventKind::$variant(k) => k.into(),)+
                }
            }

            /// Every kind, context by context.
            pub fn all() -> &'static [EventKind] {
                static ALL: LazyLock<Vec<EventKind>> = LazyLock::new(|| {
                    let mut all = Vec::new();
                    $(all.extend(<$kind>::VARIANTS.iter().map(|k| EventKind::$variant(*k)));)+
                    all
                });
                &ALL
            }
        }
    };
}

compose!(
    Subjects(SubjectsEvent, SubjectsKind),
    Auth(AuthEvent, AuthKind),
    Rules(RulesEvent, RulesKind),
    Collection(CollectionEvent, CollectionKind),
    Lists(ListsEvent, ListsKind),
    Checks(ChecksEvent, ChecksKind),
    ClosedLoop(ClosedLoopEvent, ClosedLoopKind),
    Objections(ObjectionsEvent, ObjectionsKind),
    Repair(RepairEvent, RepairKind),
    Evaluation(EvaluationEvent, EvaluationKind),
    Subscriptions(SubscriptionsEvent, SubscriptionsKind),
    Inspections(InspectionsEvent, InspectionsKind),
    Campaigns(CampaignsEvent, CampaignsKind),
    Commitments(CommitmentsEvent, CommitmentsKind),
    Registrations(RegistrationsEvent, RegistrationsKind),
    Notices(NoticesEvent, NoticesKind),
    Reports(ReportsEvent, ReportsKind),
    Agencies(AgenciesEvent, AgenciesKind),
    Log(LogEvent, LogKind),
);

impl EventKind {
    /// The kind named `name` (an entry's `kind` line), if there is one.
    pub fn parse(name: &str) -> Option<EventKind> {
        static BY_NAME: LazyLock<HashMap<&'static str, EventKind>> =
            LazyLock::new(|| EventKind::all().iter().map(|k| (k.name(), *k)).collect());
        BY_NAME.get(name).copied()
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl<'de> Deserialize<'de> for EventBody {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let value = serde_json::Value::deserialize(d)?;
        let name =
            value.get("kind").and_then(serde_json::Value::as_str).ok_or_else(|| D::Error::missing_field("kind"))?;
        let kind = EventKind::parse(name).ok_or_else(|| D::Error::custom(format!("unknown event kind {name:?}")))?;
        let parsed = match kind {
            EventKind::Subjects(_) => SubjectsEvent::deserialize(value).map(EventBody::Subjects),
            EventKind::Auth(_) => AuthEvent::deserialize(value).map(EventBody::Auth),
            EventKind::Rules(_) => RulesEvent::deserialize(value).map(EventBody::Rules),
            EventKind::Collection(_) => CollectionEvent::deserialize(value).map(EventBody::Collection),
            EventKind::Lists(_) => ListsEvent::deserialize(value).map(EventBody::Lists),
            EventKind::Checks(_) => ChecksEvent::deserialize(value).map(EventBody::Checks),
            EventKind::ClosedLoop(_) => ClosedLoopEvent::deserialize(value).map(EventBody::ClosedLoop),
            EventKind::Objections(_) => ObjectionsEvent::deserialize(value).map(EventBody::Objections),
            EventKind::Repair(_) => RepairEvent::deserialize(value).map(EventBody::Repair),
            EventKind::Evaluation(_) => EvaluationEvent::deserialize(value).map(EventBody::Evaluation),
            EventKind::Subscriptions(_) => SubscriptionsEvent::deserialize(value).map(EventBody::Subscriptions),
            EventKind::Inspections(_) => InspectionsEvent::deserialize(value).map(EventBody::Inspections),
            EventKind::Campaigns(_) => CampaignsEvent::deserialize(value).map(EventBody::Campaigns),
            EventKind::Commitments(_) => CommitmentsEvent::deserialize(value).map(EventBody::Commitments),
            EventKind::Registrations(_) => RegistrationsEvent::deserialize(value).map(EventBody::Registrations),
            EventKind::Notices(_) => NoticesEvent::deserialize(value).map(EventBody::Notices),
            EventKind::Reports(_) => ReportsEvent::deserialize(value).map(EventBody::Reports),
            EventKind::Agencies(_) => AgenciesEvent::deserialize(value).map(EventBody::Agencies),
            EventKind::Log(_) => LogEvent::deserialize(value).map(EventBody::Log),
        };
        parsed.map_err(D::Error::custom)
    }
}

impl EventBody {
    /// The kind's snake_case name (the serde tag).
    pub fn kind_name(&self) -> &'static str {
        self.kind().name()
    }

    /// The entry format new events of this kind are written in: records get
    /// per-field commitments (v2) so their public fields can be proven one by
    /// one; every other kind opens whole or not at all (v1).
    pub fn entry_version(&self) -> EntryVersion {
        match self {
            EventBody::Collection(CollectionEvent::RecordAccepted { .. } | CollectionEvent::RecordCorrected { .. })
            | EventBody::Reports(ReportsEvent::StatusMapCommitted { .. }) => EntryVersion::V2,
            _ => EntryVersion::V1,
        }
    }

    /// Canonical JSON of the body: serde's field order is the declaration order
    /// and maps are BTreeMaps, so the same body always gives the same bytes.
    pub fn canonical_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }
}

/// Every projection table, in the order `verify` checks them.
pub fn all_tables() -> &'static [&'static TableSpec] {
    static ALL: LazyLock<Vec<&'static TableSpec>> = LazyLock::new(|| {
        [
            crate::subjects::tables(),
            crate::auth::tables(),
            crate::rules::tables(),
            crate::collection::tables(),
            crate::lists::tables(),
            crate::checks::tables(),
            crate::closed_loop::tables(),
            crate::objections::tables(),
            crate::repair::tables(),
            crate::evaluation::tables(),
            crate::subscriptions::tables(),
            crate::inspections::tables(),
            crate::campaigns::tables(),
            crate::commitments::tables(),
            crate::registrations::tables(),
            crate::notices::tables(),
            crate::reports::tables(),
            crate::agencies::tables(),
            crate::log::tables(),
        ]
        .concat()
    });
    &ALL
}

/// Rule-set versions an event was decided under, e.g. `catalog=2026.1`.
pub type RuleVersions = BTreeMap<String, String>;

/// An event not yet in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub actor: Actor,
    pub rules: RuleVersions,
    pub body: EventBody,
}

impl NewEvent {
    pub fn new(actor: Actor, body: impl Into<EventBody>) -> NewEvent {
        NewEvent { actor, rules: RuleVersions::new(), body: body.into() }
    }
}

/// An event in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// 0-based index in the log; equals the Merkle tree leaf index.
    pub seq: u64,
    pub time: DateTime<Utc>,
    pub actor: Actor,
    pub rules: RuleVersions,
    pub body: EventBody,
    /// 32 secret bytes; with the body they open the entry's commitment.
    pub salt: [u8; 32],
}

impl Event {
    pub fn meta(&self) -> EventMeta {
        EventMeta { seq: self.seq, time: self.time }
    }

    /// The entry in the version this body is written in today.
    pub fn entry(&self) -> Result<LogEntry, serde_json::Error> {
        self.entry_as(self.body.entry_version(), &self.body.canonical_json()?)
    }

    /// The entry in `version`, given the body's canonical JSON already
    /// serialised (the write path serialises each body once and stores the
    /// same bytes; `verify` recomputes each entry in its stored version).
    pub fn entry_as(&self, version: EntryVersion, body_json: &[u8]) -> Result<LogEntry, serde_json::Error> {
        let field_digests = match version {
            EntryVersion::V1 => None,
            EntryVersion::V2 => Some(crate::log::disclosure::field_digests(&self.salt, body_json)?),
        };
        Ok(LogEntry {
            index: self.seq,
            time: self.time,
            actor: self.actor.as_str().to_owned(),
            kind: self.body.kind_name().to_owned(),
            subject: self.body.public_subject().map(str::to_owned),
            rules: self.rules.clone(),
            body_commitment: body_commitment(&self.salt, body_json),
            field_digests,
        })
    }

    /// The projection rows this event writes (see [`EventBody::projection_writes`]).
    pub fn projection_writes(&self) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        self.body.projection_writes(self.meta())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::id_number::IdNumber;
    use crate::codes::uscc::Uscc;
    use crate::log::time_from_millis;
    use crate::projection::Cell;
    use crate::subjects::{LegalPerson, NaturalPerson, RelationRole, RoleHolder, SubjectName, SubjectStatus};

    fn sample() -> Event {
        Event {
            seq: 7,
            time: time_from_millis(1_764_000_000_123).unwrap(),
            actor: Actor::parse("department:scjgj").unwrap(),
            rules: RuleVersions::from([("catalog".to_owned(), "2026.1".to_owned())]),
            body: SubjectsEvent::LegalPersonRegistered {
                subject: LegalPerson {
                    uscc: Uscc::parse("91350100M000100Y43").unwrap(),
                    name: SubjectName::parse("福建某某有限公司").unwrap(),
                    status: SubjectStatus::Active,
                },
                people: vec![RoleHolder {
                    role: RelationRole::LegalRepresentative,
                    person: NaturalPerson {
                        id_number: IdNumber::parse("11010519491231002X").unwrap(),
                        name: SubjectName::parse("张三").unwrap(),
                    },
                }],
            }
            .into(),
            salt: [9; 32],
        }
    }

    #[test]
    fn entry_round_trips_and_never_contains_personal_data() {
        let event = sample();
        let bytes = event.entry().unwrap().to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("11010519491231002X"));
        assert!(!text.contains("张三"));
        assert!(text.contains("kind legal_person_registered\n"));
        assert!(text.contains("subject 91350100M000100Y43\n"));
        assert!(text.contains("rules catalog=2026.1\n"));
        assert_eq!(LogEntry::parse(&bytes).unwrap(), event.entry().unwrap());
    }

    #[test]
    fn body_json_round_trips_without_a_wrapper() {
        let event = sample();
        let json = event.body.canonical_json().unwrap();
        assert!(json.starts_with(br#"{"kind":"legal_person_registered","subject":"#));
        let back: EventBody = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, event.body);
        assert_eq!(back.canonical_json().unwrap(), json);
        let kind = EventKind::parse("legal_person_registered").unwrap();
        let direct = EventBody::from_json(kind, std::str::from_utf8(&json).unwrap()).unwrap();
        assert_eq!(direct, event.body);
    }

    #[test]
    fn every_kind_name_is_the_serde_tag_of_its_context() {
        // 32 kinds in the first wave; names are unique across contexts.
        assert!(EventKind::all().len() >= 32);
        let mut names: Vec<&str> = EventKind::all().iter().map(|k| k.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EventKind::all().len(), "two contexts share a kind name");
        for kind in EventKind::all() {
            assert_eq!(EventKind::parse(kind.name()), Some(*kind));
            // The tag is known to serde: what fails is a missing field, never the tag.
            let err = serde_json::from_str::<EventBody>(&format!(r#"{{"kind":"{}"}}"#, kind.name()))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(!err.contains("unknown variant") && !err.contains("unknown event kind"), "{kind}: {err}");
        }
        let err = serde_json::from_str::<EventBody>(r#"{"kind":"no_such_kind"}"#).unwrap_err().to_string();
        assert!(err.contains("unknown event kind"), "{err}");
    }

    #[test]
    fn registration_projects_subject_person_and_relation() {
        let writes = sample().projection_writes().unwrap();
        assert_eq!(writes.len(), 3);
        assert!(
            matches!(&writes[0], ProjectionWrite::Upsert { table, row } if table.name == "subjects" && row[3] == Cell::text("350100") && row[4] == Cell::Int(7))
        );
    }

    #[test]
    fn every_table_ends_with_seq_and_has_a_key() {
        use crate::projection::ColumnKind;
        for t in all_tables() {
            assert!(t.key_len >= 1 && t.key_len < t.columns.len(), "{}", t.name);
            assert_eq!(t.columns.last().map(|c| c.name), Some("seq"), "{}", t.name);
            assert_eq!(t.columns.last().map(|c| c.kind), Some(ColumnKind::Int));
        }
        let mut names: Vec<&str> = all_tables().iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all_tables().len());
    }

    #[test]
    fn actors_are_restricted_to_a_safe_alphabet() {
        assert!(Actor::parse("department:370100-scjgj").is_ok());
        assert!(Actor::parse("has space").is_err());
        assert!(Actor::parse("").is_err());
    }
}
