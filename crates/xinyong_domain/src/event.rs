//! Events: every change to public credit information is one of these, appended
//! to the tamper-evident log. Projections (the tables pages and APIs read) are
//! derived from events by [`Event::projection_writes`], a pure function, so
//! `xinyong verify` can replay the log and compare.
//!
//! The log itself does not hold the event body. It holds the canonical *entry*
//! ([`LogEntry`]): public metadata plus a salted SHA-256 commitment to the body.
//! Personal data can therefore be erased from the record store when the law
//! requires it without breaking the log; and the body of a public record can be
//! proven by handing out the body together with its salt.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::id_number::IdNumber;
use crate::intake::{AcceptedRecord, BatchSummary, FieldChange, RecordSubject, batch_writes, record_write};
use crate::listing::ExitReason;
use crate::listing::{
    self as lst, Ban, Interview, ListingProposal, ListingStatus, MeasurePush, ObjectionOutcome, ReceiptLine,
    ReportedCase,
};
use crate::org::{API_TOKENS, Department, DepartmentCode, RULE_SETS, USERS, User, department_write, user_write};
use crate::projection::{Cell, PERSONS, ProjectionWrite, RELATIONS, SUBJECTS};
use crate::sanction::ListKind;
use crate::subject::{LegalPerson, NaturalPerson, Relation, RelationRole, SubjectName, SubjectStatus};
use crate::uscc::Uscc;

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

/// A natural person holding a role in an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolder {
    pub role: RelationRole,
    pub person: NaturalPerson,
}

