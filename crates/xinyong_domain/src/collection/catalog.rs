//! The public credit information catalog (公共信用信息目录, 54号 clause 四):
//! which items departments submit, and for each item its columns, their
//! types, when they are mandatory, whether they are published and what they
//! mean to the platform.
//!
//! The catalog is versioned data (`rules/catalog.toml` at the repository
//! root), not code. The shipped version is compiled in with `include_str!`
//! because this crate does no IO; an operator loads another version by handing
//! its text to [`Catalog::parse_toml`]. Parsing checks the file thoroughly —
//! duplicate codes, two fields answering to the same header, a personal ID
//! column marked public, an item without a subject or a document number — so
//! a broken catalog is refused when it is loaded, not discovered row by row.
//!
//! Header matching ([`Catalog::match_headers`]) is forgiving the way clerks'
//! spreadsheets need: template names, older-format names, common variants and
//! the field codes themselves all match, with full-width/half-width, spacing,
//! required-column stars and bracket styles ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};
use crate::collection::record::PenaltyCategory;

/// The catalog shipped with the binary.
pub const SHIPPED_CATALOG_TOML: &str = include_str!("../../../../rules/catalog.toml");

static SHIPPED: LazyLock<Catalog> = LazyLock::new(|| {
    // The test `shipped_catalog_parses` guards this. Were the file ever
    // broken, the empty catalog makes every upload fail with "unknown item",
    // which is loud and safe, instead of panicking at start-up.
    Catalog::parse_toml(SHIPPED_CATALOG_TOML).unwrap_or_else(|_| Catalog::empty())
});

/// Text columns without an explicit `max_chars` accept this many characters.
/// Generous on purpose: 违法事实 can run to pages; the limit only stops a
/// mis-pasted sheet from landing in one cell.
const DEFAULT_MAX_CHARS: usize = 2000;

/// Kind of information an item holds (54号 clause 十五 names the acts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    BasicInfo,
    AdministrativeLicensing,
    AdministrativePenalty,
    AdministrativeCoercion,
    AdministrativeConfirmation,
    AdministrativeLevy,
    AdministrativePayment,
    AdministrativeRuling,
    AdministrativeCompensation,
    AdministrativeReward,
    AdministrativeInspection,
    CourtDishonestDebtor,
    Other,
}

impl Category {
    pub const ALL: [Category; 13] = [
        Self::BasicInfo,
        Self::AdministrativeLicensing,
        Self::AdministrativePenalty,
        Self::AdministrativeCoercion,
        Self::AdministrativeConfirmation,
        Self::AdministrativeLevy,
        Self::AdministrativePayment,
        Self::AdministrativeRuling,
        Self::AdministrativeCompensation,
        Self::AdministrativeReward,
        Self::AdministrativeInspection,
        Self::CourtDishonestDebtor,
        Self::Other,
    ];

    /// Stable machine name, the same as the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BasicInfo => "basic_info",
            Self::AdministrativeLicensing => "administrative_licensing",
            Self::AdministrativePenalty => "administrative_penalty",
            Self::AdministrativeCoercion => "administrative_coercion",
            Self::AdministrativeConfirmation => "administrative_confirmation",
            Self::AdministrativeLevy => "administrative_levy",
            Self::AdministrativePayment => "administrative_payment",
            Self::AdministrativeRuling => "administrative_ruling",
            Self::AdministrativeCompensation => "administrative_compensation",
            Self::AdministrativeReward => "administrative_reward",
            Self::AdministrativeInspection => "administrative_inspection",
            Self::CourtDishonestDebtor => "court_dishonest_debtor",
            Self::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::BasicInfo => "基础信息",
            Self::AdministrativeLicensing => "行政许可",
            Self::AdministrativePenalty => "行政处罚",
            Self::AdministrativeCoercion => "行政强制",
            Self::AdministrativeConfirmation => "行政确认",
            Self::AdministrativeLevy => "行政征收",
            Self::AdministrativePayment => "行政给付",
            Self::AdministrativeRuling => "行政裁决",
            Self::AdministrativeCompensation => "行政补偿",
            Self::AdministrativeReward => "行政奖励",
            Self::AdministrativeInspection => "行政检查",
            Self::CourtDishonestDebtor => "失信被执行人",
            Self::Other => "其他",
        }
    }
}

/// Who may see an item's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureLevel {
    /// 公开: on the public portal (subject to the publicity rules).
    Public,
    /// 授权查询: to the subject itself and to parties it authorises.
    Authorized,
    /// 政务共享: shared among government departments only.
    GovernmentSharing,
}

impl DisclosureLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Authorized => "authorized",
            Self::GovernmentSharing => "government_sharing",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Public => "公开",
            Self::Authorized => "授权查询",
            Self::GovernmentSharing => "政务共享",
        }
    }
}

/// Which publicity rule set decides a record's window (see
/// [`crate::collection::publicity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicityKind {
    /// Shown from the decision while the licence is valid; not dishonesty.
    Licence,
    /// Dishonesty information with a publicity and repair window.
    Penalty,
    /// A court's dishonest-debtor entry, shown until the court removes it.
    CourtDebtor,
    /// No period rule: shown (if the disclosure level allows) without end.
    None,
}

impl PublicityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Licence => "licence",
            Self::Penalty => "penalty",
            Self::CourtDebtor => "court_debtor",
            Self::None => "none",
        }
    }
}

/// Departments allowed to submit an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Departments {
    /// `"*"`: every department.
    All,
    /// Only these department codes.
    Only(BTreeSet<String>),
}

impl Departments {
    pub fn allows(&self, department: &str) -> bool {
        match self {
            Departments::All => true,
            Departments::Only(codes) => codes.contains(department),
        }
    }
}

/// What kind of subject a value of a 类别 column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKindValue {
    /// 法人及非法人组织.
    Organisation,
    /// 个体工商户.
    IndividualBusiness,
    /// 自然人.
    NaturalPerson,
    /// An organisation or an individual business, told apart by the code's
    /// second character (court lists only say 法人).
    LegalPerson,
}

impl SubjectKindValue {
    pub fn is_natural_person(self) -> bool {
        self == Self::NaturalPerson
    }
}

/// What a field's value means to the platform. Most columns have no role:
/// they are stored and shown, nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldRole {
    SubjectName,
    SubjectKind,
    SubjectUscc,
    SubjectIdType,
    SubjectIdNumber,
    LegalRepName,
    LegalRepIdType,
    LegalRepIdNumber,
    DocumentNumber,
    DecisionDate,
    ValidFrom,
    ValidTo,
    AuthorityName,
    AuthorityUscc,
    SourceDepartmentName,
    SourceDepartmentUscc,
    PenaltyCategories,
    FineAmount,
    ConfiscationAmount,
    PenaltyContent,
    Procedure,
    Severity,
    SubjectIsMinor,
    MinorViolationCorrected,
    Status,
    /// 含自然人姓名: the department says the row's prose names natural
    /// persons (employees, informants, witnesses); the fields marked
    /// `withhold_when_names` are then not published.
    ContainsPersonalNames,
}

