//! Credit service agencies (信用服务机构, seed clause 十八.2): the credit
//! office files each agency (备案) and keeps its status, staff and
//! supervision records, and opens its accounts (`filing.rs`); a company
//! consents on `/my` that a filed agency downloads its full report, and
//! every download is logged for the company to see (`consent.rs`). Every
//! change is an event; the public sees the filed agencies, never the
//! natural persons behind them.

mod consent;
mod filing;

pub use consent::*;
pub use filing::*;

use xinyong_domain::Uscc;
use xinyong_domain::agencies::AgencyRow;

use crate::error::{CoreError, Result};
use crate::log::Core;

/// Settings of the agencies context (`[agencies]` in configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencySettings {
    /// The longest a company's consent may run, in days from the day it is given.
    pub max_consent_days: u32,
}

impl Default for AgencySettings {
    fn default() -> AgencySettings {
        AgencySettings { max_consent_days: 365 }
    }
}

/// Most agencies, staff, records, consents and queries one page lists.
pub const MAX_ROWS: u32 = 500;

/// The filed agency with this code, or `agency_not_found`.
async fn agency(core: &Core, uscc: &Uscc) -> Result<AgencyRow> {
    core.store().get(AgencyRow::key(uscc)).await?.ok_or_else(|| CoreError::NotFound {
        what: format!("统一社会信用代码为 {uscc} 的信用服务机构"),
        code: "agency_not_found",
    })
}
