//! Row validation: one spreadsheet row of a catalog item becomes either a
//! typed [`RecordDraft`] or a list of problems a clerk can fix.
//!
//! Everything a clerk might type is parsed here, at the edge, and nowhere
//! else: dates in the usual Chinese spellings and as Excel serial numbers,
//! amounts in 万元 (the 双公示 unit) into integer fen, codes with their
//! checksums, penalty categories into [`PenaltyCategory`]. Every problem
//! carries a stable snake_case code and a Chinese message that names the
//! column and the rule. Nothing here panics, whatever the input (see the
//! property tests).
//!
//! Cell normalisation, applied before any rule: surrounding whitespace
//! (including NBSP, the ideographic space and zero-width characters) is
//! trimmed; full-width digits and Latin letters become ASCII; CR LF becomes LF;
//! placeholder cells (`/`, `-`, `无`, `#N/A` …) count as empty. Full-width
//! punctuation inside text is kept — （） are part of registered names.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::codes::id_number::{IdNumber, IdNumberError};
use crate::codes::uscc::{Uscc, UsccError, UsccWarning};
use crate::collection::catalog::{
    CatalogItem, FieldRole, FieldSpec, FieldType, Required, SubjectKindValue, fold_full_width,
};
use crate::collection::publicity::{PublicityRules, Severity};
use crate::mask::find_id_numbers;
use crate::personal_text::{PersonalKind, find_personal_data};
use crate::subjects::{NameError, SubjectKey, SubjectName};

/// 1 万元 = 10 000 元 = 1 000 000 分.
pub const FEN_PER_WAN_YUAN: i64 = 1_000_000;
/// 1 元 = 100 分.
pub const FEN_PER_YUAN: i64 = 100;

/// No date before the founding of the PRC can be a decision of today's
/// authorities; such a year is a typo (1024 for 2024).
const MIN_YEAR: i32 = 1949;
/// Later years are typos too (20224); the open-ended marker 9999-12-31 is
/// handled before this check.
const MAX_YEAR: i32 = 2099;
/// Excel serial numbers are whole days since 1899-12-30 (the epoch that
/// absorbs Excel's fictitious 1900-02-29). Five digits reach 2173.
const EXCEL_SERIAL_MAX_DIGITS: usize = 5;
/// A fine above 10 亿元 (100 000 万元) is far beyond any municipal decision;
/// such a value was almost certainly typed in 元.
const SUSPICIOUS_FINE_FEN: i64 = 100_000 * FEN_PER_WAN_YUAN;
/// 万元 with 6 decimals is exactly one fen; more digits would be lost.
const WAN_YUAN_DECIMALS: usize = 6;
const YUAN_DECIMALS: usize = 2;
/// More integer digits than this cannot be a real amount and risks overflow.
const MAX_AMOUNT_INT_DIGITS: usize = 12;
/// Values are echoed in messages cut to this many characters.
const ECHO_CHARS: usize = 40;
/// Numbers of passports and other non-GB 11643 documents are kept as typed,
/// up to this length (the longest common ones have under 20 characters).
const OTHER_ID_MAX_CHARS: usize = 64;
/// Age of majority (民法典 Art. 17).
const ADULT_AGE_YEARS: u32 = 18;

/// Cells that mean "nothing here" in clerks' spreadsheets.
const PLACEHOLDERS: &[&str] =
    &["/", "-", "--", "—", "——", "－", "无", "空", "暂无", "null", "NULL", "Null", "N/A", "n/a", "#N/A", "NA"];

/// Words for "no end date" in open-ended date columns.
const OPEN_END_WORDS: &[&str] = &["长期", "长期有效", "永久", "永久有效", "无期限", "无固定期限", "不限期", "不限期限"];

/// Stored form of an open-ended date.
pub const OPEN_ENDED: &str = "长期";

// ----- context and results ---------------------------------------------------

/// What validation needs besides the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationContext {
    /// The upload day: decision dates after it are errors.
    pub today: NaiveDate,
    /// Data from other authorities: a USCC with a wrong check character is
    /// accepted with a warning (early pilot codes are legally valid, DOMAIN
    /// §1.1). Manual input keeps this `false`.
    pub lenient_codes: bool,
}

impl ValidationContext {
    /// Strict codes.
    pub fn new(today: NaiveDate) -> ValidationContext {
        ValidationContext { today, lenient_codes: false }
    }

    /// The same context in import mode (lenient USCC checksums).
    pub fn lenient(mut self) -> ValidationContext {
        self.lenient_codes = true;
        self
    }
}

/// One problem with a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldIssue {
    /// Field code, or `""` for a problem of the whole row.
    pub field: String,
    /// The field's template header, or `""`.
    pub field_name: String,
    /// Stable snake_case code (docs/IMPORT_CODES.md lists them all).
    pub code: &'static str,
    /// Chinese, names the column and the rule.
    pub message: String,
}

/// The verdict on one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
#[expect(
    clippy::large_enum_variant,
    reason = "the valid variant is the common case and is moved straight into the caller's batch; boxing it would only add an allocation per row"
)]
pub enum RowOutcome {
    Valid { draft: RecordDraft, warnings: Vec<FieldIssue> },
    Invalid { errors: Vec<FieldIssue>, warnings: Vec<FieldIssue> },
}

impl RowOutcome {
    pub fn is_valid(&self) -> bool {
        matches!(self, RowOutcome::Valid { .. })
    }

    pub fn draft(&self) -> Option<&RecordDraft> {
        match self {
            RowOutcome::Valid { draft, .. } => Some(draft),
            RowOutcome::Invalid { .. } => None,
        }
    }

    pub fn errors(&self) -> &[FieldIssue] {
        match self {
            RowOutcome::Valid { .. } => &[],
            RowOutcome::Invalid { errors, .. } => errors,
        }
    }

    pub fn warnings(&self) -> &[FieldIssue] {
        match self {
            RowOutcome::Valid { warnings, .. } | RowOutcome::Invalid { warnings, .. } => warnings,
        }
    }
}

/// A validated row, ready to become a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDraft {
    /// Catalog item code, e.g. `CF`.
    pub item: String,
    /// Version of the catalog the row was validated against.
    pub catalog_version: String,
    /// The decision's document number as typed (full-width digits folded).
    pub document_number: String,
    /// The item's key fields in canonical form (see [`canonical_document`]),
    /// joined by `|`: the document part of the idempotency key.
    pub key_document: String,
    pub subject: SubjectRef,
    pub decision_date: NaiveDate,
    pub valid_from: Option<NaiveDate>,
    /// `None` for open-ended validity (长期).
    pub valid_to: Option<NaiveDate>,
    /// Present for items whose publicity kind is `penalty`.
    pub penalty: Option<PenaltyFacts>,
    /// Normalised values by field code, every filled field including the
    /// personal ones: dates as `YYYY-MM-DD` or `长期`, amounts in 万元 as a
    /// plain decimal, enumerations as their canonical value.
    pub fields: BTreeMap<String, String>,
}

impl RecordDraft {
    /// The idempotency key: uploading the same decision about the same
    /// subject again from the same department finds this record.
    pub fn key(&self, department: &str) -> RecordKey {
        RecordKey {
            department: department.to_owned(),
            item: self.item.clone(),
            document: self.key_document.clone(),
            subject: self.subject.key(),
        }
    }

    /// The fields the catalog marks public, less the prose the row withholds
    /// because it names natural persons; what a portal may show.
    pub fn public_fields(&self, item: &CatalogItem) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .filter(|(code, _)| item.field(code).is_some_and(|spec| item.publishes(spec, &self.fields)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// (department, item, document, subject).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordKey {
    pub department: String,
    pub item: String,
    pub document: String,
    pub subject: SubjectKey,
}

impl RecordKey {
    /// Unambiguous string form (unit-separator joined). Contains an ID number
    /// for natural persons: index [`RecordKey::digest`] instead where the key
    /// is stored.
    pub fn canonical(&self) -> String {
        let subject = match &self.subject {
            SubjectKey::LegalPerson(uscc) => format!("L:{}", uscc.as_str()),
            SubjectKey::NaturalPerson(id) => format!("N:{}", id.as_str()),
        };
        format!("{}\u{1f}{}\u{1f}{}\u{1f}{}", self.department, self.item, self.document, subject)
    }

    /// SHA-256 of [`RecordKey::canonical`], base64url without padding
    /// (43 characters).
    pub fn digest(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.canonical().as_bytes()))
    }
}

