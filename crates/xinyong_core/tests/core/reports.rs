//! Credit reports end to end in the core: a subject with 50 penalties in
//! publicity gets a report that verifies offline, and changing any byte of
//! any disclosure, proof or entry in it is caught and named; a clean
//! subject is proven absent from the status map.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch};
use xinyong_core::reports::verify::{TrustPolicy, verify_report};
use xinyong_core::reports::{Channel, issue_public};
use xinyong_domain::Uscc;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
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
    let failing_part = |change: &Change<'_>| failing_part(&signed, &payload, &trust, change);
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

    // The status: the map holds the fifty penalties, and each part is checked.
    let status = ok.status.as_ref().unwrap();
    assert_eq!((status.records.len(), status.lists.len()), (50, 0));
    status_parts_are_checked(&|change| failing_part(change));
}

type Change<'a> = dyn Fn(&mut serde_json::Value) + 'a;

/// The part `verify_report` names when `change` is made to the payload.
fn failing_part(
    signed: &xinyong_core::reports::format::SignedReport,
    payload: &serde_json::Value,
    trust: &TrustPolicy,
    change: &Change<'_>,
) -> String {
    let mut p = payload.clone();
    change(&mut p);
    let mut s = signed.clone();
    s.payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&p).unwrap());
    verify_report(&serde_json::to_vec(&s).unwrap(), trust).unwrap_err().part
}

/// Each part of the status proof, changed, is named; so is a report leaving
/// out a record or claiming a list the map does not hold.
fn status_parts_are_checked(failing_part: &dyn Fn(&Change<'_>) -> String) {
    let flip = |p: &mut serde_json::Value, at: &[&str]| {
        let mut v = &mut *p;
        for k in at {
            v = if let Ok(i) = k.parse::<usize>() { &mut v[i] } else { &mut v[*k] };
        }
        let mut bytes = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap();
        bytes[5] ^= 0x01;
        *v = base64::engine::general_purpose::STANDARD.encode(bytes).into();
    };
    let cases: [(&Change<'_>, &str); 7] = [
        (&|p| flip(p, &["status", "proof", "leaf", "value_digest"]), "status.proof"),
        (&|p| flip(p, &["status", "commitment", "proof", "0"]), "status.commitment.proof"),
        (
            &|p| {
                let v = p["status"]["value"].as_str().unwrap().replacen("\"index\":", "\"index\":1", 1);
                p["status"]["value"] = v.into();
            },
            "status.value",
        ),
        (&|p| p["status"]["value"] = serde_json::Value::Null, "status.value"),
        (
            &|p| {
                let d = p["status"]["commitment"]["disclosures"][2].as_str().unwrap();
                let mut bytes = URL_SAFE_NO_PAD.decode(d).unwrap();
                let k = bytes.len() - 3;
                bytes[k] ^= 0x01;
                p["status"]["commitment"]["disclosures"][2] = URL_SAFE_NO_PAD.encode(bytes).into();
            },
            "status.commitment.disclosures[2]",
        ),
        // A report leaving out one penalty, or claiming a list it is not on.
        (&|p| drop(p["records"].as_array_mut().unwrap().remove(10)), "records"),
        (
            &|p| {
                let listing = serde_json::json!({"list_name": "严重失信主体名单", "department": "市市场监管局",
                    "reason": "x", "decision_no": "x", "listed_on": "2026-01-01", "valid_until": null});
                p["lists"].as_array_mut().unwrap().push(listing);
            },
            "lists",
        ),
    ];
    for (change, part) in cases {
        assert_eq!(failing_part(change), part);
    }
}

#[tokio::test]
async fn a_clean_subject_is_proven_absent_from_the_status_map_until_a_penalty_arrives() {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    let uscc = Uscc::parse(USCC).unwrap();
    let subject = LegalPerson {
        uscc: uscc.clone(),
        name: SubjectName::parse("济南某某商贸有限公司").unwrap(),
        status: SubjectStatus::Active,
    };
    let registered = SubjectsEvent::LegalPersonRegistered { subject, people: vec![] };
    app.core.append(vec![NewEvent::new(Actor::system(), registered)]).await.unwrap();
    let trust = TrustPolicy { logs: vec![app.core.keys().verifier().unwrap()], ..Default::default() };
    let verified = |signed: &xinyong_core::reports::format::SignedReport| {
        verify_report(&serde_json::to_vec(signed).unwrap(), &trust).unwrap()
    };

    let clean = verified(&issue_public(&app.core, &uscc, Channel::Cli).await.unwrap().signed);
    assert_eq!(clean.status, None, "not in the map: on no list, no penalty in publicity");
    assert!(clean.report.status.proof.leaf.is_none() || clean.report.status.value.is_none());
    // Nothing changed: the next report proves against the same commitment.
    let again = verified(&issue_public(&app.core, &uscc, Channel::Cli).await.unwrap().signed);
    assert_eq!(again.status_index, clean.status_index);

    let mut table = fifty_penalties();
    table.rows.truncate(1);
    let request = IngestRequest {
        actor: Actor::parse("department:scjgj").unwrap(),
        department: DepartmentCode::parse("scjgj").unwrap(),
        item: Some("CF".to_owned()),
        source: Source::Cli,
        file_name: None,
        idempotency_key: None,
        table,
        lenient_codes: false,
        received_date: None,
        dry_run: false,
    };
    assert_eq!(ingest_batch(&app.core, request).await.unwrap().batch.accepted, 1);
    let penalised = verified(&issue_public(&app.core, &uscc, Channel::Cli).await.unwrap().signed);
    assert!(penalised.status_index > clean.status_index, "a new map is committed");
    assert_eq!(penalised.status.unwrap().records.len(), 1);
    // The job commits nothing new when nothing changed.
    let before = app.core.store().log_size().await.unwrap();
    let job = xinyong_core::reports::status_map::StatusMapJob { interval: std::time::Duration::from_secs(60) };
    xinyong_core::jobs::Job::run(&job, &app.core).await.unwrap();
    assert_eq!(app.core.store().log_size().await.unwrap(), before);
}
