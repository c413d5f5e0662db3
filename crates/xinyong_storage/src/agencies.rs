//! Credit service agencies: the filed agencies (the public list and the
//! console), an agency's staff, supervision records and accounts, the
//! consents a company gave and an agency holds, and the queries made of a
//! company's report. Every set is bounded by a `limit`.

use xinyong_domain::Uscc;
use xinyong_domain::agencies::{
    AGENCIES, AGENCY_ACCOUNTS, AGENCY_CONSENTS, AGENCY_QUERIES, AGENCY_STAFF, AGENCY_SUPERVISION, AgencyAccountRow,
    AgencyConsentRow, AgencyQueryRow, AgencyRow, AgencyStaffRow, AgencySupervisionRow,
};

use crate::sql::{Stmt, to_rows};
use crate::{Result, Store};

/// Every filed agency, the newest filing first (ties by code), at most
/// `limit`; served by `agencies_filed`.
pub async fn agencies(store: &dyn Store, limit: u32) -> Result<Vec<AgencyRow>> {
    let stmt = Stmt::select(&AGENCIES).push(" ORDER BY filed_on DESC, uscc LIMIT $1").arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// An agency's staff, in the order filed (by id), at most `limit`.
pub async fn staff_of(store: &dyn Store, agency: &Uscc, limit: u32) -> Result<Vec<AgencyStaffRow>> {
    let stmt = Stmt::select(&AGENCY_STAFF)
        .push(" WHERE agency = $1 ORDER BY staff_id LIMIT $2")
        .arg(agency.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The records of supervising an agency, the latest first, at most `limit`.
pub async fn supervision_of(store: &dyn Store, agency: &Uscc, limit: u32) -> Result<Vec<AgencySupervisionRow>> {
    let stmt = Stmt::select(&AGENCY_SUPERVISION)
        .push(" WHERE agency = $1 ORDER BY done_on DESC, supervision_id LIMIT $2")
        .arg(agency.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// An agency's accounts, by name, at most `limit`.
pub async fn accounts_of(store: &dyn Store, agency: &Uscc, limit: u32) -> Result<Vec<AgencyAccountRow>> {
    let stmt = Stmt::select(&AGENCY_ACCOUNTS)
        .push(" WHERE agency = $1 ORDER BY username LIMIT $2")
        .arg(agency.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The consents a company gave, revoked ones too, the newest first, at most
/// `limit`; served by `agency_consents_subject`.
pub async fn consents_of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<AgencyConsentRow>> {
    let stmt = Stmt::select(&AGENCY_CONSENTS)
        .push(" WHERE uscc = $1 ORDER BY seq DESC LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The consents an agency holds, revoked ones too, the newest first, at
/// most `limit`; served by `agency_consents_agency`.
pub async fn consents_of_agency(store: &dyn Store, agency: &Uscc, limit: u32) -> Result<Vec<AgencyConsentRow>> {
    let stmt = Stmt::select(&AGENCY_CONSENTS)
        .push(" WHERE agency = $1 ORDER BY seq DESC LIMIT $2")
        .arg(agency.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The queries made of a company's report, the newest first, at most
/// `limit`; served by `agency_queries_subject`.
pub async fn queries_of_subject(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<AgencyQueryRow>> {
    let stmt = Stmt::select(&AGENCY_QUERIES)
        .push(" WHERE uscc = $1 ORDER BY entry DESC LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}