/// What happened. The serde tag is the event kind written to the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    /// An organisation became known to the platform, with the people who hold
    /// roles in it (at least the legal representative when the source has one).
    LegalPersonRegistered {
        subject: LegalPerson,
        people: Vec<RoleHolder>,
    },
    /// Name or status of a known organisation changed.
    LegalPersonUpdated {
        subject: LegalPerson,
    },
    /// A natural person became known on their own (e.g. a court dishonest debtor).
    NaturalPersonRegistered {
        person: NaturalPerson,
    },
    /// A role was given to a person.
    RelationAdded {
        relation: Relation,
        person_name: SubjectName,
    },
    /// A role ended.
    RelationEnded {
        relation: Relation,
    },
    /// A department joined the platform (or its details changed).
    DepartmentRegistered {
        department: Department,
    },
    /// A console user was created.
    UserCreated {
        user: User,
    },
    UserPasswordChanged {
        login: String,
        password_hash: String,
    },
    UserDisabled {
        login: String,
    },
    /// An API token for a department's system; only its SHA-256 is kept.
    ApiTokenIssued {
        token_id: String,
        department: DepartmentCode,
        label: String,
        secret_sha256: String,
    },
    ApiTokenRevoked {
        token_id: String,
    },
    /// A department's record was accepted (归集).
    RecordAccepted {
        record: AcceptedRecord,
    },
    /// A record was sent again with different content: the new version and the diff.
    RecordCorrected {
        record: AcceptedRecord,
        changes: Vec<FieldChange>,
    },
    /// A batch arrived: its counts and the rows that were rejected or warned about.
    BatchReceived {
        batch: BatchSummary,
    },
    /// A version of a rule set (catalog, publicity regimes, …) came into use.
    RulesPublished {
        rule_kind: String,
        version: String,
        sha256: String,
        text: String,
    },
    /// A department proposes to list a subject (拟列入).
    ListingProposed {
        proposal: ListingProposal,
        list_kind: ListKind,
    },
    /// The subject was told before listing (告知), with the objection window.
    ListingNoticeServed {
        listing_id: String,
        served_on: NaiveDate,
        objection_deadline: NaiveDate,
        /// How the notice was served (送达方式), e.g. 直接送达 / 邮寄 / 电子送达.
        channel: String,
    },
    /// The subject objected inside the window; the decision is held.
    ListingObjectionFiled {
        listing_id: String,
        objection_id: String,
        filed_on: NaiveDate,
        grounds: String,
        answer_due: NaiveDate,
    },
    ListingObjectionAnswered {
        listing_id: String,
        objection_id: String,
        answered_on: NaiveDate,
        outcome: ObjectionOutcome,
        reply: String,
    },
    /// The listing decision (列入决定): the subject is listed, the measures
    /// are pushed to their executing departments, and the liable people get
    /// personal records.
    ListingDecided {
        listing_id: String,
        list_code: String,
        subject: RecordSubject,
        decision_no: String,
        decided_on: NaiveDate,
        valid_from: NaiveDate,
        valid_until: Option<NaiveDate>,
        measures: Vec<String>,
        pushes: Vec<MeasurePush>,
        liable_people: Vec<RoleHolder>,
    },
    /// A proposal was dropped before a decision.
    ListingWithdrawn {
        listing_id: String,
        on: NaiveDate,
        reason: String,
    },
    /// A listing ended; its measures are lifted at every executor.
    ListingExited {
        listing_id: String,
        list_code: String,
        subject: RecordSubject,
        reason: ExitReason,
        on: NaiveDate,
        decision_no: Option<String>,
        note: String,
        lifts: Vec<MeasurePush>,
        liable_people: Vec<IdNumber>,
    },
    /// An executing department acknowledged a pushed measure (响应).
    MeasureAcknowledged {
        listing_id: String,
        push: MeasurePush,
        note: String,
    },
    /// An executing department reported how it applied a measure (反馈).
    MeasureExecuted {
        listing_id: String,
        push: MeasurePush,
        outcome: String,
        receipt_id: Option<String>,
        case_ref: Option<String>,
    },
    BanImposed {
        ban: Ban,
    },
    BanLifted {
        ban_id: String,
        on: NaiveDate,
        reason: String,
    },
    InterviewRecorded {
        interview: Interview,
    },
    /// A batch of credit-check receipts.
    ChecksRecorded {
        receipts: Vec<ReceiptLine>,
    },
    /// Cases a department handled (the denominator of 应查必查 coverage).
    CasesReported {
        department: DepartmentCode,
        cases: Vec<ReportedCase>,
    },
    /// A department's feed is delivered to this URL, signed with `secret`,
    /// starting after `from_cursor`.
    WebhookSet {
        department: DepartmentCode,
        url: String,
        secret: String,
        from_cursor: u64,
    },
    WebhookRemoved {
        department: DepartmentCode,
    },
    /// Feed items up to `cursor` reached the department's webhook.
    FeedDelivered {
        department: DepartmentCode,
        cursor: u64,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::LegalPersonRegistered { .. } => "legal_person_registered",
            EventBody::LegalPersonUpdated { .. } => "legal_person_updated",
            EventBody::NaturalPersonRegistered { .. } => "natural_person_registered",
            EventBody::RelationAdded { .. } => "relation_added",
            EventBody::RelationEnded { .. } => "relation_ended",
            EventBody::DepartmentRegistered { .. } => "department_registered",
            EventBody::UserCreated { .. } => "user_created",
            EventBody::UserPasswordChanged { .. } => "user_password_changed",
            EventBody::UserDisabled { .. } => "user_disabled",
            EventBody::ApiTokenIssued { .. } => "api_token_issued",
            EventBody::ApiTokenRevoked { .. } => "api_token_revoked",
            EventBody::RulesPublished { .. } => "rules_published",
            EventBody::RecordAccepted { .. } => "record_accepted",
            EventBody::RecordCorrected { .. } => "record_corrected",
            EventBody::BatchReceived { .. } => "batch_received",
            EventBody::ListingProposed { .. } => "listing_proposed",
            EventBody::ListingNoticeServed { .. } => "listing_notice_served",
            EventBody::ListingObjectionFiled { .. } => "listing_objection_filed",
            EventBody::ListingObjectionAnswered { .. } => "listing_objection_answered",
            EventBody::ListingDecided { .. } => "listing_decided",
            EventBody::ListingWithdrawn { .. } => "listing_withdrawn",
            EventBody::ListingExited { .. } => "listing_exited",
            EventBody::MeasureAcknowledged { .. } => "measure_acknowledged",
            EventBody::MeasureExecuted { .. } => "measure_executed",
            EventBody::BanImposed { .. } => "ban_imposed",
            EventBody::BanLifted { .. } => "ban_lifted",
            EventBody::InterviewRecorded { .. } => "interview_recorded",
            EventBody::ChecksRecorded { .. } => "checks_recorded",
            EventBody::CasesReported { .. } => "cases_reported",
            EventBody::WebhookSet { .. } => "webhook_set",
            EventBody::WebhookRemoved { .. } => "webhook_removed",
            EventBody::FeedDelivered { .. } => "feed_delivered",
        }
    }

    /// The legal-person subject named in the public entry. Natural persons are
    /// never named in the log: their events carry `-`.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            EventBody::LegalPersonRegistered { subject, .. } | EventBody::LegalPersonUpdated { subject } => {
                Some(subject.uscc.as_str())
            }
            EventBody::RelationAdded { relation, .. } | EventBody::RelationEnded { relation } => {
                Some(relation.organisation.as_str())
            }
            EventBody::NaturalPersonRegistered { .. }
            | EventBody::DepartmentRegistered { .. }
            | EventBody::UserCreated { .. }
            | EventBody::UserPasswordChanged { .. }
            | EventBody::UserDisabled { .. }
            | EventBody::ApiTokenIssued { .. }
            | EventBody::ApiTokenRevoked { .. }
            | EventBody::RulesPublished { .. }
            | EventBody::BatchReceived { .. } => None,
            EventBody::RecordAccepted { record } | EventBody::RecordCorrected { record, .. } => {
                (!record.subject.is_natural_person()).then_some(record.subject.key.as_str())
            }
            EventBody::ListingProposed { proposal, .. } => public_key(&proposal.subject),
            EventBody::ListingDecided { subject, .. } | EventBody::ListingExited { subject, .. } => public_key(subject),
            EventBody::BanImposed { ban } => public_key(&ban.subject),
            EventBody::InterviewRecorded { interview } => public_key(&interview.subject),
            // Steps that name only a listing id: the subject is in the
            // proposal's entry; repeating it here would add nothing.
            EventBody::ListingNoticeServed { .. }
            | EventBody::ListingObjectionFiled { .. }
            | EventBody::ListingObjectionAnswered { .. }
            | EventBody::ListingWithdrawn { .. }
            | EventBody::MeasureAcknowledged { .. }
            | EventBody::MeasureExecuted { .. }
            | EventBody::BanLifted { .. }
            | EventBody::ChecksRecorded { .. }
            | EventBody::CasesReported { .. }
            | EventBody::WebhookSet { .. }
            | EventBody::WebhookRemoved { .. }
            | EventBody::FeedDelivered { .. } => None,
        }
    }

    /// Canonical JSON of the body: serde's field order is the declaration order
    /// and maps are BTreeMaps, so the same body always gives the same bytes.
    pub fn canonical_json(&self) -> Vec<u8> {
        // Serialising these plain data types cannot fail (no non-string map keys,
        // no custom serialisers that error).
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The USCC of an organisation subject; natural persons are never named in the log.
fn public_key(subject: &RecordSubject) -> Option<&str> {
    (!subject.is_natural_person()).then_some(subject.key.as_str())
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
    pub fn new(actor: Actor, body: EventBody) -> NewEvent {
        NewEvent { actor, rules: RuleVersions::new(), body }
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
    pub fn entry(&self) -> LogEntry {
        self.entry_for_body_json(&self.body.canonical_json())
    }

    /// The entry, given the body's canonical JSON already serialised (the
    /// write path serialises each body once and stores the same bytes).
    pub fn entry_for_body_json(&self, body_json: &[u8]) -> LogEntry {
        LogEntry {
            index: self.seq,
            time: self.time,
            actor: self.actor.as_str().to_owned(),
            kind: self.body.kind().to_owned(),
            subject: self.body.public_subject().map(str::to_owned),
            rules: self.rules.clone(),
            body_commitment: body_commitment(&self.salt, body_json),
        }
    }

    /// The projection rows this event writes. Each write carries whole rows
    /// that depend only on this event, so replaying the log reproduces the
    /// tables exactly.
    pub fn projection_writes(&self) -> Vec<ProjectionWrite> {
        let seq = self.seq;
        let person =
            |p: &NaturalPerson| PersonRow { id_number: p.id_number.clone(), name: p.name.as_str().to_owned(), seq };
        match &self.body {
            EventBody::LegalPersonRegistered { subject, people } => {
                let mut writes = vec![SubjectRow::from_legal(subject, seq).write()];
                for holder in people {
                    writes.push(person(&holder.person).write());
                    let relation = Relation {
                        organisation: subject.uscc.clone(),
                        person: holder.person.id_number.clone(),
                        role: holder.role,
                    };
                    writes.push(RelationRow::from_relation(&relation, true, seq).write());
                }
                writes
            }
            EventBody::LegalPersonUpdated { subject } => {
                vec![SubjectRow::from_legal(subject, seq).write()]
            }
            EventBody::NaturalPersonRegistered { person: p } => vec![person(p).write()],
            EventBody::RelationAdded { relation, person_name } => vec![
                PersonRow { id_number: relation.person.clone(), name: person_name.as_str().to_owned(), seq }.write(),
                RelationRow::from_relation(relation, true, seq).write(),
            ],
            EventBody::DepartmentRegistered { department } => vec![department_write(department, seq)],
            EventBody::UserCreated { user } => vec![user_write(user, seq)],
            EventBody::UserPasswordChanged { login, password_hash } => vec![ProjectionWrite::update(
                &USERS,
                vec![Cell::text(login.as_str())],
                &[("password_hash", Cell::text(password_hash.as_str())), ("seq", Cell::int(seq))],
            )],
            EventBody::UserDisabled { login } => vec![ProjectionWrite::update(
                &USERS,
                vec![Cell::text(login.as_str())],
                &[("active", Cell::Int(0)), ("seq", Cell::int(seq))],
            )],
            EventBody::ApiTokenIssued { token_id, department, label, secret_sha256 } => {
                vec![ProjectionWrite::Upsert {
                    table: &API_TOKENS,
                    row: vec![
                        Cell::text(token_id.as_str()),
                        Cell::text(department.as_str()),
                        Cell::text(label.as_str()),
                        Cell::text(secret_sha256.as_str()),
                        Cell::Int(0),
                        Cell::int(seq),
                    ],
                }]
            }
            EventBody::ApiTokenRevoked { token_id } => vec![ProjectionWrite::update(
                &API_TOKENS,
                vec![Cell::text(token_id.as_str())],
                &[("revoked", Cell::Int(1)), ("seq", Cell::int(seq))],
            )],
            EventBody::RecordAccepted { record } | EventBody::RecordCorrected { record, .. } => {
                vec![record_write(record, seq)]
            }
            EventBody::BatchReceived { batch } => batch_writes(batch, seq),
            EventBody::RulesPublished { rule_kind, version, sha256, text } => vec![ProjectionWrite::Upsert {
                table: &RULE_SETS,
                row: vec![
                    Cell::text(rule_kind.as_str()),
                    Cell::text(version.as_str()),
                    Cell::text(sha256.as_str()),
                    Cell::text(text.as_str()),
                    Cell::int(seq),
                ],
            }],
            EventBody::RelationEnded { relation } => {
                vec![RelationRow::from_relation(relation, false, seq).write()]
            }
            _ => self.listing_writes(),
        }
    }

    /// Writes of the listing life cycle, the closed loop and the checks.
    fn listing_writes(&self) -> Vec<ProjectionWrite> {
        let seq = self.seq;
        let ms = self.time.timestamp_millis();
        match &self.body {
            EventBody::ListingProposed { proposal, list_kind } => {
                lst::proposal_writes(proposal, list_kind.as_str(), seq)
            }
            EventBody::ListingNoticeServed { listing_id, served_on, objection_deadline, .. } => {
                vec![lst::listing_update(
                    listing_id,
                    seq,
                    &[
                        ("status", lst::status_cell(ListingStatus::Noticed)),
                        ("notice_served_on", lst::date_cell(*served_on)),
                        ("objection_deadline", lst::date_cell(*objection_deadline)),
                    ],
                )]
            }
            EventBody::ListingObjectionFiled { listing_id, objection_id, filed_on, grounds, answer_due } => vec![
                ProjectionWrite::Upsert {
                    table: &lst::LISTING_OBJECTIONS,
                    row: vec![
                        Cell::text(objection_id.as_str()),
                        Cell::text(listing_id.as_str()),
                        lst::date_cell(*filed_on),
                        Cell::text(grounds.as_str()),
                        lst::date_cell(*answer_due),
                        Cell::Null,
                        Cell::Null,
                        Cell::Null,
                        Cell::int(seq),
                    ],
                },
                lst::listing_update(listing_id, seq, &[("status", lst::status_cell(ListingStatus::UnderObjection))]),
            ],
            EventBody::ListingObjectionAnswered { listing_id, objection_id, answered_on, outcome, reply } => {
                let status = match outcome {
                    ObjectionOutcome::Rejected => ListingStatus::Noticed,
                    ObjectionOutcome::Accepted => ListingStatus::Withdrawn,
                };
                let mut listing = vec![("status", lst::status_cell(status))];
                if *outcome == ObjectionOutcome::Accepted {
                    listing.push(("exited_on", lst::date_cell(*answered_on)));
                    listing.push(("exit_note", Cell::text(format!("异议成立：{reply}"))));
                }
                vec![
                    ProjectionWrite::update(
                        &lst::LISTING_OBJECTIONS,
                        vec![Cell::text(objection_id.as_str())],
                        &[
                            ("answered_on", lst::date_cell(*answered_on)),
                            ("outcome", Cell::text(outcome.as_str())),
                            ("reply", Cell::text(reply.as_str())),
                            ("seq", Cell::int(seq)),
                        ],
                    ),
                    lst::listing_update(listing_id, seq, &listing),
                ]
            }
            EventBody::ListingDecided {
                listing_id,
                list_code,
                subject,
                decision_no,
                decided_on,
                valid_from,
                valid_until,
                measures,
                pushes,
                liable_people,
            } => {
                let mut writes = vec![lst::listing_update(
                    listing_id,
                    seq,
                    &[
                        ("status", lst::status_cell(ListingStatus::Listed)),
                        ("decision_no", Cell::text(decision_no.as_str())),
                        ("decided_on", lst::date_cell(*decided_on)),
                        ("valid_from", lst::date_cell(*valid_from)),
                        ("valid_until", lst::opt_date_cell(*valid_until)),
                        ("measures", Cell::text(measures.join(" "))),
                    ],
                )];
                writes.extend(pushes.iter().map(|p| lst::push_write(listing_id, p, ms, seq)));
                for (department, dept_measures) in by_department(pushes) {
                    writes.push(lst::feed_write(
                        department,
                        "listed",
                        listing_id,
                        list_code,
                        subject,
                        &dept_measures,
                        *valid_until,
                        seq,
                    ));
                }
                writes.extend(
                    liable_people
                        .iter()
                        .map(|h| lst::person_record_write(h, listing_id, subject, list_code, *valid_until, seq)),
                );
                writes
            }
            EventBody::ListingWithdrawn { listing_id, on, reason } => vec![lst::listing_update(
                listing_id,
                seq,
                &[
                    ("status", lst::status_cell(ListingStatus::Withdrawn)),
                    ("exited_on", lst::date_cell(*on)),
                    ("exit_note", Cell::text(reason.as_str())),
                ],
            )],
            EventBody::ListingExited {
                listing_id,
                list_code,
                subject,
                reason,
                on,
                decision_no,
                note,
                lifts,
                liable_people,
            } => {
                let mut writes = vec![lst::listing_update(
                    listing_id,
                    seq,
                    &[
                        ("status", lst::status_cell(ListingStatus::Exited)),
                        ("exit_reason", Cell::text(reason.as_str())),
                        ("exited_on", lst::date_cell(*on)),
                        ("exit_decision_no", Cell::opt_text(decision_no.clone())),
                        ("exit_note", Cell::text(note.as_str())),
                    ],
                )];
                writes.extend(
                    lifts.iter().map(|p| lst::push_update(listing_id, p, seq, &[("lifted_ms", Cell::Int(ms))])),
                );
                for (department, dept_measures) in by_department(lifts) {
                    writes.push(lst::feed_write(
                        department,
                        "lifted",
                        listing_id,
                        list_code,
                        subject,
                        &dept_measures,
                        Some(*on),
                        seq,
                    ));
                }
                writes.extend(liable_people.iter().map(|id| lst::person_record_ended(id, listing_id, seq)));
                writes
            }
            EventBody::MeasureAcknowledged { listing_id, push, note } => vec![lst::push_update(
                listing_id,
                push,
                seq,
                &[("acked_ms", Cell::Int(ms)), ("ack_note", Cell::text(note.as_str()))],
            )],
            EventBody::MeasureExecuted { listing_id, push, outcome, receipt_id, case_ref } => {
                vec![lst::push_update(
                    listing_id,
                    push,
                    seq,
                    &[
                        ("executed_ms", Cell::Int(ms)),
                        ("outcome", Cell::text(outcome.as_str())),
                        ("receipt_id", Cell::opt_text(receipt_id.clone())),
                        ("case_ref", Cell::opt_text(case_ref.clone())),
                    ],
                )]
            }
            EventBody::BanImposed { ban } => vec![lst::ban_write(ban, seq)],
            EventBody::BanLifted { ban_id, on, reason } => vec![ProjectionWrite::update(
                &lst::BANS,
                vec![Cell::text(ban_id.as_str())],
                &[
                    ("lifted_on", lst::date_cell(*on)),
                    ("lift_reason", Cell::text(reason.as_str())),
                    ("seq", Cell::int(seq)),
                ],
            )],
            EventBody::InterviewRecorded { interview } => vec![lst::interview_write(interview, seq)],
            EventBody::ChecksRecorded { receipts } => receipts.iter().map(|r| lst::receipt_write(r, seq)).collect(),
            EventBody::CasesReported { department, cases } => {
                cases.iter().map(|c| lst::reported_case_write(department, c, seq)).collect()
            }
            EventBody::WebhookSet { department, url, secret, from_cursor } => vec![ProjectionWrite::Upsert {
                table: &lst::WEBHOOKS,
                row: vec![
                    Cell::text(department.as_str()),
                    Cell::text(url.as_str()),
                    Cell::text(secret.as_str()),
                    Cell::Int(1),
                    Cell::int(*from_cursor),
                    Cell::int(seq),
                ],
            }],
            EventBody::WebhookRemoved { department } => vec![ProjectionWrite::update(
                &lst::WEBHOOKS,
                vec![Cell::text(department.as_str())],
                &[("active", Cell::Int(0)), ("seq", Cell::int(seq))],
            )],
            EventBody::FeedDelivered { department, cursor } => vec![ProjectionWrite::update(
                &lst::WEBHOOKS,
                vec![Cell::text(department.as_str())],
                &[("delivered_cursor", Cell::int(*cursor)), ("seq", Cell::int(seq))],
            )],
            // The arms above in `projection_writes` handle every other kind.
            _ => Vec::new(),
        }
    }
}

/// Pushes grouped by department (sorted, so writes are deterministic).
fn by_department(pushes: &[MeasurePush]) -> Vec<(&DepartmentCode, Vec<String>)> {
    let mut map: BTreeMap<&DepartmentCode, Vec<String>> = BTreeMap::new();
    for p in pushes {
        map.entry(&p.department).or_default().push(p.measure.clone());
    }
    map.into_iter().collect()
}

/// `SHA-256(salt ‖ canonical body JSON)`.
pub fn body_commitment(salt: &[u8; 32], body_json: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(body_json);
    h.finalize().into()
}

/// One row of the `subjects` projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectRow {
    pub uscc: Uscc,
    pub name: String,
    pub status: SubjectStatus,
    /// Positions 3–8 of the USCC: the registering authority's division.
    pub division: String,
    /// Log index of the last event that wrote this row.
    pub seq: u64,
}

impl SubjectRow {
    fn from_legal(subject: &LegalPerson, seq: u64) -> SubjectRow {
        SubjectRow {
            uscc: subject.uscc.clone(),
            name: subject.name.as_str().to_owned(),
            status: subject.status,
            division: subject.uscc.division_code().to_owned(),
            seq,
        }
    }

    pub fn write(&self) -> ProjectionWrite {
        ProjectionWrite::Upsert {
            table: &SUBJECTS,
            row: vec![
                Cell::text(self.uscc.as_str()),
                Cell::text(self.name.as_str()),
                Cell::text(self.status.as_str()),
                Cell::text(self.division.as_str()),
                Cell::int(self.seq),
            ],
        }
    }

    /// Reads a stored row back; `None` when it no longer parses.
    pub fn from_cells(cells: &[Cell]) -> Option<SubjectRow> {
        match cells {
            [Cell::Text(uscc), Cell::Text(name), Cell::Text(status), Cell::Text(division), Cell::Int(seq)] => {
                Some(SubjectRow {
                    uscc: Uscc::try_from(uscc.clone()).ok()?,
                    name: name.clone(),
                    status: SubjectStatus::parse(status)?,
                    division: division.clone(),
                    seq: u64::try_from(*seq).ok()?,
                })
            }
            _ => None,
        }
    }
}

/// One row of the `persons` projection (never public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id_number: IdNumber,
    pub name: String,
    pub seq: u64,
}

