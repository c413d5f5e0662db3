//! Collection (归集) end to end through `ingest_batch`, on the backend the
//! environment chooses.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use chrono::NaiveDate;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::IntakeLimits;
use xinyong_core::collection::intake::{
    IngestRequest, InputTable, Source, ingest_batch, load_batch, record_with_log_index,
};
use xinyong_core::log::CoreSettings;
use xinyong_core::log::verify::verify;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::Actor;
use xinyong_test_support::{TestApp, TestDb};

async fn app() -> TestApp {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    app
}

fn fixture(name: &str) -> InputTable {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(path).unwrap();
    let table = xinyong_tabular::read_table(&bytes, &Default::default()).unwrap();
    InputTable { headers: table.headers, rows: table.rows.into_iter().map(|r| (r.number as u64, r.cells)).collect() }
}

fn request(department: &str, item: Option<&str>, table: InputTable) -> IngestRequest {
    IngestRequest {
        actor: Actor::parse(&format!("department:{department}")).unwrap(),
        department: DepartmentCode::parse(department).unwrap(),
        item: item.map(str::to_owned),
        source: Source::Cli,
        file_name: None,
        idempotency_key: None,
        table,
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    }
}

fn no_progress(_: &str, _: u64, _: u64) {}

#[tokio::test]
async fn each_fixture_gives_the_expected_counts() {
    for (file, item, rows, accepted, rejected, warnings) in [
        ("penalties_utf8.csv", "CF", 14, 6, 8, 1),
        ("penalties_gbk.csv", "CF", 14, 6, 8, 1),
        ("licences.xlsx", "XK", 6, 3, 3, 0),
    ] {
        let app = app().await;
        let out = ingest_batch(&app.core, request("scjgj", None, fixture(file))).await.unwrap();
        let b = &out.batch;
        assert!(out.inferred_item, "{file}");
        assert_eq!(b.item, item, "{file}");
        assert_eq!((b.rows_total, b.accepted, b.rejected, b.warnings), (rows, accepted, rejected, warnings), "{file}");
        // Every rejected row is named with at least one field-level reason.
        for r in out.rows.iter().filter(|r| r.status == "rejected") {
            assert!(!r.errors.is_empty(), "{file} row {}", r.row);
            assert!(r.errors.iter().all(|e| !e.code.is_empty() && !e.message.is_empty()));
        }
        let stored = load_batch(&app.core, &b.id).await.unwrap().unwrap();
        assert_eq!(stored.reports.iter().filter(|r| r.status == "rejected").count() as u64, rejected);
        verify(&app.core, &no_progress).await.unwrap();
    }
}

#[tokio::test]
async fn rejected_rows_name_row_field_and_rule() {
    let app = app().await;
    let out = ingest_batch(&app.core, request("scjgj", Some("CF"), fixture("penalties_utf8.csv"))).await.unwrap();
    let codes = |row: u64| -> Vec<String> {
        out.rows.iter().find(|r| r.row == row).unwrap().errors.iter().map(|e| e.code.clone()).collect()
    };
    assert_eq!(codes(8), ["uscc_check_character"]);
    assert_eq!(codes(9), ["required_missing"]);
    assert_eq!(codes(10), ["date_in_future"]);
    assert_eq!(codes(11), ["date_invalid"]);
    assert_eq!(codes(12), ["enum_invalid"]);
    assert_eq!(codes(13), ["required_missing"]);
    assert_eq!(codes(14), ["id_number_check_digit"]);
    assert_eq!(codes(15), ["duplicate_key_in_batch"]);
    let row9 = out.rows.iter().find(|r| r.row == 9).unwrap();
    assert_eq!(row9.errors[0].field, "CF_SY");
    assert!(row9.errors[0].message.contains("违法事实"));
    let warned = out.rows.iter().find(|r| r.row == 7).unwrap();
    assert_eq!(warned.status, "accepted_with_warnings");
    assert_eq!(warned.warnings[0].code, "fine_amount_suspicious");
}