/// Canonical form of a document number for keys: whitespace removed and every
/// bracket style around the year made 〔〕 (`济市监罚[2024]1号`, `济市监罚（2024）1号`
/// and `济市监罚〔2024〕1号` are the same decision).
pub fn canonical_document(document: &str) -> String {
    document
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '[' | '［' | '【' | '(' | '（' | '﹝' | '〔' => '〔',
            ']' | '］' | '】' | ')' | '）' | '﹞' | '〕' => '〕',
            c => c,
        })
        .collect()
}

/// Kind of legal person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalKind {
    /// 法人及非法人组织.
    Organisation,
    /// 个体工商户.
    IndividualBusiness,
}

impl LegalKind {
    pub fn name_zh(self) -> &'static str {
        match self {
            LegalKind::Organisation => "法人及非法人组织",
            LegalKind::IndividualBusiness => "个体工商户",
        }
    }
}

/// The subject a record is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SubjectRef {
    LegalPerson {
        uscc: Uscc,
        name: SubjectName,
        kind: LegalKind,
        /// Name and, when given as a resident ID number, ID of the legal
        /// representative (for 个体工商户 the operator).
        legal_representative: Option<(SubjectName, Option<IdNumber>)>,
    },
    NaturalPerson {
        id_number: IdNumber,
        name: SubjectName,
    },
}

impl SubjectRef {
    pub fn key(&self) -> SubjectKey {
        match self {
            SubjectRef::LegalPerson { uscc, .. } => SubjectKey::LegalPerson(uscc.clone()),
            SubjectRef::NaturalPerson { id_number, .. } => SubjectKey::NaturalPerson(id_number.clone()),
        }
    }

    pub fn name(&self) -> &SubjectName {
        match self {
            SubjectRef::LegalPerson { name, .. } | SubjectRef::NaturalPerson { name, .. } => name,
        }
    }

    pub fn is_natural_person(&self) -> bool {
        matches!(self, SubjectRef::NaturalPerson { .. })
    }
}

/// Penalty categories of 行政处罚法 (2021) Art. 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyCategory {
    /// 警告
    Warning,
    /// 通报批评
    PublicCriticism,
    /// 罚款
    Fine,
    /// 没收违法所得、没收非法财物
    Confiscation,
    /// 暂扣许可证件
    LicenceSuspension,
    /// 降低资质等级
    QualificationDowngrade,
    /// 吊销许可证件 (including 吊销营业执照)
    LicenceRevocation,
    /// 限制开展生产经营活动
    ProductionRestriction,
    /// 责令停产停业
    SuspensionOfBusiness,
    /// 责令关闭
    Closure,
    /// 限制从业
    PracticeRestriction,
    /// 行政拘留
    Detention,
    /// 法律、行政法规规定的其他行政处罚
    Other,
}

/// Recognised spellings, longest first within each category so that the
/// keyword scan prefers the specific reading.
const CATEGORY_WORDS: &[(&str, PenaltyCategory)] = &[
    ("警告", PenaltyCategory::Warning),
    ("通报批评", PenaltyCategory::PublicCriticism),
    ("罚款", PenaltyCategory::Fine),
    ("没收违法所得", PenaltyCategory::Confiscation),
    ("没收非法财物", PenaltyCategory::Confiscation),
    ("没收", PenaltyCategory::Confiscation),
    ("暂扣许可证件", PenaltyCategory::LicenceSuspension),
    ("暂扣许可证", PenaltyCategory::LicenceSuspension),
    ("暂扣执照", PenaltyCategory::LicenceSuspension),
    ("暂扣", PenaltyCategory::LicenceSuspension),
    ("降低资质等级", PenaltyCategory::QualificationDowngrade),
    ("降低资质", PenaltyCategory::QualificationDowngrade),
    ("吊销许可证件", PenaltyCategory::LicenceRevocation),
    ("吊销营业执照", PenaltyCategory::LicenceRevocation),
    ("吊销许可证", PenaltyCategory::LicenceRevocation),
    ("吊销执照", PenaltyCategory::LicenceRevocation),
    ("吊销", PenaltyCategory::LicenceRevocation),
    ("限制开展生产经营活动", PenaltyCategory::ProductionRestriction),
    ("限制生产经营", PenaltyCategory::ProductionRestriction),
    ("责令停产停业", PenaltyCategory::SuspensionOfBusiness),
    ("停产停业", PenaltyCategory::SuspensionOfBusiness),
    ("责令停业", PenaltyCategory::SuspensionOfBusiness),
    ("停业整顿", PenaltyCategory::SuspensionOfBusiness),
    ("责令关闭", PenaltyCategory::Closure),
    ("限制从业", PenaltyCategory::PracticeRestriction),
    ("禁止从业", PenaltyCategory::PracticeRestriction),
    ("行政拘留", PenaltyCategory::Detention),
    ("拘留", PenaltyCategory::Detention),
    ("其他", PenaltyCategory::Other),
    ("其它", PenaltyCategory::Other),
];

impl PenaltyCategory {
    pub const ALL: [PenaltyCategory; 13] = [
        Self::Warning,
        Self::PublicCriticism,
        Self::Fine,
        Self::Confiscation,
        Self::LicenceSuspension,
        Self::QualificationDowngrade,
        Self::LicenceRevocation,
        Self::ProductionRestriction,
        Self::SuspensionOfBusiness,
        Self::Closure,
        Self::PracticeRestriction,
        Self::Detention,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "warning",
            Self::PublicCriticism => "public_criticism",
            Self::Fine => "fine",
            Self::Confiscation => "confiscation",
            Self::LicenceSuspension => "licence_suspension",
            Self::QualificationDowngrade => "qualification_downgrade",
            Self::LicenceRevocation => "licence_revocation",
            Self::ProductionRestriction => "production_restriction",
            Self::SuspensionOfBusiness => "suspension_of_business",
            Self::Closure => "closure",
            Self::PracticeRestriction => "practice_restriction",
            Self::Detention => "detention",
            Self::Other => "other",
        }
    }

    /// Name as in 行政处罚法 Art. 9.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Warning => "警告",
            Self::PublicCriticism => "通报批评",
            Self::Fine => "罚款",
            Self::Confiscation => "没收违法所得、没收非法财物",
            Self::LicenceSuspension => "暂扣许可证件",
            Self::QualificationDowngrade => "降低资质等级",
            Self::LicenceRevocation => "吊销许可证件",
            Self::ProductionRestriction => "限制开展生产经营活动",
            Self::SuspensionOfBusiness => "责令停产停业",
            Self::Closure => "责令关闭",
            Self::PracticeRestriction => "限制从业",
            Self::Detention => "行政拘留",
            Self::Other => "其他",
        }
    }

    /// The category a single token names exactly (one of the recognised
    /// spellings).
    pub fn from_zh(token: &str) -> Option<PenaltyCategory> {
        CATEGORY_WORDS.iter().find(|(word, _)| *word == token).map(|(_, c)| *c)
    }
}

/// Result of reading a 处罚类别 cell.
#[derive(Debug, Clone, PartialEq, Eq)]
struct CategoryParse {
    categories: Vec<PenaltyCategory>,
    /// Tokens read by keyword search rather than exact name, e.g.
    /// "罚款并没收违法所得".
    inferred: Vec<String>,
    unknown: Vec<String>,
}

/// Splits a 处罚类别 cell on 、,;/| and whitespace and reads each token.
fn parse_categories(text: &str) -> CategoryParse {
    let mut out = CategoryParse { categories: Vec::new(), inferred: Vec::new(), unknown: Vec::new() };
    let tokens = text
        .split(|c: char| {
            matches!(fold_full_width(c), '、' | ',' | ';' | '/' | '|' | '\\' | '，' | '；') || c.is_whitespace()
        })
        .map(str::trim)
        .filter(|t| !t.is_empty());
    for token in tokens {
        if let Some(c) = PenaltyCategory::from_zh(token) {
            out.categories.push(c);
            continue;
        }
        let found = scan_categories(token);
        if found.is_empty() {
            out.unknown.push(token.to_owned());
        } else {
            out.categories.extend(found);
            out.inferred.push(token.to_owned());
        }
    }
    out.categories.sort();
    out.categories.dedup();
    out
}

/// Categories whose spellings occur in `token`, longest spelling first so
/// that "没收违法所得" is not read twice.
fn scan_categories(token: &str) -> Vec<PenaltyCategory> {
    let mut rest = token.to_owned();
    let mut found = Vec::new();
    let mut words: Vec<&(&str, PenaltyCategory)> = CATEGORY_WORDS.iter().collect();
    words.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
    for (word, category) in words {
        if rest.contains(word) {
            found.push(*category);
            rest = rest.replace(word, "\u{0}");
        }
    }
    found
}

/// Procedure under which a penalty was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// 普通程序
    Ordinary,
    /// 简易程序 (当场作出, 行政处罚法 Art. 51)
    Simplified,
}

