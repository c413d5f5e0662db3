//! Witnessing between cities: the cosignatures witnesses gave this log's
//! checkpoints, by size and by witness. (The witness's own state per peer
//! log is one row read by key.)

use xinyong_domain::log::{CHECKPOINT_COSIGNATURES, CheckpointCosignatureRow};

use crate::sql::{Stmt, to_rows};
use crate::{Result, Store};

/// Every cosignature on the checkpoint of `size`, by witness name (at most `limit`).
pub async fn cosignatures_at(store: &dyn Store, size: u64, limit: u32) -> Result<Vec<CheckpointCosignatureRow>> {
    let stmt = Stmt::select(&CHECKPOINT_COSIGNATURES)
        .push(" WHERE size = ")
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .push(" ORDER BY witness LIMIT ")
        .bind(i64::from(limit));
    to_rows(store.fetch(&stmt).await?)
}

/// The latest cosignature a witness gave (its largest size), if any.
pub async fn latest_of_witness(store: &dyn Store, witness: &str) -> Result<Option<CheckpointCosignatureRow>> {
    let stmt = Stmt::select(&CHECKPOINT_COSIGNATURES)
        .push(" WHERE witness = ")
        .bind(witness)
        .push(" ORDER BY size DESC LIMIT 1");
    Ok(to_rows(store.fetch(&stmt).await?)?.into_iter().next())
}

/// The latest cosignature of any witness (the largest cosigned size), if any.
pub async fn latest(store: &dyn Store) -> Result<Option<CheckpointCosignatureRow>> {
    let stmt = Stmt::select(&CHECKPOINT_COSIGNATURES).push(" ORDER BY size DESC, witness LIMIT 1");
    Ok(to_rows(store.fetch(&stmt).await?)?.into_iter().next())
}
