//! The rule book: every published version of every rule set, the rule files
//! to fall back on, and — worked out once when the book is built — the
//! rules in force from each effective date on. [`Core::rules`](crate::Core::rules)
//! picks the entry for today's date (China Standard Time, from the core's
//! clock), so a version published with a future effective date comes into
//! force at midnight without anyone reloading anything.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, LazyLock};

use chrono::NaiveDate;
use xinyong_domain::Calendar;
use xinyong_domain::calendar::parse_year_toml;
use xinyong_domain::collection::catalog::Catalog;
use xinyong_domain::collection::publicity::PublicityRules;
use xinyong_domain::commitments::CommitmentCatalog;
use xinyong_domain::evaluation::{ModelName, ScorecardModel};
use xinyong_domain::lists::sanction::SanctionRules;
use xinyong_domain::rules::{PublishedRuleSet, RuleSetName, in_force};

use crate::rules::{RuleFiles, Rules, sha256_hex};

/// Why a book could not be built: a rule set's text does not parse, or two
/// sets in force together do not fit (a list naming a measure the measures
/// in force lack, two calendar years claiming one day).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}：{message}", .name.label_zh(), .version.as_ref().map(|v| format!(" {v}")).unwrap_or_default())]
pub struct BookError {
    pub name: RuleSetName,
    /// The version, when the failing text is a published one.
    pub version: Option<String>,
    /// From `date` on (the effective date of the combination that fails).
    pub from: Option<NaiveDate>,
    pub message: String,
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct RuleBook {
    source: Arc<RuleFiles>,
    /// Every published version, by log index.
    published: Vec<PublishedRuleSet>,
    /// The rules in force from each date on, by date; the first entry starts
    /// at the earliest date there is.
    timeline: Vec<(NaiveDate, Arc<Rules>)>,
    /// The log size the book reflects.
    applied: u64,
}

static SHIPPED: LazyLock<Arc<RuleBook>> = LazyLock::new(|| {
    let source = Arc::new(RuleFiles::shipped());
    // The shipped files parse (tests `shipped_catalog_parses`,
    // `shipped_files_all_load`, … guard each); were one ever broken, the
    // empty rules make every judgement fail loudly instead of panicking here.
    let book =
        RuleBook::new(Arc::clone(&source), Vec::new(), 0).unwrap_or_else(|_| RuleBook::fixed(source, Rules::empty()));
    Arc::new(book)
});

impl RuleBook {
    /// The rules compiled into the binary, nothing published.
    pub fn shipped() -> Arc<RuleBook> {
        Arc::clone(&SHIPPED)
    }

    /// A book that judges by `rules` on every date (tests; a core built
    /// with [`Core::with_rules`](crate::Core::with_rules)).
    pub fn fixed(source: Arc<RuleFiles>, rules: Rules) -> RuleBook {
        RuleBook { source, published: Vec::new(), timeline: vec![(NaiveDate::MIN, Arc::new(rules))], applied: 0 }
    }

