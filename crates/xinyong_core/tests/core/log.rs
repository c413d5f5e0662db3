//! The write path, the publisher, proofs, the follower and `verify`, on the
//! backend chosen by the environment (SQLite by default).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::Arc;

use xinyong_core::log::follower::Follower;
use xinyong_core::log::verify::{VerifyError, verify};
use xinyong_core::{Core, CoreSettings, ManualClock};
use xinyong_demo::city::DemoCity;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_test_support::{TestApp, TestDb, test_keys, test_now};

async fn seeded(n: usize) -> TestApp {
    let app = TestApp::new().await;
    let actor = Actor::parse("demo").unwrap();
    let events: Vec<NewEvent> = DemoCity::new(1).take(n).map(|b| NewEvent::new(actor.clone(), b)).collect();
    app.core.append(events).await.unwrap();
    app
}

fn no_progress(_: &str, _: u64, _: u64) {}

#[tokio::test]
async fn appended_events_are_provable_against_a_signed_checkpoint() {
    let app = seeded(37).await;
    let cp = app.core.checkpoint().await.unwrap();
    assert_eq!(cp.size, 37);
    let verifier = app.core.keys().verifier().unwrap();
    let opened = xinyong_tlog::open_checkpoint(&cp.note, &verifier).unwrap();
    assert_eq!(opened.root, cp.root);
    for index in [0, 1, 17, 36] {
        let proof = app.core.inclusion_proof(index).await.unwrap();
        let entry = app.core.entry(index).await.unwrap();
        let checked = xinyong_tlog::verify_tlog_proof(&proof, &entry, &verifier).unwrap();
        assert_eq!(checked.size, 37);
    }
    assert_eq!(app.core.entry(37).await.unwrap_err().code(), "log_entry_not_found");
}

#[tokio::test]
async fn checkpoints_only_move_forward_and_stay_consistent() {
    let app = seeded(10).await;
    let first = app.core.checkpoint().await.unwrap();
    // Nothing new: no new checkpoint.
    assert!(app.core.sign_checkpoint_if_grown().await.unwrap().is_none());
    let actor = Actor::parse("demo").unwrap();
    let more: Vec<NewEvent> = DemoCity::new(2).take(23).map(|b| NewEvent::new(actor.clone(), b)).collect();
    app.core.append(more).await.unwrap();
    let second = app.core.sign_checkpoint_if_grown().await.unwrap().unwrap();
    assert_eq!(second.size, 33);
    let proof = app.core.consistency_proof(first.size, second.size).await.unwrap();
    xinyong_tlog::verify_consistency(first.size, second.size, &first.root, &second.root, &proof).unwrap();
    assert_eq!(app.core.consistency_proof(5, 40).await.unwrap_err().code(), "log_bad_range");
}

#[tokio::test]
async fn a_proof_for_an_entry_newer_than_the_checkpoint_signs_a_new_one() {
    let app = seeded(3).await;
    app.core.checkpoint().await.unwrap();
    let actor = Actor::parse("demo").unwrap();
    app.core.append(DemoCity::new(3).take(2).map(|b| NewEvent::new(actor.clone(), b)).collect()).await.unwrap();
    let proof = app.core.inclusion_proof(4).await.unwrap();
    let entry = app.core.entry(4).await.unwrap();
    let cp = xinyong_tlog::verify_tlog_proof(&proof, &entry, &app.core.keys().verifier().unwrap()).unwrap();
    assert_eq!(cp.size, 5);
}

#[tokio::test]
async fn verify_passes_on_an_honest_log() {
    let app = seeded(50).await;
    app.core.checkpoint().await.unwrap();
    let report = verify(&app.core, &no_progress).await.unwrap();
    assert_eq!(report.entries, 50);
    assert_eq!(report.checkpoint_size, 50);
    assert_eq!(report.rows[0], ("subjects", app.core.counts().await.unwrap().subjects));
}

/// An append of more events than one chunk is prepared a chunk at a time
/// while the store writes the chunks before; the log and the rows it leaves
/// are those of any other append: `verify` recomputes every entry, node and
/// row, and an entry of each chunk proves against the checkpoint.
#[tokio::test]
async fn a_large_append_written_chunk_by_chunk_verifies() {
    let app = seeded(5_000).await;
    let cp = app.core.checkpoint().await.unwrap();
    assert_eq!(cp.size, 5_000);
    let report = verify(&app.core, &no_progress).await.unwrap();
    assert_eq!(report.entries, 5_000);
    let verifier = app.core.keys().verifier().unwrap();
    for index in [0, 2_047, 2_048, 4_095, 4_096, 4_999] {
        let proof = app.core.inclusion_proof(index).await.unwrap();
        let entry = app.core.entry(index).await.unwrap();
        xinyong_tlog::verify_tlog_proof(&proof, &entry, &verifier).unwrap();
    }
}

