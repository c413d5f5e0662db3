//! The campaigns context's projection tables.

use chrono::NaiveDate;

use crate::Uscc;
use crate::auth::DepartmentCode;
use crate::campaigns::{RectificationOutcome, RectificationStatus};
use crate::projection::TableSpec;

crate::projection::table! {
    /// Rectification campaigns (专项治理).
    pub struct CampaignRow in CAMPAIGNS = "campaigns" {
        key { campaign_id: String }
        name: String,
        /// 依据及说明.
        basis: String,
        /// The department that opened it (the credit office opens in a department's name).
        department: DepartmentCode,
        /// The list whose subjects it covers.
        list_code: String,
        /// The district (division code) its subjects were chosen in; NULL = the whole city.
        district: Option<String>,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        opened_on: NaiveDate,
        opened_by: String,
        subjects: u64,
        seq: u64,
    }
}

crate::projection::table! {
    /// The organisations of a campaign, each with its deadline and state.
    pub struct CampaignSubjectRow in CAMPAIGN_SUBJECTS = "campaign_subjects" {
        key { campaign_id: String, uscc: Uscc }
        name: String,
        /// The listing that put it in scope.
        listing_id: String,
        /// The department that listed it: it decides the outcome and holds
        /// the interview (谁认定、谁约谈).
        department: DepartmentCode,
        deadline: NaiveDate,
        status: RectificationStatus,
        /// Progress entries reported so far (the last entry's number).
        progress_entries: u64,
        last_progress_on: Option<NaiveDate>,
        outcome: Option<RectificationOutcome>,
        outcome_note: Option<String>,
        decided_on: Option<NaiveDate>,
        /// The day the campaigns job found it overdue.
        overdue_on: Option<NaiveDate>,
        /// The interview recorded for it after it became overdue.
        interview_id: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Progress reported on a subject's rectification, in order.
    pub struct CampaignProgressRow in CAMPAIGN_PROGRESS = "campaign_progress" {
        key { campaign_id: String, uscc: Uscc, entry_no: u64 }
        reported_on: NaiveDate,
        note: String,
        reported_by: String,
        /// The evidence file's name, when one came with the entry.
        evidence_name: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Evidence files of progress entries (PDF, JPEG, PNG); not public.
    pub struct CampaignEvidenceRow in CAMPAIGN_EVIDENCE = "campaign_evidence" {
        key { campaign_id: String, uscc: Uscc, entry_no: u64 }
        name: String,
        media_type: String,
        size: u64,
        sha256: String,
        content_base64: String,
        seq: u64,
    }
}

/// The tables this context owns, in the order `verify` checks them.
pub fn tables() -> Vec<&'static TableSpec> {
    vec![&CAMPAIGNS, &CAMPAIGN_SUBJECTS, &CAMPAIGN_PROGRESS, &CAMPAIGN_EVIDENCE]
}
