//! What happens in the listing life cycle, to bans and interviews, and the
//! rows each kind writes (including the closed loop's pushes and feed items,
//! which a decision and an exit start and end).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;
use crate::closed_loop::{FEED_LIFTED, FEED_LISTED, FeedItemRow, MeasurePush, PushRow};
use crate::codes::id_number::IdNumber;
use crate::collection::RecordSubject;
use crate::event::EventMeta;
use crate::lists::sanction::ListKind;
use crate::lists::{
    Ban, BanRow, ExitReason, Interview, InterviewRow, ListingProposal, ListingRow, ListingStatus, ObjectionOutcome,
    ObjectionRow, PersonalRecordRow,
};
use crate::projection::{Joined, ProjectionError, ProjectionWrite, Row as _};
use crate::subjects::RoleHolder;

/// Events of the lists context. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(ListsKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum ListsEvent {
    /// A department proposes to list a subject (拟列入).
    ListingProposed {
        proposal: ListingProposal,
        list_kind: ListKind,
        /// The console user who proposed (`user:<login>`): the decision must
        /// be someone else's (four eyes). Absent in entries written before
        /// the rule, and for proposals by the platform itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        proposed_by: Option<String>,
    },
    /// The subject was told before listing (告知), with the objection window.
    ListingNoticeServed {
        listing_id: String,
        served_on: NaiveDate,
        objection_deadline: NaiveDate,
        /// How the notice was served (送达方式), e.g. 直接送达 / 邮寄 / 电子送达.
        channel: String,
    },
    /// The subject waived its objection (陈述、申辩) in writing: the decision
    /// need not wait for the window to end.
    ListingObjectionWaived {
        listing_id: String,
        waived_on: NaiveDate,
        /// The written waiver: its reference, or the account's own statement.
        statement: String,
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
}

/// The USCC of an organisation subject; natural persons are never named in the log.
fn public_key(subject: &RecordSubject) -> Option<&str> {
    (!subject.is_natural_person()).then_some(subject.key.as_str())
}

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl ListsEvent {
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            ListsEvent::ListingProposed { proposal, .. } => public_key(&proposal.subject),
            ListsEvent::ListingDecided { subject, .. } | ListsEvent::ListingExited { subject, .. } => {
                public_key(subject)
            }
            ListsEvent::BanImposed { ban } => public_key(&ban.subject),
            ListsEvent::InterviewRecorded { interview } => public_key(&interview.subject),
            // Steps that name only a listing or ban id: the subject is in the
            // proposal's (or the ban's) entry; repeating it would add nothing.
            ListsEvent::ListingNoticeServed { .. }
            | ListsEvent::ListingObjectionFiled { .. }
            | ListsEvent::ListingObjectionWaived { .. }
            | ListsEvent::ListingObjectionAnswered { .. }
            | ListsEvent::ListingWithdrawn { .. }
            | ListsEvent::BanLifted { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        match self {
            ListsEvent::ListingProposed { proposal, list_kind, proposed_by } => {
                Ok(vec![proposed_row(proposal, list_kind, proposed_by.as_deref(), seq).upsert()?])
            }
            ListsEvent::ListingNoticeServed { listing_id, served_on, objection_deadline, .. } => {
                let listing = ListingRow::key(listing_id).update(seq).status(ListingStatus::Noticed);
                let listing = listing.notice_served_on(Some(*served_on));
                Ok(vec![listing.objection_deadline(Some(*objection_deadline)).write()?])
            }
            ListsEvent::ListingObjectionWaived { listing_id, waived_on, .. } => {
                Ok(vec![ListingRow::key(listing_id).update(seq).objection_waived_on(Some(*waived_on)).write()?])
            }
            ListsEvent::ListingObjectionFiled { listing_id, objection_id, filed_on, grounds, answer_due } => {
                let objection = ObjectionRow {
                    objection_id: objection_id.clone(),
                    listing_id: listing_id.clone(),
                    filed_on: *filed_on,
                    grounds: grounds.clone(),
                    answer_due: *answer_due,
                    answered_on: None,
                    outcome: None,
                    reply: None,
                    seq,
                };
                // The decision waits for the answer.
                let listing = ListingRow::key(listing_id).update(seq).status(ListingStatus::UnderObjection);
                Ok(vec![objection.upsert()?, listing.write()?])
            }
            ListsEvent::ListingObjectionAnswered { listing_id, objection_id, answered_on, outcome, reply } => {
                objection_answered(listing_id, objection_id, *answered_on, *outcome, reply, seq)
            }
            ListsEvent::ListingDecided {
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
                let listing = ListingRow::key(listing_id).update(seq).status(ListingStatus::Listed);
                let listing = listing.decision_no(Some(decision_no.clone())).decided_on(Some(*decided_on));
                let listing = listing.valid_from(Some(*valid_from)).valid_until(*valid_until);
                let mut writes = vec![listing.measures(Some(Joined(measures.clone()))).write()?];
                let listing = Listing { id: listing_id, list_code, subject };
                writes.extend(pushes_started(&listing, *valid_until, pushes, liable_people, at)?);
                Ok(writes)
            }
            ListsEvent::ListingWithdrawn { listing_id, on, reason } => {
                let listing = ListingRow::key(listing_id).update(seq).status(ListingStatus::Withdrawn);
                Ok(vec![listing.exited_on(Some(*on)).exit_note(Some(reason.clone())).write()?])
            }
            ListsEvent::ListingExited {
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
                let listing = ListingRow::key(listing_id).update(seq).status(ListingStatus::Exited);
                let listing = listing.exit_reason(Some(*reason)).exited_on(Some(*on));
                let mut writes =
                    vec![listing.exit_decision_no(decision_no.clone()).exit_note(Some(note.clone())).write()?];
                let listing = Listing { id: listing_id, list_code, subject };
                writes.extend(pushes_lifted(&listing, *on, lifts, liable_people, at)?);
                Ok(writes)
            }
            ListsEvent::BanImposed { ban } => Ok(vec![ban_row(ban, seq).upsert()?]),
            ListsEvent::BanLifted { ban_id, on, reason } => Ok(vec![
                BanRow::key(ban_id).update(seq).lifted_on(Some(*on)).lift_reason(Some(reason.clone())).write()?,
            ]),
            ListsEvent::InterviewRecorded { interview } => Ok(vec![interview_row(interview, seq).upsert()?]),
        }
    }
}

