//! Credit reports end to end in the core: a subject with 50 penalties in
//! publicity gets a report that verifies offline, and changing any byte of
//! any disclosure, proof or entry in it is caught and named.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch};
use xinyong_core::reports::verify::{TrustPolicy, verify_report};
use xinyong_core::reports::{Channel, issue_public};
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::Actor;
use xinyong_test_support::TestApp;

const USCC: &str = "91370112MA3D8N0Q3C";

/// Fifty penalties of one company, from the fixture's second row.
fn fifty_penalties() -> InputTable {
    let path = format!("{}/../../tests/fixtures/penalties_utf8.csv", env!("CARGO_MANIFEST_DIR"));
    let table = xinyong_tabular::read_table(&std::fs::read(path).unwrap(), &Default::default()).unwrap();
    let column = |name: &str| table.headers.iter().position(|h| h == name).unwrap();
    let (doc, decided, valid) = (column("行政处罚决定书文号"), column("处罚决定日期"), column("处罚有效期"));
    let template = table.rows.into_iter().find(|r| r.cells.iter().any(|c| c == USCC)).unwrap().cells;
    let rows = (1..=50u64)
        .map(|n| {
            let mut cells = template.clone();
            cells[doc] = format!("济市监罚〔2026〕{}号", 200 + n);
            // Decided in the last weeks, so that every one is in publicity.
            cells[decided] = "2026-11-02".to_owned();
            cells[valid] = "2027-11-02".to_owned();
            (n + 1, cells)
        })
        .collect();
    InputTable { headers: table.headers, rows }
}

#[tokio::test]
async fn a_report_with_fifty_records_verifies_and_any_changed_byte_is_named() {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    let request = IngestRequest {
        actor: Actor::parse("department:scjgj").unwrap(),
        department: DepartmentCode::parse("scjgj").unwrap(),
        item: Some("CF".to_owned()),
        source: Source::Cli,
        file_name: None,
        idempotency_key: None,
        table: fifty_penalties(),
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    };
    let out = ingest_batch(&app.core, request).await.unwrap();
    assert_eq!(out.batch.accepted, 50, "{:?}", out.batch);

    let signed = issue_public(&app.core, &Uscc::parse(USCC).unwrap(), Channel::Cli).await.unwrap().signed;
    let file = serde_json::to_vec(&signed).unwrap();
    let trust = TrustPolicy { logs: vec![app.core.keys().verifier().unwrap()], ..Default::default() };
    let ok = verify_report(&file, &trust).unwrap();
    assert_eq!(ok.report.records.len(), 50);
    assert_eq!(ok.v1_records, 0);
    assert!(ok.disclosed_fields >= 50 * 10, "{}", ok.disclosed_fields);

    // One byte of one field, of one proof hash, of one entry, in every record.
    let payload: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&signed.payload).unwrap()).unwrap();
    let failing_part = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut p = payload.clone();
        change(&mut p);
        let mut s = signed.clone();
        s.payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&p).unwrap());
        verify_report(&serde_json::to_vec(&s).unwrap(), &trust).unwrap_err().part
    };
    for i in 0..50 {
        let n = payload["records"][i]["disclosures"].as_array().unwrap().len();
        for j in [0, n / 2, n - 1] {
            let change = |p: &mut serde_json::Value| {
                let d = p["records"][i]["disclosures"][j].as_str().unwrap();
                let mut bytes = URL_SAFE_NO_PAD.decode(d).unwrap();
                let k = bytes.len() - 3; // inside the value, before `"]`
                bytes[k] ^= 0x01;
                p["records"][i]["disclosures"][j] = URL_SAFE_NO_PAD.encode(bytes).into();
            };
            assert_eq!(failing_part(&change), format!("records[{i}].disclosures[{j}]"));
        }
        let proof = |p: &mut serde_json::Value| {
            let h = p["records"][i]["proof"][0].as_str().unwrap();
            let mut bytes = base64::engine::general_purpose::STANDARD.decode(h).unwrap();
            bytes[7] ^= 0x80;
            p["records"][i]["proof"][0] = base64::engine::general_purpose::STANDARD.encode(bytes).into();
        };
        assert_eq!(failing_part(&proof), format!("records[{i}].proof"));
        let entry = |p: &mut serde_json::Value| {
            let e = p["records"][i]["entry"].as_str().unwrap().replacen("time 2", "time 1", 1);
            p["records"][i]["entry"] = e.into();
        };
        assert_eq!(failing_part(&entry), format!("records[{i}].proof"));
    }
    assert_eq!(failing_part(&|p| p["records"][3]["index"] = 1.into()), "records[3].entry");
}