impl PersonRow {
    pub fn write(&self) -> ProjectionWrite {
        ProjectionWrite::Upsert {
            table: &PERSONS,
            row: vec![Cell::text(self.id_number.as_str()), Cell::text(self.name.as_str()), Cell::int(self.seq)],
        }
    }

    pub fn from_cells(cells: &[Cell]) -> Option<PersonRow> {
        match cells {
            [Cell::Text(id), Cell::Text(name), Cell::Int(seq)] => Some(PersonRow {
                id_number: IdNumber::parse(id).ok()?,
                name: name.clone(),
                seq: u64::try_from(*seq).ok()?,
            }),
            _ => None,
        }
    }
}

/// One row of the `relations` projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationRow {
    pub uscc: Uscc,
    pub id_number: IdNumber,
    pub role: RelationRole,
    pub active: bool,
    pub seq: u64,
}

impl RelationRow {
    fn from_relation(relation: &Relation, active: bool, seq: u64) -> RelationRow {
        RelationRow {
            uscc: relation.organisation.clone(),
            id_number: relation.person.clone(),
            role: relation.role,
            active,
            seq,
        }
    }

    pub fn write(&self) -> ProjectionWrite {
        ProjectionWrite::Upsert {
            table: &RELATIONS,
            row: vec![
                Cell::text(self.uscc.as_str()),
                Cell::text(self.id_number.as_str()),
                Cell::text(self.role.as_str()),
                Cell::Int(i64::from(self.active)),
                Cell::int(self.seq),
            ],
        }
    }