    /// Builds the timeline: for the earliest date and every effective date of
    /// a published version, the version of each rule set in force from then
    /// ([`in_force`]; the rule files for a set nothing is published of), with
    /// every text parsed once and every combination checked.
    pub fn new(
        source: Arc<RuleFiles>,
        mut published: Vec<PublishedRuleSet>,
        applied: u64,
    ) -> Result<RuleBook, BookError> {
        published.sort_by_key(|p| p.seq);
        let mut by_name: BTreeMap<RuleSetName, Vec<PublishedRuleSet>> = BTreeMap::new();
        for p in &published {
            by_name.entry(p.name).or_default().push(p.clone());
        }
        let mut names: BTreeSet<RuleSetName> = RuleSetName::FIXED.into_iter().collect();
        names.extend(by_name.keys().copied());
        names.extend(source.sets.keys().copied());
        let starts: BTreeSet<NaiveDate> =
            std::iter::once(NaiveDate::MIN).chain(published.iter().filter_map(|p| p.effective)).collect();

        let source_shas: HashMap<RuleSetName, String> =
            source.sets.iter().map(|(name, text)| (*name, sha256_hex(text))).collect();
        let mut parsed = Parsed::default();
        let mut timeline: Vec<(NaiveDate, Arc<Rules>)> = Vec::with_capacity(starts.len());
        for start in starts {
            let mut selection: BTreeMap<RuleSetName, Chosen> = BTreeMap::new();
            for name in &names {
                let chosen = match by_name.get(name).and_then(|versions| in_force(versions, start)) {
                    Some(p) => Chosen {
                        version: Some(p.version.clone()),
                        sha256: p.sha256.clone(),
                        text: p.text.as_str().into(),
                    },
                    None => match (source.sets.get(name), source_shas.get(name)) {
                        (Some(text), Some(sha256)) => {
                            Chosen { version: None, sha256: sha256.clone(), text: Arc::clone(text) }
                        }
                        // A calendar year scheduled for later and not in the
                        // files: the shipped years answer until then.
                        _ => continue,
                    },
                };
                selection.insert(*name, chosen);
            }
            let rules = parsed
                .rules(&selection)
                .map_err(|e| BookError { from: Some(start).filter(|d| *d != NaiveDate::MIN), ..e })?;
            // Consecutive dates with the same selection share one entry.
            if timeline.last().is_none_or(|(_, last)| !Arc::ptr_eq(last, &rules)) {
                timeline.push((start, rules));
            }
        }
        Ok(RuleBook { source, published, timeline, applied })
    }

    /// The same book with more published versions (a `rules_published` the
    /// follower read), reflecting the log up to `through`. A version already
    /// in the book is not added twice.
    pub fn with_published(&self, more: Vec<PublishedRuleSet>, through: u64) -> Result<RuleBook, BookError> {
        let mut published = self.published.clone();
        for p in more {
            if !published.iter().any(|q| q.name == p.name && q.version == p.version) {
                published.push(p);
            }
        }
        RuleBook::new(Arc::clone(&self.source), published, through.max(self.applied))
    }

    /// The rules in force on `on`.
    pub fn rules_on(&self, on: NaiveDate) -> Arc<Rules> {
        let i = self.timeline.partition_point(|(start, _)| *start <= on);
        // The first entry starts at the earliest date, so `i` ≥ 1.
        let entry = self.timeline.get(i.saturating_sub(1)).or(self.timeline.first());
        entry.map_or_else(|| Arc::new(Rules::empty()), |(_, rules)| Arc::clone(rules))
    }

    /// Days after `after` on which the rules change (published versions
    /// scheduled for later), for `xinyong rules check`.
    pub fn changes_after(&self, after: NaiveDate) -> Vec<NaiveDate> {
        self.timeline.iter().map(|(start, _)| *start).filter(|d| *d > after).collect()
    }

    /// The rule files used where nothing is published.
    pub fn source(&self) -> &Arc<RuleFiles> {
        &self.source
    }

    /// Every published version, by log index.
    pub fn published(&self) -> &[PublishedRuleSet] {
        &self.published
    }

