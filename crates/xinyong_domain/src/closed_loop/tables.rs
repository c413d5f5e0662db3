//! The closed loop's projection tables: measures pushed to executing
//! departments, the departments' feeds, and their webhooks.

use chrono::NaiveDate;

use crate::auth::DepartmentCode;
use crate::closed_loop::MeasurePush;
use crate::collection::RecordSubject;
use crate::event::EventMeta;
use crate::projection::{Joined, TableSpec, Words};

crate::projection::table! {
    /// One row per (listing, measure, executing department).
    pub struct PushRow in MEASURE_PUSHES = "measure_pushes" {
        key { listing_id: String, measure: String, department: DepartmentCode }
        pushed_seq: u64,
        pushed_ms: i64,
        acked_ms: Option<i64>,
        ack_note: Option<String>,
        executed_ms: Option<i64>,
        outcome: Option<String>,
        receipt_id: Option<String>,
        case_ref: Option<String>,
        lifted_ms: Option<i64>,
        seq: u64,
    }
}

impl PushRow {
    /// A push as the listing decision at `at` writes it.
    pub fn pushed(listing_id: &str, push: &MeasurePush, at: EventMeta) -> PushRow {
        PushRow {
            listing_id: listing_id.to_owned(),
            measure: push.measure.clone(),
            department: push.department.clone(),
            pushed_seq: at.seq,
            pushed_ms: at.time_ms(),
            acked_ms: None,
            ack_note: None,
            executed_ms: None,
            outcome: None,
            receipt_id: None,
            case_ref: None,
            lifted_ms: None,
            seq: at.seq,
        }
    }

    pub fn key_of(listing_id: &str, push: &MeasurePush) -> crate::projection::Key<PushRow> {
        PushRow::key(listing_id, &push.measure, &push.department)
    }
}

/// What a feed item announces: `listed` (measures start) or `lifted` (they end).
pub const FEED_LISTED: &str = "listed";
pub const FEED_LIFTED: &str = "lifted";

crate::projection::table! {
    /// What each department's feed shows, in log order (cursor = log index).
    pub struct FeedItemRow in FEED_ITEMS = "feed_items" {
        key { department: DepartmentCode, cursor: u64 }
        /// [`FEED_LISTED`] or [`FEED_LIFTED`].
        item_kind: String,
        listing_id: String,
        list_code: String,
        subject_kind: String,
        subject_key: String [personal],
        subject_name: String,
        measures: Words,
        valid_until: Option<NaiveDate>,
        seq: u64,
    }
}

impl FeedItemRow {
    /// The item the event at `at` writes to `department`'s feed.
    pub fn new(
        department: &DepartmentCode,
        item_kind: &str,
        listing: (&str, &str),
        subject: &RecordSubject,
        measures: Vec<String>,
        valid_until: Option<NaiveDate>,
        at: EventMeta,
    ) -> FeedItemRow {
        let (listing_id, list_code) = listing;
        FeedItemRow {
            department: department.clone(),
            cursor: at.seq,
            item_kind: item_kind.to_owned(),
            listing_id: listing_id.to_owned(),
            list_code: list_code.to_owned(),
            subject_kind: subject.kind.clone(),
            subject_key: subject.key.clone(),
            subject_name: subject.name.clone(),
            measures: Joined(measures),
            valid_until,
            seq: at.seq,
        }
    }

    pub fn subject(&self) -> RecordSubject {
        RecordSubject {
            kind: self.subject_kind.clone(),
            key: self.subject_key.clone(),
            name: self.subject_name.clone(),
        }
    }
}

crate::projection::table! {
    /// Webhook subscriptions of departments' feeds.
    pub struct WebhookRow in WEBHOOKS = "webhooks" {
        key { department: DepartmentCode }
        url: String,
        secret: String,
        active: bool,
        delivered_cursor: u64,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&MEASURE_PUSHES, &FEED_ITEMS, &WEBHOOKS]
}