impl Procedure {
    pub fn name_zh(self) -> &'static str {
        match self {
            Procedure::Ordinary => "普通程序",
            Procedure::Simplified => "简易程序",
        }
    }

    /// Reads a 程序类型 value: anything naming 简易 or 当场 is simplified;
    /// 普通 or 一般 is ordinary.
    pub fn from_zh(value: &str) -> Option<Procedure> {
        if value.contains("简易") || value.contains("当场") {
            Some(Procedure::Simplified)
        } else if value.contains("普通") || value.contains("一般") {
            Some(Procedure::Ordinary)
        } else {
            None
        }
    }
}

/// Facts about a penalty that the publicity rules need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PenaltyFacts {
    /// Sorted, without duplicates.
    pub categories: Vec<PenaltyCategory>,
    pub fine_fen: Option<i64>,
    pub confiscation_fen: Option<i64>,
    pub procedure: Procedure,
    /// True when 程序类型 was stated. When false, `procedure` was inferred
    /// with the shipped limits (see [`crate::collection::publicity::SimplifiedProcedureRules::infer`]), and
    /// [`crate::collection::publicity::decide_publicity`] infers it again under the rules
    /// it is given, so an operator's own limits apply.
    pub procedure_stated: bool,
    /// 失信严重程度 when stated by the department.
    pub severity: Option<Severity>,
    /// Stated, or the subject is a natural person under 18 on the decision
    /// date (from the ID number's birth date).
    pub subject_is_minor: bool,
    /// 违法行为轻微并主动消除危害后果 (山东省社会信用条例 Art. 13 ¶2).
    pub minor_violation_corrected: bool,
}

impl PenaltyFacts {
    /// True when the only category is a warning (SAMR Order 45 Art. 2).
    pub fn is_warning_only(&self) -> bool {
        self.categories == [PenaltyCategory::Warning]
    }

    pub fn includes(&self, category: PenaltyCategory) -> bool {
        self.categories.contains(&category)
    }
}

/// Reads a yes/no cell: 是/否, Y/N, 1/0, true/false.
pub fn parse_yes_no(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "是" | "y" | "yes" | "1" | "true" => Some(true),
        "否" | "n" | "no" | "0" | "false" => Some(false),
        _ => None,
    }
}

// ----- normalisation -----------------------------------------------------------

/// Normalises a raw cell (see the module docs). Returns an empty string for
/// placeholder cells.
pub fn normalize_cell(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Only letters and digits are folded: full-width punctuation such
            // as （） belongs to registered names.
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                out.push(fold_full_width(c));
            }
            '\u{A0}' | '\u{3000}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\t' => {
                out.push(' ');
            }
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            c => out.push(c),
        }
    }
    let trimmed = out.trim();
    if PLACEHOLDERS.contains(&trimmed) { String::new() } else { trimmed.to_owned() }
}

/// Compact form for typed values (dates, amounts, codes, enumeration
/// matching): the whole full-width ASCII block folded, all whitespace gone.
fn compact(s: &str) -> String {
    s.chars().map(fold_full_width).filter(|c| !c.is_whitespace()).collect()
}

/// Cuts a value for echoing in a message.
fn echo(value: &str) -> String {
    if value.chars().count() <= ECHO_CHARS {
        value.to_owned()
    } else {
        let cut: String = value.chars().take(ECHO_CHARS).collect();
        format!("{cut}…")
    }
}

// ----- problems ------------------------------------------------------------------

/// Everything that can be wrong with a row. Each variant has a stable code;
/// the message is appended to the column name, e.g. 「许可决定日期」 + "2026-13-01
/// 不是有效日期…".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum Problem {
    #[error("为必填项（{rule}）")]
    RequiredMissing { rule: String },
    #[error("出现了两个不同的值，请只保留一列")]
    FieldConflict,
    #[error("超过 {max} 个字符（实际 {found} 个）")]
    TextTooLong { max: usize, found: usize },
    #[error("含有不可见的控制字符，请删除后重新上传")]
    TextControlCharacter,
    #[error("{value} 不是有效日期（应为 YYYY-MM-DD，也可写作 2024/6/1、2024.6.1、20240601 或 2024年6月1日）")]
    DateInvalid { value: String },
    #[error("{date} 早于 {MIN_YEAR} 年，请核对年份")]
    DateTooEarly { date: String },
    #[error("{date} 晚于 {MAX_YEAR} 年，请核对年份")]
    DateTooLate { date: String },
    #[error("{date} 晚于上传当日 {today}，不能填写将来的日期")]
    DateInFuture { date: NaiveDate, today: NaiveDate },
    #[error("{to} 早于「{from_name}」{from}")]
    DateRangeInverted { from_name: String, from: NaiveDate, to: NaiveDate },
    #[error("{value} 不是有效金额（以万元为单位的数字，例如 0.2 表示 2000 元）")]
    MoneyInvalid { value: String },
    #[error("金额不能为负数")]
    MoneyNegative,
    #[error("{value} 的小数位过多：以万元为单位最多 {WAN_YUAN_DECIMALS} 位小数（精确到分）")]
    MoneyPrecision { value: String },
    #[error("{value} 超出可处理的金额范围，请核对")]
    MoneyTooLarge { value: String },
    #[error("{value} 不是整数")]
    IntegerInvalid { value: String },
    #[error("“{value}”不是允许的取值，应为：{allowed}")]
    EnumInvalid { value: String, allowed: String },
    #[error("{0}")]
    Uscc(UsccError),
    #[error("{0}")]
    IdNumber(IdNumberError),
    #[error("{0}")]
    Name(NameError),
    #[error("证件类型为“{id_type}”：平台目前只能登记持居民身份证号码（GB 11643）的自然人，请联系平台管理员处理")]
    IdTypeUnsupported { id_type: String },
    #[error("缺少主体代码：法人及非法人组织、个体工商户须填统一社会信用代码，自然人须填身份证号码")]
    SubjectIdentifierMissing,
    #[error(
        "“{token}”不是行政处罚法第九条规定的处罚种类（警告、通报批评、罚款、没收违法所得、没收非法财物、暂扣许可证件、降低资质等级、吊销许可证件、限制开展生产经营活动、责令停产停业、责令关闭、限制从业、行政拘留、其他）"
    )]
    PenaltyCategoryUnknown { token: String },
    #[error("含有身份证号码：公开的列不得含有个人证件号码，请删除，或填入不公开的证件号码列")]
    IdNumberInPublicField,
    // --- warnings ---
    #[error("含有{kinds}：公示时将自动遮盖；个人信息不应写入公开的列，请核对")]
    PersonalDataInPublicField { kinds: String },
    #[error("不是目录中本事项的字段，已忽略")]
    FieldUnknown,
    #[error("{0}")]
    UsccWarning(UsccWarning),
    #[error("地址码前两位不是已知的省级行政区划代码，请核对号码")]
    IdNumberDivisionUnknown,
    #[error("为“{stated}”，但统一社会信用代码第 1–2 位“{prefix}”表示{code_kind}，请核对类别")]
    SubjectKindMismatch { stated: String, prefix: String, code_kind: String },
    #[error("行政相对人为自然人，此列的统一社会信用代码不作为主体代码使用")]
    SubjectCodeIgnored,
    #[error("“{value}”已按元换算为 {wan} 万元；标准单位为万元，请直接填写万元数")]
    MoneyUnitConverted { value: String, wan: String },
    #[error("为 {wan} 万元，{reason}，疑似按元填写；标准单位为万元（罚款 2000 元应填 0.2）")]
    FineAmountSuspicious { wan: String, reason: String },
    #[error("为 {wan} 万元，与处罚内容中的罚款金额（{stated}）不一致，请核对")]
    FineAmountMismatch { wan: String, stated: String },
    #[error("为 0，但处罚类别包含罚款，请核对")]
    FineAmountZero,
    #[error("已填写金额，但处罚类别不含罚款，请核对处罚类别")]
    FineWithoutCategory,
    #[error("“{token}”按关键词识别为：{categories}；请尽量使用行政处罚法第九条的规范名称")]
    PenaltyCategoryInferred { token: String, categories: String },
}

