//! Printable documents in Chinese: the standard commitment letters (承诺书),
//! the listing's notice and decision (告知书, 决定书) and the answer to an
//! objection, as A4 PDFs.
//!
//! Each document is a typst template under `templates/` compiled into the
//! binary; the data comes in as one JSON value (`sys.inputs.data` in the
//! template), so a template never reads anything else. Fonts are read from
//! the configured files on the first document and kept for the process
//! (typst subsets them into each PDF, a page is some 20–40 KB). Nothing here
//! reads the clock: the creation time written into the PDF is an argument,
//! so the same inputs give the same bytes.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use serde::Serialize;
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Smart};
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

/// The documents there are templates for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// 告知承诺书: an item's standard commitment letter, to print and sign.
    CommitmentLetter,
    /// A document a department serves on a subject: the notice before a
    /// listing (告知书), the decision (决定书), the answer to an objection
    /// (答复书). See [`OfficialLetter`].
    OfficialLetter,
    /// 信用报告: a legal person's public credit report, the signed JSON attached.
    CreditReport,
}

impl DocumentKind {
    /// Every kind, for tests and the start-up check.
    pub const ALL: [DocumentKind; 3] =
        [DocumentKind::CommitmentLetter, DocumentKind::OfficialLetter, DocumentKind::CreditReport];

    fn file(self) -> &'static str {
        match self {
            DocumentKind::CommitmentLetter => "commitment_letter.typ",
            DocumentKind::OfficialLetter => "official_letter.typ",
            DocumentKind::CreditReport => "credit_report.typ",
        }
    }
}

/// The templates, compiled in (they are code: a change is reviewed and
/// versioned with the binary).
const SOURCES: [(&str, &str); 4] = [
    ("credit_report.typ", include_str!("../templates/credit_report.typ")),
    ("common.typ", include_str!("../templates/common.typ")),
    ("commitment_letter.typ", include_str!("../templates/commitment_letter.typ")),
    ("official_letter.typ", include_str!("../templates/official_letter.typ")),
];

/// A document's typst sources and its `data` input, to typeset it elsewhere.
#[derive(Debug, Clone)]
pub struct TypstInput {
    /// (file name, text) of each template file.
    pub files: Vec<(&'static str, &'static str)>,
    /// The `data` input: JSON text.
    pub data: String,
}

/// The data of [`DocumentKind::CreditReport`]: what the page shows (the
/// portal's public view of each record) and the signed JSON it carries.
#[derive(Debug, Clone, Serialize)]
pub struct CreditReportDocument {
    pub platform: String,
    pub report_id: String,
    pub subject_name: String,
    pub uscc: String,
    pub status: String,
    pub division: String,
    pub as_of: String,
    /// Beijing time, `YYYY-MM-DD HH:MM`.
    pub issued_at: String,
    pub licences: Vec<ReportRecordView>,
    pub penalties: Vec<ReportRecordView>,
    pub others: Vec<ReportRecordView>,
    /// (list, reason, department, listed on).
    pub lists: Vec<(String, String, String, String)>,
    /// `公开版` or `完整版` (the subtitle).
    #[serde(default)]
    pub version_name: String,
    /// Of the full version, the records whose publicity ended: (item,
    /// document number, decision date, log index).
    #[serde(default)]
    pub ended: Vec<(String, String, String, u64)>,
    /// Credit pledges in force: (title, kind, made on).
    #[serde(default)]
    pub pledges: Vec<(String, String, String)>,
    /// Public grades: (source, grade, category or period, on).
    #[serde(default)]
    pub grades: Vec<(String, String, String, String)>,
    pub checkpoint_size: u64,
    /// What the status map proves about lists and penalties (one sentence).
    pub status_statement: String,
    pub verifier_key: String,
    /// Where the QR code leads: the report's page on the portal.
    pub verify_url: String,
    pub verify_command: String,
    /// The attachment's file name and content (docs/REPORTS.md).
    pub json_name: String,
    pub signed_json: String,
    /// Filled in by [`Documents::credit_report`].
    #[serde(default)]
    pub qr_svg: String,
}

/// One record as the report prints it.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRecordView {
    pub document_number: String,
    pub log_index: u64,
    /// (label, value) in catalog order, as the portal shows them.
    pub fields: Vec<(String, String)>,
}

