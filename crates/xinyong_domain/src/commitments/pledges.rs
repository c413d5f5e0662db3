//! Public commitments (信用承诺公示) that are not tied to an approval: a
//! company's own voluntary pledge (主动承诺) and an industry association's
//! self-discipline scheme (行业自律承诺) with the members that pledge to it.
//! 35号 item 1 encourages both; Shandong Art. 32 puts voluntary public
//! commitments into the credit record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::Uscc;
use crate::projection::TableSpec;

/// How a public pledge came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum PledgeKind {
    /// 主动承诺: the company's own.
    Voluntary,
    /// 行业自律承诺: published by an industry association for a member.
    SelfDiscipline,
}

impl PledgeKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<PledgeKind> {
        raw.parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            PledgeKind::Voluntary => "主动承诺",
            PledgeKind::SelfDiscipline => "行业自律承诺",
        }
    }
}

crate::projection::text_column!(PledgeKind, |s| PledgeKind::parse(s));

/// A member an association's scheme names, with the pledge it becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeMember {
    pub pledge_id: String,
    pub uscc: Uscc,
    pub name: String,
}

/// Whether an organisation is a social organisation registered by the civil
/// affairs department (USCC registration authority `5`, 民政): the
/// registration authority of industry associations (行业协会商会).
pub fn is_social_organisation(uscc: &Uscc) -> bool {
    uscc.as_str().starts_with('5')
}

crate::projection::table! {
    /// Public pledges, one row each; a withdrawn pledge stays with its date.
    pub struct PledgeRow in PLEDGES = "pledges" {
        key { pledge_id: String }
        kind: PledgeKind,
        uscc: Uscc,
        subject_name: String,
        title: String,
        text: String,
        text_sha256: String,
        /// The association's scheme, for a self-discipline pledge.
        scheme_id: Option<String>,
        association_uscc: Option<Uscc>,
        association_name: Option<String>,
        made_on: NaiveDate,
        made_by: String,
        withdrawn_on: Option<NaiveDate>,
        withdraw_reason: Option<String>,
        seq: u64,
    }
}

crate::projection::table! {
    /// Industry associations' self-discipline schemes (行业自律公约).
    pub struct PledgeSchemeRow in PLEDGE_SCHEMES = "pledge_schemes" {
        key { scheme_id: String }
        association_uscc: Uscc,
        association_name: String,
        title: String,
        text: String,
        text_sha256: String,
        members: u64,
        published_on: NaiveDate,
        published_by: String,
        seq: u64,
    }
}

/// The pledge tables, in the order `verify` checks them.
pub fn pledge_tables() -> [&'static TableSpec; 2] {
    [&PLEDGES, &PLEDGE_SCHEMES]
}
