//! One story, run on every backend: SQLite always, PostgreSQL when
//! `XINYONG_TEST_DATABASE_URL` is set (`.ci/run` starts a throwaway cluster).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

/// One module per context's query functions.
mod queries {
    mod agencies;
    mod auth;
    mod campaigns;
    mod checks;
    mod closed_loop;
    mod collection;
    mod commitments;
    mod evaluation;
    mod inspections;
    mod lists;
    mod notices;
    mod portal;
    mod redress;
    mod registrations;
    mod reports;
    mod subscriptions;
    mod witness;
}

use std::sync::Arc;
use xinyong_domain::collection::CollectionEvent;
use xinyong_domain::subjects::SubjectsEvent;

use chrono::{TimeZone, Utc};
use xinyong_domain::event::{Actor, Event, EventBody};
use xinyong_domain::log::EntryVersion;
use xinyong_domain::projection::ProjectionWrite;
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_domain::subjects::{PersonRow, RelationRow, SUBJECTS, SubjectRow};
use xinyong_domain::{IdNumber, Uscc};
use xinyong_storage::{Backend, PreparedEvent, StorageError, Store, StoredCheckpoint, subjects};
use xinyong_test_support::{PG_URL_VAR, TestDb};

fn registration(uscc: &str, name: &str, rep: Option<(&str, &str)>) -> EventBody {
    SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: Uscc::parse(uscc).unwrap(),
            name: SubjectName::parse(name).unwrap(),
            status: SubjectStatus::Active,
        },
        people: rep
            .map(|(id, n)| RoleHolder {
                role: RelationRole::LegalRepresentative,
                person: NaturalPerson { id_number: IdNumber::parse(id).unwrap(), name: SubjectName::parse(n).unwrap() },
            })
            .into_iter()
            .collect(),
    }
    .into()
}

fn prepare(first: u64, bodies: &[EventBody]) -> Vec<PreparedEvent> {
    bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let seq = first + i as u64;
            let event = Event {
                seq,
                time: Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap(),
                actor: Actor::parse("test").unwrap(),
                rules: Default::default(),
                body: body.clone(),
                salt: [seq as u8; 32],
            };
            let entry = event.entry().unwrap().to_bytes();
            let leaf = xinyong_tlog::leaf_hash(&entry);
            let writes = event.projection_writes().unwrap();
            let body_json = String::from_utf8(event.body.canonical_json().unwrap()).unwrap();
            let rules_json = serde_json::to_string(&event.rules).unwrap();
            PreparedEvent { event, body_json, rules_json, entry, leaf, writes }
        })
        .collect()
}

async fn append(store: &dyn Store, bodies: Vec<EventBody>) -> xinyong_storage::AppendOutcome {
    store.append(&move |first| Ok(prepare(first, &bodies).into())).await.unwrap()
}

/// Writes projection rows as they are, in one append (one log entry whose
/// body is a plain registration): the query stories set every column,
/// `seq` included, without going through the events that would write them.
async fn put(store: &dyn Store, writes: Vec<ProjectionWrite>) {
    let body = registration(A, "福建某某有限公司", None);
    store
        .append(&move |first| {
            let mut prepared = prepare(first, std::slice::from_ref(&body));
            prepared[0].writes = writes.clone();
            Ok(prepared.into())
        })
        .await
        .unwrap();
}

/// Upserts of typed rows.
fn rows<R: xinyong_domain::projection::Row>(rows: &[R]) -> Vec<ProjectionWrite> {
    rows.iter().map(|r| r.upsert().unwrap()).collect()
}

fn dept(code: &str) -> xinyong_domain::auth::DepartmentCode {
    xinyong_domain::auth::DepartmentCode::parse(code).unwrap()
}

async fn backends() -> Vec<TestDb> {
    let mut dbs = vec![TestDb::sqlite().await];
    if let Ok(url) = std::env::var(PG_URL_VAR).map(|u| u.trim().to_owned())
        && !url.is_empty()
    {
        dbs.push(TestDb::postgres(&url).await);
    }
    dbs
}

fn uscc(s: &str) -> Uscc {
    Uscc::parse(s).unwrap()
}

fn id(s: &str) -> IdNumber {
    IdNumber::parse(s).unwrap()
}

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

const A: &str = "91350100M000100Y43";
const B: &str = "914403001922038216";
const C: &str = "91110108551385082Q";
const P1: &str = "11010519491231002X";
const P2: &str = "440524188001010014";

/// Every interior and leaf node of a tree of `size` leaves, as stored.
async fn all_nodes(store: &dyn Store, size: u64) -> Vec<[u8; 32]> {
    let coords: Vec<(u8, u64)> = (0u8..64).flat_map(|level| (0..size >> level).map(move |idx| (level, idx))).collect();
    store.tree_nodes(&coords).await.unwrap()
}