impl Problem {
    fn code(&self) -> &'static str {
        match self {
            Self::RequiredMissing { .. } => "required_missing",
            Self::FieldConflict => "field_conflict",
            Self::TextTooLong { .. } => "text_too_long",
            Self::TextControlCharacter => "text_control_character",
            Self::DateInvalid { .. } => "date_invalid",
            Self::DateTooEarly { .. } => "date_too_early",
            Self::DateTooLate { .. } => "date_too_late",
            Self::DateInFuture { .. } => "date_in_future",
            Self::DateRangeInverted { .. } => "date_range_inverted",
            Self::MoneyInvalid { .. } => "money_invalid",
            Self::MoneyNegative => "money_negative",
            Self::MoneyPrecision { .. } => "money_precision",
            Self::MoneyTooLarge { .. } => "money_too_large",
            Self::IntegerInvalid { .. } => "integer_invalid",
            Self::EnumInvalid { .. } => "enum_invalid",
            Self::Uscc(e) => e.code(),
            Self::IdNumber(e) => e.code(),
            Self::Name(e) => e.code(),
            Self::IdTypeUnsupported { .. } => "id_type_unsupported",
            Self::SubjectIdentifierMissing => "subject_identifier_missing",
            Self::PenaltyCategoryUnknown { .. } => "penalty_category_unknown",
            Self::IdNumberInPublicField => "id_number_in_public_field",
            Self::PersonalDataInPublicField { .. } => "personal_data_in_public_field",
            Self::FieldUnknown => "field_unknown",
            Self::UsccWarning(w) => w.code(),
            Self::IdNumberDivisionUnknown => "id_number_division_unknown",
            Self::SubjectKindMismatch { .. } => "subject_kind_mismatch",
            Self::SubjectCodeIgnored => "subject_code_ignored",
            Self::MoneyUnitConverted { .. } => "money_unit_converted",
            Self::FineAmountSuspicious { .. } => "fine_amount_suspicious",
            Self::FineAmountMismatch { .. } => "fine_amount_mismatch",
            Self::FineAmountZero => "fine_amount_zero",
            Self::FineWithoutCategory => "fine_without_category",
            Self::PenaltyCategoryInferred { .. } => "penalty_category_inferred",
        }
    }
}

/// Whether a code stops the row or only informs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueLevel {
    /// The row is rejected.
    Error,
    /// The row is accepted; the clerk should look.
    Warning,
    /// About the header row (or the whole sheet), not a single row.
    Header,
}

/// Every code row validation and header matching can produce, with its
/// meaning for clerks. `docs/IMPORT_CODES.md` is written from this table; a
/// test keeps the table complete.
pub const ISSUE_CODES: &[(&str, IssueLevel, &str)] = &[
    (
        "required_missing",
        IssueLevel::Error,
        "必填字段为空（含条件必填：法人须填统一社会信用代码和法定代表人，自然人须填证件类型和证件号码，处罚类别含罚款须填罚款金额等）",
    ),
    ("field_conflict", IssueLevel::Error, "同一字段出现在两列且值不同"),
    ("text_too_long", IssueLevel::Error, "文本超过目录规定的最大字符数"),
    ("text_control_character", IssueLevel::Error, "文本含不可见的控制字符（换行除外）"),
    (
        "date_invalid",
        IssueLevel::Error,
        "不是有效日期；可写 2024-06-01、2024/6/1、2024.6.1、20240601、2024年6月1日，或 Excel 日期",
    ),
    ("date_too_early", IssueLevel::Error, "日期早于 1949 年，多为年份录入错误"),
    ("date_too_late", IssueLevel::Error, "日期晚于 2099 年，多为年份录入错误（长期有效请写“长期”或 9999-12-31）"),
    ("date_in_future", IssueLevel::Error, "决定日期等不得晚于上传当日"),
    ("date_range_inverted", IssueLevel::Error, "有效期至早于有效期自"),
    ("money_invalid", IssueLevel::Error, "不是有效金额；金额以万元为单位填写数字，如 0.2 表示 2000 元"),
    ("money_negative", IssueLevel::Error, "金额为负数"),
    ("money_precision", IssueLevel::Error, "以万元为单位超过 6 位小数（以元为单位超过 2 位小数），即比“分”更细"),
    ("money_too_large", IssueLevel::Error, "金额位数过多，超出可处理范围"),
    ("integer_invalid", IssueLevel::Error, "不是整数"),
    (
        "enum_invalid",
        IssueLevel::Error,
        "不是该字段允许的取值（如行政相对人类别只能是法人及非法人组织、自然人、个体工商户）",
    ),
    ("uscc_length", IssueLevel::Error, "统一社会信用代码不是 18 位"),
    ("uscc_charset", IssueLevel::Error, "统一社会信用代码含不允许的字符（I、O、Z、S、V 及符号不会出现在代码中）"),
    ("uscc_authority", IssueLevel::Error, "统一社会信用代码第 1 位登记管理部门代码无效"),
    ("uscc_category", IssueLevel::Error, "统一社会信用代码第 2 位机构类别与第 1 位不匹配"),
    ("uscc_division", IssueLevel::Error, "统一社会信用代码第 3–8 位行政区划码不是 6 位数字"),
    ("uscc_org_code_check", IssueLevel::Error, "统一社会信用代码第 9–17 位组织机构代码校验不通过"),
    ("uscc_check_character", IssueLevel::Error, "统一社会信用代码第 18 位校验码错误"),
    ("id_number_length", IssueLevel::Error, "身份证号码不是 18 位"),
    ("id_number_legacy_15", IssueLevel::Error, "15 位旧身份证号码，请改填 18 位号码"),
    ("id_number_charset", IssueLevel::Error, "身份证号码含不允许的字符（前 17 位为数字，第 18 位为数字或 X）"),
    ("id_number_birth_date", IssueLevel::Error, "身份证号码中的出生日期无效"),
    ("id_number_check_digit", IssueLevel::Error, "身份证号码校验码错误"),
    ("id_type_unsupported", IssueLevel::Error, "自然人的证件不是居民身份证（或港澳台居民居住证），平台暂不能登记"),
    ("name_empty", IssueLevel::Error, "名称为空"),
    ("name_too_long", IssueLevel::Error, "名称超过 200 个字符"),
    ("name_control_character", IssueLevel::Error, "名称含控制字符"),
    ("subject_identifier_missing", IssueLevel::Error, "既无统一社会信用代码也无身份证号码，无法确定行政相对人"),
    ("penalty_category_unknown", IssueLevel::Error, "处罚类别不是行政处罚法第九条规定的种类"),
    ("id_number_in_public_field", IssueLevel::Error, "公开的列中含有身份证号码（个人信息不得公示）"),
    (
        "personal_data_in_public_field",
        IssueLevel::Warning,
        "公开的列中含有手机号码、固定电话、电子邮箱或银行卡号：记录照常接收，公示时自动遮盖",
    ),
    ("field_unknown", IssueLevel::Warning, "不是本事项的字段，已忽略"),
    (
        "uscc_check_character_mismatch",
        IssueLevel::Warning,
        "导入模式下统一社会信用代码校验码不符（早期试点代码可能如此），已接受",
    ),
    ("uscc_org_code_check_mismatch", IssueLevel::Warning, "导入模式下组织机构代码校验不符，已接受"),
    ("id_number_division_unknown", IssueLevel::Warning, "身份证号码前两位不是已知的省级行政区划代码"),
    (
        "subject_kind_mismatch",
        IssueLevel::Warning,
        "行政相对人类别与统一社会信用代码不一致（如 92 开头的个体工商户代码填了“法人及非法人组织”）",
    ),
    ("subject_code_ignored", IssueLevel::Warning, "自然人行填写了统一社会信用代码，不作为主体代码使用"),
    ("money_unit_converted", IssueLevel::Warning, "金额写明了“元”，已换算为万元"),
    (
        "fine_amount_suspicious",
        IssueLevel::Warning,
        "罚款金额疑似按元填写（超过 10 万万元，或等于处罚内容中以元计的金额）",
    ),
    ("fine_amount_mismatch", IssueLevel::Warning, "罚款金额与处罚内容中写明的金额不一致"),
    ("fine_amount_zero", IssueLevel::Warning, "处罚类别含罚款，但罚款金额为 0"),
    ("fine_without_category", IssueLevel::Warning, "填写了罚款金额，但处罚类别不含罚款"),
    ("penalty_category_inferred", IssueLevel::Warning, "处罚类别不是规范名称，已按关键词识别"),
    ("header_unknown", IssueLevel::Header, "表头不是本事项的字段（该列不导入）"),
    (
        "header_ignored",
        IssueLevel::Header,
        "表头为空或为旧格式的辅助列（序号、地方编码、数据更新时间戳等），该列不导入",
    ),
    ("header_duplicate", IssueLevel::Header, "两列对应同一字段，只导入第一列"),
    ("header_missing_required", IssueLevel::Header, "缺少必填字段的列，所有行都会失败"),
    ("header_missing_conditional", IssueLevel::Header, "缺少条件必填字段的列，满足条件的行会失败"),
    ("header_money_unit_yuan", IssueLevel::Header, "金额列表头注明单位为元，但标准单位为万元"),
    ("item_unknown", IssueLevel::Header, "表头与目录中的任何事项都不匹配"),
    ("item_ambiguous", IssueLevel::Header, "表头可能属于多个事项，请上传时指定事项"),
];

