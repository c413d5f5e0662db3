//! Executing departments' answers and webhook deliveries, and the rows each
//! kind writes.

use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;
use crate::closed_loop::{MeasurePush, PushRow, WebhookRow};
use crate::event::EventMeta;
use crate::projection::{ProjectionError, ProjectionWrite, Row as _};

/// Events of the closed loop. The serde tag is the event kind in the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumDiscriminants)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[strum_discriminants(
    name(ClosedLoopKind),
    vis(pub),
    derive(Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray),
    strum(serialize_all = "snake_case")
)]
pub enum ClosedLoopEvent {
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

// Exhaustive by construction: a new kind that does not say what it writes
// does not compile, and a `_` arm would hide one (clippy denies it here).
#[deny(clippy::wildcard_enum_match_arm, clippy::match_wildcard_for_single_variants)]
impl ClosedLoopEvent {
    /// These name a listing or a department, never a subject.
    pub fn public_subject(&self) -> Option<&str> {
        match self {
            ClosedLoopEvent::MeasureAcknowledged { .. }
            | ClosedLoopEvent::MeasureExecuted { .. }
            | ClosedLoopEvent::WebhookSet { .. }
            | ClosedLoopEvent::WebhookRemoved { .. }
            | ClosedLoopEvent::FeedDelivered { .. } => None,
        }
    }

    pub fn writes(&self, at: EventMeta) -> Result<Vec<ProjectionWrite>, ProjectionError> {
        let seq = at.seq;
        let write = match self {
            ClosedLoopEvent::MeasureAcknowledged { listing_id, push, note } => PushRow::key_of(listing_id, push)
                .update(seq)
                .acked_ms(Some(at.time_ms()))
                .ack_note(Some(note.clone()))
                .write()?,
            ClosedLoopEvent::MeasureExecuted { listing_id, push, outcome, receipt_id, case_ref } => {
                PushRow::key_of(listing_id, push)
                    .update(seq)
                    .executed_ms(Some(at.time_ms()))
                    .outcome(Some(outcome.clone()))
                    .receipt_id(receipt_id.clone())
                    .case_ref(case_ref.clone())
                    .write()?
            }
            ClosedLoopEvent::WebhookSet { department, url, secret, from_cursor } => WebhookRow {
                department: department.clone(),
                url: url.clone(),
                secret: secret.clone(),
                active: true,
                delivered_cursor: *from_cursor,
                seq,
            }
            .upsert()?,
            ClosedLoopEvent::WebhookRemoved { department } => {
                WebhookRow::key(department).update(seq).active(false).write()?
            }
            ClosedLoopEvent::FeedDelivered { department, cursor } => {
                WebhookRow::key(department).update(seq).delivered_cursor(*cursor).write()?
            }
        };
        Ok(vec![write])
    }
}