/// An append handed over in chunks, written while the next chunk is still
/// being prepared, is the same append as one handed over at once: the same
/// entries, tree nodes and projection rows, with a row written in one chunk
/// and rewritten in the next. A chunk that fails, or a producer that stops
/// before the events it announced, leaves nothing behind.
#[tokio::test]
async fn an_append_in_chunks_is_the_same_append() {
    use xinyong_storage::{PreparedChunk, PreparedEvents};
    let bodies = vec![
        registration(A, "福建某某有限公司", None),
        registration(B, "深圳某某技术有限公司", None),
        registration(A, "福建某某集团有限公司", None),
        registration(C, "北京某某科技有限公司", None),
        registration(B, "深圳某某科技有限公司", None),
    ];
    let chunked = |splits: Vec<usize>, total: u64, fail_at: Option<usize>| {
        let bodies = bodies.clone();
        move |first: u64| -> Result<PreparedEvents, String> {
            let all = prepare(first, &bodies);
            let (sender, receiver) = tokio::sync::mpsc::channel::<PreparedChunk>(8);
            let mut rest = all.as_slice();
            for (i, n) in splits.iter().enumerate() {
                let (chunk, after) = rest.split_at(*n);
                rest = after;
                let sent =
                    if fail_at == Some(i) { Err("第 2 块无法编码".to_owned()) } else { Ok(chunk.to_vec()) };
                sender.try_send(sent).unwrap();
            }
            Ok(PreparedEvents::Chunks { total, receiver })
        }
    };
    let (onces, chunkeds) = (backends().await, backends().await);
    for (once, chunks) in onces.iter().zip(&chunkeds) {
        let backend = once.store.backend().as_str();
        let whole = bodies.clone();
        once.store.append(&move |first| Ok(prepare(first, &whole).into())).await.unwrap();
        let out = chunks.store.append(&chunked(vec![2, 2, 1], 5, None)).await.unwrap();
        assert_eq!((out.first_seq, out.count, out.size), (0, 5, 5), "{backend}");
        for i in 0..5 {
            assert_eq!(chunks.store.entry(i).await.unwrap(), once.store.entry(i).await.unwrap(), "{backend} {i}");
        }
        assert_eq!(all_nodes(chunks.store.as_ref(), 5).await, all_nodes(once.store.as_ref(), 5).await, "{backend}");
        for code in [A, B, C] {
            let row = |s: &Arc<dyn Store>| {
                let s = Arc::clone(s);
                async move { s.get(SubjectRow::key(uscc(code))).await.unwrap().unwrap() }
            };
            assert_eq!(row(&chunks.store).await, row(&once.store).await, "{backend} {code}");
        }
        assert_eq!(chunks.store.get(SubjectRow::key(uscc(B))).await.unwrap().unwrap().name, "深圳某某科技有限公司");

        // A failing chunk, or fewer events than announced: nothing is written.
        let failed = chunks.store.append(&chunked(vec![2, 2, 1], 5, Some(1))).await;
        assert!(matches!(&failed, Err(StorageError::Build(m)) if m.contains("第 2 块")), "{backend}: {failed:?}");
        let short = chunks.store.append(&chunked(vec![2, 2], 5, None)).await;
        assert!(matches!(&short, Err(StorageError::Build(m)) if m.contains("4 of 5")), "{backend}: {short:?}");
        assert_eq!(chunks.store.log_size().await.unwrap(), 5, "{backend}");
        // The failed appends' first chunks rewrote A at 5 and 7 before failing.
        assert_eq!(chunks.store.get(SubjectRow::key(uscc(A))).await.unwrap().unwrap().seq, 2, "{backend}");

        // A statement that fails half-way (the second record has the first
        // one's natural key) leaves nothing either, not even the rows the
        // statement wrote before the failure (SQLite runs `INSERT OR FAIL`).
        let lp = ("legal_person", A);
        let first = record("r1", "CF", "scjgj", lp, "2026-01-05", true, (None, None));
        let mut second = record("r2", "CF", "scjgj", lp, "2026-01-06", true, (None, None));
        if let EventBody::Collection(CollectionEvent::RecordAccepted { record }) = &mut second {
            record.document_number = "r1号".to_owned();
        }
        let conflicting = vec![registration(C, "北京某某科技有限公司", None), first, second];
        let failed = chunks.store.append(&move |first| Ok(prepare(first, &conflicting).into())).await;
        assert!(matches!(failed, Err(StorageError::Database(_))), "{backend}: {failed:?}");
        assert_eq!(chunks.store.log_size().await.unwrap(), 5, "{backend}");
        let r1 = chunks.store.get(xinyong_domain::collection::RecordRow::key("r1".to_owned())).await.unwrap();
        assert!(r1.is_none(), "{backend}");
    }
}