/// `listing_objection_answered`: the objection's answer; a rejected objection
/// lets the procedure go on, an accepted one withdraws the proposal.
fn objection_answered(
    listing_id: &str,
    objection_id: &str,
    answered_on: NaiveDate,
    outcome: ObjectionOutcome,
    reply: &str,
    seq: u64,
) -> Result<Vec<ProjectionWrite>, ProjectionError> {
    let objection = ObjectionRow::key(objection_id)
        .update(seq)
        .answered_on(Some(answered_on))
        .outcome(Some(outcome))
        .reply(Some(reply.to_owned()));
    let listing = match outcome {
        ObjectionOutcome::Rejected => ListingRow::key(listing_id).update(seq).status(ListingStatus::Noticed),
        ObjectionOutcome::Accepted => ListingRow::key(listing_id)
            .update(seq)
            .status(ListingStatus::Withdrawn)
            .exited_on(Some(answered_on))
            .exit_note(Some(format!("异议成立：{reply}"))),
    };
    Ok(vec![objection.write()?, listing.write()?])
}

/// The listing a decision or an exit is about, as its pushes and feed items name it.
struct Listing<'a> {
    id: &'a str,
    list_code: &'a str,
    subject: &'a RecordSubject,
}

/// What a decision starts besides the listing row: one push per measure and
/// executing department, one feed item per department, one personal record
/// per liable person.
fn pushes_started(
    listing: &Listing<'_>,
    valid_until: Option<NaiveDate>,
    pushes: &[MeasurePush],
    liable_people: &[RoleHolder],
    at: EventMeta,
) -> Result<Vec<ProjectionWrite>, ProjectionError> {
    let mut writes = Vec::new();
    for push in pushes {
        writes.push(PushRow::pushed(listing.id, push, at).upsert()?);
    }
    for (department, measures) in by_department(pushes) {
        let names = (listing.id, listing.list_code);
        let item = FeedItemRow::new(department, FEED_LISTED, names, listing.subject, measures, valid_until, at);
        writes.push(item.upsert()?);
    }
    for holder in liable_people {
        let record = PersonalRecordRow {
            id_number: holder.person.id_number.clone(),
            listing_id: listing.id.to_owned(),
            role: holder.role,
            person_name: holder.person.name.as_str().to_owned(),
            uscc: listing.subject.key.clone(),
            organisation_name: listing.subject.name.clone(),
            list_code: listing.list_code.to_owned(),
            valid_until,
            active: true,
            seq: at.seq,
        };
        writes.push(record.upsert()?);
    }
    Ok(writes)
}