// ----- parsing typed values --------------------------------------------------------

/// A parsed cell.
#[derive(Debug, Clone)]
enum Value {
    Text(String),
    /// `None`: open-ended (长期).
    Date(Option<NaiveDate>),
    Money(i64),
    Enum(String),
    Uscc(Uscc),
    Id(IdNumber),
    /// A number of a non-resident document (passport …), kept as typed.
    OtherId(String),
    Integer(i64),
}

impl Value {
    fn stored(&self) -> String {
        match self {
            Value::Text(s) | Value::Enum(s) | Value::OtherId(s) => s.clone(),
            Value::Date(Some(d)) => d.format("%Y-%m-%d").to_string(),
            Value::Date(None) => OPEN_ENDED.to_owned(),
            Value::Money(fen) => format_wan_yuan(*fen),
            Value::Uscc(u) => u.as_str().to_owned(),
            Value::Id(id) => id.as_str().to_owned(),
            Value::Integer(n) => n.to_string(),
        }
    }
}

/// Formats fen as a plain decimal number of 万元 without trailing zeros:
/// 200 000 fen → "0.2".
pub fn format_wan_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let per = FEN_PER_WAN_YUAN.unsigned_abs();
    let (int, frac) = (abs / per, abs % per);
    if frac == 0 {
        return format!("{sign}{int}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{int}.{}", frac.trim_end_matches('0'))
}

/// Formats fen as 元 for messages: 200 000 fen → "2000 元".
fn format_yuan(fen: i64) -> String {
    let (int, frac) = (fen / FEN_PER_YUAN, (fen % FEN_PER_YUAN).abs());
    if frac == 0 { format!("{int} 元") } else { format!("{int}.{frac:02} 元") }
}

fn check_text(value: &str, max_chars: usize) -> Result<(), Problem> {
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Problem::TextControlCharacter);
    }
    let found = value.chars().count();
    if found > max_chars {
        return Err(Problem::TextTooLong { max: max_chars, found });
    }
    Ok(())
}

/// Parses a date cell. See [`FieldType::Date`]; formats in the module docs
/// of [`crate::record`] and in [`ISSUE_CODES`].
///
/// Excel serial numbers: a cell that is only 1–5 digits (optionally with a
/// fraction, the time of day) is read as days since 1899-12-30, the
/// convention of spreadsheet readers that hand over a date cell's raw number;
/// "45444" is 2024-06-01. Eight digits are `YYYYMMDD`; 6–7 digits or four
/// digits alone cannot be dates. A serial number below 17899 lands before
/// 1949 and is refused like any early date.
fn parse_date(value: &str, open_ended: bool) -> Result<Option<NaiveDate>, Problem> {
    let invalid = || Problem::DateInvalid { value: echo(value) };
    let folded: String = value.chars().map(fold_full_width).collect();
    let s = compact(strip_time_of_day(&folded));
    if open_ended && OPEN_END_WORDS.contains(&s.as_str()) {
        return Ok(None);
    }
    let s = s.trim_end_matches(['日', '号']).replace(['年', '月'], "-");
    let numeric = !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && s.bytes().filter(|&b| b == b'.').count() <= 1;
    let date = if numeric {
        let (int, fraction) = s.split_once('.').unwrap_or((&s, ""));
        match (int.len(), fraction.is_empty()) {
            (8, true) => ymd(&int[..4], &int[4..6], &int[6..]),
            // Four digits alone are a year, which names no day.
            (4, true) => None,
            (1..=EXCEL_SERIAL_MAX_DIGITS, _) => excel_serial(int),
            _ => None,
        }
    } else {
        match s.split(['-', '/', '.']).collect::<Vec<_>>().as_slice() {
            [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => ymd(y, m, d),
            _ => None,
        }
    };
    let date = date.ok_or_else(invalid)?;
    // 9999-12-31 is the usual spreadsheet spelling of "no end".
    if open_ended && date.year() == 9999 {
        return Ok(None);
    }
    let shown = date.format("%Y-%m-%d").to_string();
    if date.year() < MIN_YEAR {
        return Err(Problem::DateTooEarly { date: shown });
    }
    if date.year() > MAX_YEAR {
        return Err(Problem::DateTooLate { date: shown });
    }
    Ok(Some(date))
}

/// Drops a trailing time of day: "2024-06-01 08:00:00", "2024-06-01T08:00",
/// "2024/6/1 8:00". Runs before whitespace is removed, which would glue the
/// hour to the day.
fn strip_time_of_day(s: &str) -> &str {
    let s = s.trim();
    if let Some((date, time)) = s.split_once(|c: char| c.is_whitespace() || c == 'T') {
        let time = time.trim();
        if time.contains(':') && time.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '.') {
            return date;
        }
    }
    s
}

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn excel_serial(int: &str) -> Option<NaiveDate> {
    let days: u64 = int.parse().ok()?;
    if days == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(days))
}

/// Parses an amount in 万元 into fen. A value written with the unit 元 (or
/// 万元/万) is honoured; the boolean says it was converted from 元.
fn parse_money(value: &str) -> Result<(i64, bool), Problem> {
    let invalid = || Problem::MoneyInvalid { value: echo(value) };
    let mut s = compact(value);
    for prefix in ["人民币", "RMB", "￥", "¥"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.to_owned();
        }
    }
    // "2000元整", as amounts are written on receipts.
    let s = s.strip_suffix('整').unwrap_or(&s).to_owned();
    let (number, yuan) = if let Some(n) = s.strip_suffix("万元") {
        (n, false)
    } else if let Some(n) = s.strip_suffix('万') {
        (n, false)
    } else if let Some(n) = s.strip_suffix('元') {
        (n, true)
    } else {
        (s.as_str(), false)
    };
    let number = number.replace(',', "");
    if number.starts_with('-') {
        return Err(Problem::MoneyNegative);
    }
    let number = number.strip_prefix('+').unwrap_or(&number);
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
        return Err(invalid());
    }
    let int = int.trim_start_matches('0');
    if int.len() > MAX_AMOUNT_INT_DIGITS {
        return Err(Problem::MoneyTooLarge { value: echo(value) });
    }
    let frac = frac.trim_end_matches('0');
    let (decimals, per) = if yuan { (YUAN_DECIMALS, FEN_PER_YUAN) } else { (WAN_YUAN_DECIMALS, FEN_PER_WAN_YUAN) };
    if frac.len() > decimals {
        return Err(Problem::MoneyPrecision { value: echo(value) });
    }
    let int_value: i64 = if int.is_empty() { 0 } else { int.parse().map_err(|_| invalid())? };
    let frac_value: i64 =
        if frac.is_empty() { 0 } else { format!("{frac:0<decimals$}").parse().map_err(|_| invalid())? };
    let fen = int_value
        .checked_mul(per)
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(|| Problem::MoneyTooLarge { value: echo(value) })?;
    Ok((fen, yuan))
}

fn parse_integer(value: &str) -> Result<i64, Problem> {
    let s = compact(value).replace(',', "");
    s.parse::<i64>().map_err(|_| Problem::IntegerInvalid { value: echo(value) })
}

fn parse_enum(value: &str, values: &[String], aliases: &BTreeMap<String, String>) -> Result<String, Problem> {
    let key = compact(value).to_uppercase();
    let same = |candidate: &str| compact(candidate).to_uppercase() == key;
    if let Some(v) = values.iter().find(|v| same(v)) {
        return Ok(v.clone());
    }
    if let Some((_, target)) = aliases.iter().find(|(alias, _)| same(alias)) {
        return Ok(target.clone());
    }
    Err(Problem::EnumInvalid { value: echo(value), allowed: values.join("、") })
}

/// Amounts (fen) the penalty text names as fines: "罚款2000元", "罚款人民币
/// 0.2万元", "处2,000元罚款", "处以 3000 元的罚款".
fn fines_in_text(text: &str) -> Vec<i64> {
    let chars: Vec<char> = text.chars().map(fold_full_width).collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars.get(i).is_some_and(char::is_ascii_digit) {
            i += 1;
            continue;
        }
        let start = i;
        while chars.get(i).is_some_and(|c| c.is_ascii_digit() || *c == ',' || *c == '.') {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        let after: String = chars[i..chars.len().min(i + 6)].iter().collect();
        let after = after.trim_start();
        let (unit_len, yuan) = if after.starts_with("万元") {
            (2, false)
        } else if after.starts_with('万') {
            (1, false)
        } else if after.starts_with('元') {
            (1, true)
        } else {
            continue;
        };
        let before: String = chars[start.saturating_sub(10)..start].iter().collect();
        let mut before = before.trim_end();
        loop {
            let stripped =
                ["人民币", "：", ":", "共计", "合计", "计", "金额"].iter().find_map(|p| before.strip_suffix(p));
            match stripped {
                Some(rest) => before = rest.trim_end(),
                None => break,
            }
        }
        let rest = after.chars().skip(unit_len).collect::<String>();
        let names_fine = before.ends_with("罚款") || rest.starts_with("罚款") || rest.starts_with("的罚款");
        if !names_fine {
            continue;
        }
        let unit = if yuan { "元" } else { "万元" };
        if let Ok((fen, _)) = parse_money(&format!("{number}{unit}")) {
            found.push(fen);
        }
    }
    found
}