impl FieldRole {
    pub const ALL: [FieldRole; 26] = [
        Self::SubjectName,
        Self::SubjectKind,
        Self::SubjectUscc,
        Self::SubjectIdType,
        Self::SubjectIdNumber,
        Self::LegalRepName,
        Self::LegalRepIdType,
        Self::LegalRepIdNumber,
        Self::DocumentNumber,
        Self::DecisionDate,
        Self::ValidFrom,
        Self::ValidTo,
        Self::AuthorityName,
        Self::AuthorityUscc,
        Self::SourceDepartmentName,
        Self::SourceDepartmentUscc,
        Self::PenaltyCategories,
        Self::FineAmount,
        Self::ConfiscationAmount,
        Self::PenaltyContent,
        Self::Procedure,
        Self::Severity,
        Self::SubjectIsMinor,
        Self::MinorViolationCorrected,
        Self::Status,
        Self::ContainsPersonalNames,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SubjectName => "subject_name",
            Self::SubjectKind => "subject_kind",
            Self::SubjectUscc => "subject_uscc",
            Self::SubjectIdType => "subject_id_type",
            Self::SubjectIdNumber => "subject_id_number",
            Self::LegalRepName => "legal_rep_name",
            Self::LegalRepIdType => "legal_rep_id_type",
            Self::LegalRepIdNumber => "legal_rep_id_number",
            Self::DocumentNumber => "document_number",
            Self::DecisionDate => "decision_date",
            Self::ValidFrom => "valid_from",
            Self::ValidTo => "valid_to",
            Self::AuthorityName => "authority_name",
            Self::AuthorityUscc => "authority_uscc",
            Self::SourceDepartmentName => "source_department_name",
            Self::SourceDepartmentUscc => "source_department_uscc",
            Self::PenaltyCategories => "penalty_categories",
            Self::FineAmount => "fine_amount",
            Self::ConfiscationAmount => "confiscation_amount",
            Self::PenaltyContent => "penalty_content",
            Self::Procedure => "procedure",
            Self::Severity => "severity",
            Self::SubjectIsMinor => "subject_is_minor",
            Self::MinorViolationCorrected => "minor_violation_corrected",
            Self::Status => "status",
            Self::ContainsPersonalNames => "contains_personal_names",
        }
    }

    /// The value type a field in this role must have; `None` when any type
    /// will do.
    fn expected_type(self) -> Option<TypeTag> {
        Some(match self {
            Self::SubjectName
            | Self::LegalRepName
            | Self::DocumentNumber
            | Self::AuthorityName
            | Self::SourceDepartmentName
            | Self::PenaltyCategories
            | Self::PenaltyContent => TypeTag::Text,
            Self::SubjectKind
            | Self::SubjectIdType
            | Self::LegalRepIdType
            | Self::Procedure
            | Self::Severity
            | Self::SubjectIsMinor
            | Self::MinorViolationCorrected
            | Self::Status
            | Self::ContainsPersonalNames => TypeTag::Enumeration,
            Self::SubjectUscc | Self::AuthorityUscc | Self::SourceDepartmentUscc => TypeTag::Uscc,
            Self::SubjectIdNumber | Self::LegalRepIdNumber => TypeTag::IdNumber,
            Self::DecisionDate | Self::ValidFrom | Self::ValidTo => TypeTag::Date,
            Self::FineAmount | Self::ConfiscationAmount => TypeTag::MoneyWanYuan,
        })
    }

    /// Roles several fields may share (the 2015–2018 format had two category
    /// columns).
    fn may_repeat(self) -> bool {
        self == Self::PenaltyCategories
    }
}

impl fmt::Display for FieldRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// Free text of at most `max_chars` characters.
    Text {
        max_chars: usize,
    },
    /// A calendar date. `open_ended`: 长期 / 永久 / 9999-12-31 mean "no end"
    /// (licence validity). `not_in_future`: later than the upload day is an
    /// error (decision dates).
    Date {
        open_ended: bool,
        not_in_future: bool,
    },
    /// An amount in 万元 (the 双公示 unit), up to 6 decimals, stored as fen.
    MoneyWanYuan,
    /// One of `values`; `aliases` maps other spellings to a value.
    Enumeration {
        values: Vec<String>,
        aliases: BTreeMap<String, String>,
    },
    Uscc,
    IdNumber,
    Integer,
}

impl FieldType {
    fn tag(&self) -> TypeTag {
        match self {
            Self::Text { .. } => TypeTag::Text,
            Self::Date { .. } => TypeTag::Date,
            Self::MoneyWanYuan => TypeTag::MoneyWanYuan,
            Self::Enumeration { .. } => TypeTag::Enumeration,
            Self::Uscc => TypeTag::Uscc,
            Self::IdNumber => TypeTag::IdNumber,
            Self::Integer => TypeTag::Integer,
        }
    }

    /// Name of the type as written in the catalog file.
    pub fn as_str(&self) -> &'static str {
        self.tag().as_str()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum TypeTag {
    Text,
    Date,
    MoneyWanYuan,
    Enumeration,
    Uscc,
    IdNumber,
    Integer,
}

impl TypeTag {
    fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Date => "date",
            Self::MoneyWanYuan => "money_wan_yuan",
            Self::Enumeration => "enumeration",
            Self::Uscc => "uscc",
            Self::IdNumber => "id_number",
            Self::Integer => "integer",
        }
    }
}

/// When a field must be filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Required {
    Always,
    Never,
    /// When the subject is a 法人及非法人组织 or 个体工商户.
    LegalPerson,
    /// When the subject is a 自然人.
    NaturalPerson,
    /// When the penalty's categories include any of these (e.g. 罚款金额
    /// when the penalty includes a fine).
    PenaltyIncludes(Vec<PenaltyCategory>),
}

impl Required {
    /// Chinese wording for messages and documentation.
    pub fn describe_zh(&self) -> String {
        match self {
            Required::Always => "必填".to_owned(),
            Required::Never => "选填".to_owned(),
            Required::LegalPerson => "行政相对人为法人及非法人组织或个体工商户时必填".to_owned(),
            Required::NaturalPerson => "行政相对人为自然人时必填".to_owned(),
            Required::PenaltyIncludes(categories) => {
                let names: Vec<&str> = categories.iter().map(|c| c.name_zh()).collect();
                format!("处罚类别含{}时必填", names.join("或"))
            }
        }
    }
}

/// One column of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    code: String,
    name: String,
    aliases: Vec<String>,
    field_type: FieldType,
    required: Required,
    public: bool,
    role: Option<FieldRole>,
    extension: bool,
    withhold_when_names: bool,
    subject_kinds: BTreeMap<String, SubjectKindValue>,
    resident_id_values: BTreeSet<String>,
}

impl FieldSpec {
    /// Field code, e.g. `XK_WSH`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// Template header, e.g. 行政许可决定文书号.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Other headers that mean this column.
    pub fn aliases(&self) -> &[String] {
        &self.aliases
    }

    pub fn field_type(&self) -> &FieldType {
        &self.field_type
    }

    pub fn required(&self) -> &Required {
        &self.required
    }

    /// Whether the value may appear on the public portal. Never true for ID
    /// numbers (checked at parse time).
    pub fn is_public(&self) -> bool {
        self.public
    }

    pub fn role(&self) -> Option<FieldRole> {
        self.role
    }

    /// True for Jinan extension columns that are not in the national template.
    pub fn is_extension(&self) -> bool {
        self.extension
    }

    /// True for prose a clerk writes (违法事实, 备注 …): not published when
    /// the row's [`FieldRole::ContainsPersonalNames`] column says 是
    /// ([`CatalogItem::names_withheld`]).
    pub fn is_withheld_when_names(&self) -> bool {
        self.withhold_when_names
    }

    /// For a [`FieldRole::SubjectKind`] field: what each value means.
    pub fn subject_kind_of(&self, value: &str) -> Option<SubjectKindValue> {
        self.subject_kinds.get(value).copied()
    }

    /// For an ID-type field: whether numbers of this type are GB 11643
    /// resident ID numbers.
    pub fn is_resident_id_type(&self, value: &str) -> bool {
        self.resident_id_values.contains(value)
    }
}

/// One item of the catalog, e.g. 行政许可.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogItem {
    catalog_version: String,
    code: String,
    name: String,
    category: Category,
    format_version: String,
    disclosure: DisclosureLevel,
    departments: Departments,
    deadline_working_days: Option<u32>,
    publicity: PublicityKind,
    key: Vec<String>,
    description: Option<String>,
    fields: Vec<FieldSpec>,
    /// Normalised header → index into `fields`.
    lookup: BTreeMap<String, usize>,
}

impl CatalogItem {
    /// Version of the catalog this item belongs to.
    pub fn catalog_version(&self) -> &str {
        &self.catalog_version
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn category(&self) -> Category {
        self.category
    }

    /// Version of the exchange format, e.g. `双公示2019`.
    pub fn format_version(&self) -> &str {
        &self.format_version
    }

    pub fn disclosure(&self) -> DisclosureLevel {
        self.disclosure
    }

    pub fn departments(&self) -> &Departments {
        &self.departments
    }

    pub fn allows_department(&self, department: &str) -> bool {
        self.departments.allows(department)
    }

    /// Working days from the decision within which the record must be online
    /// (7 for 双公示, 54号 clause 十五).
    pub fn deadline_working_days(&self) -> Option<u32> {
        self.deadline_working_days
    }

    pub fn publicity(&self) -> PublicityKind {
        self.publicity
    }

    /// Field codes forming the document part of the idempotency key.
    pub fn key_fields(&self) -> &[String] {
        &self.key
    }

    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    pub fn fields(&self) -> &[FieldSpec] {
        &self.fields
    }

    pub fn field(&self, code: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.code == code)
    }