/// Rows keep a v2 entry in compact form (one byte naming its format) and
/// rebuild its bytes when read; a v1 entry is kept whole; a row holding the
/// bytes of a v2 entry, as rows written before that form do, is read as it
/// is; a compact row whose columns were changed outside the log is an error,
/// never another entry.
#[tokio::test]
async fn entries_are_stored_compact_and_read_in_either_form() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let bodies = vec![
            registration(A, "福建某某有限公司", Some((P1, "张三"))),
            registration(B, "深圳某某技术有限公司", None),
            registration(C, "北京某某科技有限责任公司", None),
        ];
        // Registrations are v1; written as v2 here, as records are.
        let as_v2 = |first: u64, bodies: &[EventBody]| {
            let mut prepared = prepare(first, bodies);
            for p in &mut prepared {
                let body_json = p.body_json.as_bytes();
                p.entry = p.event.entry_as(EntryVersion::V2, body_json).unwrap().to_bytes();
                p.leaf = xinyong_tlog::leaf_hash(&p.entry);
            }
            prepared
        };
        let prepared = as_v2(0, &bodies);
        let written = bodies.clone();
        store.append(&move |first| Ok(as_v2(first, &written).into())).await.unwrap();
        let events = store.events_from(0, 10).await.unwrap();
        for (e, p) in events.iter().zip(&prepared) {
            assert!(e.entry_is_compact(), "{backend}: {:?}", e.stored_entry);
            assert_eq!(e.stored_entry.len(), 1, "{backend}");
            assert_eq!(e.entry().unwrap(), p.entry.as_slice(), "{backend}");
        }
        append(store, vec![registration(A, "福建某某股份有限公司", None)]).await;
        let v1 = store.events_from(3, 1).await.unwrap().remove(0);
        assert!(!v1.entry_is_compact(), "{backend}");
        assert!(v1.stored_entry.starts_with(b"xinyong-entry/v1\n"), "{backend}");
        assert_eq!(store.entry(3).await.unwrap().unwrap(), v1.stored_entry, "{backend}");

        let hex: String = prepared[1].entry.iter().map(|b| format!("{b:02x}")).collect();
        let bytes = match db.store.backend() {
            Backend::Sqlite => format!("X'{hex}'"),
            Backend::Postgres => format!("'\\x{hex}'::bytea"),
        };
        assert_eq!(db.execute_raw(&format!("UPDATE events SET entry = {bytes} WHERE seq = 1")).await, 1);
        let whole = store.events_from(1, 1).await.unwrap().remove(0);
        assert!(!whole.entry_is_compact(), "{backend}");
        assert_eq!(whole.stored_entry, prepared[1].entry, "{backend}");
        assert_eq!(store.entry(1).await.unwrap().unwrap(), prepared[1].entry, "{backend}");

        assert_eq!(db.execute_raw("UPDATE events SET actor = 'someone' WHERE seq = 2").await, 1);
        assert!(matches!(store.entry(2).await, Err(StorageError::Inconsistent(_))), "{backend}");
        assert_eq!(store.entry(0).await.unwrap().unwrap(), prepared[0].entry, "{backend}");
    }
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one story over the log's store contract, step by step")]
async fn the_log_story_holds_on_every_backend() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();

        // An empty database.
        assert_eq!(store.log_size().await.unwrap(), 0, "{backend}");
        assert_eq!(store.counts().await.unwrap().subjects, 0);
        assert!(store.latest_checkpoint().await.unwrap().is_none());
        assert!(store.entry(0).await.unwrap().is_none());

        // First batch: three registrations.
        let out = append(
            store,
            vec![
                registration(A, "福建某某有限公司", Some((P1, "张三"))),
                registration(B, "深圳某某技术有限公司", Some((P2, "李四"))),
                registration(C, "北京某某科技有限责任公司", Some((P1, "张三"))),
            ],
        )
        .await;
        assert_eq!((out.first_seq, out.count, out.size), (0, 3, 3), "{backend}");

        // Second batch updates A twice in one transaction: the last write wins.
        let mut renamed = registration(A, "福建某某集团有限公司", None);
        if let EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, .. }) = &mut renamed {
            subject.status = SubjectStatus::Revoked;
        }
        let out = append(store, vec![registration(A, "福建某某股份有限公司", None), renamed]).await;
        assert_eq!((out.first_seq, out.size), (3, 5), "{backend}");

        // Entries are read back as they were prepared and hash to the tree's leaves.
        let events = store.events_from(0, 100).await.unwrap();
        assert_eq!(events.len(), 5);
        let leaves: Vec<[u8; 32]> = events.iter().map(|e| xinyong_tlog::leaf_hash(&e.entry().unwrap())).collect();
        for (e, leaf) in events.iter().zip(&leaves) {
            assert_eq!(e.leaf_hash, leaf.to_vec());
            assert_eq!(store.entry(e.seq as u64).await.unwrap().unwrap(), e.entry().unwrap().as_ref());
        }
        let first = registration(A, "福建某某有限公司", Some((P1, "张三")));
        assert_eq!(events[0].entry().unwrap(), prepare(0, &[first])[0].entry.as_slice(), "{backend}");
        assert_eq!(store.events_from(3, 1).await.unwrap()[0].seq, 3);

        // Stored nodes rebuild the same tree as hashing the leaves directly.
        for size in 1..=5u64 {
            let mut coords = Vec::new();
            xinyong_tlog::tree_hash(size, &mut |l: u8, i: u64| -> Result<[u8; 32], ()> {
                coords.push((l, i));
                Ok([0; 32])
            })
            .unwrap();
            let hashes = store.tree_nodes(&coords).await.unwrap();
            let map: std::collections::HashMap<_, _> = coords.into_iter().zip(hashes).collect();
            let root = xinyong_tlog::tree_hash(size, &mut |l: u8, i: u64| map.get(&(l, i)).copied().ok_or(())).unwrap();
            assert_eq!(root, xinyong_tlog::root_from_leaf_hashes(&leaves[..size as usize]), "{backend} size {size}");
        }
        assert!(matches!(store.tree_nodes(&[(3, 0)]).await, Err(StorageError::Inconsistent(_))));
        let nodes = store.tree_nodes_page(None, 100).await.unwrap();
        assert_eq!(nodes.iter().map(|n| (n.0, n.1)).collect::<Vec<_>>(), vec![(1, 0), (1, 1), (2, 0)]);
        assert_eq!(store.tree_nodes_page(Some((1, 1)), 100).await.unwrap().len(), 1);

        // Projections: typed rows by key, one or many.
        let a = store.get(SubjectRow::key(uscc(A))).await.unwrap().unwrap();
        assert_eq!(
            (a.name.as_str(), a.status, a.division.as_str(), a.seq),
            ("福建某某集团有限公司", SubjectStatus::Revoked, "350100", 4),
            "{backend}"
        );
        let p1 = store.get(PersonRow::key(id(P1))).await.unwrap().unwrap();
        assert_eq!(p1.name, "张三");
        assert!(store.get(PersonRow::key(id("110101199003078515"))).await.unwrap().is_none());
        let mut many = store.get_many([A, C, "91370112MA3D8N0Q3C"].map(|u| SubjectRow::key(uscc(u)))).await.unwrap();
        many.sort_by(|x, y| x.uscc.as_str().cmp(y.uscc.as_str()));
        assert_eq!(many.iter().map(|s| s.uscc.as_str()).collect::<Vec<_>>(), [C, A], "{backend}");
        let rel = subjects::relations_of(store, &uscc(C), 10).await.unwrap();
        assert_eq!(rel.len(), 1);
        assert_eq!(
            (rel[0].id_number.as_str(), rel[0].role, rel[0].active, rel[0].seq),
            (P1, RelationRole::LegalRepresentative, true, 2)
        );
        // The registered legal representatives' names, for checking uploads.
        let unknown = uscc("91370112MA3D8N0Q3C");
        let reps = subjects::legal_representatives(store, &[uscc(C), uscc(B), unknown]).await.unwrap();
        let reps: Vec<(&str, &str)> = reps.iter().map(|(u, n)| (u.as_str(), n.as_str())).collect();
        assert_eq!(reps, [(C, "张三"), (B, "李四")], "{backend}");
        assert!(subjects::legal_representatives(store, &[]).await.unwrap().is_empty());
        let counts = store.counts().await.unwrap();
        assert_eq!((counts.events, counts.subjects, counts.persons, counts.relations), (5, 3, 2, 3), "{backend}");

        // The scan walks whole tables in key order, also over composite keys.
        let mut scan = store.scan_rows(&SUBJECTS, 2);
        let first = scan.next_page().await.unwrap().unwrap();
        let rest = scan.next_page().await.unwrap().unwrap();
        assert_eq!((first.len(), rest.len()), (2, 1));
        assert!(scan.next_page().await.unwrap().is_none());
        assert!(first[0][0] < first[1][0] && first[1][0] < rest[0][0]);
        // Split into key ranges, the walks together read the same rows in
        // the same order; a table smaller than the parts gets fewer keys.
        let all: Vec<_> = first.iter().chain(&rest).cloned().collect();
        let keys = store.split_keys(&SUBJECTS, 2).await.unwrap();
        assert_eq!(keys, [all[1][..1].to_vec()], "{backend}");
        let mut walked = Vec::new();
        let bounds = [(None, Some(keys[0].clone())), (Some(keys[0].clone()), None)];
        for (from, before) in bounds {
            let mut part = store.scan_rows_between(&SUBJECTS, 1, from, before);
            while let Some(page) = part.next_page().await.unwrap() {
                walked.extend(page);
            }
        }
        assert_eq!(walked, all, "{backend}");
        assert_eq!(store.split_keys(&SUBJECTS, 10).await.unwrap().len(), 2, "{backend}");
        assert!(store.split_keys(&SUBJECTS, 1).await.unwrap().is_empty(), "{backend}");
        let mut scan = store.scan::<RelationRow>(2);
        let mut walked = Vec::new();
        while let Some(page) = scan.next_page().await.unwrap() {
            walked.extend(page.into_iter().map(|r| (r.uscc.as_str().to_owned(), r.id_number.as_str().to_owned())));
        }
        let mut sorted = walked.clone();
        sorted.sort();
        assert_eq!((walked.len(), walked), (3, sorted), "{backend}");

        // Checkpoints: one per size, the first one stays.
        let cp = StoredCheckpoint { size: 5, root: [1; 32], note: "n1".into(), signed_at: Utc::now() };
        store.save_checkpoint(&cp).await.unwrap();
        store.save_checkpoint(&StoredCheckpoint { note: "n2".into(), ..cp.clone() }).await.unwrap();
        assert_eq!(store.latest_checkpoint().await.unwrap().unwrap().note, "n1");
        store.save_checkpoint(&StoredCheckpoint { size: 3, note: "old".into(), ..cp.clone() }).await.unwrap();
        assert_eq!(store.latest_checkpoint().await.unwrap().unwrap().size, 5);
        assert_eq!(store.checkpoint(3).await.unwrap().unwrap().note, "old");

        // A build that returns nothing writes nothing.
        let out = store.append(&|_| Ok(Vec::new().into())).await.unwrap();
        assert_eq!((out.count, out.size), (0, 5));

        // A build with a wrong index is refused and leaves nothing behind.
        let bad = store
            .append(&|first| {
                let mut v = prepare(first, &[registration(B, "改名", None)]);
                v[0].event.seq += 1;
                Ok(v.into())
            })
            .await;
        assert!(matches!(bad, Err(StorageError::Inconsistent(_))));
        assert_eq!(store.log_size().await.unwrap(), 5);
        let b = store.get(SubjectRow::key(uscc(B))).await.unwrap().unwrap();
        assert_eq!(b.name, "深圳某某技术有限公司");
    }
}