/// A server appends (entries, rows, a checkpoint) while `verify` runs, after
/// it has read the log and the checkpoints and before the tables: it checks
/// the moment it started at and passes (read outside one transaction, the
/// new rows would look like rows no event produced).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_checks_one_moment_while_a_server_appends() {
    let app = seeded(30).await;
    app.core.checkpoint().await.unwrap();
    let (go, wait_go) = std::sync::mpsc::channel::<()>();
    let (done, wait_done) = std::sync::mpsc::channel::<()>();
    let core = app.core.clone();
    let writer = tokio::spawn(async move {
        tokio::task::spawn_blocking(move || wait_go.recv()).await.unwrap().unwrap();
        let actor = Actor::parse("demo").unwrap();
        let events: Vec<NewEvent> = DemoCity::new(2).take(7).map(|b| NewEvent::new(actor.clone(), b)).collect();
        core.append(events).await.unwrap();
        core.checkpoint().await.unwrap();
        done.send(()).unwrap();
    });
    // Once the checkpoints have been read, the verifying thread waits for
    // the writer.
    let handshake = std::sync::Mutex::new(Some((go, wait_done)));
    let progress = |what: &str, _: u64, _: u64| {
        if what == "checkpoints"
            && let Some((go, wait_done)) = handshake.lock().unwrap().take()
        {
            go.send(()).unwrap();
            wait_done.recv().unwrap();
        }
    };
    let report = verify(&app.core, &progress).await.unwrap();
    writer.await.unwrap();
    assert_eq!((report.entries, report.checkpoint_size), (30, 30));
    assert_eq!(app.core.store().log_size().await.unwrap(), 37);
    let report = verify(&app.core, &no_progress).await.unwrap();
    assert_eq!((report.entries, report.checkpoint_size), (37, 37));
}

/// Each tampering, made directly in the database, must be caught and named.
#[tokio::test]
async fn verify_names_every_kind_of_tampering() {
    let cases: [(&str, &str, &str); 7] = [
        ("UPDATE events SET body = REPLACE(body, 'active', 'revoked') WHERE seq = 7", "events", "7"),
        ("UPDATE events SET actor = 'someone' WHERE seq = 3", "events", "3"),
        ("UPDATE events SET time_ms = time_ms + 1 WHERE seq = 12", "events", "12"),
        ("UPDATE subjects SET name = name || '(改)' WHERE seq = 9", "subjects", ""),
        ("DELETE FROM relations WHERE seq = 5", "relations", ""),
        ("UPDATE persons SET name = '某某' WHERE seq = 4", "persons", ""),
        (
            "UPDATE tree_nodes SET hash = (SELECT leaf_hash FROM events WHERE seq = 0) WHERE level = 2 AND idx = 1",
            "tree_nodes",
            "level 2 index 1",
        ),
    ];
    for (sql, table, key) in cases {
        let app = seeded(20).await;
        app.core.checkpoint().await.unwrap();
        assert_eq!(app.db.execute_raw(sql).await, 1, "{sql}");
        match verify(&app.core, &no_progress).await {
            Err(VerifyError::Mismatch(m)) => {
                assert_eq!(m.table, table, "{sql}: {m}");
                assert!(m.key.contains(key), "{sql}: {m}");
            }
            other => panic!("{sql}: expected a mismatch, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn verify_catches_a_forged_checkpoint() {
    let app = seeded(8).await;
    app.core.checkpoint().await.unwrap();
    app.db.execute_raw("UPDATE checkpoints SET note = REPLACE(note, 'xinyong.test/log', 'xinyong.test/logx')").await;
    match verify(&app.core, &no_progress).await {
        Err(VerifyError::Mismatch(m)) => assert_eq!(m.table, "checkpoints"),
        other => panic!("expected a checkpoint mismatch, got {other:?}"),
    }
}

#[tokio::test]
async fn a_second_process_sees_what_the_first_appended() {
    let db = TestDb::new().await;
    // A second, independent store on the same database, as another process would have.
    let other_store = xinyong_storage::open(&db.url).await.unwrap();
    let clock = Arc::new(ManualClock::new(test_now()));
    let writer = Core::new(db.store.clone(), clock.clone(), test_keys(), CoreSettings::default());
    let reader = Core::new(other_store, clock, test_keys(), CoreSettings::default());
    let follower = Follower::new();
    assert_eq!(follower.poll(&reader, &[]).await.unwrap(), 0);
    let actor = Actor::parse("demo").unwrap();
    writer.append(DemoCity::new(9).take(12).map(|b| NewEvent::new(actor.clone(), b)).collect()).await.unwrap();
    assert_eq!(follower.poll(&reader, &[]).await.unwrap(), 12);
    assert_eq!(follower.applied(), 12);
    assert_eq!(reader.counts().await.unwrap().subjects, 12);
    // Both sign the same checkpoint for the same size.
    let a = writer.checkpoint().await.unwrap();
    let b = reader.checkpoint().await.unwrap();
    assert_eq!(a.note, b.note);
}

#[tokio::test]
async fn oversized_batches_are_refused_before_writing() {
    let app = TestApp::new().await;
    let actor = Actor::parse("demo").unwrap();
    let one = NewEvent::new(actor.clone(), DemoCity::new(1).next_subject());
    let events = vec![one; xinyong_core::log::MAX_EVENTS_PER_TRANSACTION + 1];
    assert_eq!(app.core.append(events).await.unwrap_err().code(), "batch_too_large");
    assert_eq!(app.core.counts().await.unwrap().events, 0);
}