    /// Whether a row's fields say it names natural persons in its prose
    /// (its [`FieldRole::ContainsPersonalNames`] column is 是): the fields
    /// marked [`FieldSpec::is_withheld_when_names`] are then not published.
    pub fn names_withheld(&self, fields: &BTreeMap<String, String>) -> bool {
        self.field_by_role(FieldRole::ContainsPersonalNames)
            .and_then(|flag| fields.get(&flag.code))
            .and_then(|value| crate::collection::record::parse_yes_no(value))
            == Some(true)
    }

    /// Whether this field of a row with these fields may be published: the
    /// catalog marks it public and the row does not withhold it for names.
    pub fn publishes(&self, spec: &FieldSpec, fields: &BTreeMap<String, String>) -> bool {
        spec.is_public() && !(spec.is_withheld_when_names() && self.names_withheld(fields))
    }

    /// The (first) field with this role.
    pub fn field_by_role(&self, role: FieldRole) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.role == Some(role))
    }

    /// Every field with this role, in catalog order.
    pub fn fields_by_role(&self, role: FieldRole) -> impl Iterator<Item = &FieldSpec> {
        self.fields.iter().filter(move |f| f.role == Some(role))
    }

    /// The field a header names (template name, alias or code), if any.
    pub fn field_for_header(&self, header: &str) -> Option<&FieldSpec> {
        self.lookup_normalized(&normalize_header(header))
    }

    fn lookup_normalized(&self, normalized: &str) -> Option<&FieldSpec> {
        if let Some(&i) = self.lookup.get(normalized) {
            return self.fields.get(i);
        }
        // "行政相对人代码_5(居民身份证号)": the bracketed part carries the
        // meaning (and differs between format versions), so it is tried
        // before the part outside; "许可决定日期(YYYY-MM-DD)" and
        // "名称(必填)" fall through to the outside part.
        let (outside, inside) = split_trailing_bracket(normalized)?;
        [inside, outside]
            .into_iter()
            .filter(|s| !s.is_empty())
            .find_map(|s| self.lookup.get(s))
            .and_then(|&i| self.fields.get(i))
    }

    /// Deadline for putting a record online: `deadline_working_days` working
    /// days after the decision. `None` when the item has no deadline.
    pub fn publication_deadline(
        &self,
        calendar: &Calendar,
        decision_date: NaiveDate,
    ) -> Option<Result<NaiveDate, CalendarError>> {
        self.deadline_working_days.map(|n| calendar.add_working_days(decision_date, n))
    }
}

/// Splits `"abc(def)"` into `("abc", "def")`. Only a bracket pair closing at
/// the very end counts.
fn split_trailing_bracket(s: &str) -> Option<(&str, &str)> {
    let body = s.strip_suffix(')')?;
    let open = body.rfind('(')?;
    Some((&body[..open], &body[open + 1..]))
}

/// Canonical form of a column header for matching: full-width ASCII folded,
/// all whitespace (including NBSP, ideographic and zero-width spaces)
/// removed, the required-column marks `*` `★` `※` dropped, every bracket
/// style made `(` `)`, dashes made `_`, Latin letters upper-cased.
pub fn normalize_header(header: &str) -> String {
    header
        .chars()
        .filter_map(|c| {
            let c = fold_full_width(c);
            match c {
                c if c.is_whitespace() => None,
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
                '*' | '★' | '☆' | '※' => None,
                '【' | '〔' | '[' | '［' | '﹝' | '〈' | '<' | '{' => Some('('),
                '】' | '〕' | ']' | '］' | '﹞' | '〉' | '>' | '}' => Some(')'),
                '-' | '—' | '–' | '－' | '‐' => Some('_'),
                c => Some(c.to_ascii_uppercase()),
            }
        })
        .collect()
}

/// Folds the full-width ASCII block (U+FF01–U+FF5E) to ASCII and the
/// ideographic space to a plain space; other characters pass unchanged.
pub(crate) fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    }
}

/// The whole catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    version: String,
    effective_from: Option<NaiveDate>,
    title: Option<String>,
    ignore_headers: BTreeSet<String>,
    items: Vec<CatalogItem>,
}

/// A column that two or more headers map to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderDuplicate {
    pub field: String,
    /// Every column (0-based) that maps to the field; the first one is used.
    pub columns: Vec<usize>,
}

/// A problem with one header that does not stop matching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderWarning {
    pub column: usize,
    pub header: String,
    pub code: &'static str,
    pub message: String,
}

/// Result of matching a sheet's header row to an item's fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderMatch {
    /// For each column, the field code it holds, or `None` (unknown, ignored
    /// or a duplicate).
    pub columns: Vec<Option<String>>,
    /// Columns whose header names no field, with the header as given.
    pub unknown: Vec<(usize, String)>,
    /// Columns deliberately ignored: blank headers and the catalog's
    /// `ignore_headers` (old-format bookkeeping such as 地方编码).
    pub ignored: Vec<(usize, String)>,
    /// Codes of always-required fields no column holds. Every row would fail.
    pub missing_required: Vec<String>,
    /// Codes of conditionally required fields no column holds: rows that meet
    /// the condition (e.g. legal persons) will fail.
    pub missing_conditional: Vec<String>,
    pub duplicates: Vec<HeaderDuplicate>,
    pub warnings: Vec<HeaderWarning>,
}

impl HeaderMatch {
    /// True when rows can be imported at all: no always-required column is
    /// missing and no field appears twice.
    pub fn is_usable(&self) -> bool {
        self.missing_required.is_empty() && self.duplicates.is_empty()
    }

    /// Pairs a data row with the matched field codes, dropping unmatched
    /// columns; ready for [`crate::collection::record::validate_row`]. Cells beyond the
    /// header row are dropped; missing trailing cells are simply absent.
    pub fn cells(&self, row: &[String]) -> Vec<(String, String)> {
        self.columns
            .iter()
            .zip(row)
            .filter_map(|(code, cell)| code.as_ref().map(|c| (c.clone(), cell.clone())))
            .collect()
    }
}

/// Why no item could be chosen for a header row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InferError {
    #[error("表头与目录中的任何事项都不匹配，请使用目录模板的列名")]
    NoMatch,
    #[error("无法确定数据属于哪个事项，可能是：{}；请在上传时指定事项", candidates.join("、"))]
    Ambiguous { candidates: Vec<String> },
}

impl InferError {
    pub fn code(&self) -> &'static str {
        match self {
            InferError::NoMatch => "item_unknown",
            InferError::Ambiguous { .. } => "item_ambiguous",
        }
    }
}

/// Why a catalog file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("目录文件格式错误：{message}")]
    Toml { message: String },
    #[error("目录缺少版本号")]
    EmptyVersion,
    #[error("代码“{code}”无效（只允许大写字母、数字和下划线，以字母开头）")]
    InvalidCode { code: String },
    #[error("事项“{item}”重复定义")]
    DuplicateItem { item: String },
    #[error("事项“{item}”没有字段")]
    NoFields { item: String },
    #[error("事项“{item}”的字段“{field}”重复定义")]
    DuplicateField { item: String, field: String },
    #[error("事项“{item}”中表头“{header}”同时指向字段“{first}”和“{second}”")]
    AmbiguousHeader { item: String, header: String, first: String, second: String },
    #[error("事项“{item}”缺少角色为“{role}”的字段")]
    MissingRole { item: String, role: FieldRole },
    #[error("事项“{item}”有多个角色为“{role}”的字段")]
    DuplicateRole { item: String, role: FieldRole },
    #[error("事项“{item}”的字段“{field}”：{problem}")]
    InvalidField { item: String, field: String, problem: String },
    #[error("事项“{item}”的字段“{field}”含个人证件号码，不能设为公开")]
    PersonalFieldPublic { item: String, field: String },
    #[error("事项“{item}”的主键字段“{field}”不存在或不是必填字段")]
    InvalidKey { item: String, field: String },
    #[error("事项“{item}”的报送部门无效：应为 \"*\" 或部门代码列表")]
    InvalidDepartments { item: String },
}