#[tokio::test]
async fn a_snapshot_reads_one_moment_while_appends_go_on() {
    for db in backends().await {
        let store: &dyn Store = db.store.as_ref();
        let backend = store.backend().as_str();
        append(store, vec![registration(A, "快照前公司", Some((P1, "张三")))]).await;
        let snapshot = store.snapshot().await.unwrap();
        assert_eq!(snapshot.backend(), store.backend());
        // The first read fixes the moment.
        assert_eq!(snapshot.log_size().await.unwrap(), 1, "{backend}");
        append(store, vec![registration(B, "快照后公司", Some((P2, "李四")))]).await;
        assert_eq!(store.log_size().await.unwrap(), 2, "{backend}");
        // Neither the new entry nor its rows are seen through the snapshot.
        assert_eq!(snapshot.log_size().await.unwrap(), 1, "{backend}");
        assert_eq!(snapshot.events_from(0, 10).await.unwrap().len(), 1, "{backend}");
        let mut scan = snapshot.scan_rows(&SUBJECTS, 10);
        let mut seen = Vec::new();
        while let Some(rows) = scan.next_page().await.unwrap() {
            seen.extend(rows);
        }
        assert_eq!(seen.len(), 1, "{backend}: {seen:?}");
        // It only reads.
        let refused = snapshot.append(&|first| Ok(prepare(first, &[registration(C, "丙公司", None)]).into())).await;
        assert!(matches!(refused, Err(StorageError::ReadOnly(_))), "{backend}: {refused:?}");
        assert!(matches!(snapshot.snapshot().await, Err(StorageError::ReadOnly(_))), "{backend}");
        drop(snapshot);
        assert_eq!(store.log_size().await.unwrap(), 2, "{backend}");
    }
}

