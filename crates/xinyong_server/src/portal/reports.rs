//! Credit reports on the portal (issue 12): anyone downloads a legal
//! person's public report as signed JSON or as a PDF that carries the JSON
//! (rate limited like search), and anyone holding one looks it up by its id.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use xinyong_core::portal::{self, PublicRecord};
use xinyong_core::reports::{self, Channel, Issued};
use xinyong_documents::{CreditReportDocument, ReportRecordView};

use crate::ratelimit::PublicVisitor;
use crate::web::{Layout, error_page, pdf};
use crate::{ApiError, AppState};

fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
}

async fn issue(state: &AppState, raw: &str) -> Result<Issued, ApiError> {
    let uscc = portal::normalize_uscc(raw).ok_or_else(|| not_found("统一社会信用代码格式不正确，未找到该主体。"))?;
    Ok(reports::issue_public(&state.core, &uscc, Channel::Portal).await?)
}

/// `GET /subjects/{uscc}/report.json`: the public version, signed, each
/// record proven (docs/REPORTS.md). Each download is a new report, logged.
pub(crate) async fn public_report(
    State(state): State<AppState>,
    _visitor: PublicVisitor,
    Path(raw): Path<String>,
) -> Response {
    let issued = match issue(&state, &raw).await {
        Ok(issued) => issued,
        Err(e) => return error_page(&state, e),
    };
    let body = match serde_json::to_vec_pretty(&issued.signed) {
        Ok(body) => body,
        Err(e) => {
            return error_page(&state, ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()));
        }
    };
    let name = format!("credit-report-{}.json", issued.report.report_id);
    let disposition = crate::web::content_disposition("attachment", &name, &name);
    ([(header::CONTENT_TYPE, "application/json".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// `GET /subjects/{uscc}/report.pdf`: the same report typeset like a
/// government credit report, with a QR code and the signed JSON attached.
pub(crate) async fn public_report_pdf(
    State(state): State<AppState>,
    _visitor: PublicVisitor,
    Path(raw): Path<String>,
) -> Response {
    let issued = match issue(&state, &raw).await {
        Ok(issued) => issued,
        Err(e) => return error_page(&state, e),
    };
    report_pdf(&state, &issued).await
}

/// An issued report (either version) typeset as its PDF, inline.
pub(crate) async fn report_pdf(state: &AppState, issued: &Issued) -> Response {
    let now = state.core.now();
    let document = match credit_report_document(&state.site, issued, now) {
        Ok(document) => document,
        Err(e) => {
            return error_page(state, ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()));
        }
    };
    let file_name = format!("信用报告-{}-{}.pdf", issued.profile.name, issued.report.report_id);
    let created = now.with_timezone(&xinyong_core::clock::china_offset());
    match pdf::render(state, move |documents| documents.credit_report(&document, created)).await {
        Ok(bytes) => pdf::inline(bytes, &file_name),
        Err(e) => error_page(state, e),
    }
}

/// What the PDF of an issued report shows (the portal's public view of each
/// record) and carries (the signed JSON); also used by `xinyong report issue --pdf`.
pub fn credit_report_document(
    site: &crate::SiteSettings,
    issued: &Issued,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<CreditReportDocument, serde_json::Error> {
    let (report, profile) = (&issued.report, &issued.profile);
    let path = format!("/reports/{}", report.report_id);
    let views = |records: &[PublicRecord]| records.iter().map(view).collect::<Vec<_>>();
    let issued_at = now.with_timezone(&xinyong_core::clock::china_offset());
    Ok(CreditReportDocument {
        platform: site.site_name.clone(),
        report_id: report.report_id.clone(),
        subject_name: profile.name.clone(),
        uscc: profile.uscc.clone(),
        status: profile.status_name.clone(),
        division: profile.division_name.clone(),
        as_of: report.as_of.clone(),
        issued_at: issued_at.format("%Y-%m-%d %H:%M").to_string(),
        licences: views(&profile.licences),
        penalties: views(&profile.penalties),
        others: [views(&profile.other_acts), views(&profile.list_entries)].concat(),
        lists: report
            .lists
            .iter()
            .map(|l| (l.list_name.clone(), l.reason.clone(), l.department.clone(), l.listed_on.clone()))
            .collect(),
        version_name: if report.version == "full" { "完整版" } else { "公开版" }.to_owned(),
        ended: report.records.iter().filter(|r| r.publicity_ended).map(ended_view).collect(),
        pledges: report
            .pledges
            .iter()
            .map(|p| {
                let kind = match (&p.association, p.kind.as_str()) {
                    (Some(a), _) => format!("行业自律承诺（{a}）"),
                    (None, "voluntary") => "主动承诺".to_owned(),
                    (None, other) => other.to_owned(),
                };
                (p.title.clone(), kind, p.made_on.clone())
            })
            .collect(),
        grades: report
            .grades
            .iter()
            .map(|g| (g.source.clone(), g.grade.clone(), g.detail.clone(), g.on.clone()))
            .collect(),
        // The checkpoint's second line is its tree size (docs/LOG.md).
        checkpoint_size: report.checkpoint.lines().nth(1).and_then(|l| l.parse().ok()).unwrap_or_default(),
        status_statement: report.status_statement(),
        verifier_key: report.issuer.verifier_key.clone(),
        verify_url: if site.public_url.is_empty() {
            format!("{} {path}", report.report_id)
        } else {
            format!("{}{path}", site.public_url)
        },
        verify_command: "xinyong report verify 本报告.pdf --key <平台公钥>".to_owned(),
        json_name: format!("credit-report-{}.json", report.report_id),
        signed_json: serde_json::to_string_pretty(&issued.signed)?,
        qr_svg: String::new(),
    })
}

/// An ended record as the full version's table lists it: its item, and
/// the number and date its disclosures prove.
fn ended_view(r: &xinyong_core::reports::format::ReportRecord) -> (String, String, String, u64) {
    let disclosed = |pointer: &str| {
        r.disclosures
            .iter()
            .filter_map(|d| xinyong_domain::log::disclosure::parse_disclosure(d).ok())
            .find(|d| d.pointer == pointer)
            .and_then(|d| d.value.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    (r.item_name.clone(), disclosed("/record/document_number"), disclosed("/record/decision_date"), r.index)
}

fn view(r: &PublicRecord) -> ReportRecordView {
    ReportRecordView {
        document_number: r.document_number.clone(),
        log_index: r.log_index,
        fields: r.fields.iter().map(|f| (f.name.clone(), f.value.clone())).collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/report.html")]
pub(crate) struct ReportPage {
    layout: Layout,
    report: xinyong_domain::reports::ReportRow,
    issued_at: String,
}

/// `GET /reports/{id}`: whether a report with this id was issued, about
/// whom, when, and the digest of its signed content.
pub(crate) async fn report_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let found = match reports::find(&state.core, &id).await {
        Ok(found) => found,
        Err(e) => return error_page(&state, e.into()),
    };
    let Some(report) = found else {
        return error_page(&state, not_found(format!("平台没有出具过编号为“{id}”的信用报告。")));
    };
    let issued_at = xinyong_domain::log::time_from_millis(report.issued_ms)
        .map(|t| t.with_timezone(&xinyong_core::clock::china_offset()).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    ReportPage {
        layout: Layout::new(&state, &format!("信用报告 {}", report.report_id)).at("verify"),
        report,
        issued_at,
    }
    .into_response()
}

/// Largest report file `/reports/verify` reads (a report of 2,000 records
/// is a few megabytes as JSON; a PDF carries it compressed).
pub const MAX_REPORT_FILE_BYTES: usize = 20 * 1024 * 1024;

#[derive(Template, WebTemplate)]
#[template(path = "portal/report_verify.html")]
pub(crate) struct ReportVerifyPage {
    layout: Layout,
    own_key: String,
    trusted: Vec<String>,
    witnesses: Vec<String>,
    quorum: usize,
    /// After an upload: the file name and what the check found.
    outcome: Option<VerifyOutcome>,
}

pub(crate) struct VerifyOutcome {
    file_name: String,
    passed: Option<xinyong_core::reports::verify::VerifiedReport>,
    failure: Option<xinyong_core::reports::verify::ReportFailure>,
}

fn verify_page(state: &AppState, outcome: Option<VerifyOutcome>) -> Response {
    ReportVerifyPage {
        layout: Layout::new(state, "核验信用报告").at("verify"),
        own_key: state.core.keys().verifier_key(),
        trusted: state.site.trusted_logs.clone(),
        witnesses: state.site.trusted_witnesses.clone(),
        quorum: state.site.witness_quorum,
        outcome,
    }
    .into_response()
}

/// `GET /reports/verify`: the form.
pub(crate) async fn verify_form(State(state): State<AppState>) -> Response {
    verify_page(&state, None)
}

/// `POST /reports/verify`: checks an uploaded report (JSON or PDF) with this
/// platform's key and the configured other cities' keys, as `xinyong report
/// verify` does offline. Nothing is stored.
pub(crate) async fn verify_upload(
    State(state): State<AppState>,
    _visitor: PublicVisitor,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let (file_name, bytes) = match read_file(multipart).await {
        Ok(file) => file,
        Err(e) => return error_page(&state, e),
    };
    let mut logs: Vec<xinyong_tlog::NoteVerifier> = state.core.keys().verifier().into_iter().collect();
    logs.extend(state.site.trusted_logs.iter().filter_map(|k| xinyong_tlog::NoteVerifier::parse(k).ok()));
    let witnesses =
        state.site.trusted_witnesses.iter().filter_map(|k| xinyong_tlog::CosignatureVerifier::parse(k)).collect();
    let trust = xinyong_core::reports::verify::TrustPolicy { logs, witnesses, quorum: state.site.witness_quorum };
    let json = if bytes.starts_with(b"%PDF-") {
        xinyong_core::reports::verify::attached_json(&bytes)
    } else {
        Some(bytes.to_vec())
    };
    let result = match json {
        Some(json) => xinyong_core::reports::verify::verify_report(&json, &trust),
        None => Err(xinyong_core::reports::verify::ReportFailure {
            part: "file".to_owned(),
            problem: "PDF 中没有附带签名的报告（JSON）".to_owned(),
        }),
    };
    let (passed, failure) = match result {
        Ok(ok) => (Some(ok), None),
        Err(f) => (None, Some(f)),
    };
    verify_page(&state, Some(VerifyOutcome { file_name, passed, failure }))
}

async fn read_file(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<(String, axum::body::Bytes), ApiError> {
    let invalid = |text: String| ApiError::bad_request("form_invalid", format!("表单内容无法识别：{text}"));
    let mut multipart = multipart.map_err(|e| invalid(e.body_text()))?;
    while let Some(field) = multipart.next_field().await.map_err(|e| invalid(e.body_text()))? {
        if field.name() == Some("file") {
            let name: String = field.file_name().unwrap_or_default().chars().take(100).collect();
            let bytes = field.bytes().await.map_err(|e| invalid(e.body_text()))?;
            if bytes.is_empty() {
                break;
            }
            return Ok((name, bytes));
        }
    }
    Err(ApiError::bad_request("report_file_missing", "请选择要核验的信用报告文件（.json 或 .pdf）"))
}