/// The data of [`DocumentKind::CommitmentLetter`].
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentLetter {
    /// "食品经营许可告知承诺书".
    pub title: String,
    /// The line under the title (catalog version, item code).
    pub subtitle: String,
    pub code: String,
    pub name: String,
    pub department_name: String,
    /// 承诺类型 in Chinese.
    pub kind: String,
    pub verification_method: String,
    pub verification_working_days: u32,
    /// The catalog version whose wording this is.
    pub version: String,
    /// The portal's name, in the footer.
    pub site_name: String,
    /// Where the letter is published, to compare a printed copy with.
    pub url: String,
    /// The letter's paragraphs; an empty string is a blank line.
    pub body: Vec<String>,
}

/// The data of [`DocumentKind::OfficialLetter`].
#[derive(Debug, Clone, Serialize)]
pub struct OfficialLetter {
    pub title: String,
    /// 文书编号, centred under the title.
    pub number: Option<String>,
    /// Whom it is served on ("某某有限公司（统一社会信用代码：…）").
    pub addressee: Option<String>,
    pub sections: Vec<LetterSection>,
    /// (label, value) rows of a table after the sections.
    pub facts: Vec<(String, String)>,
    /// The issuing department, above the date.
    pub issuer: String,
    /// The date as written on the document ("2026年3月2日").
    pub date: String,
    pub footer: String,
    /// Small print at the foot of the last page.
    pub note: Option<String>,
}

/// A heading (or none) and its paragraphs.
#[derive(Debug, Clone, Serialize)]
pub struct LetterSection {
    pub heading: Option<String>,
    pub paragraphs: Vec<String>,
}

/// A date as Chinese documents write it: 2026年3月2日.
pub fn chinese_date(date: chrono::NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Why a document could not be made.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DocumentsError {
    /// None of the configured font files exists.
    #[error("PDF 所需的中文字体文件不存在（已查找：{}）；请安装 fonts-noto-cjk 或在 [documents] fonts 中配置字体路径", .0.join("、"))]
    FontsMissing(Vec<String>),
    /// A font file exists but could not be read or holds no font.
    #[error("字体文件 {path} 无法读取：{reason}")]
    FontUnreadable { path: String, reason: String },
    /// The template did not compile with these data (a bug, or data of the
    /// wrong shape).
    #[error("文书模板 {template} 排版失败：{reason}")]
    Template { template: &'static str, reason: String },
}

impl DocumentsError {
    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentsError::FontsMissing(_) => "pdf_fonts_missing",
            DocumentsError::FontUnreadable { .. } => "pdf_font_unreadable",
            DocumentsError::Template { .. } => "pdf_template_failed",
        }
    }
}

