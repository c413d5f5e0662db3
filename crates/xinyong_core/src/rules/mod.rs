//! The rule sets in force: the credit information catalog, the publicity
//! regimes and the working-day calendar. Versioned data; every decision
//! records the versions it used, and each version is written to the log once
//! (`rules_published`) so anyone can see what a record was judged by.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use xinyong_domain::Calendar;
use xinyong_domain::collection::catalog::Catalog;
use xinyong_domain::collection::publicity::PublicityRules;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::sanction::{SHIPPED_LISTS_TOML, SHIPPED_MEASURES_TOML, SanctionRules};
use xinyong_domain::rules::{RuleSetRow, RulesEvent};

use crate::error::Result;
use crate::log::Core;

#[derive(Debug, Clone)]
pub struct Rules {
    pub catalog: Arc<Catalog>,
    pub catalog_text: Arc<str>,
    pub publicity: Arc<PublicityRules>,
    pub publicity_text: Arc<str>,
    pub calendar: Arc<Calendar>,
    /// List types and the measures catalog (`rules/lists.toml`, `rules/measures.toml`).
    pub sanctions: Arc<SanctionRules>,
    pub lists_text: Arc<str>,
    pub measures_text: Arc<str>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules::shipped()
    }
}

impl Rules {
    /// The versions compiled into the binary, with the official calendar.
    pub fn shipped() -> Rules {
        Rules {
            catalog: Arc::new(Catalog::shipped().clone()),
            catalog_text: Arc::from(xinyong_domain::collection::catalog::SHIPPED_CATALOG_TOML),
            publicity: Arc::new(PublicityRules::shipped().clone()),
            publicity_text: Arc::from(xinyong_domain::collection::publicity::SHIPPED_PUBLICITY_TOML),
            calendar: Arc::new(Calendar::official()),
            sanctions: Arc::new(SanctionRules::shipped().clone()),
            lists_text: Arc::from(SHIPPED_LISTS_TOML),
            measures_text: Arc::from(SHIPPED_MEASURES_TOML),
        }
    }

    pub fn with_calendar(mut self, calendar: Calendar) -> Rules {
        self.calendar = Arc::new(calendar);
        self
    }

    /// The same rules with other list / measure files (already parsed from
    /// `lists_text` and `measures_text`).
    pub fn with_sanctions(mut self, sanctions: SanctionRules, lists_text: &str, measures_text: &str) -> Rules {
        self.sanctions = Arc::new(sanctions);
        self.lists_text = Arc::from(lists_text);
        self.measures_text = Arc::from(measures_text);
        self
    }

    /// `lists=…` and `measures=…`: the versions a listing step or a credit
    /// check was decided under.
    pub fn sanction_versions(&self) -> xinyong_domain::event::RuleVersions {
        xinyong_domain::event::RuleVersions::from([
            ("lists".to_owned(), self.sanctions.lists_version().to_owned()),
            ("measures".to_owned(), self.sanctions.measures_version().to_owned()),
        ])
    }

    /// `catalog=…` and `publicity=…` for an event's rule versions.
    pub fn versions(&self) -> xinyong_domain::event::RuleVersions {
        xinyong_domain::event::RuleVersions::from([
            ("catalog".to_owned(), self.catalog.version().to_owned()),
            ("publicity".to_owned(), self.publicity.version().to_owned()),
        ])
    }
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Writes each rule-set version in force to the log unless it is there
/// already. Idempotent; `serve` and `demo` call it on start.
pub async fn publish_rules(core: &Core) -> Result<usize> {
    let rules = core.rules();
    let sets = [
        ("catalog", rules.catalog.version().to_owned(), rules.catalog_text.to_string()),
        ("publicity", rules.publicity.version().to_owned(), rules.publicity_text.to_string()),
        ("lists", rules.sanctions.lists_version().to_owned(), rules.lists_text.to_string()),
        ("measures", rules.sanctions.measures_version().to_owned(), rules.measures_text.to_string()),
    ];
    let mut events = Vec::new();
    for (kind, version, text) in sets {
        let sha256 = sha256_hex(&text);
        match core.store().get(RuleSetRow::key(kind, version.as_str())).await? {
            Some(row) if row.sha256 == sha256 => {}
            Some(_) => {
                // Same version number, different text: refuse to judge records
                // by rules whose text nobody can match to the log.
                return Err(crate::error::CoreError::invalid(
                    "rules_version_reused",
                    format!("规则集 {kind} 的版本 {version} 已以不同内容发布过；修改规则时必须提升版本号"),
                ));
            }
            None => events.push(NewEvent::new(
                Actor::system(),
                RulesEvent::RulesPublished { rule_kind: kind.to_owned(), version, sha256, text },
            )),
        }
    }
    let n = events.len();
    if n > 0 {
        core.append(events).await?;
    }
    Ok(n)
}
