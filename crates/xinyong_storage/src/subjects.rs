//! Subjects: organisations, natural persons and the roles that join them.
//! Single rows are read by key (`get`); this module holds the lists.

use xinyong_domain::Uscc;
use xinyong_domain::subjects::{RELATIONS, RelationRole, RelationRow};

use crate::sql::{Cols, Kind, Stmt, to_rows};
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

/// Most organisations one [`legal_representatives`] call asks about;
/// callers ask in chunks.
pub const MAX_USCCS_PER_READ: usize = 500;

/// The names of the active legal representatives of these organisations, as
/// (USCC, name) sorted, for at most [`MAX_USCCS_PER_READ`] organisations
/// (the rest are not read); served by the primary keys of `relations` (USCC
/// first) and `persons`.
pub async fn legal_representatives(store: &dyn Store, usccs: &[Uscc]) -> Result<Vec<(String, String)>> {
    let usccs = &usccs[..usccs.len().min(MAX_USCCS_PER_READ)];
    let stmt = Stmt::new(
        "SELECT r.uscc, p.name FROM relations r JOIN persons p ON p.id_number = r.id_number \
         WHERE r.active = 1 AND r.role = ",
    )
    .bind(RelationRole::LegalRepresentative.as_str())
    .push(" AND r.uscc IN (")
    .bind_list(usccs.iter().map(|u| u.as_str().to_owned()))
    .push(") ORDER BY r.uscc, p.name")
    .returns(&[Kind::Text, Kind::Text]);
    store
        .fetch(&stmt)
        .await?
        .into_iter()
        .map(|row| {
            let mut c = Cols::new(row, "legal representatives");
            Ok((c.text()?, c.text()?))
        })
        .collect()
}