    /// The log size this book reflects: a follower starting here misses no
    /// publication.
    pub fn applied(&self) -> u64 {
        self.applied
    }
}

/// The text chosen for one rule set at one date.
struct Chosen {
    /// The published version, `None` for the rule files' text.
    version: Option<String>,
    sha256: String,
    text: Arc<str>,
}

/// Parsed rule sets and built rules, so each text is parsed once per book
/// and each combination built once.
#[derive(Default)]
struct Parsed {
    catalogs: HashMap<String, Arc<Catalog>>,
    publicity: HashMap<String, Arc<PublicityRules>>,
    sanctions: HashMap<(String, String), Arc<SanctionRules>>,
    calendars: HashMap<Vec<String>, Arc<Calendar>>,
    models: HashMap<String, Arc<ScorecardModel>>,
    commitments: HashMap<String, Arc<CommitmentCatalog>>,
    rules: HashMap<Vec<String>, Arc<Rules>>,
}

impl Parsed {
    fn rules(&mut self, selection: &BTreeMap<RuleSetName, Chosen>) -> Result<Arc<Rules>, BookError> {
        let key: Vec<String> = selection.iter().map(|(name, c)| format!("{name}:{}", c.sha256)).collect();
        if let Some(rules) = self.rules.get(&key) {
            return Ok(Arc::clone(rules));
        }
        let (c, p) = (pick(selection, RuleSetName::Catalog)?, pick(selection, RuleSetName::Publicity)?);
        let (l, m) = (pick(selection, RuleSetName::Lists)?, pick(selection, RuleSetName::Measures)?);
        let years: Vec<(RuleSetName, &Chosen)> =
            selection.iter().filter(|(n, _)| matches!(n, RuleSetName::Calendar(_))).map(|(n, c)| (*n, c)).collect();
        let catalog = self.catalog(c)?;
        let publicity = self.publicity(p)?;
        let sanctions = self.sanctions(l, m)?;
        let calendar = self.calendar(&years)?;
        let mut models = BTreeMap::new();
        for (name, chosen) in selection {
            if let RuleSetName::Model(model) = name {
                models.insert(*model, self.model(*model, chosen)?);
            }
        }

        let mut versions_in_force = BTreeMap::from([
            (RuleSetName::Catalog, catalog.version().to_owned()),
            (RuleSetName::Publicity, publicity.version().to_owned()),
            (RuleSetName::Lists, sanctions.lists_version().to_owned()),
            (RuleSetName::Measures, sanctions.measures_version().to_owned()),
        ]);
        for (name, model) in &models {
            versions_in_force.insert(RuleSetName::Model(*name), model.version.clone());
        }
        let commitments = match selection.get(&RuleSetName::Commitments) {
            Some(chosen) => self.commitments(chosen)?,
            None => Arc::new(CommitmentCatalog::empty()),
        };
        if !commitments.version().is_empty() {
            versions_in_force.insert(RuleSetName::Commitments, commitments.version().to_owned());
        }
        for (name, _) in &years {
            if let RuleSetName::Calendar(year) = name
                && let Some(schedule) = calendar.schedule(i32::from(*year))
            {
                versions_in_force.insert(*name, schedule.version().to_owned());
            }
        }
        let rules = Arc::new(Rules {
            catalog,
            catalog_text: Arc::clone(&c.text),
            publicity,
            publicity_text: Arc::clone(&p.text),
            calendar,
            sanctions,
            lists_text: Arc::clone(&l.text),
            measures_text: Arc::clone(&m.text),
            versions_in_force,
            models,
            commitments,
        });
        self.rules.insert(key, Arc::clone(&rules));
        Ok(rules)
    }

    fn catalog(&mut self, c: &Chosen) -> Result<Arc<Catalog>, BookError> {
        if let Some(parsed) = self.catalogs.get(&c.sha256) {
            return Ok(Arc::clone(parsed));
        }
        let parsed = Arc::new(Catalog::parse_toml(&c.text).map_err(|e| fail(RuleSetName::Catalog, c, e.to_string()))?);
        self.catalogs.insert(c.sha256.clone(), Arc::clone(&parsed));
        Ok(parsed)
    }

    fn publicity(&mut self, p: &Chosen) -> Result<Arc<PublicityRules>, BookError> {
        if let Some(parsed) = self.publicity.get(&p.sha256) {
            return Ok(Arc::clone(parsed));
        }
        let parsed =
            Arc::new(PublicityRules::parse_toml(&p.text).map_err(|e| fail(RuleSetName::Publicity, p, e.to_string()))?);
        self.publicity.insert(p.sha256.clone(), Arc::clone(&parsed));
        Ok(parsed)
    }

