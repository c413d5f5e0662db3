//! The rule sets in force: the credit information catalog, the publicity
//! regimes, list types and measures, and the working-day calendar. Versioned
//! data; every decision records the versions it used, and each version is
//! written to the log once (`rules_published`) so anyone can see what a
//! record was judged by.
//!
//! Where rules come from at run time:
//!
//! - **Rule files** ([`RuleFiles`]): the directory `rules.dir` of the
//!   configuration, or the copies compiled into the binary (also for every
//!   file the directory lacks).
//! - **The log**: every published version (`rule_sets`), each with the day
//!   it comes into force. The version in force on a day is the latest
//!   published one whose effective date has come
//!   ([`xinyong_domain::rules::in_force`]); the rule files only answer for a
//!   set nothing is published of.
//! - **The rule book** ([`RuleBook`]) holds both, and the [`Core`] holds the
//!   book behind a lock: [`Core::rules`] is a snapshot of the rules in force
//!   today, the follower swaps in a new book when a `rules_published` entry
//!   arrives ([`RulesFollower`]), from this process, the CLI or another
//!   server over the same database.
//!
//! `serve`, `demo` and `import` publish the rule files' versions the log
//! does not have yet when they start ([`publish_rules`], as before);
//! `xinyong rules check` / `publish` compare a directory with the log and
//! publish its changes with an effective date ([`plan`], [`publish`]).

mod book;
mod departments;
mod files;
mod follower;
mod plan;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use xinyong_domain::Calendar;
use xinyong_domain::collection::catalog::Catalog;
use xinyong_domain::collection::publicity::PublicityRules;
use xinyong_domain::commitments::CommitmentCatalog;
use xinyong_domain::evaluation::{ModelName, ScorecardModel};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::sanction::SanctionRules;
use xinyong_domain::rules::{PublishedRuleSet, RuleSetName, RuleSetRow, RulesEvent};
use xinyong_storage::Store;

pub use book::{BookError, RuleBook};
pub use departments::{DepartmentChange, department_changes, sync_departments};
pub use files::{DEPARTMENTS_FILE, RuleFiles};
pub use follower::RulesFollower;
pub use plan::{PublishOutcome, RulesPlan, SetChange, SetStatus, plan, publish};

use crate::error::{CoreError, Result};
use crate::log::Core;

/// A snapshot of the rules in force on one day: what a use case judges by
/// from start to end, even if a new version comes into force meanwhile.
#[derive(Debug, Clone)]
pub struct Rules {
    pub catalog: Arc<Catalog>,
    pub catalog_text: Arc<str>,
    pub publicity: Arc<PublicityRules>,
    pub publicity_text: Arc<str>,
    /// The shipped years with the published calendar years laid over them.
    pub calendar: Arc<Calendar>,
    /// List types and the measures catalog (`rules/lists.toml`, `rules/measures.toml`).
    pub sanctions: Arc<SanctionRules>,
    pub lists_text: Arc<str>,
    pub measures_text: Arc<str>,
    /// The version of every rule set in force (calendar years only when a
    /// file or a publication gives them; shipped years have none).
    pub versions_in_force: BTreeMap<RuleSetName, String>,
    /// Scorecard models in force (`models/*.toml`), by name.
    pub models: BTreeMap<ModelName, Arc<ScorecardModel>>,
    /// The items that accept a commitment (`commitments.toml`); empty when
    /// no version is published and the files have none.
    pub commitments: Arc<CommitmentCatalog>,
}

impl Default for Rules {
    fn default() -> Self {
        Rules::shipped()
    }
}

impl Rules {
    /// The versions compiled into the binary, with the official calendar.
    pub fn shipped() -> Rules {
        (*RuleBook::shipped().rules_on(NaiveDate::MIN)).clone()
    }

    /// Rules that accept nothing: no catalog item, no publicity regime, no
    /// list, no calendar year. Only a fallback for broken shipped files.
    pub fn empty() -> Rules {
        Rules {
            catalog: Arc::new(Catalog::empty()),
            catalog_text: Arc::from(""),
            publicity: Arc::new(PublicityRules::closed()),
            publicity_text: Arc::from(""),
            calendar: Arc::new(Calendar::empty()),
            sanctions: Arc::new(SanctionRules::empty()),
            lists_text: Arc::from(""),
            measures_text: Arc::from(""),
            versions_in_force: BTreeMap::new(),
            models: BTreeMap::new(),
            commitments: Arc::new(CommitmentCatalog::empty()),
        }
    }

    /// The city's local comprehensive model, when one is in force.
    pub fn local_model(&self) -> Option<&Arc<ScorecardModel>> {
        self.models.get(&ModelName::local())
    }

    pub fn with_calendar(mut self, calendar: Calendar) -> Rules {
        self.calendar = Arc::new(calendar);
        self
    }