/// What an exit ends besides the listing row: its pushes lifted, a `lifted`
/// feed item per department, the liable people's personal records.
fn pushes_lifted(
    listing: &Listing<'_>,
    on: NaiveDate,
    lifts: &[MeasurePush],
    liable_people: &[IdNumber],
    at: EventMeta,
) -> Result<Vec<ProjectionWrite>, ProjectionError> {
    let mut writes = Vec::new();
    for push in lifts {
        writes.push(PushRow::key_of(listing.id, push).update(at.seq).lifted_ms(Some(at.time_ms())).write()?);
    }
    for (department, measures) in by_department(lifts) {
        let names = (listing.id, listing.list_code);
        let item = FeedItemRow::new(department, FEED_LIFTED, names, listing.subject, measures, Some(on), at);
        writes.push(item.upsert()?);
    }
    for id in liable_people {
        writes.push(PersonalRecordRow::key(id, listing.id).update(at.seq).active(false).write()?);
    }
    Ok(writes)
}

/// Pushes grouped by department (sorted, so writes are deterministic).
fn by_department(pushes: &[MeasurePush]) -> Vec<(&DepartmentCode, Vec<String>)> {
    let mut map: BTreeMap<&DepartmentCode, Vec<String>> = BTreeMap::new();
    for p in pushes {
        map.entry(&p.department).or_default().push(p.measure.clone());
    }
    map.into_iter().collect()
}

fn proposed_row(p: &ListingProposal, list_kind: &ListKind, proposed_by: Option<&str>, seq: u64) -> ListingRow {
    ListingRow {
        listing_id: p.id.clone(),
        list_code: p.list_code.clone(),
        list_kind: list_kind.as_str().to_owned(),
        subject_kind: p.subject.kind.clone(),
        subject_key: p.subject.key.clone(),
        subject_name: p.subject.name.clone(),
        department: p.department.clone(),
        status: ListingStatus::Proposed,
        reason: p.reason.clone(),
        facts: p.facts.clone(),
        legal_basis: p.legal_basis.clone(),
        source_records: Joined(p.source_records.clone()),
        lists_version: p.lists_version.clone(),
        proposed_on: p.proposed_on,
        notice_served_on: None,
        objection_deadline: None,
        decision_no: None,
        decided_on: None,
        valid_from: None,
        valid_until: None,
        measures: None,
        exit_reason: None,
        exited_on: None,
        exit_decision_no: None,
        exit_note: None,
        proposed_by: proposed_by.map(str::to_owned),
        objection_waived_on: None,
        seq,
    }
}

fn ban_row(ban: &Ban, seq: u64) -> BanRow {
    BanRow {
        ban_id: ban.id.clone(),
        subject_kind: ban.subject.kind.clone(),
        subject_key: ban.subject.key.clone(),
        subject_name: ban.subject.name.clone(),
        scope: ban.scope,
        field: ban.field.clone(),
        description: ban.description.clone(),
        basis: ban.basis.clone(),
        department: ban.department.clone(),
        decision_no: ban.decision_no.clone(),
        starts_on: ban.starts_on,
        ends_on: ban.ends_on,
        listing_id: ban.listing_id.clone(),
        lifted_on: None,
        lift_reason: None,
        seq,
    }
}

fn interview_row(i: &Interview, seq: u64) -> InterviewRow {
    InterviewRow {
        interview_id: i.id.clone(),
        subject_kind: i.subject.kind.clone(),
        subject_key: i.subject.key.clone(),
        subject_name: i.subject.name.clone(),
        kind: i.kind,
        department: i.department.clone(),
        held_on: i.held_on,
        interviewees: i.interviewees.clone(),
        interviewers: i.interviewers.clone(),
        outcome: i.outcome.clone(),
        rectify_by: i.rectify_by,
        listing_id: i.listing_id.clone(),
        seq,
    }
}
