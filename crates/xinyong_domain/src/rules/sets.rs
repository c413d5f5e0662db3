//! What a rule set is called, which published version of it is in force on
//! a date, and where in a rule file a problem is. Pure: the binary and core
//! read the files and the log, this module only looks at names, dates and text.

use std::fmt;

use chrono::NaiveDate;

use crate::evaluation::ModelName;

/// One rule set: a file of a rules directory and a `rule_kind` in the log.
/// The log name is the file's path without `.toml`, so a clerk who reads
/// `calendar/2027` in a message knows which file to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleSetName {
    /// `catalog.toml`: the public credit information catalog.
    Catalog,
    /// `publicity.toml`: the publicity regimes.
    Publicity,
    /// `lists.toml`: list types and the listing deadlines.
    Lists,
    /// `measures.toml`: the measures catalog and check scenarios.
    Measures,
    /// `calendar/YYYY.toml`: one year's holiday schedule.
    Calendar(u16),
    /// `models/<name>.toml`: a scorecard model (credit evaluation).
    Model(ModelName),
    /// `commitments.toml`: the items that accept a commitment (告知承诺).
    Commitments,
}

impl RuleSetName {
    /// The rule sets that are not calendar years, in the order they are shown.
    pub const FIXED: [RuleSetName; 4] =
        [RuleSetName::Catalog, RuleSetName::Publicity, RuleSetName::Lists, RuleSetName::Measures];

    /// Reads a `rule_kind` of the log (`catalog`, `calendar/2027`, …).
    pub fn parse(kind: &str) -> Option<RuleSetName> {
        match kind {
            "catalog" => Some(RuleSetName::Catalog),
            "publicity" => Some(RuleSetName::Publicity),
            "lists" => Some(RuleSetName::Lists),
            "measures" => Some(RuleSetName::Measures),
            "commitments" => Some(RuleSetName::Commitments),
            other => {
                if let Some(model) = other.strip_prefix("models/") {
                    return ModelName::parse(model).map(RuleSetName::Model);
                }
                let year = other.strip_prefix("calendar/")?;
                // Exactly four digits, so `calendar/02027` cannot name 2027 twice.
                if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                year.parse().ok().map(RuleSetName::Calendar)
            }
        }
    }

    /// The `rule_kind` written to the log.
    pub fn kind(&self) -> String {
        match self {
            RuleSetName::Catalog => "catalog".to_owned(),
            RuleSetName::Publicity => "publicity".to_owned(),
            RuleSetName::Lists => "lists".to_owned(),
            RuleSetName::Measures => "measures".to_owned(),
            RuleSetName::Calendar(year) => format!("calendar/{year}"),
            RuleSetName::Model(name) => format!("models/{name}"),
            RuleSetName::Commitments => "commitments".to_owned(),
        }
    }

    /// The file in a rules directory, `/`-separated.
    pub fn file(&self) -> String {
        format!("{}.toml", self.kind())
    }

    /// What the rule set is, for people.
    pub fn label_zh(&self) -> String {
        match self {
            RuleSetName::Catalog => "公共信用信息目录".to_owned(),
            RuleSetName::Publicity => "公示规则".to_owned(),
            RuleSetName::Lists => "名单类型".to_owned(),
            RuleSetName::Measures => "惩戒和激励措施".to_owned(),
            RuleSetName::Calendar(year) => format!("{year} 年节假日安排"),
            RuleSetName::Model(name) => format!("评价模型 {name}"),
            RuleSetName::Commitments => "告知承诺事项清单".to_owned(),
        }
    }
}

impl fmt::Display for RuleSetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind())
    }
}

/// One published version of a rule set as the log holds it (`rules_published`,
/// projected into `rule_sets`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRuleSet {
    pub name: RuleSetName,
    pub version: String,
    pub sha256: String,
    pub text: String,
    /// First day in force; `None`: in force from publication (every version
    /// logged before effective dates existed, and the versions `serve`
    /// publishes from its own rule files at start).
    pub effective: Option<NaiveDate>,
    /// Log index of the publication: the later one wins.
    pub seq: u64,
}

/// The version in force on `on` among the published versions of one rule
/// set: the latest published (highest log index) whose effective date is on
/// or before `on`; a version without one counts as in force since always.
/// `None` when nothing is in force yet (callers fall back to the rule files).
///
/// "Latest published" rather than "latest effective date": publishing is the
/// decision, so a correction published today supersedes a version scheduled
/// earlier for a later date, and nobody has to compare dates to know which
/// publication a clerk meant last.
pub fn in_force(versions: &[PublishedRuleSet], on: NaiveDate) -> Option<&PublishedRuleSet> {
    versions.iter().filter(|v| v.effective.is_none_or(|e| e <= on)).max_by_key(|v| v.seq)
}

/// Something wrong in one rule file, for a clerk: the file, the line when it
/// can be found, a stable code and a Chinese message that names the entry
/// and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// Path inside the rules directory (`catalog.toml`, `calendar/2027.toml`).
    pub file: String,
    /// 1-based line, when the message points at one.
    pub line: Option<usize>,
    pub code: &'static str,
    pub message: String,
}

