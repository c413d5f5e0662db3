//! Online backups of the SQLite database.
//!
//! `VACUUM INTO` writes a new, compact database file from one read
//! transaction: the copy is the database at one moment, appends go on
//! meanwhile (WAL mode), and the copy needs no WAL to be complete. A
//! PostgreSQL deployment is backed up with `pg_dump` (docs/OPERATIONS.md).

use std::path::Path;

use crate::sql::Stmt;
use crate::{Backend, Result, StorageError, Store};

/// Writes a consistent copy of the database to `path`, which must not exist.
pub async fn copy_into(store: &dyn Store, path: &Path) -> Result<()> {
    match store.backend() {
        Backend::Sqlite => {
            let target = path.to_str().ok_or_else(|| StorageError::InvalidUrl {
                url: path.display().to_string(),
                reason: "the backup path is not valid UTF-8".to_owned(),
            })?;
            store.execute(&Stmt::new("VACUUM INTO $1").arg(target.to_owned())).await?;
            Ok(())
        }
        Backend::Postgres => Err(StorageError::InvalidUrl {
            url: path.display().to_string(),
            reason: "PostgreSQL is backed up with pg_dump (docs/OPERATIONS.md), not by xinyong".to_owned(),
        }),
    }
}