    fn sanctions(&mut self, l: &Chosen, m: &Chosen) -> Result<Arc<SanctionRules>, BookError> {
        let pair = (l.sha256.clone(), m.sha256.clone());
        if let Some(parsed) = self.sanctions.get(&pair) {
            return Ok(Arc::clone(parsed));
        }
        // Lists name measures: a failure is the lists' in the combination
        // (the measures parse on their own terms).
        let parsed =
            Arc::new(SanctionRules::parse(&l.text, &m.text).map_err(|e| fail(RuleSetName::Lists, l, e.to_string()))?);
        self.sanctions.insert(pair, Arc::clone(&parsed));
        Ok(parsed)
    }

    fn commitments(&mut self, chosen: &Chosen) -> Result<Arc<CommitmentCatalog>, BookError> {
        if let Some(parsed) = self.commitments.get(&chosen.sha256) {
            return Ok(Arc::clone(parsed));
        }
        let parsed = Arc::new(
            CommitmentCatalog::parse_toml(&chosen.text)
                .map_err(|e| fail(RuleSetName::Commitments, chosen, e.to_string()))?,
        );
        self.commitments.insert(chosen.sha256.clone(), Arc::clone(&parsed));
        Ok(parsed)
    }

    fn model(&mut self, name: ModelName, chosen: &Chosen) -> Result<Arc<ScorecardModel>, BookError> {
        if let Some(parsed) = self.models.get(&chosen.sha256) {
            return Ok(Arc::clone(parsed));
        }
        let set = RuleSetName::Model(name);
        let parsed = ScorecardModel::parse_toml(&chosen.text).map_err(|e| fail(set, chosen, e.to_string()))?;
        if parsed.name != name {
            return Err(fail(set, chosen, format!("内容中的模型名称是“{}”，与文件名不符", parsed.name)));
        }
        let parsed = Arc::new(parsed);
        self.models.insert(chosen.sha256.clone(), Arc::clone(&parsed));
        Ok(parsed)
    }

    fn calendar(&mut self, years: &[(RuleSetName, &Chosen)]) -> Result<Arc<Calendar>, BookError> {
        let key: Vec<String> = years.iter().map(|(_, c)| c.sha256.clone()).collect();
        if let Some(built) = self.calendars.get(&key) {
            return Ok(Arc::clone(built));
        }
        let built = Arc::new(calendar_with(years)?);
        self.calendars.insert(key, Arc::clone(&built));
        Ok(built)
    }
}

fn pick(selection: &BTreeMap<RuleSetName, Chosen>, name: RuleSetName) -> Result<&Chosen, BookError> {
    selection.get(&name).ok_or_else(|| BookError {
        name,
        version: None,
        from: None,
        message: "既没有发布过，规则文件中也没有".to_owned(),
    })
}

fn fail(name: RuleSetName, chosen: &Chosen, message: String) -> BookError {
    BookError { name, version: chosen.version.clone(), from: None, message }
}

/// The shipped calendar with the chosen years laid over it. Each file must
/// be the year its name says.
fn calendar_with(years: &[(RuleSetName, &Chosen)]) -> Result<Calendar, BookError> {
    let mut calendar = Calendar::official();
    for (name, chosen) in years {
        let schedule = parse_year_toml(&chosen.text).map_err(|e| BookError {
            name: *name,
            version: chosen.version.clone(),
            from: None,
            message: e.to_string(),
        })?;
        if RuleSetName::Calendar(schedule.year()) != *name {
            return Err(BookError {
                name: *name,
                version: chosen.version.clone(),
                from: None,
                message: format!("文件内容是 {} 年的安排（year = {}）", schedule.year(), schedule.year()),
            });
        }
    }
    calendar.replace_years_toml(years.iter().map(|(_, c)| &*c.text)).map_err(|e| BookError {
        // Which pair of years clash is in the message; the latest is named.
        name: years.last().map_or(RuleSetName::Calendar(0), |(n, _)| *n),
        version: None,
        from: None,
        message: e.to_string(),
    })?;
    Ok(calendar)
}