impl CatalogError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Toml { .. } => "catalog_toml",
            Self::EmptyVersion => "catalog_version_missing",
            Self::InvalidCode { .. } => "catalog_code_invalid",
            Self::DuplicateItem { .. } => "catalog_item_duplicate",
            Self::NoFields { .. } => "catalog_item_without_fields",
            Self::DuplicateField { .. } => "catalog_field_duplicate",
            Self::AmbiguousHeader { .. } => "catalog_header_ambiguous",
            Self::MissingRole { .. } => "catalog_role_missing",
            Self::DuplicateRole { .. } => "catalog_role_duplicate",
            Self::InvalidField { .. } => "catalog_field_invalid",
            Self::PersonalFieldPublic { .. } => "catalog_personal_field_public",
            Self::InvalidKey { .. } => "catalog_key_invalid",
            Self::InvalidDepartments { .. } => "catalog_departments_invalid",
        }
    }
}

// ----- file format ---------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    version: String,
    effective_from: Option<NaiveDate>,
    title: Option<String>,
    #[serde(default)]
    ignore_headers: Vec<String>,
    #[serde(default)]
    items: Vec<RawItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    code: String,
    name: String,
    category: Category,
    format_version: String,
    disclosure: DisclosureLevel,
    departments: RawDepartments,
    deadline_working_days: Option<u32>,
    publicity: PublicityKind,
    key: Option<Vec<String>>,
    description: Option<String>,
    #[serde(default)]
    fields: Vec<RawField>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawDepartments {
    Star(String),
    List(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    code: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(rename = "type")]
    field_type: TypeTag,
    max_chars: Option<usize>,
    #[serde(default)]
    open_ended: bool,
    #[serde(default)]
    not_in_future: bool,
    values: Option<Vec<String>>,
    #[serde(default)]
    value_aliases: BTreeMap<String, String>,
    required: RawRequired,
    public: bool,
    role: Option<FieldRole>,
    #[serde(default)]
    extension: bool,
    #[serde(default)]
    withhold_when_names: bool,
    #[serde(default)]
    subject_kinds: BTreeMap<String, SubjectKindValue>,
    #[serde(default)]
    resident_id_values: Vec<String>,
    #[expect(dead_code, reason = "free-text note for readers of the catalog file")]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRequired {
    Simple(SimpleRequired),
    Penalty(PenaltyRequired),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum SimpleRequired {
    Always,
    Never,
    LegalPerson,
    NaturalPerson,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PenaltyRequired {
    penalty_includes: Vec<PenaltyCategory>,
}

fn is_valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn build_field(item: &str, raw: RawField) -> Result<FieldSpec, CatalogError> {
    let invalid =
        |problem: String| CatalogError::InvalidField { item: item.to_owned(), field: raw.code.clone(), problem };
    if !is_valid_code(&raw.code) {
        return Err(CatalogError::InvalidCode { code: raw.code });
    }
    if raw.name.trim().is_empty() {
        return Err(invalid("缺少表头名称".to_owned()));
    }
    let field_type = field_type_of(&raw).map_err(invalid)?;
    check_options(&raw, &field_type).map_err(invalid)?;
    let personal = raw.field_type == TypeTag::IdNumber
        || matches!(raw.role, Some(FieldRole::SubjectIdNumber | FieldRole::LegalRepIdNumber));
    if personal && raw.public {
        return Err(CatalogError::PersonalFieldPublic { item: item.to_owned(), field: raw.code });
    }
    check_role_values(&raw, &field_type).map_err(invalid)?;
    if raw.withhold_when_names && (raw.field_type != TypeTag::Text || !raw.public || raw.role.is_some()) {
        return Err(invalid("withhold_when_names 只适用于公开的、没有角色的文字字段".to_owned()));
    }
    let required = required_of(&raw).map_err(invalid)?;
    Ok(FieldSpec {
        code: raw.code,
        name: raw.name.trim().to_owned(),
        aliases: raw.aliases,
        field_type,
        required,
        public: raw.public,
        role: raw.role,
        extension: raw.extension,
        withhold_when_names: raw.withhold_when_names,
        subject_kinds: raw.subject_kinds,
        resident_id_values: raw.resident_id_values.into_iter().collect(),
    })
}

/// The field's type with its options; an enumeration must list its values
/// and its aliases must point at them.
fn field_type_of(raw: &RawField) -> Result<FieldType, String> {
    Ok(match raw.field_type {
        TypeTag::Text => FieldType::Text { max_chars: raw.max_chars.unwrap_or(DEFAULT_MAX_CHARS) },
        TypeTag::Date => FieldType::Date { open_ended: raw.open_ended, not_in_future: raw.not_in_future },
        TypeTag::MoneyWanYuan => FieldType::MoneyWanYuan,
        TypeTag::Enumeration => {
            let values = raw.values.clone().unwrap_or_default();
            if values.is_empty() {
                return Err("枚举类型必须列出取值 values".to_owned());
            }
            for (alias, target) in &raw.value_aliases {
                if !values.contains(target) {
                    return Err(format!("取值别名“{alias}”指向不存在的取值“{target}”"));
                }
            }
            FieldType::Enumeration { values, aliases: raw.value_aliases.clone() }
        }
        TypeTag::Uscc => FieldType::Uscc,
        TypeTag::IdNumber => FieldType::IdNumber,
        TypeTag::Integer => FieldType::Integer,
    })
}

/// Options that only make sense for one type must not sit on another, where
/// they would be silently ignored; a role fixes the type it needs.
fn check_options(raw: &RawField, field_type: &FieldType) -> Result<(), String> {
    let misplaced = [
        (raw.max_chars.is_some(), TypeTag::Text, "max_chars"),
        (raw.open_ended, TypeTag::Date, "open_ended"),
        (raw.not_in_future, TypeTag::Date, "not_in_future"),
        (raw.values.is_some(), TypeTag::Enumeration, "values"),
        (!raw.value_aliases.is_empty(), TypeTag::Enumeration, "value_aliases"),
    ];
    if let Some((_, tag, option)) = misplaced.iter().find(|(set, tag, _)| *set && *tag != raw.field_type) {
        return Err(format!("选项 {option} 只适用于 {} 类型", tag.as_str()));
    }
    if let FieldType::Text { max_chars: 0 } = field_type {
        return Err("max_chars 必须大于 0".to_owned());
    }
    if let Some(role) = raw.role
        && let Some(expected) = role.expected_type()
        && expected != raw.field_type
    {
        return Err(format!("角色 {role} 要求 {} 类型，实际为 {}", expected.as_str(), raw.field_type.as_str()));
    }
    // A decision or start date that may be "长期" would leave the record
    // without a date to count periods from.
    if raw.open_ended && matches!(raw.role, Some(FieldRole::DecisionDate | FieldRole::ValidFrom)) {
        return Err("决定日期和有效期起始日期不能设为 open_ended".to_owned());
    }
    Ok(())
}

/// Role-specific value tables must cover every value of the enumeration, and
/// every value of a role the platform reads must be one it understands.
fn check_role_values(raw: &RawField, field_type: &FieldType) -> Result<(), String> {
    let values: Vec<String> = match field_type {
        FieldType::Enumeration { values, .. } => values.clone(),
        _ => Vec::new(),
    };
    if raw.role == Some(FieldRole::SubjectKind) {
        if let Some(v) = values.iter().find(|v| !raw.subject_kinds.contains_key(*v)) {
            return Err(format!("subject_kinds 缺少取值“{v}”的含义"));
        }
    } else if !raw.subject_kinds.is_empty() {
        return Err("subject_kinds 只适用于 subject_kind 角色".to_owned());
    }
    let id_type_role = matches!(raw.role, Some(FieldRole::SubjectIdType | FieldRole::LegalRepIdType));
    if !id_type_role && !raw.resident_id_values.is_empty() {
        return Err("resident_id_values 只适用于证件类型角色".to_owned());
    }
    if let Some(v) = raw.resident_id_values.iter().find(|v| !values.contains(*v)) {
        return Err(format!("resident_id_values 中的“{v}”不是取值之一"));
    }
    let unrecognised = |v: &String| -> bool {
        match raw.role {
            Some(FieldRole::Procedure) => crate::collection::record::Procedure::from_zh(v).is_none(),
            Some(FieldRole::Severity) => crate::collection::publicity::Severity::from_zh(v).is_none(),
            Some(FieldRole::SubjectIsMinor | FieldRole::MinorViolationCorrected | FieldRole::ContainsPersonalNames) => {
                crate::collection::record::parse_yes_no(v).is_none()
            }
            _ => false,
        }
    };
    if let Some(v) = values.iter().find(|v| unrecognised(v)) {
        return Err(format!("取值“{v}”无法被识别为 {} 的含义", role_str(raw.role)));
    }
    Ok(())
}

/// When the field must be filled in; an extension field is always optional.
fn required_of(raw: &RawField) -> Result<Required, String> {
    let required = match &raw.required {
        RawRequired::Simple(SimpleRequired::Always) => Required::Always,
        RawRequired::Simple(SimpleRequired::Never) => Required::Never,
        RawRequired::Simple(SimpleRequired::LegalPerson) => Required::LegalPerson,
        RawRequired::Simple(SimpleRequired::NaturalPerson) => Required::NaturalPerson,
        RawRequired::Penalty(p) if p.penalty_includes.is_empty() => {
            return Err("penalty_includes 不能为空".to_owned());
        }
        RawRequired::Penalty(p) => Required::PenaltyIncludes(p.penalty_includes.clone()),
    };
    if raw.extension && required != Required::Never {
        return Err("扩展字段（extension）只能是选填".to_owned());
    }
    Ok(required)
}

fn role_str(role: Option<FieldRole>) -> &'static str {
    role.map_or("-", FieldRole::as_str)
}

fn build_item(raw: RawItem) -> Result<CatalogItem, CatalogError> {
    if !is_valid_code(&raw.code) {
        return Err(CatalogError::InvalidCode { code: raw.code });
    }
    let item = raw.code.clone();
    let departments = match raw.departments {
        RawDepartments::Star(s) if s == "*" => Departments::All,
        RawDepartments::List(list) if !list.is_empty() && list.iter().all(|d| !d.is_empty()) => {
            Departments::Only(list.into_iter().collect())
        }
        _ => return Err(CatalogError::InvalidDepartments { item }),
    };
    if raw.fields.is_empty() {
        return Err(CatalogError::NoFields { item });
    }
    let mut fields: Vec<FieldSpec> = Vec::with_capacity(raw.fields.len());
    for raw_field in raw.fields {
        let field = build_field(&item, raw_field)?;
        if fields.iter().any(|f| f.code == field.code) {
            return Err(CatalogError::DuplicateField { item, field: field.code });
        }
        fields.push(field);
    }
    let lookup = header_lookup(&item, &fields)?;
    check_roles(&item, &fields, raw.publicity)?;
    let key = item_key(&item, raw.key, &fields)?;
    Ok(CatalogItem {
        catalog_version: String::new(),
        code: raw.code,
        name: raw.name,
        category: raw.category,
        format_version: raw.format_version,
        disclosure: raw.disclosure,
        departments,
        deadline_working_days: raw.deadline_working_days,
        publicity: raw.publicity,
        key,
        description: raw.description,
        fields,
        lookup,
    })
}

/// Every header (name, aliases, code) must point at one field only.
fn header_lookup(item: &str, fields: &[FieldSpec]) -> Result<BTreeMap<String, usize>, CatalogError> {
    let mut lookup: BTreeMap<String, usize> = BTreeMap::new();
    for (i, field) in fields.iter().enumerate() {
        let headers = std::iter::once(&field.name).chain(&field.aliases).chain(std::iter::once(&field.code));
        for header in headers {
            let key = normalize_header(header);
            if key.is_empty() {
                continue;
            }
            match lookup.get(&key) {
                Some(&j) if j != i => {
                    return Err(CatalogError::AmbiguousHeader {
                        item: item.to_owned(),
                        header: header.clone(),
                        first: fields.get(j).map(|f| f.code.clone()).unwrap_or_default(),
                        second: field.code.clone(),
                    });
                }
                _ => {
                    lookup.insert(key, i);
                }
            }
        }
    }
    Ok(lookup)
}

/// Roles: the platform cannot place a record without these.
fn check_roles(item: &str, fields: &[FieldSpec], publicity: PublicityKind) -> Result<(), CatalogError> {
    let item = || item.to_owned();
    for role in FieldRole::ALL {
        let count = fields.iter().filter(|f| f.role == Some(role)).count();
        if count > 1 && !role.may_repeat() {
            return Err(CatalogError::DuplicateRole { item: item(), role });
        }
    }
    for role in [FieldRole::SubjectName, FieldRole::DocumentNumber, FieldRole::DecisionDate] {
        if !fields.iter().any(|f| f.role == Some(role)) {
            return Err(CatalogError::MissingRole { item: item(), role });
        }
    }
    let has_role = |role: FieldRole| fields.iter().any(|f| f.role == Some(role));
    let kinds: BTreeSet<SubjectKindValue> = fields.iter().flat_map(|f| f.subject_kinds.values().copied()).collect();
    let needs_uscc = kinds.is_empty() || kinds.iter().any(|k| !k.is_natural_person());
    let needs_id = kinds.contains(&SubjectKindValue::NaturalPerson);
    if needs_uscc && !has_role(FieldRole::SubjectUscc) && (!kinds.is_empty() || !has_role(FieldRole::SubjectIdNumber)) {
        return Err(CatalogError::MissingRole { item: item(), role: FieldRole::SubjectUscc });
    }
    if needs_id && !has_role(FieldRole::SubjectIdNumber) {
        return Err(CatalogError::MissingRole { item: item(), role: FieldRole::SubjectIdNumber });
    }
    if publicity == PublicityKind::Penalty && !has_role(FieldRole::PenaltyCategories) {
        return Err(CatalogError::MissingRole { item: item(), role: FieldRole::PenaltyCategories });
    }
    // Fields withheld on a flag nobody can set would be published always.
    if fields.iter().any(FieldSpec::is_withheld_when_names) && !has_role(FieldRole::ContainsPersonalNames) {
        return Err(CatalogError::MissingRole { item: item(), role: FieldRole::ContainsPersonalNames });
    }
    Ok(())
}

/// The key must consist of always-required fields, or two uploads of the
/// same decision could get different keys. Default: the document number.
fn item_key(item: &str, key: Option<Vec<String>>, fields: &[FieldSpec]) -> Result<Vec<String>, CatalogError> {
    let key = match key {
        Some(key) if !key.is_empty() => key,
        _ => fields.iter().filter(|f| f.role == Some(FieldRole::DocumentNumber)).map(|f| f.code.clone()).collect(),
    };
    if let Some(bad) =
        key.iter().find(|code| !fields.iter().any(|f| &f.code == *code && f.required == Required::Always))
    {
        return Err(CatalogError::InvalidKey { item: item.to_owned(), field: bad.clone() });
    }
    Ok(key)
}

impl Catalog {
    /// The catalog shipped with the binary (`rules/catalog.toml`).
    pub fn shipped() -> &'static Catalog {
        &SHIPPED
    }

    /// A catalog with no items; every upload fails until a real one is loaded.
    pub fn empty() -> Catalog {
        Catalog {
            version: String::new(),
            effective_from: None,
            title: None,
            ignore_headers: BTreeSet::new(),
            items: Vec::new(),
        }
    }

    /// Parses and checks a catalog file.
    pub fn parse_toml(text: &str) -> Result<Catalog, CatalogError> {
        let raw: RawCatalog = toml::from_str(text).map_err(|e| CatalogError::Toml { message: e.to_string() })?;
        let version = raw.version.trim().to_owned();
        if version.is_empty() {
            return Err(CatalogError::EmptyVersion);
        }
        let mut items: Vec<CatalogItem> = Vec::with_capacity(raw.items.len());
        for raw_item in raw.items {
            let mut item = build_item(raw_item)?;
            item.catalog_version.clone_from(&version);
            if items.iter().any(|i| i.code == item.code) {
                return Err(CatalogError::DuplicateItem { item: item.code });
            }
            items.push(item);
        }
        Ok(Catalog {
            version,
            effective_from: raw.effective_from,
            title: raw.title,
            ignore_headers: raw.ignore_headers.iter().map(|h| normalize_header(h)).collect(),
            items,
        })
    }

    /// Catalog version, e.g. `2026.1`; stored with every record draft.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn effective_from(&self) -> Option<NaiveDate> {
        self.effective_from
    }

    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    pub fn items(&self) -> &[CatalogItem] {
        &self.items
    }

    pub fn item(&self, code: &str) -> Option<&CatalogItem> {
        self.items.iter().find(|i| i.code == code)
    }

    /// Matches uploaded headers (template names, aliases or field codes;
    /// trimmed, full-width/half-width and spacing differences ignored) to the
    /// item's fields. Reports unknown columns, duplicates, and required
    /// fields no column holds.
    pub fn match_headers(&self, item: &CatalogItem, headers: &[String]) -> HeaderMatch {
        let mut result = HeaderMatch {
            columns: Vec::with_capacity(headers.len()),
            unknown: Vec::new(),
            ignored: Vec::new(),
            missing_required: Vec::new(),
            missing_conditional: Vec::new(),
            duplicates: Vec::new(),
            warnings: Vec::new(),
        };
        let mut seen: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (column, header) in headers.iter().enumerate() {
            let normalized = normalize_header(header);
            if normalized.is_empty() || self.ignore_headers.contains(&normalized) {
                result.ignored.push((column, header.clone()));
                result.columns.push(None);
                continue;
            }
            let Some(field) = item.lookup_normalized(&normalized) else {
                result.unknown.push((column, header.clone()));
                result.columns.push(None);
                continue;
            };
            let columns = seen.entry(field.code()).or_default();
            columns.push(column);
            if columns.len() > 1 {
                result.columns.push(None);
                continue;
            }
            if field.field_type == FieldType::MoneyWanYuan && header_says_yuan(&normalized) {
                result.warnings.push(HeaderWarning {
                    column,
                    header: header.clone(),
                    code: "header_money_unit_yuan",
                    message: format!(
                        "第 {} 列「{}」注明单位为元，但「{}」按标准以万元填报：请把金额换算为万元，或在金额后写明“元”",
                        column + 1,
                        header.trim(),
                        field.name()
                    ),
                });
            }
            result.columns.push(Some(field.code.clone()));
        }
        for (field, columns) in &seen {
            if columns.len() > 1 {
                result.duplicates.push(HeaderDuplicate { field: (*field).to_owned(), columns: columns.clone() });
            }
        }
        for field in &item.fields {
            if seen.contains_key(field.code()) {
                continue;
            }
            match field.required {
                Required::Always => result.missing_required.push(field.code.clone()),
                Required::Never => {}
                _ => result.missing_conditional.push(field.code.clone()),
            }
        }
        result
    }

    /// The item whose fields best explain these headers: the one matching
    /// the most columns. A tie is [`InferError::Ambiguous`] — breaking it by
    /// fewer missing required fields would favour whichever item happens to
    /// be small — and no match at all is [`InferError::NoMatch`].
    pub fn infer_item(&self, headers: &[String]) -> Result<&CatalogItem, InferError> {
        let mut scored: Vec<(usize, &CatalogItem)> = self
            .items
            .iter()
            .map(|item| {
                let m = self.match_headers(item, headers);
                (m.columns.iter().filter(|c| c.is_some()).count(), item)
            })
            .filter(|(matched, _)| *matched > 0)
            .collect();
        scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
        let label = |i: &CatalogItem| format!("{}（{}）", i.name, i.code);
        match scored.as_slice() {
            [] => Err(InferError::NoMatch),
            [(best_score, best), rest @ ..] => {
                let tied: Vec<String> =
                    rest.iter().filter(|(score, _)| score == best_score).map(|(_, i)| label(i)).collect();
                if tied.is_empty() {
                    Ok(best)
                } else {
                    let mut candidates = vec![label(best)];
                    candidates.extend(tied);
                    Err(InferError::Ambiguous { candidates })
                }
            }
        }
    }
}

