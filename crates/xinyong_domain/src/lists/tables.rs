//! The lists context's projection tables: listings, objections to them,
//! personal records of liable people, bans and interviews.

use chrono::NaiveDate;

use crate::auth::DepartmentCode;
use crate::codes::id_number::IdNumber;
use crate::collection::RecordSubject;
use crate::lists::{BanScope, ExitReason, InterviewKind, ListingStatus, ObjectionOutcome};
use crate::projection::{TableSpec, Words};
use crate::subjects::RelationRole;

crate::projection::table! {
    /// Listings: one row per proposal, whatever became of it.
    pub struct ListingRow in LISTINGS = "listings" {
        key { listing_id: String }
        list_code: String,
        list_kind: String,
        subject_kind: String,
        /// A USCC, or a natural person's ID number.
        subject_key: String [personal],
        subject_name: String,
        department: DepartmentCode,
        status: ListingStatus,
        reason: String,
        facts: String,
        legal_basis: String,
        source_records: Words,
        lists_version: String,
        proposed_on: NaiveDate,
        notice_served_on: Option<NaiveDate>,
        objection_deadline: Option<NaiveDate>,
        decision_no: Option<String>,
        decided_on: Option<NaiveDate>,
        valid_from: Option<NaiveDate>,
        valid_until: Option<NaiveDate>,
        /// Measure codes; NULL until the decision.
        measures: Option<Words>,
        exit_reason: Option<ExitReason>,
        exited_on: Option<NaiveDate>,
        exit_decision_no: Option<String>,
        exit_note: Option<String>,
        /// Who proposed it (`user:<login>`), when a console user did.
        proposed_by: Option<String>,
        /// The subject waived its objection in writing on this day.
        objection_waived_on: Option<NaiveDate>,
        seq: u64,
    }
}

impl ListingRow {
    pub fn subject(&self) -> RecordSubject {
        RecordSubject {
            kind: self.subject_kind.clone(),
            key: self.subject_key.clone(),
            name: self.subject_name.clone(),
        }
    }

    pub fn is_natural_person(&self) -> bool {
        self.subject_kind == "natural_person"
    }

    /// The measure codes of the decision (none before it).
    pub fn measure_codes(&self) -> &[String] {
        self.measures.as_ref().map_or(&[], |w| w.0.as_slice())
    }

    /// In force on `today`: decided, not exited, inside its validity.
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.status == ListingStatus::Listed
            && self.valid_from.is_some_and(|f| f <= today)
            && self.valid_until.is_none_or(|u| today <= u)
    }
}

crate::projection::table! {
    /// Objections to proposed listings.
    pub struct ObjectionRow in LISTING_OBJECTIONS = "listing_objections" {
        key { objection_id: String }
        listing_id: String,
        filed_on: NaiveDate,
        grounds: String,
        answer_due: NaiveDate,
        answered_on: Option<NaiveDate>,
        outcome: Option<ObjectionOutcome>,
        reply: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Personal credit records of liable people (54号 clause 十二). Never public.
    pub struct PersonalRecordRow in PERSONAL_RECORDS = "personal_records" {
        key { id_number: IdNumber, listing_id: String }
        role: RelationRole,
        person_name: String,
        /// The listed organisation.
        uscc: String,
        organisation_name: String,
        list_code: String,
        valid_until: Option<NaiveDate>,
        active: bool,
        seq: u64,
    }
}

crate::projection::table! {
    /// Market and industry bans (54号 clause 十一).
    pub struct BanRow in BANS = "bans" {
        key { ban_id: String }
        subject_kind: String,
        subject_key: String [personal],
        subject_name: String,
        scope: BanScope,
        field: String,
        description: String,
        basis: String,
        department: DepartmentCode,
        decision_no: String,
        starts_on: NaiveDate,
        /// Last day in force; NULL = for life (终身禁入).
        ends_on: Option<NaiveDate>,
        listing_id: Option<String>,
        lifted_on: Option<NaiveDate>,
        lift_reason: Option<String>,
        seq: u64,
    }
}

impl BanRow {
    pub fn subject(&self) -> RecordSubject {
        RecordSubject {
            kind: self.subject_kind.clone(),
            key: self.subject_key.clone(),
            name: self.subject_name.clone(),
        }
    }
}

crate::projection::table! {
    /// Interviews (约谈).
    pub struct InterviewRow in INTERVIEWS = "interviews" {
        key { interview_id: String }
        subject_kind: String,
        subject_key: String [personal],
        subject_name: String,
        kind: InterviewKind,
        department: DepartmentCode,
        held_on: NaiveDate,
        interviewees: String,
        interviewers: String,
        outcome: String,
        rectify_by: Option<NaiveDate>,
        listing_id: Option<String>,
        seq: u64,
    }
}

impl InterviewRow {
    pub fn subject(&self) -> RecordSubject {
        RecordSubject {
            kind: self.subject_kind.clone(),
            key: self.subject_key.clone(),
            name: self.subject_name.clone(),
        }
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&LISTINGS, &LISTING_OBJECTIONS, &PERSONAL_RECORDS, &BANS, &INTERVIEWS]
}
