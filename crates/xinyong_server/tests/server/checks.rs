//! `POST /api/v1/checks` (应查必查), the batch form, and receipts that an
//! independent verifier written here proves against the log (the same
//! approach as `log_endpoints.rs`: only sha2, ed25519-dalek and base64).

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use xinyong_core::auth;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::closed_loop::MeasurePush;
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::ListsEvent;
use xinyong_domain::lists::sanction::ListKind;
use xinyong_domain::lists::{Ban, BanScope, ListingProposal};
use xinyong_domain::log::LogEntry;
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::SubjectsEvent;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_test_support::{TestApp, TestResponse, assert_matches_schema};

use crate::independent::{H, leaf, open_checkpoint, parse_vkey, root_from_inclusion, sha};

const LISTED_USCC: &str = "91370112MA3D8N0Q3C";
const LISTED_NAME: &str = "济南鑫泰建筑工程有限公司";
const CLEAN_NAME: &str = "济南清源商贸有限公司";
const BANNED_NAME: &str = "济南禁入食品有限公司";
const DECISION_NO: &str = "济市监信〔2026〕8号";

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn uscc(body: &str) -> Uscc {
    Uscc::from_parts('9', '1', "370102", body).unwrap()
}

fn rep_id() -> IdNumber {
    IdNumber::from_parts("370102", d("1980-05-17"), 123).unwrap()
}

fn register(u: &Uscc, name: &str, people: Vec<RoleHolder>) -> NewEvent {
    NewEvent::new(
        Actor::system(),
        SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: u.clone(),
                name: SubjectName::parse(name).unwrap(),
                status: SubjectStatus::Active,
            },
            people,
        },
    )
}

struct World {
    app: TestApp,
    token: String,
    clean: Uscc,
    banned: Uscc,
}

/// An organisation on `samr-serious` (decided 2026-06-01, three years) with
/// a legal representative, a clean one and one under an industry ban.
#[expect(clippy::too_many_lines, reason = "one world built in order: subjects, a listing, its decision and a ban")]
async fn world() -> World {
    let app = TestApp::new().await;
    auth::seed_departments(&app.core, &auth::shipped_departments().unwrap()).await.unwrap();
    let ggzyjy = DepartmentCode::parse("ggzyjy").unwrap();
    let token = auth::issue_token(&app.core, &Actor::system(), &ggzyjy, "招投标系统", [7; 32]).await.unwrap().token;

    let listed = Uscc::parse(LISTED_USCC).unwrap();
    let rep = RoleHolder {
        role: RelationRole::LegalRepresentative,
        person: NaturalPerson { id_number: rep_id(), name: SubjectName::parse("李卫东").unwrap() },
    };
    let clean = uscc("MA3C0001");
    let banned = uscc("MA3C0002");
    let subject =
        RecordSubject { kind: "legal_person".to_owned(), key: LISTED_USCC.to_owned(), name: LISTED_NAME.to_owned() };
    let scjgj = DepartmentCode::parse("scjgj").unwrap();
    let rules = app.core.rules().sanction_versions();
    let listing_id = "LS0123456789abcdef".to_owned();
    let events = vec![
        register(&listed, LISTED_NAME, vec![rep.clone()]),
        register(&clean, CLEAN_NAME, vec![]),
        register(&banned, BANNED_NAME, vec![]),
        NewEvent {
            actor: Actor::parse("department:scjgj").unwrap(),
            rules: rules.clone(),
            body: ListsEvent::ListingProposed {
                proposal: ListingProposal {
                    id: listing_id.clone(),
                    list_code: "samr-serious".to_owned(),
                    lists_version: "2026.1".to_owned(),
                    subject: subject.clone(),
                    department: scjgj.clone(),
                    reason: "提供虚假材料骗取许可".to_owned(),
                    facts: "…".to_owned(),
                    legal_basis: "济市监罚〔2026〕101号".to_owned(),
                    source_records: vec![],
                    proposed_on: d("2026-05-06"),
                },
                list_kind: ListKind::Serious,
                proposed_by: None,
            }
            .into(),
        },
        NewEvent {
            actor: Actor::parse("department:scjgj").unwrap(),
            rules: rules.clone(),
            body: ListsEvent::ListingNoticeServed {
                listing_id: listing_id.clone(),
                served_on: d("2026-05-07"),
                objection_deadline: d("2026-05-14"),
                channel: "直接送达".to_owned(),
            }
            .into(),
        },
        NewEvent {
            actor: Actor::parse("department:scjgj").unwrap(),
            rules: rules.clone(),
            body: ListsEvent::ListingDecided {
                listing_id: listing_id.clone(),
                list_code: "samr-serious".to_owned(),
                subject,
                decision_no: DECISION_NO.to_owned(),
                decided_on: d("2026-06-01"),
                valid_from: d("2026-06-01"),
                valid_until: Some(d("2029-05-31")),
                measures: vec!["CJ-ZTB".to_owned(), "CJ-ZFCG".to_owned(), "CJ-PYPX".to_owned()],
                pushes: vec![MeasurePush { measure: "CJ-ZTB".to_owned(), department: ggzyjy.clone() }],
                liable_people: vec![rep],
            }
            .into(),
        },
        NewEvent {
            actor: Actor::parse("department:scjgj").unwrap(),
            rules,
            body: ListsEvent::BanImposed {
                ban: Ban {
                    id: "BN0123456789abcdef".to_owned(),
                    subject: RecordSubject {
                        kind: "legal_person".to_owned(),
                        key: banned.as_str().to_owned(),
                        name: BANNED_NAME.to_owned(),
                    },
                    scope: BanScope::Industry,
                    field: "食品生产经营".to_owned(),
                    description: "五年内不得从事食品生产经营".to_owned(),
                    basis: "《中华人民共和国食品安全法》第一百三十五条".to_owned(),
                    department: scjgj,
                    decision_no: "济市监禁〔2026〕3号".to_owned(),
                    starts_on: d("2026-03-01"),
                    ends_on: Some(d("2031-02-28")),
                    listing_id: None,
                },
            }
            .into(),
        },
    ];
    app.core.append(events).await.unwrap();
    app.sync_checks().await;
    World { app, token, clean, banned }
}