/// Every stored record, counted with the store's whole-table scan.
async fn count_records(app: &TestApp) -> usize {
    let mut scan = app.core.store().scan_rows(&xinyong_domain::collection::RECORDS, 1_000);
    let mut n = 0;
    while let Some(page) = scan.next_page().await.unwrap() {
        n += page.len();
    }
    n
}

#[tokio::test]
async fn the_same_upload_twice_adds_no_record_and_no_event() {
    let app = app().await;
    let first = ingest_batch(&app.core, request("scjgj", None, fixture("penalties_utf8.csv"))).await.unwrap();
    let size = app.core.store().log_size().await.unwrap();
    let records = count_records(&app).await;
    let again = ingest_batch(&app.core, request("scjgj", None, fixture("penalties_utf8.csv"))).await.unwrap();
    assert!(again.already_received);
    assert_eq!(again.batch.id, first.batch.id);
    assert_eq!(again.batch.accepted, first.batch.accepted);
    assert_eq!(app.core.store().log_size().await.unwrap(), size);
    // The same content in another encoding is the same batch.
    let gbk = ingest_batch(&app.core, request("scjgj", None, fixture("penalties_gbk.csv"))).await.unwrap();
    assert!(gbk.already_received);
    assert_eq!(gbk.rows.iter().filter(|r| r.status == "duplicate").count(), 6);
    assert_eq!(app.core.store().log_size().await.unwrap(), size);
    // The same rows in a file with its columns reordered: duplicates, no new records.
    let mut t = fixture("penalties_utf8.csv");
    t.headers.reverse();
    for (_, cells) in &mut t.rows {
        cells.reverse();
    }
    let reordered = ingest_batch(&app.core, request("scjgj", None, t)).await.unwrap();
    assert!(!reordered.already_received);
    assert_eq!((reordered.batch.accepted, reordered.batch.duplicates), (0, 6));
    assert_eq!(reordered.batch.rejected, 8);
    assert_eq!(count_records(&app).await, records);
}

const CF_HEADERS: [&str; 17] = [
    "CF_XDR_MC",
    "CF_XDR_LB",
    "CF_XDR_SHXYM",
    "CF_FRDB",
    "CF_WSH",
    "CF_WFXW",
    "CF_SY",
    "CF_YJ",
    "CF_CFLB",
    "CF_NR",
    "CF_NR_FK",
    "CF_JDRQ",
    "CF_YXQ",
    "CF_CFJG",
    "CF_CFJGDM",
    "CF_SJLY",
    "CF_SJLYDM",
];