// ----- the validator -----------------------------------------------------------------

/// Collects issues while a row is read.
struct Issues {
    errors: Vec<FieldIssue>,
    warnings: Vec<FieldIssue>,
}

impl Issues {
    fn issue(spec: Option<&FieldSpec>, problem: &Problem) -> FieldIssue {
        match spec {
            Some(spec) => FieldIssue {
                field: spec.code().to_owned(),
                field_name: spec.name().to_owned(),
                code: problem.code(),
                message: format!("「{}」{problem}", spec.name()),
            },
            None => FieldIssue {
                field: String::new(),
                field_name: String::new(),
                code: problem.code(),
                message: problem.to_string(),
            },
        }
    }

    fn error(&mut self, spec: Option<&FieldSpec>, problem: Problem) {
        self.errors.push(Self::issue(spec, &problem));
    }

    fn warn(&mut self, spec: Option<&FieldSpec>, problem: Problem) {
        self.warnings.push(Self::issue(spec, &problem));
    }

    fn has_error_on(&self, spec: &FieldSpec) -> bool {
        self.errors.iter().any(|e| e.field == spec.code())
    }
}

/// Which kind of subject a row is about, as far as it can be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Legal(SubjectKindValue),
    Natural,
    Unknown,
}

/// Validates one row of `item`. `cells` pairs field codes with raw cell text
/// (see [`crate::collection::catalog::HeaderMatch::cells`]); cells may come in any
/// order, and absent fields are simply empty.
pub fn validate_row(item: &CatalogItem, cells: &[(String, String)], ctx: &ValidationContext) -> RowOutcome {
    let mut issues = Issues { errors: Vec::new(), warnings: Vec::new() };
    // 1. Normalise; one value per field. 2. Parse by type.
    let raw = normalise_cells(item, cells, &mut issues);
    let parsed = parse_values(item, &raw, ctx, &mut issues);
    // 3. Who is the subject? 4. Penalty categories (conditional requirements
    //    depend on them). 5. Required fields.
    let (class, stated_kind) = classify(item, &raw, &parsed);
    let categories = penalty_categories(item, &parsed, &mut issues);
    check_required(item, &raw, class, &categories, &mut issues);
    // 6. Cross-field rules.
    check_dates(item, &parsed, ctx, &mut issues);
    check_public_text(item, &parsed, &mut issues);
    let subject = build_subject(item, class, stated_kind.as_ref(), &parsed, &raw, &mut issues);
    let fine_fen = money_of(item, FieldRole::FineAmount, &parsed);
    check_fine(item, &categories, fine_fen, &parsed, &mut issues);
    if !issues.errors.is_empty() {
        return RowOutcome::Invalid { errors: issues.errors, warnings: issues.warnings };
    }
    // 7. Assemble.
    assemble(item, &parsed, subject, categories, fine_fen, issues)
}

/// Step 1: every cell normalised, one value per known field; unknown fields
/// are warnings, two different values for one field an error.
fn normalise_cells<'i>(
    item: &'i CatalogItem,
    cells: &[(String, String)],
    issues: &mut Issues,
) -> BTreeMap<&'i str, String> {
    let mut raw: BTreeMap<&str, String> = BTreeMap::new();
    for (code, cell) in cells {
        let Some(spec) = item.field(code) else {
            let problem = Problem::FieldUnknown;
            issues.warnings.push(FieldIssue {
                field: code.clone(),
                field_name: String::new(),
                code: problem.code(),
                message: format!("字段“{}”{problem}", echo(code)),
            });
            continue;
        };
        let value = normalize_cell(cell);
        if value.is_empty() {
            continue;
        }
        match raw.get(spec.code()) {
            Some(previous) if *previous != value => {
                if !issues.has_error_on(spec) {
                    issues.error(Some(spec), Problem::FieldConflict);
                }
            }
            Some(_) => {}
            None => {
                raw.insert(spec.code(), value);
            }
        }
    }
    raw
}

/// Step 2: each present value parsed by its field type. ID numbers last:
/// their reading depends on the document-type column.
fn parse_values<'i>(
    item: &'i CatalogItem,
    raw: &BTreeMap<&'i str, String>,
    ctx: &ValidationContext,
    issues: &mut Issues,
) -> BTreeMap<&'i str, Value> {
    let mut parsed: BTreeMap<&str, Value> = BTreeMap::new();
    let id_fields_last = item
        .fields()
        .iter()
        .filter(|f| *f.field_type() != FieldType::IdNumber)
        .chain(item.fields().iter().filter(|f| *f.field_type() == FieldType::IdNumber));
    for spec in id_fields_last {
        let Some(value) = raw.get(spec.code()) else {
            continue;
        };
        if let Some(v) = parse_field(item, spec, value, ctx, &parsed, issues) {
            parsed.insert(spec.code(), v);
        }
    }
    parsed
}

/// Step 3: the kind of subject the row is about — as stated in the kind
/// column, else inferred from which identifier is filled in.
fn classify(
    item: &CatalogItem,
    raw: &BTreeMap<&str, String>,
    parsed: &BTreeMap<&str, Value>,
) -> (Class, Option<(String, SubjectKindValue)>) {
    let kind_spec = item.field_by_role(FieldRole::SubjectKind);
    let stated_kind = kind_spec.and_then(|spec| match parsed.get(spec.code()) {
        Some(Value::Enum(v)) => spec.subject_kind_of(v).map(|k| (v.clone(), k)),
        _ => None,
    });
    let has_uscc = item.field_by_role(FieldRole::SubjectUscc).is_some_and(|f| raw.contains_key(f.code()));
    let has_id = item.field_by_role(FieldRole::SubjectIdNumber).is_some_and(|f| raw.contains_key(f.code()));
    let class = match stated_kind.as_ref().map(|(_, k)| *k) {
        Some(SubjectKindValue::NaturalPerson) => Class::Natural,
        Some(k) => Class::Legal(k),
        None if has_uscc => Class::Legal(SubjectKindValue::LegalPerson),
        None if has_id => Class::Natural,
        None => Class::Unknown,
    };
    (class, stated_kind)
}

/// Step 4: the penalty categories named in the row (sorted, unique); unknown
/// words are errors, categories read from free text are warnings.
fn penalty_categories(item: &CatalogItem, parsed: &BTreeMap<&str, Value>, issues: &mut Issues) -> Vec<PenaltyCategory> {
    let mut categories: Vec<PenaltyCategory> = Vec::new();
    for spec in item.fields_by_role(FieldRole::PenaltyCategories) {
        let Some(Value::Text(text)) = parsed.get(spec.code()) else {
            continue;
        };
        let read = parse_categories(text);
        for token in read.unknown {
            issues.error(Some(spec), Problem::PenaltyCategoryUnknown { token: echo(&token) });
        }
        for token in read.inferred {
            let names: Vec<&str> = scan_categories(&token).iter().map(|c| c.name_zh()).collect();
            issues.warn(
                Some(spec),
                Problem::PenaltyCategoryInferred { token: echo(&token), categories: names.join("、") },
            );
        }
        categories.extend(read.categories);
    }
    categories.sort();
    categories.dedup();
    categories
}

/// Step 5: every field the catalog requires for this kind of subject and
/// these penalty categories is present.
fn check_required(
    item: &CatalogItem,
    raw: &BTreeMap<&str, String>,
    class: Class,
    categories: &[PenaltyCategory],
    issues: &mut Issues,
) {
    for spec in item.fields() {
        if raw.contains_key(spec.code()) {
            continue;
        }
        let applies = match spec.required() {
            Required::Always => true,
            Required::Never => false,
            Required::LegalPerson => matches!(class, Class::Legal(_)),
            Required::NaturalPerson => class == Class::Natural,
            Required::PenaltyIncludes(list) => list.iter().any(|c| categories.contains(c)),
        };
        if applies {
            issues.error(Some(spec), Problem::RequiredMissing { rule: spec.required().describe_zh() });
        }
    }
}

