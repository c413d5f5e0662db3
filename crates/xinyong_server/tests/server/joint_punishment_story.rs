//! Issue 5's acceptance story, end to end on one private database (SQLite, or
//! PostgreSQL when `XINYONG_TEST_DATABASE_URL` is set): propose → notice →
//! objection inside the window → objection answered, proposal upheld →
//! decision (listed) → a credit check in scenario 招标投标 returns the
//! mandatory measure → the executing department feeds back, citing the check
//! receipt → the loop metrics show it closed → the receipt verifies against the
//! log → when the validity ends (test clock) the measure no longer appears.

#![expect(clippy::unwrap_used, reason = "a story test fails loudly on anything unexpected")]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use xinyong_core::auth;
use xinyong_core::closed_loop::metrics::{LoopFilter, loop_metrics};
use xinyong_core::lists::listing::{self, ProposeListing};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::ObjectionOutcome;
use xinyong_domain::log::LogEntry;
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::SubjectsEvent;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_test_support::{TestApp, TestResponse};

const NAME: &str = "济南恒达食品有限公司";

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Moves the test clock to 10:00 Beijing time on `date`.
fn set_day(app: &TestApp, date: &str) {
    let d = day(date);
    let t = Utc.from_utc_datetime(&d.and_hms_opt(2, 0, 0).unwrap());
    app.clock.set(t);
}

