//! Rule sets: every published version of the catalog, publicity regimes,
//! list types, measures and calendar years.

use xinyong_domain::rules::{RULE_SETS, RuleSetRow};

use crate::sql::{Page, Stmt, one_more, to_rows};
use crate::{Result, Store};

/// Published versions in key order (kind, version), after `after`. The rule
/// book holds every version with its effective date, so `xinyong_core`
/// reads them all, a page at a time; they are a few per kind and year.
pub async fn rule_sets(
    store: &dyn Store,
    after: Option<&(String, String)>,
    limit: u32,
) -> Result<Page<RuleSetRow, (String, String)>> {
    let (kind, version) = after.cloned().unwrap_or_default();
    let stmt = Stmt::select(&RULE_SETS)
        .push(" WHERE (kind, version) > ($1, $2) ORDER BY kind, version LIMIT $3")
        .arg(kind)
        .arg(version)
        .arg(one_more(limit));
    let rows = to_rows(store.fetch(&stmt).await?)?;
    Ok(Page::from_extra(rows, limit, |r: &RuleSetRow| (r.kind.clone(), r.version.clone())))
}