/// Step 7: the draft of a row without errors. Every role value used here is
/// present unless its field is optional in this catalog; report that rather
/// than guess.
fn assemble(
    item: &CatalogItem,
    parsed: &BTreeMap<&str, Value>,
    subject: Option<SubjectRef>,
    categories: Vec<PenaltyCategory>,
    fine_fen: Option<i64>,
    mut issues: Issues,
) -> RowOutcome {
    let role_value =
        |role: FieldRole| -> Option<&Value> { item.field_by_role(role).and_then(|f| parsed.get(f.code())) };
    let decision_date = match role_value(FieldRole::DecisionDate) {
        Some(Value::Date(Some(d))) => Some(*d),
        _ => None,
    };
    let document_number = match role_value(FieldRole::DocumentNumber) {
        Some(Value::Text(s)) => Some(s.clone()),
        _ => None,
    };
    let (Some(subject), Some(decision_date), Some(document_number)) = (subject, decision_date, document_number) else {
        for role in [FieldRole::DocumentNumber, FieldRole::DecisionDate, FieldRole::SubjectName] {
            if let Some(spec) = item.field_by_role(role)
                && !parsed.contains_key(spec.code())
            {
                issues.error(Some(spec), Problem::RequiredMissing { rule: Required::Always.describe_zh() });
            }
        }
        if issues.errors.is_empty() {
            issues.error(None, Problem::SubjectIdentifierMissing);
        }
        return RowOutcome::Invalid { errors: issues.errors, warnings: issues.warnings };
    };
    let date_of = |role: FieldRole| match role_value(role) {
        Some(Value::Date(d)) => *d,
        _ => None,
    };
    let confiscation_fen = money_of(item, FieldRole::ConfiscationAmount, parsed);
    let penalty = (item.publicity() == crate::collection::catalog::PublicityKind::Penalty)
        .then(|| penalty_facts(item, parsed, categories, fine_fen, confiscation_fen, &subject, decision_date));
    let fields: BTreeMap<String, String> = parsed.iter().map(|(code, v)| ((*code).to_owned(), v.stored())).collect();
    let key_document = item
        .key_fields()
        .iter()
        .map(|code| canonical_document(fields.get(code).map_or("", String::as_str)))
        .collect::<Vec<_>>()
        .join("|");
    let draft = RecordDraft {
        item: item.code().to_owned(),
        catalog_version: item.catalog_version().to_owned(),
        document_number,
        key_document,
        subject,
        decision_date,
        valid_from: date_of(FieldRole::ValidFrom),
        valid_to: date_of(FieldRole::ValidTo),
        penalty,
        fields,
    };
    RowOutcome::Valid { draft, warnings: issues.warnings }
}

/// Parses one present cell by its field type; `None` after reporting an
/// error.
fn parse_field(
    item: &CatalogItem,
    spec: &FieldSpec,
    value: &str,
    ctx: &ValidationContext,
    parsed: &BTreeMap<&str, Value>,
    issues: &mut Issues,
) -> Option<Value> {
    let result = match spec.field_type() {
        FieldType::Text { max_chars } => check_text(value, *max_chars).map(|()| Value::Text(value.to_owned())),
        FieldType::Date { open_ended, .. } => parse_date(value, *open_ended).map(Value::Date),
        FieldType::MoneyWanYuan => parse_money(value).map(|(fen, converted)| {
            if converted {
                issues.warn(Some(spec), Problem::MoneyUnitConverted { value: echo(value), wan: format_wan_yuan(fen) });
            }
            Value::Money(fen)
        }),
        FieldType::Enumeration { values, aliases } => parse_enum(value, values, aliases).map(Value::Enum),
        FieldType::Uscc => parse_uscc(value, ctx.lenient_codes).map(|(uscc, warnings)| {
            for w in warnings {
                issues.warn(Some(spec), Problem::UsccWarning(w));
            }
            Value::Uscc(uscc)
        }),
        FieldType::IdNumber => {
            if is_other_document(item, spec, parsed) {
                check_text(value, OTHER_ID_MAX_CHARS).map(|()| Value::OtherId(value.to_owned()))
            } else {
                IdNumber::parse(value).map_err(Problem::IdNumber).map(|id| {
                    if crate::codes::division::province_of(id.division_code()).is_none() {
                        issues.warn(Some(spec), Problem::IdNumberDivisionUnknown);
                    }
                    Value::Id(id)
                })
            }
        }
        FieldType::Integer => parse_integer(value).map(Value::Integer),
    };
    match result {
        Ok(v) => Some(v),
        Err(problem) => {
            issues.error(Some(spec), problem);
            None
        }
    }
}

fn parse_uscc(value: &str, lenient: bool) -> Result<(Uscc, Vec<UsccWarning>), Problem> {
    if lenient {
        Uscc::parse_lenient(value).map_err(Problem::Uscc)
    } else {
        Uscc::parse(value).map(|u| (u, Vec::new())).map_err(Problem::Uscc)
    }
}

/// True when the ID-number field's document-type column names a document
/// that is not a GB 11643 number (a passport …).
fn is_other_document(item: &CatalogItem, spec: &FieldSpec, parsed: &BTreeMap<&str, Value>) -> bool {
    let type_role = match spec.role() {
        Some(FieldRole::SubjectIdNumber) => FieldRole::SubjectIdType,
        Some(FieldRole::LegalRepIdNumber) => FieldRole::LegalRepIdType,
        _ => return false,
    };
    let Some(type_spec) = item.field_by_role(type_role) else {
        return false;
    };
    match parsed.get(type_spec.code()) {
        Some(Value::Enum(t)) => !type_spec.is_resident_id_type(t),
        _ => false,
    }
}

fn money_of(item: &CatalogItem, role: FieldRole, parsed: &BTreeMap<&str, Value>) -> Option<i64> {
    match item.field_by_role(role).and_then(|f| parsed.get(f.code())) {
        Some(Value::Money(fen)) => Some(*fen),
        _ => None,
    }
}

fn check_dates(item: &CatalogItem, parsed: &BTreeMap<&str, Value>, ctx: &ValidationContext, issues: &mut Issues) {
    for spec in item.fields() {
        let future_rule = matches!(spec.field_type(), FieldType::Date { not_in_future: true, .. })
            || spec.role() == Some(FieldRole::DecisionDate);
        if !future_rule {
            continue;
        }
        if let Some(Value::Date(Some(date))) = parsed.get(spec.code())
            && *date > ctx.today
        {
            issues.error(Some(spec), Problem::DateInFuture { date: *date, today: ctx.today });
        }
    }
    let from = item.field_by_role(FieldRole::ValidFrom);
    let to = item.field_by_role(FieldRole::ValidTo);
    if let (Some(from_spec), Some(to_spec)) = (from, to)
        && let (Some(Value::Date(Some(from))), Some(Value::Date(Some(to)))) =
            (parsed.get(from_spec.code()), parsed.get(to_spec.code()))
        && to < from
    {
        issues.error(
            Some(to_spec),
            Problem::DateRangeInverted { from_name: from_spec.name().to_owned(), from: *from, to: *to },
        );
    }
}

/// Public text must not carry ID numbers: the 2015–2018 format put them in
/// code slot _5, and clerks paste them into 违法事实. Telephone numbers,
/// e-mail addresses and bank cards are masked on publication; the row is
/// accepted with a warning naming what was found.
fn check_public_text(item: &CatalogItem, parsed: &BTreeMap<&str, Value>, issues: &mut Issues) {
    for spec in item.fields().iter().filter(|f| f.is_public()) {
        let Some(Value::Text(text)) = parsed.get(spec.code()) else { continue };
        if !find_id_numbers(text).is_empty() {
            issues.error(Some(spec), Problem::IdNumberInPublicField);
            continue;
        }
        let mut kinds: Vec<PersonalKind> = find_personal_data(text).into_iter().map(|f| f.kind).collect();
        kinds.sort_unstable();
        kinds.dedup();
        if !kinds.is_empty() {
            let kinds = kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join("、");
            issues.warn(Some(spec), Problem::PersonalDataInPublicField { kinds });
        }
    }
}

fn text_of<'a>(item: &CatalogItem, role: FieldRole, parsed: &'a BTreeMap<&str, Value>) -> Option<&'a str> {
    match item.field_by_role(role).and_then(|f| parsed.get(f.code())) {
        Some(Value::Text(s)) => Some(s),
        _ => None,
    }
}

