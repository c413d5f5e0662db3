//! Witnesses' cosignatures: by size, a witness's latest, the latest of all.

use xinyong_domain::log::CheckpointCosignatureRow;
use xinyong_storage::witness;

use crate::{backends, put, rows};

fn cosig(size: u64, witness: &str) -> CheckpointCosignatureRow {
    CheckpointCosignatureRow {
        size,
        witness: witness.to_owned(),
        cosignature: format!("— {witness} {size}"),
        seq: size,
    }
}

#[tokio::test]
async fn cosignatures_are_read_by_size_and_by_witness_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        put(
            store,
            rows(&[cosig(10, "b/witness"), cosig(10, "a/witness"), cosig(25, "b/witness"), cosig(12, "a/witness")]),
        )
        .await;
        let at_10: Vec<String> =
            witness::cosignatures_at(store, 10, 10).await.unwrap().into_iter().map(|c| c.witness).collect();
        assert_eq!(at_10, ["a/witness", "b/witness"], "{backend}");
        assert_eq!(
            witness::latest_of_witness(store, "a/witness").await.unwrap().map(|c| c.size),
            Some(12),
            "{backend}"
        );
        assert_eq!(witness::latest(store).await.unwrap().map(|c| c.size), Some(25), "{backend}");
        assert!(witness::latest_of_witness(store, "c/witness").await.unwrap().is_none(), "{backend}");
    }
}