    /// The same rules with other list / measure files (already parsed from
    /// `lists_text` and `measures_text`).
    pub fn with_sanctions(mut self, sanctions: SanctionRules, lists_text: &str, measures_text: &str) -> Rules {
        self.versions_in_force.insert(RuleSetName::Lists, sanctions.lists_version().to_owned());
        self.versions_in_force.insert(RuleSetName::Measures, sanctions.measures_version().to_owned());
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

pub(crate) fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A rule book over the versions published in `store`, falling back on
/// `source`. The log size is read first, so a follower starting at
/// [`RuleBook::applied`] sees every publication the rows may have missed.
pub async fn load_book(store: &dyn Store, source: Arc<RuleFiles>) -> Result<RuleBook> {
    let applied = store.log_size().await?;
    let published = published_versions(store).await?;
    RuleBook::new(source, published, applied).map_err(|e| {
        CoreError::invalid(
            "rules_published_unreadable",
            format!("日志中已发布的规则无法使用（{e}）；请用与发布时相同或更新的程序版本运行"),
        )
    })
}

/// Every version in the `rule_sets` projection. A kind this build does not
/// know (a later build's rule set) is skipped with a warning: it cannot be
/// judged by here anyway.
pub async fn published_versions(store: &dyn Store) -> Result<Vec<PublishedRuleSet>> {
    let mut rows: Vec<RuleSetRow> = Vec::new();
    let mut after = None;
    loop {
        let page = xinyong_storage::rules::rule_sets(store, after.as_ref(), 1_000).await?;
        rows.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        match RuleSetName::parse(&row.kind) {
            Some(name) => out.push(PublishedRuleSet {
                name,
                version: row.version,
                sha256: row.sha256,
                text: row.text,
                effective: row.effective,
                seq: row.seq,
            }),
            None => tracing::warn!(kind = %row.kind, version = %row.version, "unknown rule set kind; ignored"),
        }
    }
    Ok(out)
}

/// Reads the published versions again and swaps the core's book.
pub async fn reload(core: &Core) -> Result<()> {
    let source = Arc::clone(core.rule_book().source());
    let book = load_book(core.store(), source).await?;
    core.set_rule_book(book);
    Ok(())
}

/// Writes each rule set of the core's rule files to the log unless that
/// version is there already (in force from publication), then reloads the
/// book. Idempotent; `serve`, `demo` and `import` call it on start.
///
/// The rule files are the process's own (`rules.dir` or the shipped copies),
/// so a version they have and the log lacks comes into force here, even
/// over a later `xinyong rules publish` of another directory: an office
/// that publishes its own rules points `rules.dir` at that directory.
pub async fn publish_rules(core: &Core) -> Result<usize> {
    let book = core.rule_book();
    let source = book.source();
    let mut new: Vec<PublishedRuleSet> = Vec::new();
    for (name, text) in &source.sets {
        let Some(version) = version_of(*name, text) else {
            return Err(CoreError::invalid(
                "rules_file_invalid",
                format!("规则文件 {} 无效；请先用 xinyong rules check 检查", source.origin(*name)),
            ));
        };
        let sha256 = sha256_hex(text);
        match core.store().get(RuleSetRow::key(name.kind(), version.as_str())).await? {
            Some(row) if row.sha256 == sha256 => {}
            Some(_) => {
                // Same version number, different text: refuse to judge records
                // by rules whose text nobody can match to the log.
                return Err(CoreError::invalid(
                    "rules_version_reused",
                    format!(
                        "规则集 {name} 的版本 {version} 已以不同内容发布过（{}）；修改规则时必须提升版本号",
                        source.origin(*name)
                    ),
                ));
            }
            None => {
                if book.published().iter().any(|p| p.name == *name) {
                    tracing::warn!(rule_set = %name, %version, origin = %source.origin(*name),
                        "publishing the rule files' version over earlier publications");
                }
                new.push(PublishedRuleSet {
                    name: *name,
                    version,
                    sha256,
                    text: text.to_string(),
                    effective: None,
                    seq: 0,
                });
            }
        }
    }
    if new.is_empty() {
        reload(core).await?;
        return Ok(0);
    }
    // The new versions come into force now: check them in the book they
    // will be part of before anything is written (they are the latest).
    let mut would_be = published_versions(core.store()).await?;
    let n = new.len() as u64;
    would_be.extend(new.iter().zip(0..).map(|(p, i)| PublishedRuleSet { seq: u64::MAX - n + i, ..p.clone() }));
    RuleBook::new(Arc::clone(source), would_be, 0).map_err(|e| {
        CoreError::invalid("rules_file_invalid", format!("规则文件无效（{e}）；请先用 xinyong rules check 检查"))
    })?;
    let events: Vec<NewEvent> = new.into_iter().map(|p| NewEvent::new(Actor::system(), published_event(p))).collect();
    let count = events.len();
    core.append(events).await?;
    reload(core).await?;
    Ok(count)
}

/// The `rules_published` event of a version.
pub(crate) fn published_event(p: PublishedRuleSet) -> RulesEvent {
    RulesEvent::RulesPublished {
        rule_kind: p.name.kind(),
        version: p.version,
        sha256: p.sha256,
        text: p.text,
        effective: p.effective,
    }
}

/// The version a rule file declares, read without checking the rest (the
/// full check is [`plan`]'s): `version = "…"`, or for a calendar year its
/// `version` or `"1"`.
pub(crate) fn version_of(name: RuleSetName, text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Versioned {
        version: Option<String>,
    }
    if let RuleSetName::Model(_) = name {
        // A model's version sits in its `[model]` table.
        return ScorecardModel::parse_toml(text).ok().map(|m| m.version);
    }
    let declared = toml::from_str::<Versioned>(text).ok()?.version.map(|v| v.trim().to_owned());
    match name {
        RuleSetName::Calendar(_) => Some(declared.unwrap_or_else(|| "1".to_owned())),
        _ => declared.filter(|v| !v.is_empty()),
    }
}
