//! Market and industry bans (市场禁入 / 行业禁入, 54号 clause 十一).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;
use crate::collection::RecordSubject;

/// 市场禁入 / 行业禁入 (54号 clause 十一).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BanScope {
    Market,
    Industry,
}

impl BanScope {
    pub fn as_str(self) -> &'static str {
        match self {
            BanScope::Market => "market",
            BanScope::Industry => "industry",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            BanScope::Market => "市场禁入",
            BanScope::Industry => "行业禁入",
        }
    }

    pub fn parse(raw: &str) -> Option<BanScope> {
        match raw {
            "market" => Some(BanScope::Market),
            "industry" => Some(BanScope::Industry),
            _ => None,
        }
    }
}

/// A ban (禁入) decided by a department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ban {
    pub id: String,
    pub subject: RecordSubject,
    pub scope: BanScope,
    /// Industry or market the ban covers, e.g. 食品生产经营.
    pub field: String,
    pub description: String,
    pub basis: String,
    pub department: DepartmentCode,
    pub decision_no: String,
    pub starts_on: NaiveDate,
    /// Last day in force; `None` = for life (终身禁入).
    pub ends_on: Option<NaiveDate>,
    /// Linked listing, if the ban came with one.
    #[serde(default)]
    pub listing_id: Option<String>,
}

impl Ban {
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.starts_on <= today && self.ends_on.is_none_or(|end| today <= end)
    }
}

crate::projection::text_column!(BanScope, |s| BanScope::parse(s));