async fn check(w: &World, body: Value) -> TestResponse {
    let auth = format!("Bearer {}", w.token);
    w.app.post_json("/api/v1/checks", &[("authorization", &auth)], &body).await
}

async fn check_ok(w: &World, subject: &str, scenario: &str) -> Value {
    let r = check(
        w,
        json!({"subject": subject, "scenario": scenario, "requester": "officer-17", "case_ref": "ZB-2026-001"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|m| m["code"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_listed_company_is_restricted_from_bidding() {
    let w = world().await;
    let a = check_ok(&w, LISTED_USCC, "bidding").await;
    assert_eq!(a["decision"], "restrict");
    assert_eq!(a["found"], true);
    assert_eq!(codes(&a["measures"]["must"]), ["CJ-ZTB"]);
    assert_eq!(a["subject"]["name"], LISTED_NAME);
    assert_eq!(a["memberships"][0]["list_code"], "samr-serious");
    assert_eq!(a["memberships"][0]["department"], "scjgj");
    assert_eq!(a["memberships"][0]["decision_no"], DECISION_NO);
    let summary = a["summary"].as_str().unwrap();
    assert!(
        summary.contains("市场监督管理严重违法失信名单") && summary.contains("依法限制参与招标投标活动"),
        "{summary}"
    );
    assert_eq!(a["receipt"]["format"], "xinyong-receipt/v1");
    assert_eq!(a["receipt"]["department"], "ggzyjy");
    assert_eq!(a["receipt"]["measures"]["must"], json!(["CJ-ZTB"]));

    // By exact name (surrounding spaces tolerated): the same answer.
    let by_name = check_ok(&w, &format!(" {LISTED_NAME} "), "bidding").await;
    assert_eq!(by_name["decision"], "restrict");
    assert_eq!(by_name["subject"]["uscc"], LISTED_USCC);

    // In procurement the procurement measure applies instead.
    let p = check_ok(&w, LISTED_USCC, "procurement").await;
    assert_eq!(codes(&p["measures"]["must"]), ["CJ-ZFCG"]);
}

#[tokio::test]
async fn the_legal_representative_is_found_by_id_number_and_only_masked() {
    let w = world().await;
    let id = rep_id();
    let r = check(&w, json!({"subject": id.as_str(), "scenario": "honours", "requester": "officer-17"})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!r.text().contains(id.as_str()), "the full ID number never appears: {}", r.text());
    let a = r.json();
    assert_eq!(a["subject"]["kind"], "natural_person");
    let masked = a["subject"]["id_number_masked"].as_str().unwrap();
    assert!(masked.starts_with("370102") && masked.contains('*'), "{masked}");
    assert_eq!(a["liabilities"][0]["uscc"], LISTED_USCC);
    assert_eq!(a["liabilities"][0]["role"], "legal_representative");
    assert_eq!(codes(&a["measures"]["must"]), ["CJ-PYPX"]);
    assert_eq!(a["decision"], "restrict");
    assert_eq!(a["receipt"]["subject"], masked);

    // The receipt line in the log carries no personal data.
    w.app.flush_receipts().await;
    let p = w
        .app
        .get_with_token(&format!("/api/v1/checks/receipts/{}", a["receipt"]["id"].as_str().unwrap()), &w.token)
        .await;
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(!p.text().contains(id.as_str()) && !p.text().contains(masked));
    assert_eq!(p.json()["receipt"]["subject"], Value::Null);
}

#[tokio::test]
async fn bad_input_is_a_400_envelope_naming_the_field() {
    let w = world().await;
    let r = check(&w, json!({"subject": LISTED_USCC, "scenario": "lottery", "requester": "x"})).await;
    assert_eq!(r.status, 400);
    let e = r.json();
    assert_eq!(e["error"]["code"], "unknown_scenario");
    assert_eq!(e["error"]["details"][0]["field"], "scenario");
    assert!(e["error"]["message"].as_str().unwrap().contains("bidding"));

    let r = check(&w, json!({"subject": "91370112MA3D8N0Q3X", "scenario": "bidding", "requester": "x"})).await;
    assert_eq!(r.json()["error"]["code"], "invalid_subject");
    let r = check(&w, json!({"subject": LISTED_USCC, "scenario": "bidding"})).await;
    assert_eq!(r.json()["error"]["code"], "missing_field");
    assert_eq!(r.json()["error"]["details"][0]["field"], "requester");
    let r = check(&w, json!({"scenario": "bidding", "requester": "x"})).await;
    assert_eq!(r.json()["error"]["details"][0]["field"], "subject");

    let r = w.app.post_json("/api/v1/checks", &[], &json!({"subject": LISTED_USCC, "scenario": "bidding"})).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn clean_unknown_and_banned_subjects() {
    let w = world().await;
    let a = check_ok(&w, w.clean.as_str(), "bidding").await;
    assert_eq!(a["decision"], "clear");
    assert_eq!(a["found"], true);
    assert_eq!(a["subject"]["name"], CLEAN_NAME);

    let a = check_ok(&w, "济南不存在的公司", "bidding").await;
    assert_eq!(a["decision"], "not_found");
    assert_eq!(a["found"], false);

    // An industry ban (食品生产经营) restricts its own industry only, which
    // a check does not name: a caution that names it, never a blanket bar.
    let a = check_ok(&w, w.banned.as_str(), "market_access").await;
    assert_eq!(a["decision"], "caution");
    assert!(a["summary"].as_str().unwrap().contains("行业禁入只限于所列行业"), "{a}");
    assert_eq!(a["bans"][0]["ban_id"], "BN0123456789abcdef");
    assert_eq!(a["receipt"]["bans"], json!(["BN0123456789abcdef"]));
    let a = check_ok(&w, w.banned.as_str(), "financing").await;
    assert_eq!(a["decision"], "caution");
}

#[tokio::test]
async fn a_measure_ends_with_its_listing() {
    let w = world().await;
    // 2029-05-31 is the last day in force (China time).
    w.app.clock.set(Utc.with_ymd_and_hms(2029, 5, 31, 15, 0, 0).unwrap());
    assert_eq!(check_ok(&w, LISTED_USCC, "bidding").await["decision"], "restrict");
    w.app.clock.set(Utc.with_ymd_and_hms(2029, 5, 31, 16, 0, 0).unwrap());
    let a = check_ok(&w, LISTED_USCC, "bidding").await;
    assert_eq!(a["decision"], "clear", "{a}");
    assert_eq!(a["measures"]["must"], json!([]));
    assert_eq!(a["memberships"], json!([]));
}

#[tokio::test]
async fn an_exit_removes_the_listing_from_the_index() {
    let w = world().await;
    let exit = ListsEvent::ListingExited {
        listing_id: "LS0123456789abcdef".to_owned(),
        list_code: "samr-serious".to_owned(),
        subject: RecordSubject {
            kind: "legal_person".to_owned(),
            key: LISTED_USCC.to_owned(),
            name: LISTED_NAME.to_owned(),
        },
        reason: xinyong_domain::lists::ExitReason::Revoked,
        on: d("2026-11-20"),
        decision_no: Some("济市监信撤〔2026〕1号".to_owned()),
        note: "错误列入".to_owned(),
        lifts: vec![],
        liable_people: vec![rep_id()],
    };
    w.app.core.append(vec![NewEvent::new(Actor::system(), exit)]).await.unwrap();
    w.app.sync_checks().await;
    assert_eq!(check_ok(&w, LISTED_USCC, "bidding").await["decision"], "clear");
    assert_eq!(check_ok(&w, rep_id().as_str(), "honours").await["decision"], "clear");

    // A rebuilt index agrees with the one that followed the log.
    let rebuilt = xinyong_core::checks::index::CheckIndex::rebuild(&w.app.core).await.unwrap();
    assert_eq!(rebuilt.stats(), w.app.state.checks.stats());
}

/// Rebuilt from the tables, or with the names of a search index loaded
/// from its snapshot (as `serve` starts when it has one), the index answers
/// like the one that followed the log.
#[tokio::test]
async fn a_rebuilt_index_answers_like_the_followed_one() {
    use xinyong_core::checks::index::CheckIndex;
    use xinyong_core::portal::search::snapshot::{self, Loaded};
    let w = world().await;
    w.app.sync_search().await;
    let dir = tempfile::tempdir().unwrap();
    snapshot::save(&w.app.core, &w.app.state.search, dir.path()).await.unwrap();
    let Loaded::Index(search) = snapshot::load(&w.app.core, dir.path()).await.unwrap() else { panic!("not loaded") };
    let from_search = CheckIndex::rebuild_from_search(&w.app.core, &search, search.applied()).await.unwrap();
    let rebuilt = CheckIndex::rebuild(&w.app.core).await.unwrap();
    assert_eq!(rebuilt.stats(), w.app.state.checks.stats());
    assert_eq!(from_search.stats(), w.app.state.checks.stats());
    let rules = &w.app.core.rules().sanctions;
    for (subject, scenario) in [
        (LISTED_USCC, "bidding"),
        (rep_id().as_str(), "honours"),
        (w.banned.as_str(), "approval"),
        (CLEAN_NAME, "bidding"),
    ] {
        let q = xinyong_core::checks::index::CheckQuery {
            subject: subject.to_owned(),
            scenario: scenario.to_owned(),
            item: None,
        };
        let today = d("2026-11-26");
        let followed = w.app.state.checks.check(rules, &q, today).unwrap();
        assert_eq!(rebuilt.check(rules, &q, today).unwrap(), followed);
        assert_eq!(from_search.check(rules, &q, today).unwrap(), followed);
    }
}

#[tokio::test]
async fn a_batch_answers_in_order_with_inline_errors() {
    let w = world().await;
    let auth = format!("Bearer {}", w.token);
    let body = json!({
        "scenario": "bidding",
        "requester": "officer-17",
        "subjects": [LISTED_USCC, "not a code 1234567", w.clean.as_str(), "91370112MA3D8N0Q3X"],
    });
    let r = w.app.post_json("/api/v1/checks/batch", &[("authorization", &auth)], &body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let out = r.json();
    assert_eq!(out["count"], 4);
    let results = out["results"].as_array().unwrap();
    assert_eq!(results[0]["decision"], "restrict");
    assert_eq!(results[1]["decision"], "not_found");
    assert_eq!(results[2]["decision"], "clear");
    assert_eq!(results[3]["error"]["code"], "invalid_subject");
    assert_eq!(results[3]["input"], "91370112MA3D8N0Q3X");
    assert_ne!(results[0]["receipt"]["id"], results[2]["receipt"]["id"]);

    let too_many: Vec<String> = (0..10_001).map(|_| LISTED_USCC.to_owned()).collect();
    let body = json!({"scenario": "bidding", "requester": "x", "subjects": too_many});
    let r = w.app.post_json("/api/v1/checks/batch", &[("authorization", &auth)], &body).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "batch_too_large");

    let body = json!({"scenario": "lottery", "requester": "x", "subjects": [LISTED_USCC]});
    let r = w.app.post_json("/api/v1/checks/batch", &[("authorization", &auth)], &body).await;
    assert_eq!(r.json()["error"]["code"], "unknown_scenario");
}

#[tokio::test]
async fn ping_is_trivial() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/ping").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"ok": true}));
}

// ------------------------------------------------------------ verifier

#[tokio::test]
async fn a_receipt_verifies_against_the_log() {
    let w = world().await;
    let a = check_ok(&w, LISTED_USCC, "bidding").await;
    let receipt = a["receipt"].clone();
    let id = receipt["id"].as_str().unwrap().to_owned();
    // Before the batch is written the receipt is not in the log yet.
    w.app.flush_receipts().await;

    let p = w.app.get_with_token(&format!("/api/v1/checks/receipts/{id}"), &w.token).await;
    assert_eq!(p.status, 200, "{}", p.text());
    let p = p.json();

    // 1. The id is the SHA-256 of the receipt's canonical JSON: every field
    //    but `id`, keys sorted, no whitespace (serde_json's map is sorted).
    let mut fields = receipt.as_object().unwrap().clone();
    fields.remove("id");
    let canonical = serde_json::to_string(&fields).unwrap();
    assert!(canonical.starts_with("{\"bans\":[],\"case_ref\":\"ZB-2026-001\",\"decision\":"), "{canonical}");
    // The id is the answer time (12 hex digits of ms) followed by that digest.
    assert_eq!(&id[12..], hex::encode(sha(&[canonical.as_bytes()])));
    let time_ms = chrono::DateTime::parse_from_rfc3339(receipt["time"].as_str().unwrap()).unwrap().timestamp_millis();
    assert_eq!(i64::from_str_radix(&id[..12], 16).unwrap(), time_ms);

    // 2. The id is in the batch body.
    let body = p["batch_body"].as_str().unwrap();
    let batch: Value = serde_json::from_str(body).unwrap();
    assert_eq!(batch["kind"], "checks_recorded");
    assert!(batch["receipts"].as_array().unwrap().iter().any(|r| r["id"] == id.as_str()));
    assert_eq!(p["receipt"]["id"], id.as_str());

    // 3. SHA-256(salt ‖ body) is the entry's body commitment.
    let salt = B64.decode(p["salt_base64"].as_str().unwrap()).unwrap();
    let entry_bytes = B64.decode(p["entry_base64"].as_str().unwrap()).unwrap();
    let entry = LogEntry::parse(&entry_bytes).unwrap();
    assert_eq!(entry.body_commitment, sha(&[&salt, body.as_bytes()]));
    assert_eq!(entry.kind, "checks_recorded");
    let index = p["log_index"].as_u64().unwrap();
    assert_eq!(entry.index, index);

    // 4. The leaf climbs to the checkpoint's root, signed by the log key.
    let vkey = w.app.get("/log/key").await.text();
    let (_, size, root) = open_checkpoint(p["checkpoint"].as_str().unwrap(), &parse_vkey(&vkey));
    let path: Vec<H> = p["inclusion_proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| B64.decode(h.as_str().unwrap()).unwrap().try_into().unwrap())
        .collect();
    assert_eq!(root_from_inclusion(index, size, leaf(&entry_bytes), &path), Some(root));

    // Unknown and malformed ids.
    let r = w.app.get_with_token(&format!("/api/v1/checks/receipts/{}", "0".repeat(76)), &w.token).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "receipt_not_found");
    let r = w.app.get_with_token("/api/v1/checks/receipts/nope", &w.token).await;
    assert_eq!(r.json()["error"]["code"], "receipt_id_invalid");
}

#[tokio::test]
async fn a_pruned_receipt_is_still_proven_from_its_batch() {
    use xinyong_core::checks::retention::{ReceiptRetention, prune_receipts};
    use xinyong_core::jobs::Job as _;
    let w = world().await;
    let old = check_ok(&w, LISTED_USCC, "bidding").await["receipt"]["id"].as_str().unwrap().to_owned();
    w.app.flush_receipts().await;
    let before = w.app.get_with_token(&format!("/api/v1/checks/receipts/{old}"), &w.token).await.json();

    // 40 days later a second check; the rule keeps 30 days.
    w.app.clock.advance(chrono::Duration::days(40));
    let new = check_ok(&w, LISTED_USCC, "bidding").await["receipt"]["id"].as_str().unwrap().to_owned();
    w.app.flush_receipts().await;
    let job = ReceiptRetention { interval: std::time::Duration::from_secs(86_400), retention_days: 30 };
    assert_eq!(job.run(&w.app.core).await.unwrap().done, 1, "the old receipt's row goes");
    assert_eq!(prune_receipts(&w.app.core, 30).await.unwrap(), 0, "a second run finds nothing: no event");

    let row = |id: &str| w.app.core.store().get(xinyong_domain::checks::ReceiptRow::key(id));
    assert!(row(&old).await.unwrap().is_none());
    assert!(row(&new).await.unwrap().is_some());
    // The pruned receipt is proven from the same batch as before.
    let after = w.app.get_with_token(&format!("/api/v1/checks/receipts/{old}"), &w.token).await;
    assert_eq!(after.status, 200, "{}", after.text());
    let after = after.json();
    assert_eq!(after["receipt"], before["receipt"]);
    assert_eq!(after["log_index"], before["log_index"]);
    assert_eq!(after["batch_body"], before["batch_body"]);
    let r = w.app.get_with_token(&format!("/api/v1/checks/receipts/{new}"), &w.token).await;
    assert_eq!(r.status, 200);
    // Replaying the log gives the pruned table.
    xinyong_core::log::verify::verify(&w.app.core, &|_, _, _| {}).await.unwrap();
}

#[tokio::test]
async fn real_answers_match_the_openapi_document() {
    let w = world().await;
    let doc = w.app.get("/api/v1/openapi.json").await.json();
    let conform = |schema: &str, value: &Value| assert_matches_schema(&doc, schema, value);
    let a = check_ok(&w, LISTED_USCC, "bidding").await;
    conform("CheckResponseDoc", &a);
    conform("CheckResponseDoc", &check_ok(&w, rep_id().as_str(), "honours").await);
    conform("CheckResponseDoc", &check_ok(&w, w.banned.as_str(), "market_access").await);
    conform("CheckResponseDoc", &check_ok(&w, "没有这家公司", "bidding").await);
    let auth = format!("Bearer {}", w.token);
    let body = json!({"scenario": "bidding", "requester": "x", "subjects": [LISTED_USCC, "91370112MA3D8N0Q3X"]});
    let batch = w.app.post_json("/api/v1/checks/batch", &[("authorization", &auth)], &body).await.json();
    conform("BatchCheckResponseDoc", &batch);
    conform("CheckResponseDoc", &batch["results"][0]);
    conform("BatchItemErrorDoc", &batch["results"][1]);
    w.app.flush_receipts().await;
    let id = a["receipt"]["id"].as_str().unwrap();
    conform("ReceiptProofDoc", &w.app.get_with_token(&format!("/api/v1/checks/receipts/{id}"), &w.token).await.json());
    conform("PingDoc", &w.app.get("/api/v1/ping").await.json());
    let bad = check(&w, json!({"subject": LISTED_USCC, "scenario": "nope", "requester": "x"})).await.json();
    conform("ErrorEnvelope", &bad);
}