/// True when a money column's header states the unit 元 rather than 万元,
/// e.g. "罚款金额(元)" or "罚款金额(单位:元)".
fn header_says_yuan(normalized: &str) -> bool {
    split_trailing_bracket(normalized).is_some_and(|(_, inside)| {
        let unit = inside.trim_start_matches("单位").trim_start_matches(':');
        unit == "元" || unit == "人民币元"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn xk() -> &'static CatalogItem {
        Catalog::shipped().item("XK").unwrap()
    }

    fn cf() -> &'static CatalogItem {
        Catalog::shipped().item("CF").unwrap()
    }

    /// A minimal valid catalog to mutate in error tests.
    const MINIMAL: &str = r#"
version = "t1"
[[items]]
code = "T"
name = "测试"
category = "other"
format_version = "t"
disclosure = "public"
departments = "*"
publicity = "none"
[[items.fields]]
code = "T_MC"
name = "名称"
type = "text"
required = "always"
public = true
role = "subject_name"
[[items.fields]]
code = "T_DM"
name = "统一社会信用代码"
type = "uscc"
required = "always"
public = true
role = "subject_uscc"
[[items.fields]]
code = "T_WH"
name = "文号"
type = "text"
required = "always"
public = true
role = "document_number"
[[items.fields]]
code = "T_RQ"
name = "日期"
type = "date"
required = "always"
public = true
role = "decision_date"
"#;

    #[test]
    fn shipped_catalog_parses() {
        let catalog = Catalog::parse_toml(SHIPPED_CATALOG_TOML).unwrap();
        assert_eq!(catalog.version(), "2026.3");
        assert_eq!(Catalog::shipped(), &catalog);
        let codes: Vec<&str> = catalog.items().iter().map(CatalogItem::code).collect();
        assert_eq!(codes, ["XK", "CF", "SXBZXR", "JC", "CNSX"]);
        assert_eq!(catalog.effective_from(), NaiveDate::from_ymd_opt(2026, 1, 1));
    }

    #[test]
    fn shipped_items_carry_their_metadata() {
        let xk = xk();
        assert_eq!(xk.category(), Category::AdministrativeLicensing);
        assert_eq!(xk.category().name_zh(), "行政许可");
        assert_eq!(xk.disclosure(), DisclosureLevel::Public);
        assert_eq!(xk.deadline_working_days(), Some(7));
        assert_eq!(xk.publicity(), PublicityKind::Licence);
        assert_eq!(xk.key_fields(), ["XK_WSH"]);
        assert!(xk.allows_department("scjgj"));
        let sx = Catalog::shipped().item("SXBZXR").unwrap();
        assert_eq!(sx.category(), Category::CourtDishonestDebtor);
        assert!(sx.allows_department("zjfy"));
        assert!(!sx.allows_department("scjgj"));
        assert_eq!(sx.field_by_role(FieldRole::DocumentNumber).unwrap().code(), "SX_ZXYJWH");
        let jc = Catalog::shipped().item("JC").unwrap();
        assert_eq!(jc.category(), Category::AdministrativeInspection);
        assert_eq!(jc.publicity(), PublicityKind::None);
    }

    #[test]
    fn personal_fields_are_never_public() {
        for item in Catalog::shipped().items() {
            for f in item.fields() {
                if matches!(f.field_type(), FieldType::IdNumber) {
                    assert!(!f.is_public(), "{} {}", item.code(), f.code());
                }
            }
        }
    }

    #[test]
    fn cf_fields_follow_domain_5_3() {
        let cf = cf();
        let fk = cf.field("CF_NR_FK").unwrap();
        assert_eq!(fk.field_type(), &FieldType::MoneyWanYuan);
        assert_eq!(fk.required(), &Required::PenaltyIncludes(vec![PenaltyCategory::Fine]));
        assert_eq!(fk.required().describe_zh(), "处罚类别含罚款时必填");
        assert_eq!(cf.fields_by_role(FieldRole::PenaltyCategories).count(), 2);
        assert!(cf.field("CF_YZCD").unwrap().is_extension());
        assert_eq!(
            cf.field("CF_XDR_LB").unwrap().subject_kind_of("个体工商户"),
            Some(SubjectKindValue::IndividualBusiness)
        );
        assert!(cf.field("CF_XDR_ZJLX").unwrap().is_resident_id_type("身份证"));
        assert!(!cf.field("CF_XDR_ZJLX").unwrap().is_resident_id_type("护照"));
    }

    #[test]
    fn header_normalisation() {
        assert_eq!(normalize_header(" 行政相对人 名称\u{a0}"), "行政相对人名称");
        assert_eq!(normalize_header("*许可决定日期"), "许可决定日期");
        assert_eq!(normalize_header("ｘｋ＿ｗｓｈ"), "XK_WSH");
        assert_eq!(normalize_header("xk-wsh"), "XK_WSH");
        assert_eq!(normalize_header("行政相对人代码＿１【统一社会信用代码】"), "行政相对人代码_1(统一社会信用代码)");
        assert_eq!(normalize_header("\u{feff}备注\u{200b}"), "备注");
    }

    #[test]
    fn matches_template_headers() {
        let h = headers(&[
            "行政相对人名称",
            "行政相对人类别",
            "行政相对人代码_1(统一社会信用代码)",
            "法定代表人",
            "行政许可决定文书名称",
            "行政许可决定文书号",
            "许可类别",
            "许可内容",
            "许可决定日期",
            "有效期自",
            "有效期至",
            "许可机关",
            "许可机关统一社会信用代码",
            "当前状态",
            "数据来源单位",
            "数据来源单位统一社会信用代码",
        ]);
        let m = Catalog::shipped().match_headers(xk(), &h);
        assert!(m.unknown.is_empty(), "{:?}", m.unknown);
        assert!(m.missing_required.is_empty(), "{:?}", m.missing_required);
        assert!(m.is_usable());
        assert_eq!(m.columns[2].as_deref(), Some("XK_XDR_SHXYM"));
        assert_eq!(m.columns[5].as_deref(), Some("XK_WSH"));
        // Natural-person columns are conditional, not fatal.
        assert!(m.missing_conditional.contains(&"XK_XDR_ZJHM".to_owned()));
    }

    #[test]
    fn matches_codes_spacing_and_full_width() {
        let h = headers(&["xk_wsh", " 许可 决定日期 ", "ＸＫ＿ＮＲ", "＊许可类别（必填）", "有效期至(YYYY-MM-DD)"]);
        let m = Catalog::shipped().match_headers(xk(), &h);
        assert_eq!(
            m.columns,
            vec![
                Some("XK_WSH".to_owned()),
                Some("XK_JDRQ".to_owned()),
                Some("XK_NR".to_owned()),
                Some("XK_XKLB".to_owned()),
                Some("XK_YXQZI".to_owned()),
            ]
        );
    }

    #[test]
    fn matches_old_format_aliases() {
        let h = headers(&[
            "行政许可决定书文号",
            "审批类别",
            "许可截止期",
            "法定代表人姓名",
            "行政相对人代码_2(组织机构代码)",
            "行政相对人代码_5(居民身份证号)",
            "地方编码",
            "数据更新时间戳",
        ]);
        let m = Catalog::shipped().match_headers(xk(), &h);
        assert_eq!(m.columns[0].as_deref(), Some("XK_WSH"));
        assert_eq!(m.columns[1].as_deref(), Some("XK_XKLB"));
        assert_eq!(m.columns[2].as_deref(), Some("XK_YXQZI"));
        assert_eq!(m.columns[3].as_deref(), Some("XK_FRDB"));
        // Old slot _2 is the organisation code: the bracket decides.
        assert_eq!(m.columns[4].as_deref(), Some("XK_XDR_ZZJG"));
        // Old slot _5 is an ID number: it must land in the non-public column.
        assert_eq!(m.columns[5].as_deref(), Some("XK_XDR_ZJHM"));
        assert_eq!(m.ignored.len(), 2);

        let h = headers(&["处罚决定书文号", "处罚事由", "处罚类别1", "处罚类别2", "处罚结果"]);
        let m = Catalog::shipped().match_headers(cf(), &h);
        let cols: Vec<Option<&str>> = m.columns.iter().map(|c| c.as_deref()).collect();
        assert_eq!(cols, [Some("CF_WSH"), Some("CF_SY"), Some("CF_CFLB"), Some("CF_CFLB2"), Some("CF_NR")]);
    }

    #[test]
    fn bare_ambiguous_slots_are_unknown() {
        let h = headers(&["行政相对人代码_5", "行政相对人代码_1"]);
        let m = Catalog::shipped().match_headers(xk(), &h);
        assert_eq!(m.unknown, vec![(0, "行政相对人代码_5".to_owned())]);
        assert_eq!(m.columns[1].as_deref(), Some("XK_XDR_SHXYM"));
    }

    #[test]
    fn reports_unknown_duplicate_and_missing() {
        let h = headers(&["行政许可决定文书号", "文书号", "经办人电话", "", "XK_JDRQ"]);
        let m = Catalog::shipped().match_headers(xk(), &h);
        assert_eq!(m.unknown, vec![(2, "经办人电话".to_owned())]);
        assert_eq!(m.ignored, vec![(3, String::new())]);
        assert_eq!(m.duplicates, vec![HeaderDuplicate { field: "XK_WSH".to_owned(), columns: vec![0, 1] }]);
        assert_eq!(m.columns[1], None);
        assert!(m.missing_required.contains(&"XK_XDR_MC".to_owned()));
        assert!(!m.missing_required.contains(&"XK_WSH".to_owned()));
        assert!(!m.is_usable());
    }

    #[test]
    fn warns_about_money_headers_in_yuan() {
        let h = headers(&["罚款金额（元）", "没收金额(单位：元)", "罚款金额（万元）"]);
        let m = Catalog::shipped().match_headers(cf(), &h);
        let codes: Vec<(usize, &str)> = m.warnings.iter().map(|w| (w.column, w.code)).collect();
        assert_eq!(codes, [(0, "header_money_unit_yuan"), (1, "header_money_unit_yuan")]);
        assert_eq!(m.duplicates.len(), 1);
    }

    #[test]
    fn cells_pairs_row_with_codes() {
        let h = headers(&["行政许可决定文书号", "未知列", "许可决定日期"]);
        let m = Catalog::shipped().match_headers(xk(), &h);
        let row = headers(&["济审批〔2024〕1号", "x", "2024-06-01", "多余"]);
        assert_eq!(
            m.cells(&row),
            vec![
                ("XK_WSH".to_owned(), "济审批〔2024〕1号".to_owned()),
                ("XK_JDRQ".to_owned(), "2024-06-01".to_owned()),
            ]
        );
    }

    #[test]
    fn infers_items() {
        let catalog = Catalog::shipped();
        let xk_headers = headers(&["行政相对人名称", "行政许可决定文书号", "许可决定日期", "许可类别"]);
        assert_eq!(catalog.infer_item(&xk_headers).unwrap().code(), "XK");
        let cf_headers = headers(&["行政相对人名称", "处罚决定书文号", "处罚类别", "罚款金额"]);
        assert_eq!(catalog.infer_item(&cf_headers).unwrap().code(), "CF");
        let sx_headers = headers(&["被执行人名称", "执行法院", "案号", "执行依据文号"]);
        assert_eq!(catalog.infer_item(&sx_headers).unwrap().code(), "SXBZXR");
        let jc_headers = headers(&["检查对象", "检查日期", "检查结果"]);
        assert_eq!(catalog.infer_item(&jc_headers).unwrap().code(), "JC");
        let codes = headers(&["CF_WSH", "CF_JDRQ"]);
        assert_eq!(catalog.infer_item(&codes).unwrap().code(), "CF");
    }

    #[test]
    fn infer_errors() {
        let catalog = Catalog::shipped();
        let e = catalog.infer_item(&headers(&["甲", "乙"])).unwrap_err();
        assert_eq!(e, InferError::NoMatch);
        assert_eq!(e.code(), "item_unknown");
        // 行政相对人名称 and 备注 exist in both XK and CF.
        let e = catalog.infer_item(&headers(&["行政相对人名称", "备注"])).unwrap_err();
        assert_eq!(e.code(), "item_ambiguous");
        assert!(e.to_string().contains("行政许可（XK）"), "{e}");
        assert!(e.to_string().contains("行政处罚（CF）"), "{e}");
    }

    #[test]
    fn minimal_catalog_parses() {
        let c = Catalog::parse_toml(MINIMAL).unwrap();
        let item = c.item("T").unwrap();
        assert_eq!(item.key_fields(), ["T_WH"]);
        assert_eq!(item.deadline_working_days(), None);
        assert_eq!(item.field("T_MC").unwrap().field_type(), &FieldType::Text { max_chars: DEFAULT_MAX_CHARS });
    }

    fn error_of(text: &str) -> CatalogError {
        Catalog::parse_toml(text).unwrap_err()
    }

    #[test]
    fn catalog_errors() {
        assert_eq!(error_of("version = ").code(), "catalog_toml");
        assert_eq!(error_of(&MINIMAL.replace("version = \"t1\"", "version = \" \"")).code(), "catalog_version_missing");
        assert_eq!(error_of(&MINIMAL.replace("code = \"T\"", "code = \"t\"")).code(), "catalog_code_invalid");
        let twice = format!("{MINIMAL}{}", &MINIMAL[MINIMAL.find("[[items]]").unwrap()..]);
        assert_eq!(error_of(&twice).code(), "catalog_item_duplicate");
        assert_eq!(error_of(&MINIMAL.replace("code = \"T_DM\"", "code = \"T_MC\"")).code(), "catalog_field_duplicate");
        assert_eq!(error_of(&MINIMAL.replace("name = \"文号\"", "name = \"名称\"")).code(), "catalog_header_ambiguous");
        assert_eq!(error_of(&MINIMAL.replace("role = \"document_number\"", "")).code(), "catalog_role_missing");
        assert_eq!(
            error_of(&MINIMAL.replace("role = \"document_number\"", "role = \"subject_name\"")).code(),
            "catalog_role_duplicate"
        );
        assert_eq!(error_of(&MINIMAL.replace("type = \"date\"", "type = \"text\"")).code(), "catalog_field_invalid");
        assert_eq!(
            error_of(&MINIMAL.replace(
                "type = \"uscc\"\nrequired = \"always\"\npublic = true\nrole = \"subject_uscc\"",
                "type = \"id_number\"\nrequired = \"always\"\npublic = true\nrole = \"subject_id_number\""
            ))
            .code(),
            "catalog_personal_field_public"
        );
        assert_eq!(
            error_of(&MINIMAL.replace("publicity = \"none\"", "publicity = \"none\"\nkey = [\"T_X\"]")).code(),
            "catalog_key_invalid"
        );
        assert_eq!(
            error_of(&MINIMAL.replace("departments = \"*\"", "departments = \"all\"")).code(),
            "catalog_departments_invalid"
        );
        assert_eq!(
            error_of(&MINIMAL.replace("departments = \"*\"", "departments = []")).code(),
            "catalog_departments_invalid"
        );
        assert_eq!(
            error_of(&MINIMAL.replace("publicity = \"none\"", "publicity = \"none\"\nfields = []")).code(),
            "catalog_toml"
        );
        // Unknown keys are refused rather than ignored.
        assert_eq!(
            error_of(&MINIMAL.replace(
                "public = true\nrole = \"subject_name\"",
                "public = true\nrole = \"subject_name\"\nmax_char = 5"
            ))
            .code(),
            "catalog_toml"
        );
    }

    #[test]
    fn field_option_errors() {
        let cases = [
            (
                "type = \"text\"\nrequired = \"always\"\npublic = true\nrole = \"subject_name\"",
                "type = \"text\"\nopen_ended = true\nrequired = \"always\"\npublic = true\nrole = \"subject_name\"",
            ),
            ("name = \"名称\"\ntype = \"text\"", "name = \"名称\"\ntype = \"enumeration\"\nvalues = []"),
            (
                "code = \"T_MC\"\nname = \"名称\"\ntype = \"text\"",
                "code = \"T_MC\"\nname = \"名称\"\ntype = \"text\"\nmax_chars = 0",
            ),
            (
                "required = \"always\"\npublic = true\nrole = \"subject_name\"",
                "required = { penalty_includes = [] }\npublic = true\nrole = \"subject_name\"",
            ),
            (
                "required = \"always\"\npublic = true\nrole = \"subject_name\"",
                "required = \"always\"\npublic = true\nrole = \"subject_name\"\nextension = true",
            ),
        ];
        for (from, to) in cases {
            let text = MINIMAL.replacen(from, to, 1);
            assert_ne!(text, MINIMAL, "{from}");
            assert_eq!(error_of(&text).code(), "catalog_field_invalid", "{to}");
        }
    }

    /// Prose withheld on a row's 含自然人姓名 flag: only public text without a
    /// role, only in an item that has the flag column, and 是/Y/1 withholds.
    #[test]
    fn prose_is_withheld_on_the_rows_names_flag() {
        let prose = "\n[[items.fields]]\ncode = \"T_SS\"\nname = \"事实\"\ntype = \"text\"\nrequired = \"never\"\npublic = true\nwithhold_when_names = true\n";
        let flag = "\n[[items.fields]]\ncode = \"T_XM\"\nname = \"含自然人姓名\"\ntype = \"enumeration\"\nvalues = [\"是\", \"否\"]\nvalue_aliases = { \"Y\" = \"是\" }\nrequired = \"never\"\npublic = false\nrole = \"contains_personal_names\"\n";
        assert_eq!(error_of(&format!("{MINIMAL}{prose}")).code(), "catalog_role_missing", "a flag nobody can set");
        let private = prose.replace("public = true", "public = false");
        assert_eq!(error_of(&format!("{MINIMAL}{private}{flag}")).code(), "catalog_field_invalid");
        let named =
            MINIMAL.replacen("role = \"subject_name\"", "role = \"subject_name\"\nwithhold_when_names = true", 1);
        assert_eq!(error_of(&format!("{named}{flag}")).code(), "catalog_field_invalid", "not on a role");
        let odd_flag = flag.replace("[\"是\", \"否\"]", "[\"有\", \"无\"]").replace("\"Y\" = \"是\"", "\"Y\" = \"有\"");
        assert_eq!(error_of(&format!("{MINIMAL}{prose}{odd_flag}")).code(), "catalog_field_invalid", "是/否 only");

        let catalog = Catalog::parse_toml(&format!("{MINIMAL}{prose}{flag}")).unwrap();
        let item = catalog.item("T").unwrap();
        let facts = item.field("T_SS").unwrap();
        let row = |flag: &str| -> BTreeMap<String, String> {
            [("T_SS", "员工张某某"), ("T_XM", flag)].into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
        };
        assert!(item.names_withheld(&row("是")) && !item.publishes(facts, &row("是")));
        assert!(item.publishes(facts, &row("否")) && item.publishes(facts, &BTreeMap::new()));
        assert!(item.publishes(item.field("T_MC").unwrap(), &row("是")), "other fields stay public");

        let shipped = Catalog::shipped();
        for (code, withheld) in [("XK", "XK_NR"), ("CF", "CF_SY"), ("SXBZXR", "BZ"), ("JC", "JC_JG")] {
            let item = shipped.item(code).unwrap();
            assert!(item.field_by_role(FieldRole::ContainsPersonalNames).is_some(), "{code}");
            assert!(item.field(withheld).unwrap().is_withheld_when_names(), "{code} {withheld}");
            assert!(item.field("BZ").unwrap().is_withheld_when_names(), "{code} 备注");
        }
    }

    #[test]
    fn enumeration_role_tables_are_checked() {
        let kind_field = r#"
[[items.fields]]
code = "T_LB"
name = "类别"
type = "enumeration"
values = ["甲", "乙"]
subject_kinds = { "甲" = "organisation" }
required = "always"
public = true
role = "subject_kind"
"#;
        let e = error_of(&format!("{MINIMAL}{kind_field}"));
        assert!(e.to_string().contains("乙"), "{e}");
        let severity_field = r#"
[[items.fields]]
code = "T_YZ"
name = "程度"
type = "enumeration"
values = ["很严重"]
required = "never"
public = true
role = "severity"
"#;
        assert_eq!(error_of(&format!("{MINIMAL}{severity_field}")).code(), "catalog_field_invalid");
        let alias_field = r#"
[[items.fields]]
code = "T_ZT"
name = "状态"
type = "enumeration"
values = ["1"]
value_aliases = { "有效" = "9" }
required = "never"
public = true
"#;
        assert_eq!(error_of(&format!("{MINIMAL}{alias_field}")).code(), "catalog_field_invalid");
    }

    #[test]
    fn natural_person_items_need_an_id_column() {
        let kind_field = r#"
[[items.fields]]
code = "T_LB"
name = "类别"
type = "enumeration"
values = ["自然人"]
subject_kinds = { "自然人" = "natural_person" }
required = "always"
public = true
role = "subject_kind"
"#;
        let e = error_of(&format!("{MINIMAL}{kind_field}"));
        assert_eq!(e, CatalogError::MissingRole { item: "T".to_owned(), role: FieldRole::SubjectIdNumber });
    }

    #[test]
    fn publication_deadline_uses_working_days() {
        let calendar = Calendar::official();
        // 2024-09-27 (Fri) + 7 working days: 09-29 (make-up Sunday) and 09-30
        // count, the National Day block 10-01…10-07 does not, and the 7th is
        // the make-up Saturday 10-12.
        let decided = NaiveDate::from_ymd_opt(2024, 9, 27).unwrap();
        let due = xk().publication_deadline(&calendar, decided).unwrap().unwrap();
        assert_eq!(due, NaiveDate::from_ymd_opt(2024, 10, 12).unwrap());
    }
}