fn penalty(uscc: &str, doc: &str, fact: &str, category: &str, fine: &str, date: &str) -> Vec<String> {
    [
        "济南鑫泰建筑工程有限公司",
        "法人及非法人组织",
        uscc,
        "李卫东",
        doc,
        "违法建设",
        fact,
        "《建设工程质量管理条例》第六十四条",
        category,
        "依法处罚",
        fine,
        date,
        date,
        "济南市住房和城乡建设局",
        ZJJ_USCC,
        "济南市住房和城乡建设局",
        ZJJ_USCC,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

const ZJJ_USCC: &str = "113701000041882744";
const SUBJECT: &str = "91370112MA3D8N0Q3C";

fn table(rows: Vec<Vec<String>>) -> InputTable {
    InputTable {
        headers: CF_HEADERS.iter().map(|s| s.to_string()).collect(),
        rows: rows.into_iter().enumerate().map(|(i, r)| (i as u64 + 2, r)).collect(),
    }
}

#[tokio::test]
async fn penalties_get_the_window_of_the_regime_in_force_on_their_decision_date() {
    let app = app().await;
    let out = ingest_batch(
        &app.core,
        request(
            "zjj",
            Some("CF"),
            table(vec![
                penalty(SUBJECT, "济建罚〔2024〕1号", "施工质量不合格", "罚款", "5", "2024-06-01"),
                penalty(SUBJECT, "济建罚〔2026〕9号", "施工质量不合格", "罚款", "5", "2026-05-01"),
            ]),
        ),
    )
    .await
    .unwrap();
    assert_eq!(out.batch.accepted, 2, "{:?}", out.rows);
    let get = |row: u64| {
        let id = out.rows.iter().find(|r| r.row == row).unwrap().record_id.clone().unwrap();
        let app = &app;
        async move { record_with_log_index(&app.core, &id).await.unwrap().unwrap().0 }
    };
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let b = get(2).await.publicity;
    assert_eq!(b.regime, "ndrc-order-58");
    assert_eq!(
        (b.window_start, b.earliest_end, b.latest_end),
        (Some(d("2024-06-01")), Some(d("2024-09-01")), Some(d("2027-06-01")))
    );
    let c = get(3).await.publicity;
    assert_eq!(c.regime, "gbf-2025-22");
    assert_eq!(c.severity.as_deref(), Some("general"));
    assert_eq!(
        (c.window_start, c.earliest_end, c.latest_end),
        (Some(d("2026-05-01")), Some(d("2026-08-01")), Some(d("2027-05-01")))
    );
    assert!(b.public && c.public);
}

#[tokio::test]
async fn a_simplified_procedure_penalty_is_stored_as_non_public_with_its_reason() {
    let app = app().await;
    let out = ingest_batch(
        &app.core,
        request(
            "zjj",
            Some("CF"),
            table(vec![penalty(SUBJECT, "济建简罚〔2026〕3号", "未公示许可", "警告", "", "2026-10-20")]),
        ),
    )
    .await
    .unwrap();
    let id = out.rows[0].record_id.clone().unwrap();
    let (record, _) = record_with_log_index(&app.core, &id).await.unwrap().unwrap();
    assert!(!record.publicity.public);
    assert_eq!(record.publicity.non_public_reason.as_deref(), Some("simplified_procedure"));
}

#[tokio::test]
async fn a_licence_decided_before_national_day_counts_working_days_on_the_2026_schedule() {
    let app = app().await;
    let mut req = request("scjgj", None, fixture("licences.xlsx"));
    req.received_date = Some(NaiveDate::from_ymd_opt(2026, 10, 12).unwrap());
    let out = ingest_batch(&app.core, req).await.unwrap();
    let id = out.rows.iter().find(|r| r.row == 2).unwrap().record_id.clone().unwrap();
    let (record, _) = record_with_log_index(&app.core, &id).await.unwrap().unwrap();
    assert_eq!(record.decision_date, NaiveDate::from_ymd_opt(2026, 9, 25).unwrap());
    // 9-28, 9-29, 9-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12.
    assert_eq!(record.working_days, Some(7));
    assert_eq!(record.deadline_working_days, 7);
}

#[tokio::test]
async fn a_changed_row_is_a_correction_carrying_the_diff_and_provenance_is_kept() {
    let app = app().await;
    let first = ingest_batch(
        &app.core,
        request(
            "zjj",
            Some("CF"),
            table(vec![penalty(SUBJECT, "济建罚〔2026〕5号", "原事实", "罚款", "1", "2026-06-01")]),
        ),
    )
    .await
    .unwrap();
    let id = first.rows[0].record_id.clone().unwrap();
    let (before, index_before) = record_with_log_index(&app.core, &id).await.unwrap().unwrap();
    assert_eq!(before.batch_id, first.batch.id);
    assert_eq!(before.department.as_str(), "zjj");
    assert_eq!(before.catalog_version, app.core.rules().catalog.version());
    let entry = String::from_utf8(app.core.entry(index_before).await.unwrap()).unwrap();
    assert!(entry.contains("kind record_accepted\n") && entry.contains(&format!("subject {SUBJECT}\n")));

    let second = ingest_batch(
        &app.core,
        request(
            "zjj",
            Some("CF"),
            table(vec![penalty(SUBJECT, "济建罚〔2026〕5号", "更正后的事实", "罚款", "1", "2026-06-01")]),
        ),
    )
    .await
    .unwrap();
    assert_eq!(second.rows[0].status, "corrected");
    assert_eq!(second.batch.corrected, 1);
    let (after, index_after) = record_with_log_index(&app.core, &id).await.unwrap().unwrap();
    assert!(index_after > index_before);
    assert_eq!(after.fields["CF_SY"], "更正后的事实");
    assert_eq!(after.received_date, before.received_date, "timeliness counts the first report");
    let events = app.core.store().events_from(index_after, 1).await.unwrap();
    let body: serde_json::Value = serde_json::from_str(events[0].body.as_deref().unwrap()).unwrap();
    assert_eq!(body["kind"], "record_corrected");
    assert_eq!(body["changes"][0]["field"], "CF_SY");
    assert_eq!(body["changes"][0]["old"], "原事实");
    verify(&app.core, &no_progress).await.unwrap();
}

#[tokio::test]
async fn a_department_can_submit_only_the_items_it_owns_and_unknown_columns_are_reported() {
    let app = app().await;
    let mut t = table(vec![penalty(SUBJECT, "X〔2026〕1号", "事实", "罚款", "1", "2026-06-01")]);
    let err = ingest_batch(&app.core, request("scjgj", Some("SXBZXR"), t.clone())).await.unwrap_err();
    assert_eq!(err.code(), "item_not_allowed");
    t.headers.push("我的内部编号".to_owned());
    for (_, cells) in &mut t.rows {
        cells.push("INT-1".to_owned());
    }
    let out = ingest_batch(&app.core, request("zjj", Some("CF"), t)).await.unwrap();
    assert_eq!(out.unknown_columns, ["我的内部编号"]);
    assert_eq!(out.batch.accepted, 1);
    let err = ingest_batch(&app.core, request("nosuchdept", Some("CF"), table(vec![]))).await.unwrap_err();
    assert_eq!(err.code(), "department_unknown");
}

#[tokio::test]
async fn a_dry_run_validates_and_writes_nothing() {
    let app = app().await;
    let size = app.core.store().log_size().await.unwrap();
    let mut req = request("scjgj", None, fixture("penalties_utf8.csv"));
    req.dry_run = true;
    let out = ingest_batch(&app.core, req).await.unwrap();
    assert_eq!((out.batch.accepted, out.batch.rejected), (6, 8));
    assert_eq!(app.core.store().log_size().await.unwrap(), size);
}

/// `n` rows of which the first `bad` have a broken decision date; each good
/// row is its own record.
fn rows_with_broken_dates(n: usize, bad: usize) -> InputTable {
    table(
        (0..n)
            .map(|i| {
                let date = if i < bad { "2026-13-45" } else { "2026-11-02" };
                penalty(SUBJECT, &format!("济建罚〔2026〕{}号", 1000 + i), "违法建设", "罚款", "1", date)
            })
            .collect(),
    )
}

#[tokio::test]
async fn a_batch_of_mostly_rejected_rows_is_refused_whole_with_a_summary() {
    let app = app().await;
    let before = app.core.store().log_size().await.unwrap();
    // 200 rows, 150 broken: more than half rejected.
    let e = ingest_batch(&app.core, request("zjj", Some("CF"), rows_with_broken_dates(200, 150))).await.unwrap_err();
    assert_eq!(e.code(), "batch_mostly_rejected");
    let message = e.to_string();
    assert!(message.contains("本批 200 行") && message.contains("整批未接收"), "{message}");
    assert!(message.contains("date_invalid") && message.contains("首见第 2 行"), "{message}");
    // Nothing was written.
    assert_eq!(app.core.store().log_size().await.unwrap(), before);
    // A dry run is refused the same way (its answer would be as large).
    let mut dry = request("zjj", Some("CF"), rows_with_broken_dates(200, 150));
    dry.dry_run = true;
    assert_eq!(ingest_batch(&app.core, dry).await.unwrap_err().code(), "batch_mostly_rejected");

    // Within the allowance the batch is kept, rejected rows and all.
    let out = ingest_batch(&app.core, request("zjj", Some("CF"), rows_with_broken_dates(200, 40))).await.unwrap();
    assert_eq!((out.batch.accepted, out.batch.rejected), (160, 40));
    // A small file is kept whatever its share: the clerk gets the error report.
    let out = ingest_batch(&app.core, request("zjj", Some("CF"), rows_with_broken_dates(10, 10))).await.unwrap();
    assert_eq!((out.batch.accepted, out.batch.rejected), (0, 10));
    verify(&app.core, &no_progress).await.unwrap();
}

#[tokio::test]
async fn an_empty_row_refuses_the_batch_before_anything_is_stored() {
    let app = app().await;
    let before = app.core.store().log_size().await.unwrap();
    let mut t = rows_with_broken_dates(3, 0);
    let width = t.headers.len();
    for n in 0..99_996 {
        t.rows.push((n + 10, vec![String::new(); width]));
    }
    t.rows.push((200_000, vec!["  ".to_owned(); width]));
    let e = ingest_batch(&app.core, request("zjj", Some("CF"), t)).await.unwrap_err();
    assert_eq!(e.code(), "row_empty");
    assert!(e.to_string().contains("第 10 行没有任何内容（另有 99996 行同样）"), "{e}");
    assert_eq!(app.core.store().log_size().await.unwrap(), before);
}

#[tokio::test]
async fn a_department_cannot_send_more_than_its_daily_quota_through_the_api() {
    let intake = IntakeLimits { max_rows_per_department_per_day: 300, ..IntakeLimits::default() };
    let app = TestApp::with_settings(TestDb::new().await, CoreSettings { intake, ..CoreSettings::default() }).await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    let api = |rows: InputTable| IngestRequest { source: Source::Api, ..request("zjj", Some("CF"), rows) };
    let batch = |from: usize, n: usize| {
        table(
            (from..from + n)
                .map(|i| penalty(SUBJECT, &format!("济建罚〔2026〕{i}号"), "违法建设", "罚款", "1", "2026-11-02"))
                .collect(),
        )
    };
    ingest_batch(&app.core, api(batch(0, 200))).await.unwrap();
    let before = app.core.store().log_size().await.unwrap();
    // A dry run of any size is not counted, and answers as before.
    let mut dry = api(batch(200, 200));
    dry.dry_run = true;
    ingest_batch(&app.core, dry).await.unwrap();
    let e = ingest_batch(&app.core, api(batch(200, 200))).await.unwrap_err();
    assert_eq!(e.code(), "department_quota_exceeded");
    assert!(e.to_string().contains("今日已报送 200 行") && e.to_string().contains("每日上限 300 行"), "{e}");
    assert_eq!(app.core.store().log_size().await.unwrap(), before, "nothing written");
    // Within what is left, and for another department, batches go through.
    ingest_batch(&app.core, api(batch(200, 100))).await.unwrap();
    // The operator's own import is not a department's daily traffic.
    ingest_batch(&app.core, request("zjj", Some("CF"), batch(400, 50))).await.unwrap();
}

/// The batch size is a setting: it bounds how long one batch holds the log's
/// single writer (issue 11, finding 1).
#[tokio::test]
async fn a_batch_larger_than_the_configured_size_is_refused_whole() {
    let intake = IntakeLimits { max_rows_per_batch: 50, ..IntakeLimits::default() };
    let app = TestApp::with_settings(TestDb::new().await, CoreSettings { intake, ..CoreSettings::default() }).await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    let batch = |n: usize| {
        table(
            (0..n)
                .map(|i| penalty(SUBJECT, &format!("济建罚〔2026〕{i}号"), "违法建设", "罚款", "1", "2026-11-02"))
                .collect(),
        )
    };
    let before = app.core.store().log_size().await.unwrap();
    let e = ingest_batch(&app.core, request("zjj", Some("CF"), batch(51))).await.unwrap_err();
    assert_eq!(e.code(), "batch_too_large");
    assert!(e.to_string().contains("最多 50 行") && e.to_string().contains("本次 51 行"), "{e}");
    assert_eq!(app.core.store().log_size().await.unwrap(), before, "nothing written");
    let done = ingest_batch(&app.core, request("zjj", Some("CF"), batch(50))).await.unwrap();
    assert_eq!(done.batch.accepted, 50);
}

/// A row naming a legal representative other than the registered one is
/// accepted with a warning that masks the registered name (issue 15, item 9).
#[tokio::test]
async fn a_legal_representative_other_than_the_registered_one_is_a_warning() {
    use xinyong_domain::event::NewEvent;
    use xinyong_domain::subjects::SubjectsEvent;
    use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, RoleHolder, SubjectName, SubjectStatus};
    let app = app().await;
    let rep = NaturalPerson {
        id_number: xinyong_domain::IdNumber::from_parts("370102", NaiveDate::from_ymd_opt(1972, 4, 9).unwrap(), 515)
            .unwrap(),
        name: SubjectName::parse("李卫东").unwrap(),
    };
    let registered = SubjectsEvent::LegalPersonRegistered {
        subject: LegalPerson {
            uscc: xinyong_domain::Uscc::parse(SUBJECT).unwrap(),
            name: SubjectName::parse("济南鑫泰建筑工程有限公司").unwrap(),
            status: SubjectStatus::Active,
        },
        people: vec![RoleHolder { role: RelationRole::LegalRepresentative, person: rep }],
    };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), registered)]).await.unwrap();
    let mut other = penalty(SUBJECT, "济建罚〔2026〕12号", "施工质量不合格", "罚款", "5", "2026-05-01");
    other[3] = "王建军".to_owned();
    let rows = vec![penalty(SUBJECT, "济建罚〔2026〕11号", "施工质量不合格", "罚款", "5", "2026-05-01"), other];
    let out = ingest_batch(&app.core, request("zjj", Some("CF"), table(rows))).await.unwrap();
    assert_eq!(out.batch.accepted, 2, "{:?}", out.rows);
    let same = out.rows.iter().find(|r| r.row == 2).unwrap();
    assert!(same.warnings.is_empty(), "{same:?}");
    let differs = out.rows.iter().find(|r| r.row == 3).unwrap();
    assert_eq!(differs.status, "accepted_with_warnings");
    let warning = &differs.warnings[0];
    assert_eq!((warning.field.as_str(), warning.code.as_str()), ("CF_FRDB", "legal_rep_mismatch"));
    assert!(warning.message.contains("王建军") && !warning.message.contains("李卫东"), "{}", warning.message);
}