    pub fn from_cells(cells: &[Cell]) -> Option<RelationRow> {
        match cells {
            [Cell::Text(uscc), Cell::Text(id), Cell::Text(role), Cell::Int(active), Cell::Int(seq)] => {
                Some(RelationRow {
                    uscc: Uscc::try_from(uscc.clone()).ok()?,
                    id_number: IdNumber::parse(id).ok()?,
                    role: RelationRole::parse(role)?,
                    active: *active != 0,
                    seq: u64::try_from(*seq).ok()?,
                })
            }
            _ => None,
        }
    }
}

/// The canonical log entry: the exact bytes whose RFC 6962 leaf hash is in the
/// tree. Format (UTF-8, each line ends with `\n`, documented in docs/LOG.md):
///
/// ```text
/// xinyong-entry/v1
/// index 42
/// time 2026-11-26T08:00:00.000Z
/// actor department:sjscjgj
/// kind legal_person_registered
/// subject 91370102MA3CXXXXXX      (or "-" when there is no public subject)
/// rules catalog=2026.1 regime=c   (or "-"; sorted key=value pairs)
/// body <base64 of SHA-256(salt ‖ canonical body JSON)>
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub index: u64,
    pub time: DateTime<Utc>,
    pub actor: String,
    pub kind: String,
    pub subject: Option<String>,
    pub rules: RuleVersions,
    pub body_commitment: [u8; 32],
}

