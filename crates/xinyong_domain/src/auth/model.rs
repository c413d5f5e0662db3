//! The platform's own organisation: departments that submit data, their
//! console users and roles, and their systems' API tokens.

use serde::{Deserialize, Serialize};

use crate::codes::uscc::Uscc;

/// A department's short code, e.g. `scjgj` (市场监管局) or `lcq-scjgj`.
/// Lower-case ASCII so it can appear in actors (`department:scjgj`) and URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DepartmentCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("部门代码 {0:?} 无效(2–32 个小写字母、数字或 -)")]
pub struct DepartmentCodeError(pub String);

impl DepartmentCode {
    pub fn parse(raw: &str) -> Result<DepartmentCode, DepartmentCodeError> {
        let raw = raw.trim();
        let ok = (2..=32).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-');
        if ok { Ok(DepartmentCode(raw.to_owned())) } else { Err(DepartmentCodeError(raw.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DepartmentCode {
    type Error = DepartmentCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        DepartmentCode::parse(&value)
    }
}

impl From<DepartmentCode> for String {
    fn from(value: DepartmentCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for DepartmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A data-providing / regulating department or district government.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    pub code: DepartmentCode,
    pub name: String,
    /// The department's own USCC (数据来源单位统一社会信用代码 in uploads).
    pub uscc: Option<Uscc>,
    /// Division code of the district it belongs to (370100 for city level).
    pub district: String,
    /// Regulatory sector, used by sector-specific publicity rules
    /// (`market_regulation`, `work_safety`, `fire_safety`, …).
    pub sector: Option<String>,
}

/// Console roles (DESIGN §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Department clerk: uploads and corrects the department's records.
    Operator,
    /// Department reviewer: decides on the department's cases.
    Reviewer,
    /// The city credit office: runs the platform.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Operator, Role::Reviewer, Role::Admin];

    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    pub fn name_zh(&self) -> &'static str {
        match self {
            Role::Operator => "经办人",
            Role::Reviewer => "审核人",
            Role::Admin => "信用办管理员",
        }
    }

    pub fn parse(raw: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// A console user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Login name, `[a-z0-9_.-]`, also used in the actor `user:<login>`.
    pub login: String,
    pub display_name: String,
    /// The department the user works for; `None` for the credit office.
    pub department: Option<DepartmentCode>,
    pub roles: Vec<Role>,
    /// PHC string (Argon2id).
    pub password_hash: String,
}

pub fn valid_login(raw: &str) -> bool {
    (2..=32).contains(&raw.len())
        && raw.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b))
}

crate::projection::text_column!(DepartmentCode, |s| DepartmentCode::parse(s).ok());
crate::projection::text_column!(Role, |s| Role::parse(s));

/// What a market subject's account may do for its company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectAccountRole {
    /// The account opened with the activation code or the legal
    /// representative's identity: adds and removes the staff accounts.
    LegalRepresentative,
    /// A staff account added by the legal representative's account.
    Staff,
}

impl SubjectAccountRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectAccountRole::LegalRepresentative => "legal_representative",
            SubjectAccountRole::Staff => "staff",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            SubjectAccountRole::LegalRepresentative => "主账号（法定代表人）",
            SubjectAccountRole::Staff => "经办人账号",
        }
    }

    pub fn parse(raw: &str) -> Option<SubjectAccountRole> {
        [SubjectAccountRole::LegalRepresentative, SubjectAccountRole::Staff].into_iter().find(|r| r.as_str() == raw)
    }
}

/// A market subject's own account (企业账号): bound to one USCC for life.
/// Its name is unique within the company; it logs in with the USCC, the
/// name and the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectAccount {
    pub uscc: Uscc,
    /// `[a-z0-9_.-]`, 2–32 characters, unique within the company.
    pub username: String,
    /// How the company calls the holder (a job title or a name the company
    /// chose); never shown outside the company's own pages.
    pub display_name: String,
    pub role: SubjectAccountRole,
    /// PHC string (Argon2id).
    pub password_hash: String,
}

/// How a subject account was first opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivationMethod {
    /// A one-time code from an activation letter (credit office or a counter).
    Code,
    /// The legal representative's name and ID number matched the
    /// registration data the platform holds.
    RegistrationMatch,
    /// Added by the company's legal-representative account.
    AddedByCompany,
}

crate::projection::text_column!(SubjectAccountRole, |s| SubjectAccountRole::parse(s));