/// Records written in entry format v1 (one commitment per body) and later in
/// v2 (one digest per field) live in one log: `verify` recomputes each in
/// its own format, and only the v2 ones open field by field.
#[tokio::test]
async fn entries_written_before_and_after_format_v2_verify_in_one_log() {
    let settings = CoreSettings { write_v1_entries: true, ..CoreSettings::default() };
    let app = TestApp::with_settings(TestDb::new().await, settings).await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    let old = ingest_batch(&app.core, request("scjgj", None, fixture("penalties_utf8.csv"))).await.unwrap();
    // The same database, reopened by a build that writes v2.
    let keys = xinyong_test_support::test_keys();
    let clock = std::sync::Arc::new(app.clock.clone());
    let core = xinyong_core::Core::new(app.db.store.clone(), clock, keys, CoreSettings::default());
    let new = ingest_batch(&core, request("scjgj", None, fixture("licences.xlsx"))).await.unwrap();
    assert_eq!((old.batch.accepted, new.batch.accepted), (6, 3));

    let size = core.store().log_size().await.unwrap();
    let entries = core.store().events_from(0, size as u32).await.unwrap();
    let with_header = |header: &str, kind: &str| {
        entries.iter().filter(|e| e.kind == kind && e.entry().unwrap().starts_with(header.as_bytes())).count()
    };
    assert_eq!(with_header("xinyong-entry/v1\n", "record_accepted"), 6);
    assert_eq!(with_header("xinyong-entry/v2\n", "record_accepted"), 3);
    assert_eq!(with_header("xinyong-entry/v2\n", "batch_received"), 0, "only records are v2");
    core.checkpoint().await.unwrap();
    let report = verify(&core, &no_progress).await.unwrap();
    assert_eq!(report.entries, size);

    for e in entries.iter().filter(|e| e.kind == "record_accepted") {
        let v = xinyong_core::portal::verify_entry(&core, e.seq as u64).await.unwrap();
        assert!(v.proof_check.is_ok());
        let v2 = e.entry().unwrap().starts_with(b"xinyong-entry/v2\n");
        assert_eq!(v.field_count.is_some(), v2);
        assert!(v.disclosures.iter().all(|d| d.matches));
        if !v2 {
            assert!(v.disclosures.is_empty());
        }
    }
}