/// The default font files: Debian's fonts-noto-cjk (Noto Sans CJK SC,
/// regular and bold; SIL OFL 1.1, embedding allowed).
pub fn default_font_paths() -> Vec<PathBuf> {
    vec![
        PathBuf::from("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
        PathBuf::from("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    ]
}

/// Makes the documents. Cheap to build; the fonts are read on first use.
pub struct Documents {
    fonts: Vec<PathBuf>,
    engine: OnceLock<Result<TypstEngine, DocumentsError>>,
}

impl fmt::Debug for Documents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Documents").field("fonts", &self.fonts).field("loaded", &self.engine.get().is_some()).finish()
    }
}

impl Default for Documents {
    fn default() -> Self {
        Documents::new(default_font_paths())
    }
}

impl Documents {
    /// Documents set in the fonts of `fonts` (files that do not exist are
    /// skipped; at least one must exist when the first document is made).
    pub fn new(fonts: Vec<PathBuf>) -> Documents {
        Documents { fonts, engine: OnceLock::new() }
    }

    /// Fails unless at least one configured font file exists: `serve` calls
    /// it at start so a missing font is found then, not by the first user.
    pub fn check_fonts(&self) -> Result<(), DocumentsError> {
        if self.fonts.iter().any(|p| p.is_file()) {
            Ok(())
        } else {
            Err(DocumentsError::FontsMissing(self.fonts.iter().map(|p| p.display().to_string()).collect()))
        }
    }

    /// The standard commitment letter as a PDF, stamped as created at
    /// `created`. CPU-bound (some milliseconds a page): call it off the
    /// async runtime.
    pub fn commitment_letter(
        &self,
        letter: &CommitmentLetter,
        created: DateTime<FixedOffset>,
    ) -> Result<Vec<u8>, DocumentsError> {
        self.render_pdf(DocumentKind::CommitmentLetter, letter, created)
    }

    /// A document served on a subject as a PDF (see [`Self::commitment_letter`]).
    pub fn official_letter(
        &self,
        letter: &OfficialLetter,
        created: DateTime<FixedOffset>,
    ) -> Result<Vec<u8>, DocumentsError> {
        self.render_pdf(DocumentKind::OfficialLetter, letter, created)
    }

    /// A credit report as a PDF, its QR code carrying `verify_url`.
    pub fn credit_report(
        &self,
        report: &CreditReportDocument,
        created: DateTime<FixedOffset>,
    ) -> Result<Vec<u8>, DocumentsError> {
        self.render_pdf(DocumentKind::CreditReport, &with_qr_code(report)?, created)
    }

    /// What `typst compile credit_report.typ` needs to typeset the same
    /// report outside this process (the baseline of `xinyong bench report`):
    /// the template files by name, and the `data` input (JSON text).
    pub fn credit_report_sources(report: &CreditReportDocument) -> Result<TypstInput, DocumentsError> {
        let failed = |reason: String| DocumentsError::Template { template: "credit_report.typ", reason };
        let json = serde_json::to_string(&with_qr_code(report)?).map_err(|e| failed(e.to_string()))?;
        let files = SOURCES.iter().filter(|(name, _)| matches!(*name, "credit_report.typ" | "common.typ")).copied();
        Ok(TypstInput { files: files.collect(), data: json })
    }

    fn render_pdf(
        &self,
        kind: DocumentKind,
        data: &impl Serialize,
        created: DateTime<FixedOffset>,
    ) -> Result<Vec<u8>, DocumentsError> {
        let engine = self.engine.get_or_init(|| self.load()).as_ref().map_err(Clone::clone)?;
        let failed = |reason: String| DocumentsError::Template { template: kind.file(), reason };
        let json = serde_json::to_string(data).map_err(|e| failed(e.to_string()))?;
        let mut inputs = Dict::new();
        inputs.insert("data".into(), json.into_value());
        let document: PagedDocument =
            engine.compile_with_input(kind.file(), inputs).output.map_err(|e| failed(e.to_string()))?;
        let options = PdfOptions {
            ident: Smart::Custom(format!("xinyong-{}", kind.file())),
            creator: Smart::Custom(Some("信用济南 Xinyong".to_owned())),
            timestamp: timestamp(created),
            ..PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options).map_err(|diagnostics| {
            failed(diagnostics.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; "))
        })
    }

    fn load(&self) -> Result<TypstEngine, DocumentsError> {
        self.check_fonts()?;
        let mut fonts = Vec::new();
        for path in self.fonts.iter().filter(|p| p.is_file()) {
            fonts.push(read_font(path)?);
        }
        Ok(TypstEngine::builder()
            .fonts(fonts)
            .with_static_source_file_resolver(SOURCES)
            // typst memoises layout across compilations; without eviction the
            // cache of a long-running server only grows.
            .comemo_evict_max_age(Some(10))
            .build())
    }
}

/// The report's data with its QR code (the verification address) drawn as SVG.
fn with_qr_code(report: &CreditReportDocument) -> Result<CreditReportDocument, DocumentsError> {
    let qr = qrcode::QrCode::with_error_correction_level(report.verify_url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| DocumentsError::Template { template: "credit_report.typ", reason: e.to_string() })?;
    let svg = qr.render::<qrcode::render::svg::Color<'_>>().quiet_zone(true).min_dimensions(200, 200).build();
    Ok(CreditReportDocument { qr_svg: svg, ..report.clone() })
}

fn read_font(path: &Path) -> Result<Bytes, DocumentsError> {
    let unreadable = |reason: String| DocumentsError::FontUnreadable { path: path.display().to_string(), reason };
    let bytes = Bytes::new(std::fs::read(path).map_err(|e| unreadable(e.to_string()))?);
    if typst::text::Font::iter(bytes.clone()).next().is_none() {
        return Err(unreadable("不是可用的 OpenType/TrueType 字体".to_owned()));
    }
    Ok(bytes)
}

fn timestamp(created: DateTime<FixedOffset>) -> Option<Timestamp> {
    let datetime = Datetime::from_ymd_hms(
        created.year(),
        u8::try_from(created.month()).ok()?,
        u8::try_from(created.day()).ok()?,
        u8::try_from(created.hour()).ok()?,
        u8::try_from(created.minute()).ok()?,
        u8::try_from(created.second()).ok()?,
    )?;
    Timestamp::new_local(datetime, created.offset().local_minus_utc() / 60)
}
