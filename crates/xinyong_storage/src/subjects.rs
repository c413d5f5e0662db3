//! Subjects: organisations, natural persons and the roles that join them.
//! Single rows are read by key (`get`); this module holds the lists.

use xinyong_domain::Uscc;
use xinyong_domain::subjects::{RELATIONS, RelationRow};

use crate::sql::{Stmt, to_rows};
use crate::{Result, Store};

/// The roles people hold (or held) in one organisation, in key order
/// (person, role), at most `limit`; served by the primary key.
pub async fn relations_of(store: &dyn Store, uscc: &Uscc, limit: u32) -> Result<Vec<RelationRow>> {
    let stmt = Stmt::select(&RELATIONS)
        .push(" WHERE uscc = $1 ORDER BY id_number, role LIMIT $2")
        .arg(uscc.as_str())
        .arg(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}
