//! A read-only view of the database at one moment ([`Store::snapshot`]).
//!
//! Every read through a snapshot runs on one connection inside one read
//! transaction, so reads made one after another (the log, then the tree,
//! then every projection table) see the same committed state even while a
//! server keeps appending. SQLite takes the snapshot at the first read of a
//! deferred transaction (WAL mode: writers go on; the WAL cannot be
//! checkpointed past the snapshot while it is open). PostgreSQL runs the
//! transaction `REPEATABLE READ READ ONLY`, whose snapshot is likewise
//! taken at its first statement.

use sqlx::{Postgres, Sqlite, Transaction};
use tokio::sync::Mutex;

use crate::sql::{Stmt, Value};
use crate::{Backend, PoolStatus, Result, StorageError, Store};

/// One open read transaction; rolled back when dropped (it wrote nothing).
pub(crate) struct Snapshot<DB: sqlx::Database> {
    tx: Mutex<Transaction<'static, DB>>,
}

impl<DB: sqlx::Database> Snapshot<DB> {
    pub(crate) fn new(tx: Transaction<'static, DB>) -> Snapshot<DB> {
        Snapshot { tx: Mutex::new(tx) }
    }
}

impl<DB: sqlx::Database> std::fmt::Debug for Snapshot<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").finish_non_exhaustive()
    }
}

fn read_only(what: &str) -> StorageError {
    StorageError::ReadOnly(format!("a snapshot only reads; {what} needs the store itself"))
}

/// One connection, held for the snapshot's life.
const SNAPSHOT_POOL: PoolStatus = PoolStatus { open: 1, idle: 0, max: 1 };

/// Written once per backend: only the type parameter differs.
macro_rules! snapshot_store {
    ($db:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl Store for Snapshot<$db> {
            fn backend(&self) -> Backend {
                $backend
            }

            async fn append(&self, _build: crate::BuildEvents<'_>) -> Result<crate::AppendOutcome> {
                Err(read_only("appending"))
            }

            async fn fetch(&self, stmt: &Stmt) -> Result<Vec<Vec<Value>>> {
                let started = std::time::Instant::now();
                let mut tx = self.tx.lock().await;
                let out = crate::exec::fetch(&mut **tx, stmt).await;
                crate::observe_call($backend, "fetch", started);
                out
            }

            async fn execute(&self, _stmt: &Stmt) -> Result<u64> {
                Err(read_only("writing"))
            }

            async fn snapshot(&self) -> Result<Box<dyn Store>> {
                Err(read_only("a second snapshot"))
            }

            fn pool_status(&self) -> PoolStatus {
                SNAPSHOT_POOL
            }
        }
    };
}

snapshot_store!(Sqlite, Backend::Sqlite);
snapshot_store!(Postgres, Backend::Postgres);