fn build_subject(
    item: &CatalogItem,
    class: Class,
    stated_kind: Option<&(String, SubjectKindValue)>,
    parsed: &BTreeMap<&str, Value>,
    raw: &BTreeMap<&str, String>,
    issues: &mut Issues,
) -> Option<SubjectRef> {
    let name_spec = item.field_by_role(FieldRole::SubjectName);
    let name = match text_of(item, FieldRole::SubjectName, parsed) {
        Some(text) => match SubjectName::parse(text) {
            Ok(name) => Some(name),
            Err(e) => {
                issues.error(name_spec, Problem::Name(e));
                None
            }
        },
        None => None,
    };
    let uscc_spec = item.field_by_role(FieldRole::SubjectUscc);
    let id_spec = item.field_by_role(FieldRole::SubjectIdNumber);
    let uscc = uscc_spec.and_then(|f| match parsed.get(f.code()) {
        Some(Value::Uscc(u)) => Some(u.clone()),
        _ => None,
    });
    // A field with a value that failed to parse already has its error; an
    // empty one gets "identifier missing" unless required_missing covered it.
    let report_missing = |spec: Option<&FieldSpec>, issues: &mut Issues| {
        let covered = spec.is_some_and(|s| raw.contains_key(s.code()) || issues.has_error_on(s));
        if !covered {
            issues.error(spec, Problem::SubjectIdentifierMissing);
        }
    };
    match class {
        Class::Unknown => {
            issues.error(None, Problem::SubjectIdentifierMissing);
            None
        }
        Class::Natural => {
            if uscc.is_some() {
                issues.warn(uscc_spec, Problem::SubjectCodeIgnored);
            }
            let id_number = match id_spec.and_then(|f| parsed.get(f.code())) {
                Some(Value::Id(id)) => Some(id.clone()),
                Some(Value::OtherId(_)) => {
                    let id_type = item
                        .field_by_role(FieldRole::SubjectIdType)
                        .and_then(|f| parsed.get(f.code()))
                        .map(Value::stored)
                        .unwrap_or_default();
                    issues.error(id_spec, Problem::IdTypeUnsupported { id_type });
                    None
                }
                _ => {
                    report_missing(id_spec, issues);
                    None
                }
            };
            Some(SubjectRef::NaturalPerson { id_number: id_number?, name: name? })
        }
        Class::Legal(kind_value) => {
            let Some(uscc) = uscc else {
                report_missing(uscc_spec, issues);
                return None;
            };
            let kind = legal_kind(item, kind_value, stated_kind, &uscc, issues);
            let legal_representative = legal_representative(item, parsed, issues);
            Some(SubjectRef::LegalPerson { uscc, name: name?, kind, legal_representative })
        }
    }
}

/// The kind of organisation: as stated, else from the code (92 is the code of
/// an 个体工商户, DOMAIN §1.1 [S]); a stated kind that disagrees with the code
/// is probably a mis-chosen 类别 and is warned about.
fn legal_kind(
    item: &CatalogItem,
    kind_value: SubjectKindValue,
    stated_kind: Option<&(String, SubjectKindValue)>,
    uscc: &Uscc,
    issues: &mut Issues,
) -> LegalKind {
    let is_92 = uscc.as_str().starts_with("92");
    let kind = match kind_value {
        SubjectKindValue::IndividualBusiness => LegalKind::IndividualBusiness,
        SubjectKindValue::Organisation => LegalKind::Organisation,
        SubjectKindValue::LegalPerson | SubjectKindValue::NaturalPerson => {
            if is_92 {
                LegalKind::IndividualBusiness
            } else {
                LegalKind::Organisation
            }
        }
    };
    let disagrees = match kind_value {
        SubjectKindValue::Organisation => is_92,
        SubjectKindValue::IndividualBusiness => !is_92,
        SubjectKindValue::LegalPerson | SubjectKindValue::NaturalPerson => false,
    };
    if disagrees && let Some((stated, _)) = stated_kind {
        let prefix: String = uscc.as_str().chars().take(2).collect();
        issues.warn(
            item.field_by_role(FieldRole::SubjectKind),
            Problem::SubjectKindMismatch {
                stated: stated.clone(),
                prefix,
                code_kind: uscc.category_name_zh().to_owned(),
            },
        );
    }
    kind
}

fn legal_representative(
    item: &CatalogItem,
    parsed: &BTreeMap<&str, Value>,
    issues: &mut Issues,
) -> Option<(SubjectName, Option<IdNumber>)> {
    let text = text_of(item, FieldRole::LegalRepName, parsed)?;
    let name = match SubjectName::parse(text) {
        Ok(name) => name,
        Err(e) => {
            issues.error(item.field_by_role(FieldRole::LegalRepName), Problem::Name(e));
            return None;
        }
    };
    let id = match item.field_by_role(FieldRole::LegalRepIdNumber).and_then(|f| parsed.get(f.code())) {
        Some(Value::Id(id)) => Some(id.clone()),
        _ => None,
    };
    Some((name, id))
}

fn check_fine(
    item: &CatalogItem,
    categories: &[PenaltyCategory],
    fine_fen: Option<i64>,
    parsed: &BTreeMap<&str, Value>,
    issues: &mut Issues,
) {
    let Some(fine) = fine_fen else {
        return;
    };
    let spec = item.field_by_role(FieldRole::FineAmount);
    let has_fine_category = categories.contains(&PenaltyCategory::Fine);
    if fine == 0 {
        if has_fine_category {
            issues.warn(spec, Problem::FineAmountZero);
        }
        return;
    }
    if !has_fine_category && item.field_by_role(FieldRole::PenaltyCategories).is_some() {
        issues.warn(spec, Problem::FineWithoutCategory);
    }
    let wan = format_wan_yuan(fine);
    if fine > SUSPICIOUS_FINE_FEN {
        issues.warn(spec, Problem::FineAmountSuspicious { wan, reason: "超过 10 万万元（10 亿元）".to_owned() });
        return;
    }
    let Some(content) = text_of(item, FieldRole::PenaltyContent, parsed) else {
        return;
    };
    let stated = fines_in_text(content);
    if stated.is_empty() {
        return;
    }
    let total: i64 = stated.iter().fold(0i64, |acc, f| acc.saturating_add(*f));
    if stated.contains(&fine) || total == fine {
        return;
    }
    let read_as_yuan = |f: &i64| f.checked_mul(FEN_PER_WAN_YUAN / FEN_PER_YUAN) == Some(fine);
    if stated.iter().any(read_as_yuan) || read_as_yuan(&total) {
        let yuan = stated.iter().find(|f| read_as_yuan(f)).copied().unwrap_or(total);
        issues.warn(
            spec,
            Problem::FineAmountSuspicious { wan, reason: format!("而处罚内容写明罚款 {}", format_yuan(yuan)) },
        );
    } else {
        let shown: Vec<String> = stated.iter().map(|f| format_yuan(*f)).collect();
        issues.warn(spec, Problem::FineAmountMismatch { wan, stated: shown.join("、") });
    }
}

fn penalty_facts(
    item: &CatalogItem,
    parsed: &BTreeMap<&str, Value>,
    categories: Vec<PenaltyCategory>,
    fine_fen: Option<i64>,
    confiscation_fen: Option<i64>,
    subject: &SubjectRef,
    decision_date: NaiveDate,
) -> PenaltyFacts {
    let enum_of = |role: FieldRole| match item.field_by_role(role).and_then(|f| parsed.get(f.code())) {
        Some(Value::Enum(v)) => Some(v.as_str()),
        _ => None,
    };
    let stated_procedure = enum_of(FieldRole::Procedure).and_then(Procedure::from_zh);
    let procedure = stated_procedure.unwrap_or_else(|| {
        PublicityRules::shipped().simplified_procedure().infer(&categories, fine_fen, subject, decision_date)
    });
    let severity = enum_of(FieldRole::Severity).and_then(Severity::from_zh);
    let stated_minor = enum_of(FieldRole::SubjectIsMinor).and_then(parse_yes_no) == Some(true);
    let minor_violation_corrected = enum_of(FieldRole::MinorViolationCorrected).and_then(parse_yes_no) == Some(true);
    PenaltyFacts {
        categories,
        fine_fen,
        confiscation_fen,
        procedure,
        procedure_stated: stated_procedure.is_some(),
        severity,
        subject_is_minor: stated_minor || is_minor_on(subject, decision_date),
        minor_violation_corrected,
    }
}

/// True when the subject is a natural person under 18 on `date`.
pub fn is_minor_on(subject: &SubjectRef, date: NaiveDate) -> bool {
    match subject {
        SubjectRef::NaturalPerson { id_number, .. } => id_number
            .birth_date()
            .checked_add_months(Months::new(ADULT_AGE_YEARS * 12))
            .is_some_and(|adult| date < adult),
        SubjectRef::LegalPerson { .. } => false,
    }
}

#[cfg(test)]
mod tests;