pub const ENTRY_HEADER: &str = "xinyong-entry/v1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("entry line {line}: expected `{expected}`")]
    Malformed { line: usize, expected: &'static str },
    #[error("entry is not UTF-8")]
    NotUtf8,
}

impl LogEntry {
    pub fn to_bytes(&self) -> Vec<u8> {
        let rules = if self.rules.is_empty() {
            "-".to_owned()
        } else {
            self.rules.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
        };
        format!(
            "{ENTRY_HEADER}\nindex {}\ntime {}\nactor {}\nkind {}\nsubject {}\nrules {}\nbody {}\n",
            self.index,
            self.time.to_rfc3339_opts(SecondsFormat::Millis, true),
            self.actor,
            self.kind,
            self.subject.as_deref().unwrap_or("-"),
            rules,
            BASE64.encode(self.body_commitment),
        )
        .into_bytes()
    }

    pub fn parse(bytes: &[u8]) -> Result<LogEntry, EntryError> {
        let text = std::str::from_utf8(bytes).map_err(|_| EntryError::NotUtf8)?;
        let text = text.strip_suffix('\n').ok_or(EntryError::Malformed { line: 8, expected: "trailing newline" })?;
        let lines: Vec<&str> = text.split('\n').collect();
        let field = |i: usize, key: &'static str| -> Result<&str, EntryError> {
            lines
                .get(i)
                .and_then(|l| l.strip_prefix(key))
                .and_then(|l| l.strip_prefix(' '))
                .filter(|v| !v.is_empty() && !v.contains(' ') || key == "rules")
                .ok_or(EntryError::Malformed { line: i + 1, expected: key })
        };
        if lines.len() != 8 || lines[0] != ENTRY_HEADER {
            return Err(EntryError::Malformed { line: 1, expected: ENTRY_HEADER });
        }
        let index =
            field(1, "index")?.parse().map_err(|_| EntryError::Malformed { line: 2, expected: "index <u64>" })?;
        let time = DateTime::parse_from_rfc3339(field(2, "time")?)
            .map_err(|_| EntryError::Malformed { line: 3, expected: "time <RFC 3339>" })?
            .with_timezone(&Utc);
        let actor = field(3, "actor")?.to_owned();
        let kind = field(4, "kind")?.to_owned();
        let subject = match field(5, "subject")? {
            "-" => None,
            s => Some(s.to_owned()),
        };
        let mut rules = RuleVersions::new();
        let raw_rules = field(6, "rules")?;
        if raw_rules != "-" {
            for pair in raw_rules.split(' ') {
                let (k, v) =
                    pair.split_once('=').ok_or(EntryError::Malformed { line: 7, expected: "rules key=value ..." })?;
                rules.insert(k.to_owned(), v.to_owned());
            }
        }
        let commitment = BASE64
            .decode(field(7, "body")?)
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(EntryError::Malformed { line: 8, expected: "body <base64 SHA-256>" })?;
        Ok(LogEntry { index, time, actor, kind, subject, rules, body_commitment: commitment })
    }
}

