//! The credit check's answer on 告知承诺 in scenario 行政审批 (国办发〔2020〕42号):
//! whether the applicant may use notification and commitment, and if not,
//! why — a listing in force on a serious dishonesty list, a broken
//! commitment (catalog item `CNSX`) still published, or (by the setting
//! `[commitments] serious_records_bar`) another published record classed
//! serious. The same rule as [`crate::commitments::eligibility`], answered
//! from the index.

use chrono::NaiveDate;
use serde::Serialize;
use xinyong_domain::checks::Membership;
use xinyong_domain::collection::AcceptedRecord;
use xinyong_domain::lists::sanction::{ListKind, SanctionRules};

use crate::commitments::views::BREACH_ITEM;

/// The scenario whose answers say whether 告知承诺 is available.
pub const APPROVAL_SCENARIO: &str = "approval";

/// A published record that bars 告知承诺 while it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CommitmentBar {
    pub record_id: String,
    /// A serious record of another item (not a broken commitment): bars
    /// only where the setting says so.
    pub serious_only: bool,
    pub reason: String,
    /// The last day of its publicity (`None`: open-ended).
    pub until: Option<NaiveDate>,
}

fn serious(severity: Option<&str>) -> bool {
    matches!(severity, Some("serious" | "specific_serious"))
}

/// The bar a record is, if it is one: a published record about an
/// organisation that is a broken commitment or classed serious.
fn bar(
    id: &str,
    item: &str,
    document_number: &str,
    decision_date: NaiveDate,
    severity: Option<&str>,
    public: bool,
    until: Option<NaiveDate>,
) -> Option<CommitmentBar> {
    if !public || (item != BREACH_ITEM && !serious(severity)) {
        return None;
    }
    let reason = if item == BREACH_ITEM {
        format!("曾违背信用承诺（{decision_date} 认定，承诺编号 {document_number}），信用修复前不得适用")
    } else {
        format!("有严重失信记录（{decision_date}，文号 {document_number}）")
    };
    Some(CommitmentBar { record_id: id.to_owned(), serious_only: item != BREACH_ITEM, reason, until })
}

pub(crate) fn bar_of_record(r: &AcceptedRecord) -> Option<CommitmentBar> {
    if r.subject.is_natural_person() {
        return None;
    }
    let p = &r.publicity;
    bar(&r.id, &r.item, &r.document_number, r.decision_date, p.severity.as_deref(), p.public, p.latest_end)
}

/// The bar of a row read by `commitments::barring_records` (start-up),
/// which are all about organisations and public.
pub(crate) fn bar_of_barring(r: &xinyong_storage::commitments::BarringRecord) -> Option<CommitmentBar> {
    bar(&r.id, &r.item, &r.document_number, r.decision_date, r.severity.as_deref(), true, r.latest_end)
}

/// Whether 告知承诺 is available to the checked organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitmentAnswer {
    pub available: bool,
    /// Why not, one line each (empty when available).
    pub reasons: Vec<String>,
}

/// The answer from what the index holds about an organisation on `today`.
pub(crate) fn answer(
    rules: &SanctionRules,
    memberships: &[Membership],
    bars: &[CommitmentBar],
    today: NaiveDate,
    serious_records_bar: bool,
) -> CommitmentAnswer {
    let mut reasons: Vec<String> = memberships
        .iter()
        .filter(|m| m.in_force(today))
        .filter_map(|m| rules.list(&m.list_code).filter(|l| l.kind == ListKind::Serious))
        .map(|l| format!("列入{}", l.name))
        .collect();
    reasons.extend(
        bars.iter()
            .filter(|b| b.until.is_none_or(|u| u >= today) && (serious_records_bar || !b.serious_only))
            .map(|b| b.reason.clone()),
    );
    CommitmentAnswer { available: reasons.is_empty(), reasons }
}
