//! Two cities witnessing each other (C2SP tlog-witness): A's checkpoints are
//! cosigned by B, a report from A verifies offline under B's trust policy,
//! and a forked A (same key, another history) gets no cosignature from B, so
//! its report is refused.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::Arc;

use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch};
use xinyong_core::log::verify::verify;
use xinyong_core::log::witness::{WitnessAnswer, WitnessClient, WitnessSettings};
use xinyong_core::reports::verify::{TrustPolicy, verify_report};
use xinyong_core::reports::{Channel, issue_public};
use xinyong_core::{Core, CoreSettings, LogKeys, ManualClock};
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::Actor;
use xinyong_test_support::{TestDb, test_now};

const USCC: &str = "91370112MA3D8N0Q3C";

/// B's witness endpoint, called in-process (serve calls it over HTTP).
struct InProcess(Core);

impl WitnessClient for InProcess {
    fn add_checkpoint(&self, body: String) -> WitnessAnswer<'_> {
        Box::pin(async move {
            Ok(match self.0.add_checkpoint(&body).await {
                Ok(line) => (200, line),
                Err(refusal) => (refusal.status, refusal.body),
            })
        })
    }
}

async fn city(db: &TestDb, origin: &str, seed: u8, settings: CoreSettings) -> Core {
    let keys = LogKeys::from_seed(origin, [seed; 32]).unwrap();
    let core = Core::new(db.store.clone(), Arc::new(ManualClock::new(test_now())), keys, settings);
    seed_departments(&core, &shipped_departments().unwrap()).await.unwrap();
    core
}

/// `n` penalties of one company decided last month, from the fixture's row.
async fn penalties(core: &Core, n: u64, first: u64) {
    let path = format!("{}/../../tests/fixtures/penalties_utf8.csv", env!("CARGO_MANIFEST_DIR"));
    let table = xinyong_tabular::read_table(&std::fs::read(path).unwrap(), &Default::default()).unwrap();
    let column = |name: &str| table.headers.iter().position(|h| h == name).unwrap();
    let (doc, decided, valid) = (column("行政处罚决定书文号"), column("处罚决定日期"), column("处罚有效期"));
    let template = table.rows.iter().find(|r| r.cells.iter().any(|c| c == USCC)).unwrap().cells.clone();
    let rows = (first..first + n)
        .map(|k| {
            let mut cells = template.clone();
            (cells[doc], cells[decided], cells[valid]) =
                (format!("济市监罚〔2026〕{k}号"), "2026-11-02".to_owned(), "2027-11-02".to_owned());
            (k, cells)
        })
        .collect();
    let request = IngestRequest {
        actor: Actor::parse("department:scjgj").unwrap(),
        department: DepartmentCode::parse("scjgj").unwrap(),
        item: Some("CF".to_owned()),
        source: Source::Cli,
        file_name: None,
        idempotency_key: None,
        table: InputTable { headers: table.headers.clone(), rows },
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    };
    assert_eq!(ingest_batch(core, request).await.unwrap().batch.accepted, n);
}

#[tokio::test]
async fn a_report_cosigned_by_a_peer_verifies_under_its_policy_and_a_forked_log_is_refused() {
    let (db_a, db_b, db_fork) = (TestDb::new().await, TestDb::new().await, TestDb::new().await);
    let a = city(&db_a, "a.test/log", 1, CoreSettings::default()).await;
    let peers = WitnessSettings { peers: vec![a.keys().verifier().unwrap()] };
    let b = city(&db_b, "b.test/log", 2, CoreSettings { witness: peers, ..CoreSettings::default() }).await;
    let b_witness = xinyong_tlog::CosignatureVerifier::parse(&b.keys().witness().verifier_key()).unwrap();
    let to_b = InProcess(b.clone());

    // A grows, submits, grows again and submits with a consistency proof.
    penalties(&a, 3, 301).await;
    let first = a.submit_checkpoint(&b_witness, &to_b).await.unwrap().unwrap();
    // Keeping B's cosignature grew A by one entry: no reason to ask again.
    assert_eq!(a.submit_checkpoint(&b_witness, &to_b).await.unwrap(), None);
    penalties(&a, 2, 401).await;
    let second = a.submit_checkpoint(&b_witness, &to_b).await.unwrap().unwrap();
    assert!(second > first);

    // A's report carries B's cosignature; B's policy accepts it offline.
    let signed = issue_public(&a, &Uscc::parse(USCC).unwrap(), Channel::Cli).await.unwrap().signed;
    let file = serde_json::to_vec(&signed).unwrap();
    let b_policy =
        TrustPolicy { logs: vec![a.keys().verifier().unwrap()], witnesses: vec![b_witness.clone()], quorum: 1 };
    let ok = verify_report(&file, &b_policy).unwrap();
    assert_eq!((ok.cosigned_by, ok.report.records.len(), ok.checkpoint_size), (1, 5, second));

    // A fork of A: same key, another history. B never cosigns it.
    let fork = city(&db_fork, "a.test/log", 1, CoreSettings::default()).await;
    penalties(&fork, 4, 501).await;
    let refused = fork.submit_checkpoint(&b_witness, &to_b).await.unwrap_err();
    assert!(refused.to_string().contains("b.test/log/witness"), "{refused}");
    let forked = issue_public(&fork, &Uscc::parse(USCC).unwrap(), Channel::Cli).await.unwrap().signed;
    let failure = verify_report(&serde_json::to_vec(&forked).unwrap(), &b_policy).unwrap_err();
    assert_eq!(failure.part, "checkpoint.cosignatures");
    // Without witnesses in the policy the fork would pass: this is what they are for.
    let keys_only = TrustPolicy { logs: vec![a.keys().verifier().unwrap()], ..Default::default() };
    assert!(verify_report(&serde_json::to_vec(&forked).unwrap(), &keys_only).is_ok());

    // B never rolls back: an old size is answered with the size it cosigned.
    let cp = a.checkpoint().await.unwrap();
    let stale = xinyong_tlog::AddCheckpoint { old: 0, proof: Vec::new(), checkpoint: cp.note };
    let refusal = b.add_checkpoint(&stale.to_text()).await.unwrap_err();
    assert_eq!((refusal.status, refusal.body.trim()), (409, second.to_string().as_str()));
    // A log B does not witness is 404.
    let fork_as_other = fork.checkpoint().await.unwrap().note.replace("a.test/log", "c.test/log");
    let unknown = xinyong_tlog::AddCheckpoint { old: 0, proof: Vec::new(), checkpoint: fork_as_other };
    assert_eq!(b.add_checkpoint(&unknown.to_text()).await.unwrap_err().status, 404);

    for core in [&a, &b, &fork] {
        core.checkpoint().await.unwrap();
        verify(core, &|_, _, _| {}).await.unwrap();
    }
}
