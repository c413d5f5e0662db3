//! Subjects of credit information: legal persons and other organisations keyed
//! by their USCC, natural persons keyed by their ID number, and the relations
//! between them (legal representative, principal, actual controller).

use serde::{Deserialize, Serialize};

use crate::codes::id_number::IdNumber;
use crate::codes::uscc::Uscc;

/// A subject's display name: trimmed, non-empty, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SubjectName(String);

/// Longest name we accept. The longest registered Chinese enterprise names are
/// around 60 characters; 200 leaves room for foreign names and branches.
pub const MAX_NAME_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("名称不能为空")]
    Empty,
    #[error("名称过长（{chars} 个字符，最多 {MAX_NAME_CHARS} 个）")]
    TooLong { chars: usize },
    #[error("名称含有控制字符")]
    ControlCharacter,
}

impl NameError {
    pub fn code(&self) -> &'static str {
        match self {
            NameError::Empty => "name_empty",
            NameError::TooLong { .. } => "name_too_long",
            NameError::ControlCharacter => "name_control_character",
        }
    }
}

impl SubjectName {
    pub fn parse(raw: &str) -> Result<SubjectName, NameError> {
        // Full-width spaces are common in pasted spreadsheet cells.
        let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        let chars = trimmed.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(NameError::TooLong { chars });
        }
        Ok(SubjectName(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for SubjectName {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        SubjectName::parse(&value)
    }
}

impl From<SubjectName> for String {
    fn from(value: SubjectName) -> Self {
        value.0
    }
}

impl std::fmt::Display for SubjectName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a subject is identified. Legal persons (and every organisation with a
/// USCC, including individual businesses) by code; natural persons by ID number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", content = "code", rename_all = "snake_case")]
pub enum SubjectKey {
    LegalPerson(Uscc),
    NaturalPerson(IdNumber),
}

/// Registration status of an organisation, as reported by its registrar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectStatus {
    Active,
    Revoked,
    Cancelled,
}

impl SubjectStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            SubjectStatus::Active => "active",
            SubjectStatus::Revoked => "revoked",
            SubjectStatus::Cancelled => "cancelled",
        }
    }

    pub fn name_zh(&self) -> &'static str {
        match self {
            SubjectStatus::Active => "存续",
            SubjectStatus::Revoked => "吊销",
            SubjectStatus::Cancelled => "注销",
        }
    }

    pub fn parse(raw: &str) -> Option<SubjectStatus> {
        match raw {
            "active" => Some(SubjectStatus::Active),
            "revoked" => Some(SubjectStatus::Revoked),
            "cancelled" => Some(SubjectStatus::Cancelled),
            _ => None,
        }
    }
}

/// An organisation with a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalPerson {
    pub uscc: Uscc,
    pub name: SubjectName,
    pub status: SubjectStatus,
}

/// A natural person. Never shown on public pages; the ID number is masked
/// wherever it is displayed (see [`crate::mask::MaskConfig`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NaturalPerson {
    pub id_number: IdNumber,
    pub name: SubjectName,
}

/// The roles that link a natural person to an organisation (54号 clause 十二).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationRole {
    LegalRepresentative,
    Principal,
    ActualController,
}

impl RelationRole {
    pub const ALL: [RelationRole; 3] =
        [RelationRole::LegalRepresentative, RelationRole::Principal, RelationRole::ActualController];

    pub fn as_str(&self) -> &'static str {
        match self {
            RelationRole::LegalRepresentative => "legal_representative",
            RelationRole::Principal => "principal",
            RelationRole::ActualController => "actual_controller",
        }
    }

    pub fn name_zh(&self) -> &'static str {
        match self {
            RelationRole::LegalRepresentative => "法定代表人",
            RelationRole::Principal => "主要负责人",
            RelationRole::ActualController => "实际控制人",
        }
    }

    pub fn parse(raw: &str) -> Option<RelationRole> {
        RelationRole::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// A natural person's role in an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub organisation: Uscc,
    pub person: IdNumber,
    pub role: RelationRole,
}

/// A natural person holding a role in an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolder {
    pub role: RelationRole,
    pub person: NaturalPerson,
}

crate::projection::text_column!(SubjectStatus, |s| SubjectStatus::parse(s));
crate::projection::text_column!(RelationRole, |s| RelationRole::parse(s));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_including_full_width_spaces() {
        let name = SubjectName::parse("\u{3000} 济南某某科技有限公司 ").unwrap();
        assert_eq!(name.as_str(), "济南某某科技有限公司");
    }

    #[test]
    fn empty_and_control_names_are_rejected() {
        assert_eq!(SubjectName::parse("  ").unwrap_err().code(), "name_empty");
        assert_eq!(SubjectName::parse("a\u{0}b").unwrap_err().code(), "name_control_character");
        let long = "名".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(SubjectName::parse(&long).unwrap_err().code(), "name_too_long");
    }

    #[test]
    fn roles_round_trip_through_their_codes() {
        for role in RelationRole::ALL {
            assert_eq!(RelationRole::parse(role.as_str()), Some(role));
        }
    }
}