/// Milliseconds since the Unix epoch → UTC time (storage keeps instants as i64 ms).
pub fn time_from_millis(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Event {
        Event {
            seq: 7,
            time: time_from_millis(1_764_000_000_123).unwrap(),
            actor: Actor::parse("department:scjgj").unwrap(),
            rules: RuleVersions::from([("catalog".to_owned(), "2026.1".to_owned())]),
            body: EventBody::LegalPersonRegistered {
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
            },
            salt: [9; 32],
        }
    }

    #[test]
    fn entry_round_trips_and_never_contains_personal_data() {
        let event = sample();
        let bytes = event.entry().to_bytes();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!text.contains("11010519491231002X"));
        assert!(!text.contains("张三"));
        assert!(text.contains("subject 91350100M000100Y43\n"));
        assert!(text.contains("rules catalog=2026.1\n"));
        assert_eq!(LogEntry::parse(&bytes).unwrap(), event.entry());
    }

    #[test]
    fn body_json_round_trips() {
        let event = sample();
        let json = event.body.canonical_json();
        let back: EventBody = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, event.body);
        assert_eq!(back.canonical_json(), json);
    }

    #[test]
    fn registration_projects_subject_person_and_relation() {
        let writes = sample().projection_writes();
        assert_eq!(writes.len(), 3);
        assert!(
            matches!(&writes[0], ProjectionWrite::Upsert { table, row } if table.name == "subjects" && row[3] == Cell::text("350100") && row[4] == Cell::Int(7))
        );
    }

    #[test]
    fn malformed_entries_are_errors_not_panics() {
        for bad in ["", "xinyong-entry/v1\n", "x\ny\n", "xinyong-entry/v1\nindex a\n"] {
            assert!(LogEntry::parse(bad.as_bytes()).is_err());
        }
    }

    #[test]
    fn actors_are_restricted_to_a_safe_alphabet() {
        assert!(Actor::parse("department:370100-scjgj").is_ok());
        assert!(Actor::parse("has space").is_err());
        assert!(Actor::parse("").is_err());
    }
}