async fn check(app: &TestApp, token: &str, subject: &str, case_ref: &str) -> Value {
    let r = app
        .post_json(
            "/api/v1/checks",
            &[("authorization", &format!("Bearer {token}"))],
            &json!({"subject": subject, "scenario": "bidding", "requester": "招投标系统", "case_ref": case_ref}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn must_codes(answer: &Value) -> Vec<String> {
    answer["measures"]["must"].as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap().to_owned()).collect()
}

async fn api(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> TestResponse {
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    app.send(request).await
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one story: a listing closes the joint punishment loop, step by step")]
async fn a_listing_closes_the_joint_punishment_loop_and_ends_with_its_validity() {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let scjgj = DepartmentCode::parse("scjgj").unwrap();
    let ggzyjy = DepartmentCode::parse("ggzyjy").unwrap();
    let token = auth::issue_token(&app.core, &Actor::system(), &ggzyjy, "招投标系统", [3; 32]).await.unwrap().token;

    // A company with a legal representative.
    let uscc = Uscc::from_parts('9', '1', "370102", "MA3CHD01").unwrap();
    let rep = IdNumber::from_parts("370102", day("1975-03-09"), 17).unwrap();
    app.core
        .append(vec![NewEvent::new(
            Actor::system(),
            SubjectsEvent::LegalPersonRegistered {
                subject: LegalPerson {
                    uscc: uscc.clone(),
                    name: SubjectName::parse(NAME).unwrap(),
                    status: SubjectStatus::Active,
                },
                people: vec![RoleHolder {
                    role: RelationRole::LegalRepresentative,
                    person: NaturalPerson { id_number: rep.clone(), name: SubjectName::parse("赵建国").unwrap() },
                }],
            },
        )])
        .await
        .unwrap();

    // 1. Proposal and prior notice (Thursday 2026-11-26): 5 working days.
    let acting = xinyong_test_support::user("scjgj", Some("scjgj"), &[Role::Operator, Role::Reviewer]);
    let proposal = ProposeListing {
        list_code: "samr-serious".to_owned(),
        subject: uscc.as_str().to_owned(),
        reason: "生产销售不符合食品安全标准的食品，被处以较重行政处罚".to_owned(),
        facts: "抽检不合格后继续销售，社会影响恶劣。".to_owned(),
        legal_basis: "济市监处罚〔2026〕88号行政处罚决定书".to_owned(),
        source_records: Vec::new(),
        proposed_on: None,
    };
    let id = listing::propose(&app.core, &acting, &scjgj, proposal).await.unwrap();
    let deadline = listing::serve_notice(&app.core, &acting, &id, day("2026-11-26"), "直接送达").await.unwrap();
    assert_eq!(deadline, day("2026-12-03"), "Thu + 5 working days skips the weekend");

    // 2. An objection inside the window holds the decision.
    set_day(&app, "2026-11-30");
    let objection =
        listing::file_objection(&app.core, &acting, &id, day("2026-11-30"), "处罚决定正在复议").await.unwrap();
    let held = listing::decide(&app.core, &acting, &id, "济市监列〔2026〕9号", day("2026-11-30")).await.unwrap_err();
    assert_eq!(held.code(), "listing_wrong_status", "{held}");

    // 3. The objection is answered (not upheld): the proposal stands and is decided.
    set_day(&app, "2026-12-01");
    listing::answer_objection(&app.core, &acting, &objection, ObjectionOutcome::Rejected, "复议机关已维持原处罚决定")
        .await
        .unwrap();
    // Four eyes: another reviewer of the department decides.
    let deciding = xinyong_test_support::user("zhang", Some("scjgj"), &[xinyong_domain::auth::Role::Reviewer]);
    listing::decide(&app.core, &deciding, &id, "济市监列〔2026〕9号", day("2026-12-01")).await.unwrap();
    let detail = listing::listing_detail(&app.core, &id).await.unwrap().unwrap();
    assert_eq!(detail.row.valid_until, Some(day("2029-11-30")), "three years, the last day included");

    // 4. The trading centre checks before a bid: the mandatory measure applies.
    app.sync_checks().await;
    let answer = check(&app, &token, uscc.as_str(), "ZB-2026-0042").await;
    assert_eq!(answer["decision"], "restrict", "{answer}");
    assert!(must_codes(&answer).contains(&"CJ-ZTB".to_owned()), "{answer}");
    let receipt_id = answer["receipt"]["id"].as_str().unwrap().to_owned();
    // The legal representative's ID number finds the personal liability, masked.
    let person = check(&app, &token, rep.as_str(), "ZB-2026-0043").await;
    assert_eq!(person["liabilities"].as_array().unwrap().len(), 1, "{person}");
    assert!(!person.to_string().contains(rep.as_str()), "the full ID number never leaves: {person}");
    app.flush_receipts().await;

    // 5. The measure was pushed to the trading centre's feed; it feeds back, citing the receipt.
    let feed = api(&app, "GET", "/api/v1/feeds/ggzyjy?after=0", &token, Value::Null).await;
    assert_eq!(feed.status, 200, "{}", feed.text());
    let items = feed.json()["items"].as_array().unwrap().clone();
    let item = items.iter().find(|i| i["listing_id"] == id.as_str()).unwrap();
    assert!(item["measures"].as_array().unwrap().iter().any(|m| m["code"] == "CJ-ZTB"), "{item}");
    let fed_back = api(
        &app,
        "POST",
        "/api/v1/feeds/ggzyjy/feedback",
        &token,
        json!({"listing_id": id, "measure": "CJ-ZTB", "outcome": "依法拒绝其参与济南市某学校食堂改造项目投标",
               "receipt_id": receipt_id, "case_ref": "ZB-2026-0042"}),
    )
    .await;
    assert_eq!(fed_back.status, 201, "{}", fed_back.text());
    let cases = api(
        &app,
        "POST",
        "/api/v1/cases",
        &token,
        json!({"cases": [{"case_ref": "ZB-2026-0042", "scenario": "bidding", "subject": uscc.as_str(), "handled_on": "2026-12-01"}]}),
    )
    .await;
    assert!(cases.status.is_success(), "{}", cases.text());

    // 6. The metrics show the loop closed for CJ-ZTB at the trading centre, and full coverage.
    let metrics = loop_metrics(&app.core, &LoopFilter::default()).await.unwrap();
    let line = metrics.lines.iter().find(|l| l.measure == "CJ-ZTB" && l.department == "ggzyjy").unwrap();
    assert_eq!((line.counts.pushed, line.counts.responded, line.counts.fed_back), (1, 1, 1));
    let dept = metrics.departments.iter().find(|d| d.department == "ggzyjy").unwrap();
    assert_eq!((dept.cases_reported, dept.cases_checked), (1, 1));
    assert_eq!(dept.coverage, Some(1.0));

    // 7. The receipt verifies against the log: digest → batch body → commitment → inclusion → signed checkpoint.
    let proof = app.get_with_token(&format!("/api/v1/checks/receipts/{receipt_id}"), &token).await;
    assert_eq!(proof.status, 200, "{}", proof.text());
    let proof = proof.json();
    let mut receipt = answer["receipt"].as_object().unwrap().clone();
    receipt.remove("id");
    let canonical = serde_json::to_string(&receipt).unwrap();
    assert_eq!(&receipt_id[12..], hex::encode(Sha256::digest(canonical.as_bytes())), "time prefix + digest");
    let body = proof["batch_body"].as_str().unwrap();
    let batch: Value = serde_json::from_str(body).unwrap();
    assert!(batch["receipts"].as_array().unwrap().iter().any(|r| r["id"] == receipt_id.as_str()));
    let salt = B64.decode(proof["salt_base64"].as_str().unwrap()).unwrap();
    let entry_bytes = B64.decode(proof["entry_base64"].as_str().unwrap()).unwrap();
    let entry = LogEntry::parse(&entry_bytes).unwrap();
    let commitment: [u8; 32] = Sha256::new().chain_update(&salt).chain_update(body.as_bytes()).finalize().into();
    assert_eq!(entry.body_commitment, commitment);
    let vkey = app.get("/log/key").await.text();
    let verifier = xinyong_tlog::NoteVerifier::parse(vkey.trim()).unwrap();
    let checkpoint = xinyong_tlog::open_checkpoint(proof["checkpoint"].as_str().unwrap(), &verifier).unwrap();
    let path: Vec<xinyong_tlog::Hash> = proof["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| B64.decode(h.as_str().unwrap()).unwrap().try_into().unwrap())
        .collect();
    xinyong_tlog::verify_inclusion(
        &xinyong_tlog::leaf_hash(&entry_bytes),
        entry.index,
        checkpoint.size,
        &path,
        &checkpoint.root,
    )
    .unwrap();

    // 8. The day after the validity ends the measure no longer applies — before
    //    the expiry job runs, and after it (which records the exit and lifts the push).
    set_day(&app, "2029-11-30");
    assert!(must_codes(&check(&app, &token, uscc.as_str(), "ZB-2029-0001").await).contains(&"CJ-ZTB".to_owned()));
    app.clock.advance(Duration::days(1));
    let after = check(&app, &token, uscc.as_str(), "ZB-2029-0002").await;
    assert!(must_codes(&after).is_empty(), "{after}");
    assert_eq!(after["decision"], "clear", "{after}");
    assert_eq!(listing::expire_due(&app.core).await.unwrap(), 1);
    app.sync_checks().await;
    assert_eq!(check(&app, &token, uscc.as_str(), "ZB-2029-0003").await["decision"], "clear");
    let feed = api(&app, "GET", "/api/v1/feeds/ggzyjy?after=0", &token, Value::Null).await.json();
    assert!(feed["items"].as_array().unwrap().iter().any(|i| i["listing_id"] == id.as_str() && i["kind"] == "lifted"));
    // The last checks' receipts reach the log in the background; verify once
    // they are there, not while their batch is being appended.
    app.flush_receipts().await;
    let no_progress = |_: &str, _: u64, _: u64| {};
    xinyong_core::log::verify::verify(&app.core, &no_progress).await.unwrap();
}