impl RuleProblem {
    /// A problem in `text` (the file's content); the line is looked up from
    /// the names the message quotes (see [`locate_line`]).
    pub fn in_text(file: impl Into<String>, text: &str, code: &'static str, message: impl Into<String>) -> RuleProblem {
        let message = message.into();
        RuleProblem { file: file.into(), line: locate_line(text, &message), code, message }
    }
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} 第 {line} 行：{}", self.file, self.message),
            None => write!(f, "{}：{}", self.file, self.message),
        }
    }
}

/// The line of a rule file a message is about. TOML syntax and type errors
/// carry their own position (`line N, column M`); the parsers' own checks
/// name entries and fields instead (事项“CF”的字段“CF_NR”, 名单 key-attention,
/// 元旦:2027-01-05). Those names are string values in the file, so the line
/// is found by walking the file: from the top, for each quoted value of the
/// file that the message names, in the order the message names them, to the
/// next line holding it — the item's line first, then its field's line below.
pub fn locate_line(text: &str, message: &str) -> Option<usize> {
    if let Some(line) = toml_position(message) {
        return Some(line);
    }
    let lines: Vec<&str> = text.lines().collect();
    // Every quoted value of the file that the message names, with where the
    // message names it; a value inside a longer named one (CF in CF_NR) only
    // counts where it stands alone.
    let mut named: Vec<(usize, &str)> = Vec::new();
    for value in quoted_values(&lines) {
        if let Some(at) = message.find(value) {
            named.push((at, value));
        }
    }
    named.sort_by_key(|&(at, value)| (at, std::cmp::Reverse(value.len())));
    let mut covered_until = 0;
    let mut from = 0;
    let mut found = None;
    for (at, value) in named {
        if at < covered_until {
            continue;
        }
        covered_until = at + value.len();
        let quoted = format!("\"{value}\"");
        if let Some(offset) = lines[from..].iter().position(|l| l.contains(&quoted)) {
            from += offset;
            found = Some(from + 1);
        }
    }
    found
}

/// `line N` in a `toml` error message.
fn toml_position(message: &str) -> Option<usize> {
    let rest = &message[message.find("line ")? + "line ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Quoted string values of at least two characters (shorter ones, such as
/// `"*"`, would match almost any message), comments skipped.
fn quoted_values<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::new();
    for line in lines {
        let code = line.split_once('#').map_or(*line, |(before, _)| before);
        let mut pieces = code.split('"');
        pieces.next();
        // Every second piece is inside quotes.
        while let (Some(inside), _) = (pieces.next(), pieces.next()) {
            if inside.chars().count() >= 2 && !out.contains(&inside) {
                out.push(inside);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn v(version: &str, effective: Option<&str>, seq: u64) -> PublishedRuleSet {
        PublishedRuleSet {
            name: RuleSetName::Catalog,
            version: version.to_owned(),
            sha256: String::new(),
            text: String::new(),
            effective: effective.map(d),
            seq,
        }
    }

    #[test]
    fn names_round_trip_through_the_log_kind() {
        for name in [RuleSetName::Catalog, RuleSetName::Measures, RuleSetName::Calendar(2027)] {
            assert_eq!(RuleSetName::parse(&name.kind()), Some(name));
        }
        assert_eq!(RuleSetName::Calendar(2027).file(), "calendar/2027.toml");
        for bad in ["calendar/27", "calendar/02027", "calendar/", "models", "Catalog"] {
            assert_eq!(RuleSetName::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_latest_publication_in_effect_on_the_date_is_in_force() {
        let versions = [v("1", None, 3), v("2", Some("2027-01-01"), 10), v("3", Some("2026-12-10"), 12)];
        let on = |date: &str| in_force(&versions, d(date)).map(|v| v.version.as_str());
        assert_eq!(on("2026-12-01"), Some("1"));
        assert_eq!(on("2026-12-10"), Some("3"));
        // Version 2 was published before 3: 3 stays in force after 2's date.
        assert_eq!(on("2027-06-01"), Some("3"));
        assert_eq!(in_force(&versions[..2], d("2027-01-01")).map(|v| v.version.as_str()), Some("2"));
        assert_eq!(in_force(&versions[1..2], d("2026-12-31")), None);
    }

    #[test]
    fn a_message_naming_an_item_and_its_field_points_at_the_field() {
        let text = "version = \"1\"\n[[items]]\ncode = \"XK\"\n[[items.fields]]\ncode = \"XK_NR\"\n\
                    [[items]]\ncode = \"CF\"\n[[items.fields]]\ncode = \"CF_NR\"\ntype = \"txt\"\n";
        assert_eq!(locate_line(text, "事项“CF”的字段“CF_NR”：类型无效"), Some(9));
        assert_eq!(locate_line(text, "事项“CF”没有字段"), Some(7));
        assert_eq!(locate_line(text, "TOML parse error at line 10, column 8"), Some(10));
        assert_eq!(locate_line(text, "目录缺少版本号"), None);
    }
}
