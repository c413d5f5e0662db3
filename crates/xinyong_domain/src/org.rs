//! The platform's own organisation: departments that submit data, their
//! users and API tokens, and the versioned rule sets everything is judged by.

use serde::{Deserialize, Serialize};

use crate::projection::{Cell, ProjectionWrite, TableSpec};
use crate::uscc::Uscc;

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

pub static DEPARTMENTS: TableSpec = TableSpec {
    name: "departments",
    columns: &[
        crate::projection::text_col("code"),
        crate::projection::text_col("name"),
        crate::projection::text_col("uscc"),
        crate::projection::text_col("district"),
        crate::projection::text_col("sector"),
        crate::projection::int_col("seq"),
    ],
    key_len: 1,
};

pub static USERS: TableSpec = TableSpec {
    name: "users",
    columns: &[
        crate::projection::text_col("login"),
        crate::projection::text_col("display_name"),
        crate::projection::text_col("department"),
        crate::projection::text_col("roles"),
        crate::projection::text_col("password_hash"),
        crate::projection::int_col("active"),
        crate::projection::int_col("seq"),
    ],
    key_len: 1,
};

pub static API_TOKENS: TableSpec = TableSpec {
    name: "api_tokens",
    columns: &[
        crate::projection::text_col("token_id"),
        crate::projection::text_col("department"),
        crate::projection::text_col("label"),
        crate::projection::text_col("secret_sha256"),
        crate::projection::int_col("revoked"),
        crate::projection::int_col("seq"),
    ],
    key_len: 1,
};

/// Versions of the rule sets (catalog, publicity regimes, …) ever in force.
pub static RULE_SETS: TableSpec = TableSpec {
    name: "rule_sets",
    columns: &[
        crate::projection::text_col("kind"),
        crate::projection::text_col("version"),
        crate::projection::text_col("sha256"),
        crate::projection::text_col("text"),
        crate::projection::int_col("seq"),
    ],
    key_len: 2,
};

pub(crate) fn department_write(d: &Department, seq: u64) -> ProjectionWrite {
    ProjectionWrite::Upsert {
        table: &DEPARTMENTS,
        row: vec![
            Cell::text(d.code.as_str()),
            Cell::text(d.name.as_str()),
            Cell::opt_text(d.uscc.as_ref().map(|u| u.as_str().to_owned())),
            Cell::text(d.district.as_str()),
            Cell::opt_text(d.sector.clone()),
            Cell::int(seq),
        ],
    }
}

pub(crate) fn user_write(u: &User, seq: u64) -> ProjectionWrite {
    let roles: Vec<&str> = u.roles.iter().map(Role::as_str).collect();
    ProjectionWrite::Upsert {
        table: &USERS,
        row: vec![
            Cell::text(u.login.as_str()),
            Cell::text(u.display_name.as_str()),
            Cell::opt_text(u.department.as_ref().map(|d| d.as_str().to_owned())),
            Cell::text(roles.join(",")),
            Cell::text(u.password_hash.as_str()),
            Cell::Int(1),
            Cell::int(seq),
        ],
    }
}
