//! Rule files: a rules directory as an operator keeps it, or the copies
//! compiled into the binary. Reading the directory is here (core may do IO);
//! parsing the texts is the domain's.
//!
//! ```text
//! rules/
//!   catalog.toml  publicity.toml  lists.toml  measures.toml  departments.toml
//!   commitments.toml
//!   calendar/2027.toml  calendar/2028.toml …
//!   models/local.toml   models/<industry>.toml …
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use xinyong_domain::collection::catalog::SHIPPED_CATALOG_TOML;
use xinyong_domain::collection::publicity::SHIPPED_PUBLICITY_TOML;
use xinyong_domain::commitments::SHIPPED_COMMITMENTS_TOML;
use xinyong_domain::evaluation::{ModelName, SHIPPED_LOCAL_MODEL_TOML};
use xinyong_domain::lists::sanction::{SHIPPED_LISTS_TOML, SHIPPED_MEASURES_TOML};
use xinyong_domain::rules::{RuleProblem, RuleSetName};

use crate::auth::SHIPPED_DEPARTMENTS_TOML;
use crate::error::{CoreError, Result};

/// The departments file of a rules directory. Departments are not a
/// versioned rule set: each one is a `department_registered` fact in the log.
pub const DEPARTMENTS_FILE: &str = "departments.toml";

/// See the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleFiles {
    /// Where the files were read; `None`: compiled into the binary.
    pub dir: Option<PathBuf>,
    /// Rule-set texts by name; a directory may hold only some of them.
    pub sets: BTreeMap<RuleSetName, Arc<str>>,
    /// `departments.toml`, when present.
    pub departments: Option<Arc<str>>,
    /// Sets filled in from the shipped copies by [`RuleFiles::or_shipped`].
    pub shipped_copies: BTreeSet<RuleSetName>,
    /// The departments file is the shipped copy.
    pub shipped_departments: bool,
}

impl RuleFiles {
    /// The files compiled into the binary (the repository's `rules/`). The
    /// shipped calendar years are not among them: they are the official
    /// calendar every published year is laid over.
    pub fn shipped() -> RuleFiles {
        RuleFiles {
            dir: None,
            sets: BTreeMap::from([
                (RuleSetName::Catalog, Arc::from(SHIPPED_CATALOG_TOML)),
                (RuleSetName::Publicity, Arc::from(SHIPPED_PUBLICITY_TOML)),
                (RuleSetName::Lists, Arc::from(SHIPPED_LISTS_TOML)),
                (RuleSetName::Measures, Arc::from(SHIPPED_MEASURES_TOML)),
                (RuleSetName::Model(ModelName::local()), Arc::from(SHIPPED_LOCAL_MODEL_TOML)),
                (RuleSetName::Commitments, Arc::from(SHIPPED_COMMITMENTS_TOML)),
            ]),
            departments: Some(Arc::from(SHIPPED_DEPARTMENTS_TOML)),
            shipped_copies: BTreeSet::new(),
            shipped_departments: true,
        }
    }

    /// The same files with the shipped copy for each file the directory
    /// lacks: what a process judges by where nothing is published.
    pub fn or_shipped(mut self) -> RuleFiles {
        let shipped = RuleFiles::shipped();
        for (name, text) in shipped.sets {
            if let std::collections::btree_map::Entry::Vacant(missing) = self.sets.entry(name) {
                missing.insert(text);
                self.shipped_copies.insert(name);
            }
        }
        if self.departments.is_none() {
            self.departments = shipped.departments;
            self.shipped_departments = true;
        }
        self
    }

    /// Where a rule set's text came from, for messages.
    pub fn origin(&self, name: RuleSetName) -> String {
        match &self.dir {
            Some(dir) if !self.shipped_copies.contains(&name) => dir.join(name.file()).display().to_string(),
            _ => format!("内置 rules/{}", name.file()),
        }
    }

    /// Where the departments file came from, for messages.
    pub fn origin_of_departments(&self) -> String {
        match &self.dir {
            Some(dir) if !self.shipped_departments => dir.join(DEPARTMENTS_FILE).display().to_string(),
            _ => format!("内置 rules/{DEPARTMENTS_FILE}"),
        }
    }

    /// Reads a rules directory: the rule files it has (none is required),
    /// and a problem for each file that is not a rule file or cannot be read,
    /// so a misspelt `catalogue.toml` is reported instead of ignored. Files
    /// that are not `.toml` (a README) are left alone. Fails only when the
    /// directory itself cannot be read.
    pub fn read_dir(dir: &Path) -> Result<(RuleFiles, Vec<RuleProblem>)> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            CoreError::invalid("rules_dir_unreadable", format!("无法读取规则目录 {}：{e}", dir.display()))
        })?;
        let mut files = RuleFiles { dir: Some(dir.to_owned()), ..RuleFiles::default() };
        let mut problems = Vec::new();
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if path.is_dir() {
                if file_name == "calendar" || file_name == "models" {
                    read_sub_dir(&path, &file_name, &mut files, &mut problems)?;
                }
                continue;
            }
            if !file_name.ends_with(".toml") {
                continue;
            }
            let name = match file_name.as_str() {
                "catalog.toml" => Some(RuleSetName::Catalog),
                "publicity.toml" => Some(RuleSetName::Publicity),
                "lists.toml" => Some(RuleSetName::Lists),
                "measures.toml" => Some(RuleSetName::Measures),
                "commitments.toml" => Some(RuleSetName::Commitments),
                DEPARTMENTS_FILE => None,
                _ => {
                    problems.push(unknown_file(&file_name));
                    continue;
                }
            };
            let Some(text) = read_text(&path, &file_name, &mut problems) else { continue };
            match name {
                Some(name) => {
                    files.sets.insert(name, text);
                }
                None => files.departments = Some(text),
            }
        }
        Ok((files, problems))
    }
}

/// `calendar/` or `models/`: every `.toml` in it must name a rule set.
fn read_sub_dir(dir: &Path, sub: &str, files: &mut RuleFiles, problems: &mut Vec<RuleProblem>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CoreError::invalid("rules_dir_unreadable", format!("无法读取规则目录 {}：{e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let Some(stem) = file_name.strip_suffix(".toml") else { continue };
        let shown = format!("{sub}/{file_name}");
        match RuleSetName::parse(&format!("{sub}/{stem}")) {
            Some(name) if path.is_file() => {
                if let Some(text) = read_text(&path, &shown, problems) {
                    files.sets.insert(name, text);
                }
            }
            _ => problems.push(unknown_file(&shown)),
        }
    }
    Ok(())
}

fn read_text(path: &Path, shown: &str, problems: &mut Vec<RuleProblem>) -> Option<Arc<str>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(Arc::from(text)),
        Err(e) => {
            problems.push(RuleProblem {
                file: shown.to_owned(),
                line: None,
                code: "rules_file_unreadable",
                message: format!("无法读取（规则文件须为 UTF-8 文本）：{e}"),
            });
            None
        }
    }
}

fn unknown_file(shown: &str) -> RuleProblem {
    RuleProblem {
        file: shown.to_owned(),
        line: None,
        code: "rules_file_unknown",
        message: "不是规则文件：规则目录中只能有 catalog.toml、publicity.toml、lists.toml、measures.toml、\
                  commitments.toml、departments.toml、calendar/年份.toml（如 calendar/2027.toml）和 models/模型名.toml（如 models/local.toml，\
                  模型名为小写字母、数字、_ 或 -）"
            .to_owned(),
    }
}
