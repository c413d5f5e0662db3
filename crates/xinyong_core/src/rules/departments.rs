//! Departments from a departments file: new codes are registered, changed
//! details (name, USCC, district, sector) are registered again — the same
//! `department_registered` event with the new details, whose projection
//! replaces the row — and departments the file no longer lists stay: the log
//! keeps them, and their users, tokens and records still name them.

use std::collections::BTreeMap;

use xinyong_domain::auth::{AuthEvent, Department, DepartmentCode};
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_storage::Store;

use crate::auth::MAX_LISTED;
use crate::error::Result;
use crate::log::Core;

/// What applying a departments file would do to one department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DepartmentChange {
    /// Not registered yet.
    New(Department),
    /// Registered with other details.
    Changed { before: Department, after: Department },
    /// Registered, but not in the file: kept as it is.
    NotInFile(Department),
}

impl DepartmentChange {
    /// The event applying it, if it needs one.
    pub fn event(&self) -> Option<NewEvent> {
        match self {
            DepartmentChange::New(department) | DepartmentChange::Changed { after: department, .. } => {
                Some(NewEvent::new(Actor::system(), AuthEvent::DepartmentRegistered { department: department.clone() }))
            }
            DepartmentChange::NotInFile(_) => None,
        }
    }

    /// One line for `xinyong rules check`.
    pub fn describe_zh(&self) -> String {
        match self {
            DepartmentChange::New(d) => format!("新部门 {} {}", d.code, d.name),
            DepartmentChange::Changed { before, after } => {
                let mut what = Vec::new();
                if before.name != after.name {
                    what.push(format!("名称 {} → {}", before.name, after.name));
                }
                if before.uscc != after.uscc {
                    let show = |u: &Option<xinyong_domain::Uscc>| u.as_ref().map_or("无", |u| u.as_str()).to_owned();
                    what.push(format!("统一社会信用代码 {} → {}", show(&before.uscc), show(&after.uscc)));
                }
                if before.district != after.district {
                    what.push(format!("行政区划 {} → {}", before.district, after.district));
                }
                if before.sector != after.sector {
                    let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "无".to_owned());
                    what.push(format!("行业 {} → {}", show(&before.sector), show(&after.sector)));
                }
                format!("部门 {} 变更：{}", after.code, what.join("；"))
            }
            DepartmentChange::NotInFile(d) => format!("部门 {} {} 不在文件中：保留，不删除", d.code, d.name),
        }
    }
}

/// Compares a departments file (parsed) with the registered departments.
pub async fn department_changes(store: &dyn Store, file: &[Department]) -> Result<Vec<DepartmentChange>> {
    let mut registered: BTreeMap<DepartmentCode, Department> = xinyong_storage::auth::departments(store, MAX_LISTED)
        .await?
        .into_iter()
        .map(|r| {
            let department =
                Department { code: r.code, name: r.name, uscc: r.uscc, district: r.district, sector: r.sector };
            (department.code.clone(), department)
        })
        .collect();
    let mut changes = Vec::new();
    for department in file {
        match registered.remove(&department.code) {
            None => changes.push(DepartmentChange::New(department.clone())),
            Some(before) if before != *department => {
                changes.push(DepartmentChange::Changed { before, after: department.clone() });
            }
            Some(_) => {}
        }
    }
    changes.extend(registered.into_values().map(DepartmentChange::NotInFile));
    Ok(changes)
}

/// Registers the file's new departments and registers the changed ones
/// again, in one append; returns (new, changed). Running it again appends
/// nothing.
pub async fn sync_departments(core: &Core, file: &[Department]) -> Result<(usize, usize)> {
    let changes = department_changes(core.store(), file).await?;
    let new = changes.iter().filter(|c| matches!(c, DepartmentChange::New(_))).count();
    let changed = changes.iter().filter(|c| matches!(c, DepartmentChange::Changed { .. })).count();
    let events: Vec<NewEvent> = changes.iter().filter_map(DepartmentChange::event).collect();
    if !events.is_empty() {
        core.append(events).await?;
    }
    Ok((new, changed))
}