#[tokio::test]
async fn concurrent_appenders_get_gap_free_indexes() {
    for db in backends().await {
        let store: Arc<dyn Store> = db.store.clone();
        let mut tasks = Vec::new();
        for t in 0..4 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..5 {
                    let body = registration(if t % 2 == 0 { A } else { B }, &format!("并发公司{t}"), None);
                    append(store.as_ref(), vec![body.clone(), body]).await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let events = store.events_from(0, 1000).await.unwrap();
        assert_eq!(events.len(), 40, "{}", store.backend().as_str());
        assert!(events.iter().enumerate().all(|(i, e)| e.seq == i as i64));
        let leaves: Vec<[u8; 32]> = events.iter().map(|e| xinyong_tlog::leaf_hash(&e.entry().unwrap())).collect();
        let mut coords = Vec::new();
        xinyong_tlog::tree_hash(40, &mut |l: u8, i: u64| -> Result<[u8; 32], ()> {
            coords.push((l, i));
            Ok([0; 32])
        })
        .unwrap();
        let hashes = store.tree_nodes(&coords).await.unwrap();
        let map: std::collections::HashMap<_, _> = coords.into_iter().zip(hashes).collect();
        let stored_root =
            xinyong_tlog::tree_hash(40, &mut |l: u8, i: u64| map.get(&(l, i)).copied().ok_or(())).unwrap();
        assert_eq!(stored_root, xinyong_tlog::root_from_leaf_hashes(&leaves));
    }
}

#[tokio::test]
async fn a_database_from_a_newer_schema_is_refused() {
    for db in backends().await {
        let blob = if db.postgres.is_some() { "'\\x00'::bytea" } else { "X'00'" };
        db.execute_raw(&format!(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
             VALUES (99991231000000, 'from the future', CURRENT_TIMESTAMP, TRUE, {blob}, 0)"
        ))
        .await;
        match xinyong_storage::open(&db.url).await {
            Err(StorageError::NewerSchema { version }) => assert_eq!(version, 99991231000000),
            other => panic!("expected NewerSchema, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn bad_urls_are_reported_not_panicked() {
    assert!(matches!(xinyong_storage::open("mysql://x").await, Err(StorageError::InvalidUrl { .. })));
    assert!(matches!(xinyong_storage::open("").await, Err(StorageError::InvalidUrl { .. })));
}

#[tokio::test]
async fn sessions_are_stored_found_and_ended_on_every_backend() {
    use xinyong_storage::StoredSession;
    let session = |id: &str, login: &str, expires_ms: i64| StoredSession {
        id_sha256: id.to_owned(),
        login: login.to_owned(),
        csrf_token: format!("csrf-{id}"),
        created_ms: 1_000,
        expires_ms,
    };
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        assert_eq!(store.session_by_hash("a").await.unwrap(), None, "{backend}");

        store.insert_session(&session("a", "admin", 5_000)).await.unwrap();
        store.insert_session(&session("b", "admin", 9_000)).await.unwrap();
        store.insert_session(&session("c", "scjgj", 9_000)).await.unwrap();
        store.insert_session(&session("d", "scjgj", 2_000)).await.unwrap();
        assert_eq!(store.session_by_hash("a").await.unwrap(), Some(session("a", "admin", 5_000)), "{backend}");
        // The id is the primary key: a second session with the same hash is refused.
        assert!(store.insert_session(&session("a", "other", 1)).await.is_err(), "{backend}");

        assert!(store.delete_session("a").await.unwrap(), "{backend}");
        assert!(!store.delete_session("a").await.unwrap(), "{backend}");
        assert_eq!(store.session_by_hash("a").await.unwrap(), None, "{backend}");

        // Expiry is inclusive: a session expiring exactly now is gone.
        assert_eq!(store.delete_expired_sessions(2_000).await.unwrap(), 1, "{backend}");
        assert_eq!(store.session_by_hash("d").await.unwrap(), None, "{backend}");
        assert!(store.session_by_hash("c").await.unwrap().is_some(), "{backend}");

        assert_eq!(store.delete_sessions_of("admin").await.unwrap(), 1, "{backend}");
        assert_eq!(store.session_by_hash("b").await.unwrap(), None, "{backend}");
        assert!(store.session_by_hash("c").await.unwrap().is_some(), "{backend}");
        // Sessions are not events: the log stays empty.
        assert_eq!(store.log_size().await.unwrap(), 0, "{backend}");
    }
}

/// A record for the public-list tests: `window` = (start, latest end).
fn record(
    id: &str,
    item: &str,
    department: &str,
    subject: (&str, &str),
    decided: &str,
    public: bool,
    window: (Option<&str>, Option<&str>),
) -> EventBody {
    use xinyong_domain::collection::{AcceptedRecord, RecordPublicity, RecordSubject};
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let (kind, key) = subject;
    CollectionEvent::RecordAccepted {
        record: AcceptedRecord {
            id: id.to_owned(),
            department: xinyong_domain::auth::DepartmentCode::parse(department).unwrap(),
            item: item.to_owned(),
            catalog_version: "2026.1".to_owned(),
            batch_id: "b1".to_owned(),
            document_number: format!("{id}号"),
            subject: RecordSubject { kind: kind.to_owned(), key: key.to_owned(), name: "某某".to_owned() },
            decision_date: date(decided),
            received_date: date(decided),
            working_days: Some(1),
            deadline_working_days: 7,
            publicity: RecordPublicity {
                regime: "licence".to_owned(),
                severity: None,
                public,
                non_public_reason: (!public).then(|| "natural_person".to_owned()),
                window_start: window.0.map(date),
                earliest_end: window.0.map(date),
                latest_end: window.1.map(date),
                repairable: false,
            },
            fields: Default::default(),
        },
    }
    .into()
}

#[tokio::test]
async fn public_record_lists_filter_order_count_and_page_on_every_backend() {
    use xinyong_domain::collection::RecordRow;
    use xinyong_storage::portal::{self, PublicRecordFilter, RecordCursor};
    let lp = |key| ("legal_person", key);
    let open = (Some("2026-01-05"), None);
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        append(
            store,
            vec![
                record("r1", "CF", "scjgj", lp(A), "2026-01-05", true, open),
                // Window ended yesterday, starts tomorrow, ends today: not shown.
                record("r2", "CF", "scjgj", lp(A), "2025-06-01", true, (Some("2025-06-01"), Some("2026-11-25"))),
                record("r3", "CF", "scjgj", lp(A), "2026-11-20", true, (Some("2026-11-27"), None)),
                record("r4", "CF", "scjgj", lp(A), "2025-11-26", true, (Some("2025-11-26"), Some("2026-11-26"))),
                // Not public, no window, a natural person, another item: not shown.
                record("r5", "CF", "scjgj", lp(A), "2026-02-01", false, open),
                record("r6", "CF", "scjgj", lp(A), "2026-02-01", true, (None, None)),
                record("r7", "CF", "scjgj", ("natural_person", P1), "2026-02-01", true, open),
                record("r8", "XK", "scjgj", lp(A), "2026-02-01", true, open),
                // Shown: a window ending tomorrow; two on the same day (ties by id).
                record("r9", "CF", "swj", lp(B), "2026-03-01", true, (Some("2026-03-01"), Some("2026-11-27"))),
                record("ra", "CF", "swj", lp(B), "2026-03-01", true, open),
                record("rb", "CF", "swj", lp(C), "2026-06-30", true, open),
            ],
        )
        .await;
        let filter = PublicRecordFilter { item: "CF".into(), today: "2026-11-26".into(), ..Default::default() };
        let ids = |rows: Vec<RecordRow>| -> Vec<String> { rows.into_iter().map(|r| r.id).collect::<Vec<_>>() };
        let all = portal::public_records(store, &filter, None, 100).await.unwrap();
        assert_eq!(ids(all), ["rb", "ra", "r9", "r1"], "{backend}");
        assert_eq!(portal::count_public_records(store, &filter, u64::MAX).await.unwrap(), 4, "{backend}");
        // A count stops where it is asked to.
        assert_eq!(portal::count_public_records(store, &filter, 3).await.unwrap(), 3, "{backend}");
        assert_eq!(portal::count_public_records(store, &filter, 4).await.unwrap(), 4, "{backend}");

        // Keyset pages of one row walk the same list, ties included.
        let mut walked = Vec::new();
        let mut cursor: Option<RecordCursor> = None;
        loop {
            let page = portal::public_records(store, &filter, cursor.as_ref(), 1).await.unwrap();
            let Some(last) = page.last() else { break };
            cursor = Some(RecordCursor::after(last));
            walked.extend(ids(page));
        }
        assert_eq!(walked, ["rb", "ra", "r9", "r1"], "{backend}");

        // Department, division (USCC positions 3–8) and decision-date filters.
        let by =
            |f: PublicRecordFilter| async move { ids(portal::public_records(store, &f, None, 100).await.unwrap()) };
        assert_eq!(by(PublicRecordFilter { department: Some("scjgj".into()), ..filter.clone() }).await, ["r1"]);
        assert_eq!(
            by(PublicRecordFilter { division_prefix: Some("4403".into()), ..filter.clone() }).await,
            ["ra", "r9"]
        );
        assert_eq!(by(PublicRecordFilter { division_prefix: Some("350100".into()), ..filter.clone() }).await, ["r1"]);
        // Wildcards are not digits: dropped, so "%" alone filters nothing.
        assert_eq!(by(PublicRecordFilter { division_prefix: Some("%".into()), ..filter.clone() }).await.len(), 4);
        assert_eq!(by(PublicRecordFilter { division_prefix: Some("1101%".into()), ..filter.clone() }).await, ["rb"]);
        let range = PublicRecordFilter {
            decided_from: Some("2026-03-01".into()),
            decided_to: Some("2026-03-01".into()),
            ..filter.clone()
        };
        assert_eq!(by(range.clone()).await, ["ra", "r9"], "{backend}");
        assert_eq!(portal::count_public_records(store, &range, u64::MAX).await.unwrap(), 2, "{backend}");
        assert_eq!(by(PublicRecordFilter { item: "XK".into(), ..filter.clone() }).await, ["r8"]);
        let none = PublicRecordFilter { item: "JC".into(), ..filter };
        assert_eq!(portal::count_public_records(store, &none, u64::MAX).await.unwrap(), 0);

        // A subject's public records of any item, newest first.
        let of_a = portal::public_records_of(store, &uscc(A), date("2026-11-26"), 10).await.unwrap();
        assert_eq!(ids(of_a), ["r8", "r1"], "{backend}");
        let of_b = portal::public_records_of(store, &uscc(B), date("2026-11-26"), 1).await.unwrap();
        assert_eq!(ids(of_b), ["ra"], "{backend}");
        // Tomorrow r9's window has ended.
        assert_eq!(ids(portal::public_records_of(store, &uscc(B), date("2026-11-27"), 10).await.unwrap()), ["ra"]);
    }
}

#[tokio::test]
async fn a_job_run_is_claimed_by_one_owner_at_a_time_on_every_backend() {
    use xinyong_storage::{JobRunFinish, StoredJobRun};
    let finish = |owner: &str, finished_ms: i64, next_run_ms: i64| JobRunFinish {
        name: "listing_expiry".to_owned(),
        owner: owner.to_owned(),
        finished_ms,
        next_run_ms,
        outcome: format!("ok by {owner}"),
    };
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        assert_eq!(store.job_run("listing_expiry").await.unwrap(), None, "{backend}");

        // Seeding twice leaves one fresh row: due at once, nobody's.
        store.seed_job_run("listing_expiry").await.unwrap();
        store.seed_job_run("listing_expiry").await.unwrap();
        let fresh = StoredJobRun {
            name: "listing_expiry".to_owned(),
            owner: None,
            lease_until_ms: 0,
            next_run_ms: 0,
            last_started_ms: None,
            last_finished_ms: None,
            last_outcome: None,
        };
        assert_eq!(store.job_run("listing_expiry").await.unwrap(), Some(fresh), "{backend}");

        // A live lease keeps everyone else out; only its owner renews it.
        assert!(store.claim_job_run("listing_expiry", "a", 1_000, 31_000).await.unwrap(), "{backend}");
        assert!(!store.claim_job_run("listing_expiry", "b", 1_000, 31_000).await.unwrap(), "{backend}");
        assert!(!store.claim_job_run("listing_expiry", "a", 30_999, 60_999).await.unwrap(), "{backend}");
        assert!(store.renew_job_run("listing_expiry", "a", 41_000).await.unwrap(), "{backend}");
        assert!(!store.renew_job_run("listing_expiry", "b", 41_000).await.unwrap(), "{backend}");
        assert!(!store.finish_job_run(&finish("b", 2_000, 5_000)).await.unwrap(), "{backend}");

        // A finished run frees the lease and is not due again before its interval.
        assert!(store.finish_job_run(&finish("a", 2_000, 5_000)).await.unwrap(), "{backend}");
        let row = store.job_run("listing_expiry").await.unwrap().unwrap();
        assert_eq!((row.owner.as_deref(), row.lease_until_ms, row.next_run_ms), (Some("a"), 0, 5_000), "{backend}");
        assert_eq!((row.last_started_ms, row.last_finished_ms), (Some(1_000), Some(2_000)), "{backend}");
        assert_eq!(row.last_outcome.as_deref(), Some("ok by a"), "{backend}");
        assert!(!store.claim_job_run("listing_expiry", "b", 4_999, 34_999).await.unwrap(), "{backend}");
        assert!(store.claim_job_run("listing_expiry", "b", 5_000, 35_000).await.unwrap(), "{backend}");

        // b crashes: its lease lapses and c takes over; b can then neither
        // renew nor finish over c's claim.
        assert!(!store.claim_job_run("listing_expiry", "c", 34_999, 64_999).await.unwrap(), "{backend}");
        assert!(store.claim_job_run("listing_expiry", "c", 35_000, 65_000).await.unwrap(), "{backend}");
        assert!(!store.renew_job_run("listing_expiry", "b", 66_000).await.unwrap(), "{backend}");
        assert!(!store.finish_job_run(&finish("b", 36_000, 99_000)).await.unwrap(), "{backend}");
        let row = store.job_run("listing_expiry").await.unwrap().unwrap();
        assert_eq!((row.owner.as_deref(), row.lease_until_ms), (Some("c"), 65_000), "{backend}");
        assert!(store.finish_job_run(&finish("c", 40_000, 100_000)).await.unwrap(), "{backend}");

        // A job that runs at start is pulled forward, never pushed back.
        store.advance_job_run("listing_expiry", 50_000).await.unwrap();
        store.advance_job_run("listing_expiry", 60_000).await.unwrap();
        assert_eq!(store.job_run("listing_expiry").await.unwrap().unwrap().next_run_ms, 50_000, "{backend}");

        store.seed_job_run("checkpoint_publisher").await.unwrap();
        let names: Vec<String> = store.job_runs().await.unwrap().into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["checkpoint_publisher", "listing_expiry"], "{backend}");
        // Job runs are not events: the log stays empty.
        assert_eq!(store.log_size().await.unwrap(), 0, "{backend}");
    }
}

#[tokio::test]
async fn of_many_concurrent_claimers_in_two_processes_exactly_one_wins() {
    for db in backends().await {
        // A second pool over the same database stands for a second process.
        let other = xinyong_storage::open(&db.url).await.unwrap();
        let stores: [Arc<dyn Store>; 2] = [db.store.clone(), other];
        let backend = stores[0].backend().as_str();
        stores[0].seed_job_run("webhook_delivery").await.unwrap();
        for round in 0..5_i64 {
            let now = 1_000 + round * 100_000;
            let barrier = Arc::new(tokio::sync::Barrier::new(8));
            let mut tasks = Vec::new();
            for i in 0..8 {
                let store = stores[i % 2].clone();
                let barrier = Arc::clone(&barrier);
                tasks.push(tokio::spawn(async move {
                    barrier.wait().await;
                    store.claim_job_run("webhook_delivery", &format!("owner-{i}"), now, now + 30_000).await.unwrap()
                }));
            }
            let mut winners = 0;
            for t in tasks {
                winners += usize::from(t.await.unwrap());
            }
            assert_eq!(winners, 1, "{backend}, round {round}");
            // Free the job for the next round: the winner's lease lapses.
            let row = stores[1].job_run("webhook_delivery").await.unwrap().unwrap();
            assert_eq!(row.last_started_ms, Some(now), "{backend}");
        }
    }
}
