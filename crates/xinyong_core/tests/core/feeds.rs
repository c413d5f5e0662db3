//! The closed loop: pushed items in each executor's feed, acknowledgement and
//! feedback, 应查必查 coverage, exits, and signed webhook delivery with
//! retries — on the backend the environment chooses.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::{Arc, Mutex};
use xinyong_domain::checks::ChecksEvent;
use xinyong_domain::lists::ListsEvent;

use axum::http::{HeaderMap, StatusCode};
use chrono::{Duration, NaiveDate};
use xinyong_core::auth::policy::{Principal, TokenPrincipal};
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::closed_loop::feeds::{self, CaseInput};
use xinyong_core::closed_loop::metrics::{LoopFilter, loop_metrics};
use xinyong_core::closed_loop::webhooks::{self, WebhookClient, WebhookTargets, deliver_webhooks};
use xinyong_core::log::CoreSettings;
use xinyong_core::log::verify::verify;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::checks::ReceiptLine;
use xinyong_domain::closed_loop::MeasurePush;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::lists::sanction::ListKind;
use xinyong_domain::lists::{ExitReason, ListingProposal};
use xinyong_test_support::{TestApp, TestDb};

fn dept(code: &str) -> DepartmentCode {
    DepartmentCode::parse(code).unwrap()
}

fn actor(code: &str) -> Actor {
    Actor::parse(&format!("department:{code}")).unwrap()
}

/// A department's system with an API token, as the feeds API calls the core.
fn caller(code: &str) -> Principal {
    Principal::Token(TokenPrincipal { token_id: "0123456789ab".to_owned(), department: dept(code) })
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

async fn app() -> TestApp {
    app_with(WebhookTargets::default()).await
}

/// The test receivers listen on the loopback address over plain HTTP, which
/// the default targets refuse.
fn loopback() -> WebhookTargets {
    WebhookTargets { allow_http: true, allowed_networks: vec!["127.0.0.0/8".parse().unwrap()] }
}

async fn app_with(webhooks: WebhookTargets) -> TestApp {
    let settings = CoreSettings { webhooks, ..CoreSettings::default() };
    let app = TestApp::with_settings(TestDb::new().await, settings).await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    app
}

fn company(uscc: &str, name: &str) -> RecordSubject {
    RecordSubject { kind: "legal_person".into(), key: uscc.into(), name: name.into() }
}

/// Proposes and decides a `samr-serious` listing, as helper A's use cases
/// will: every measure pushed to each of its executors.
async fn decide(app: &TestApp, id: &str, subject: RecordSubject) {
    let rules = app.core.rules().sanctions.clone();
    let list = rules.list("samr-serious").unwrap();
    let pushes: Vec<MeasurePush> =
        rules.pushes_for(list).into_iter().map(|(measure, department)| MeasurePush { measure, department }).collect();
    let proposal = ListingProposal {
        id: id.into(),
        list_code: list.code.clone(),
        lists_version: rules.lists_version().into(),
        subject: subject.clone(),
        department: dept("scjgj"),
        reason: "严重违法".into(),
        facts: "事实".into(),
        legal_basis: "依据".into(),
        source_records: vec![],
        proposed_on: day("2026-11-01"),
    };
    let versions = app.core.rules().sanction_versions();
    app.core
        .append(vec![
            NewEvent {
                actor: actor("scjgj"),
                rules: versions.clone(),
                body: ListsEvent::ListingProposed { proposal, list_kind: ListKind::Serious, proposed_by: None }.into(),
            },
            NewEvent {
                actor: actor("scjgj"),
                rules: versions,
                body: ListsEvent::ListingDecided {
                    listing_id: id.into(),
                    list_code: list.code.clone(),
                    subject,
                    decision_no: format!("济市监列〔2026〕{id}号"),
                    decided_on: day("2026-11-26"),
                    valid_from: day("2026-11-26"),
                    valid_until: list.valid_until(day("2026-11-26")),
                    measures: list.measures.clone(),
                    pushes,
                    liable_people: vec![],
                }
                .into(),
            },
        ])
        .await
        .unwrap();
}

async fn exit(app: &TestApp, id: &str, subject: RecordSubject) {
    let rules = app.core.rules().sanctions.clone();
    let list = rules.list("samr-serious").unwrap();
    let lifts: Vec<MeasurePush> =
        rules.pushes_for(list).into_iter().map(|(measure, department)| MeasurePush { measure, department }).collect();
    app.core
        .append(vec![NewEvent {
            actor: actor("scjgj"),
            rules: app.core.rules().sanction_versions(),
            body: ListsEvent::ListingExited {
                listing_id: id.into(),
                list_code: list.code.clone(),
                subject,
                reason: ExitReason::Revoked,
                on: day("2026-11-28"),
                decision_no: None,
                note: "撤销".into(),
                lifts,
                liable_people: vec![],
            }
            .into(),
        }])
        .await
        .unwrap();
}

async fn receipt(app: &TestApp, id: &str, department: &str, case_ref: Option<&str>) {
    let line = ReceiptLine {
        id: id.into(),
        department: dept(department),
        case_ref: case_ref.map(str::to_owned),
        scenario: "bidding".into(),
        subject: Some("91370112MA3D8N0Q3C".into()),
        decision: "restrict".into(),
        time_ms: app.core.now().timestamp_millis(),
    };
    app.core
        .append(vec![NewEvent::new(actor(department), ChecksEvent::ChecksRecorded { receipts: vec![line] })])
        .await
        .unwrap();
}

const XT: &str = "91370112MA3D8N0Q3C";

#[tokio::test]
async fn a_decision_reaches_each_executor_once_in_cursor_order() {
    let app = app().await;
    decide(&app, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;
    decide(&app, "LS2", company("91370100MA3C000000", "济南第二公司")).await;
    decide(&app, "LS3", company("91370100MA3C000001", "济南第三公司")).await;

    // ggzyjy executes CJ-ZTB and CJ-ZFCG: one item per listing with both.
    let page = feeds::feed(&app.core, &dept("ggzyjy"), 0, 100).await.unwrap();
    assert_eq!(page.items.len(), 3);
    let first = &page.items[0];
    assert_eq!(first.kind, "listed");
    assert_eq!(first.listing_id, "LS1");
    assert_eq!(first.list_name, "市场监督管理严重违法失信名单");
    assert_eq!(first.subject.key, XT);
    let codes: Vec<&str> = first.measures.iter().map(|m| m.code.as_str()).collect();
    assert_eq!(codes, ["CJ-ZTB", "CJ-ZFCG"]);
    assert_eq!(first.measures[0].name, "依法限制参与招标投标活动");
    assert!(first.measures[0].status.as_ref().unwrap().pushed_at.is_some());
    assert_eq!(first.valid_until, Some(day("2029-11-25")));

    // Pagination by cursor: two, then one, then nothing; never another department's.
    let p1 = feeds::feed(&app.core, &dept("ggzyjy"), 0, 2).await.unwrap();
    assert_eq!(p1.items.iter().map(|i| i.listing_id.as_str()).collect::<Vec<_>>(), ["LS1", "LS2"]);
    assert!(p1.more);
    let p2 = feeds::feed(&app.core, &dept("ggzyjy"), p1.next_cursor, 2).await.unwrap();
    assert_eq!(p2.items.iter().map(|i| i.listing_id.as_str()).collect::<Vec<_>>(), ["LS3"]);
    assert!(!p2.more);
    let p3 = feeds::feed(&app.core, &dept("ggzyjy"), p2.next_cursor, 2).await.unwrap();
    assert!(p3.items.is_empty());
    assert_eq!(p3.next_cursor, p2.next_cursor);

    // zjj executes only CJ-ZTB; swj nothing of this list.
    let zjj = feeds::feed(&app.core, &dept("zjj"), 0, 100).await.unwrap();
    assert_eq!(zjj.items.len(), 3);
    assert!(zjj.items.iter().all(|i| i.measures.len() == 1 && i.measures[0].code == "CJ-ZTB"));
    assert!(feeds::feed(&app.core, &dept("swj"), 0, 100).await.unwrap().items.is_empty());

    // The console view: newest first.
    let recent = feeds::recent_feed(&app.core, &dept("ggzyjy"), 2).await.unwrap();
    assert_eq!(recent.iter().map(|i| i.listing_id.as_str()).collect::<Vec<_>>(), ["LS3", "LS2"]);
}

#[tokio::test]
async fn a_natural_persons_id_number_is_masked_in_the_feed() {
    let app = app().await;
    let person =
        RecordSubject { kind: "natural_person".into(), key: "370102199001011237".into(), name: "张三".into() };
    decide(&app, "LS9", person).await;
    let page = feeds::feed(&app.core, &dept("zjj"), 0, 10).await.unwrap();
    assert_eq!(page.items[0].subject.key, "370102********1237");
    assert!(!serde_json::to_string(&page).unwrap().contains("370102199001011237"));
}

#[tokio::test]
#[expect(clippy::too_many_lines, reason = "one story: every acknowledgement and feedback, then the metrics they make")]
async fn acknowledgement_and_feedback_drive_the_metrics() {
    let app = app().await;
    decide(&app, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;
    let g = dept("ggzyjy");

    app.clock.advance(Duration::hours(2));
    let ack = feeds::acknowledge(&app.core, &caller("ggzyjy"), &g, "LS1", "CJ-ZTB", "已签收").await.unwrap();
    assert!(ack.recorded);
    // The same acknowledgement again writes nothing.
    let size = app.core.store().log_size().await.unwrap();
    let again = feeds::acknowledge(&app.core, &caller("ggzyjy"), &g, "LS1", "CJ-ZTB", "已签收").await.unwrap();
    assert!(!again.recorded);
    assert_eq!(app.core.store().log_size().await.unwrap(), size);

    // Feedback linked to a receipt that does not exist, or is another department's.
    let outcome = || "拒绝其参与招标投标".to_owned();
    let e = feeds::report_execution(
        &app.core,
        &caller("ggzyjy"),
        &g,
        "LS1",
        "CJ-ZTB",
        outcome(),
        Some("r-none".into()),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "unknown_receipt");
    receipt(&app, "r-zjj", "zjj", Some("ZJ-1")).await;
    let e = feeds::report_execution(
        &app.core,
        &caller("ggzyjy"),
        &g,
        "LS1",
        "CJ-ZTB",
        outcome(),
        Some("r-zjj".into()),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "unknown_receipt");
    // Unknown push, empty outcome.
    let e = feeds::report_execution(&app.core, &caller("swj"), &dept("swj"), "LS1", "CJ-ZTB", outcome(), None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "unknown_push");
    let e = feeds::acknowledge(&app.core, &caller("ggzyjy"), &g, "LS1", "CJ-NOPE", "").await.unwrap_err();
    assert_eq!(e.code(), "unknown_push");
    let e = feeds::report_execution(&app.core, &caller("ggzyjy"), &g, "LS1", "CJ-ZTB", " ".into(), None, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "field_required");

    receipt(&app, "r-1", "ggzyjy", Some("ZB-2026-001")).await;
    app.clock.advance(Duration::hours(2));
    let fed = feeds::report_execution(
        &app.core,
        &caller("ggzyjy"),
        &g,
        "LS1",
        "CJ-ZTB",
        outcome(),
        Some("r-1".into()),
        Some("ZB-2026-001".into()),
    )
    .await
    .unwrap();
    assert!(fed.recorded);
    assert_eq!(fed.status.receipt_id.as_deref(), Some("r-1"));

    // Feedback on an unacknowledged push acknowledges it in the same append.
    app.clock.advance(Duration::hours(4));
    let before = app.core.store().log_size().await.unwrap();
    feeds::report_execution(&app.core, &caller("ggzyjy"), &g, "LS1", "CJ-ZFCG", "已限制".into(), None, None)
        .await
        .unwrap();
    assert_eq!(app.core.store().log_size().await.unwrap(), before + 2);

    let m = loop_metrics(&app.core, &LoopFilter::default()).await.unwrap();
    let line = |measure: &str, d: &str| {
        m.lines.iter().find(|l| l.measure == measure && l.department == d).unwrap().counts.clone()
    };
    let ztb = line("CJ-ZTB", "ggzyjy");
    assert_eq!((ztb.pushed, ztb.responded, ztb.fed_back), (1, 1, 1));
    assert_eq!(ztb.response_hours.median, Some(2.0));
    assert_eq!(ztb.feedback_hours.median, Some(4.0));
    let zfcg = line("CJ-ZFCG", "ggzyjy");
    assert_eq!((zfcg.pushed, zfcg.responded, zfcg.fed_back), (1, 1, 1));
    assert_eq!(zfcg.feedback_hours.mean, Some(8.0));
    let zjj = line("CJ-ZTB", "zjj");
    assert_eq!((zjj.pushed, zjj.responded, zjj.fed_back), (1, 0, 0));
    let gd = m.departments.iter().find(|d| d.department == "ggzyjy").unwrap();
    assert_eq!((gd.counts.pushed, gd.counts.responded, gd.counts.fed_back), (2, 2, 2));
    assert_eq!(gd.department_name, "济南市公共资源交易中心");
    assert_eq!(gd.checks_made, 1);

    // Eight days on, zjj's push is overdue.
    app.clock.advance(Duration::days(8));
    let m = loop_metrics(&app.core, &LoopFilter::default()).await.unwrap();
    let zjj = m.departments.iter().find(|d| d.department == "zjj").unwrap();
    assert_eq!(zjj.counts.pending_overdue, 1);
    assert_eq!(m.totals.pushed, 12);

    // A department's own view and a period before the pushes.
    let own = LoopFilter { department: Some(g.clone()), ..LoopFilter::default() };
    let m = loop_metrics(&app.core, &own).await.unwrap();
    assert!(m.lines.iter().all(|l| l.department == "ggzyjy"));
    let before = LoopFilter { to: Some(day("2026-11-25")), ..LoopFilter::default() };
    assert_eq!(loop_metrics(&app.core, &before).await.unwrap().totals.pushed, 0);

    // The status shows in the feed.
    let page = feeds::feed(&app.core, &g, 0, 10).await.unwrap();
    let st = page.items[0].measures[0].status.clone().unwrap();
    assert_eq!(st.note.as_deref(), Some("已签收"));
    assert_eq!(st.outcome.as_deref(), Some("拒绝其参与招标投标"));
    assert_eq!(st.case_ref.as_deref(), Some("ZB-2026-001"));
    verify(&app.core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

#[tokio::test]
async fn coverage_is_checked_cases_over_reported_cases() {
    let app = app().await;
    let g = dept("ggzyjy");
    let case = |r: &str| CaseInput {
        case_ref: r.into(),
        scenario: "bidding".into(),
        subject: Some(XT.into()),
        handled_on: day("2026-11-20"),
    };
    let n = feeds::report_cases(&app.core, &caller("ggzyjy"), &g, vec![case("ZB-1"), case("ZB-2")]).await.unwrap();
    assert_eq!(n, 2);
    receipt(&app, "r-1", "ggzyjy", Some("ZB-1")).await;
    // A check with the same case reference by another department does not count.
    receipt(&app, "r-2", "zjj", Some("ZB-2")).await;
    let m = loop_metrics(&app.core, &LoopFilter::default()).await.unwrap();
    let d = m.departments.iter().find(|d| d.department == "ggzyjy").unwrap();
    assert_eq!((d.cases_reported, d.cases_checked), (2, 1));
    assert_eq!(d.coverage, Some(0.5));

    let bad = CaseInput { scenario: "nope".into(), ..case("ZB-3") };
    let e = feeds::report_cases(&app.core, &caller("ggzyjy"), &g, vec![bad]).await.unwrap_err();
    assert_eq!(e.code(), "scenario_unknown");
    let e = feeds::report_cases(&app.core, &caller("ggzyjy"), &g, vec![case(" ")]).await.unwrap_err();
    assert_eq!(e.code(), "case_ref_required");
    let person = CaseInput { subject: Some("370102199001011237".into()), ..case("ZB-4") };
    let e = feeds::report_cases(&app.core, &caller("ggzyjy"), &g, vec![person]).await.unwrap_err();
    assert_eq!(e.code(), "subject_invalid");
    let many: Vec<CaseInput> = (0..10_001).map(|i| case(&format!("C{i}"))).collect();
    let e = feeds::report_cases(&app.core, &caller("ggzyjy"), &g, many).await.unwrap_err();
    assert_eq!(e.code(), "too_many_cases");
}

#[tokio::test]
async fn an_exit_lifts_the_measures_at_every_executor() {
    let app = app().await;
    decide(&app, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;
    exit(&app, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;
    let page = feeds::feed(&app.core, &dept("ggzyjy"), 0, 10).await.unwrap();
    assert_eq!(page.items.iter().map(|i| i.kind.as_str()).collect::<Vec<_>>(), ["listed", "lifted"]);
    assert_eq!(page.items[1].valid_until, Some(day("2026-11-28")));
    assert!(page.items[1].measures[0].status.as_ref().unwrap().lifted_at.is_some());
    let m = loop_metrics(&app.core, &LoopFilter::default()).await.unwrap();
    assert_eq!(m.totals.lifted, m.totals.pushed);
    assert_eq!(m.totals.pending_overdue, 0);
}

/// What the receiving test server saw.
#[derive(Debug, Clone)]
struct Seen {
    headers: HeaderMap,
    body: Vec<u8>,
}

async fn receiver(fail_first: usize) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let calls = Arc::new(Mutex::new(0usize));
    let app = {
        let seen = Arc::clone(&seen);
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let seen = Arc::clone(&seen);
                let calls = Arc::clone(&calls);
                async move {
                    let n = {
                        let mut c = calls.lock().unwrap();
                        *c += 1;
                        *c
                    };
                    seen.lock().unwrap().push(Seen { headers, body: body.to_vec() });
                    if n <= fail_first { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::NO_CONTENT }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), seen)
}

#[tokio::test]
async fn webhooks_deliver_signed_items_at_least_once_with_backoff() {
    let app = app_with(loopback()).await;
    let g = dept("ggzyjy");
    // Items before the webhook was set are not sent (the pull feed has them).
    decide(&app, "LS0", company("91370100MA3C000002", "济南更早公司")).await;
    let (url, seen) = receiver(1).await;
    let e = webhooks::set_webhook(&app.core, &caller("ggzyjy"), &g, "ftp://x", [7; 32]).await.unwrap_err();
    assert_eq!(e.code(), "webhook_url_invalid");
    let secret = webhooks::set_webhook(&app.core, &caller("ggzyjy"), &g, &url, [7; 32]).await.unwrap();
    assert_eq!(secret.len(), 64);
    decide(&app, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;

    let client = WebhookClient::new(std::time::Duration::from_secs(10), loopback());
    let t0 = app.core.now();
    let r1 = deliver_webhooks(&app.core, &client, t0).await.unwrap();
    assert_eq!((r1.delivered, r1.failed), (0, 1));
    assert_eq!(client.next_attempt("ggzyjy"), Some(t0 + Duration::seconds(1)));
    // Still backing off: nothing is sent.
    let r = deliver_webhooks(&app.core, &client, t0).await.unwrap();
    assert_eq!(r.waiting, 1);
    assert_eq!(seen.lock().unwrap().len(), 1);

    let t1 = t0 + Duration::seconds(2);
    let r2 = deliver_webhooks(&app.core, &client, t1).await.unwrap();
    assert_eq!((r2.delivered, r2.items, r2.failed), (1, 1, 0));
    let requests = seen.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    // The retry carries the same items as the failed attempt.
    let first: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    let second: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(first["items"], second["items"]);
    assert_eq!(second["department"], "ggzyjy");
    assert_eq!(second["items"][0]["listing_id"], "LS1");
    assert_eq!(second["items"].as_array().unwrap().len(), 1);

    // The signature verifies with the secret over timestamp "." body.
    let h = &requests[1].headers;
    let ts: i64 = h["x-xinyong-timestamp"].to_str().unwrap().parse().unwrap();
    assert_eq!(ts, t1.timestamp());
    let expected = webhooks::signature(&secret, ts, &requests[1].body);
    assert_eq!(h["x-xinyong-signature"].to_str().unwrap(), expected);
    assert!(expected.starts_with("sha256=") && expected.len() == 7 + 64);
    assert_ne!(webhooks::signature("other", ts, &requests[1].body), expected);
    let cursor = second["cursor"].as_u64().unwrap();
    assert_eq!(h["x-xinyong-delivery"].to_str().unwrap(), format!("ggzyjy-{cursor}"));

    // The cursor moved: another round sends nothing.
    let hook = webhooks::webhook(&app.core, &g).await.unwrap().unwrap();
    assert_eq!(hook.delivered_cursor, cursor);
    let r3 = deliver_webhooks(&app.core, &client, t1 + Duration::seconds(5)).await.unwrap();
    assert_eq!((r3.delivered, r3.failed), (0, 0));
    assert_eq!(seen.lock().unwrap().len(), 2);

    // Replacing the secret keeps the place; removing stops delivery.
    webhooks::set_webhook(&app.core, &caller("ggzyjy"), &g, &url, [8; 32]).await.unwrap();
    assert_eq!(webhooks::webhook(&app.core, &g).await.unwrap().unwrap().delivered_cursor, cursor);
    webhooks::remove_webhook(&app.core, &caller("ggzyjy"), &g).await.unwrap();
    decide(&app, "LS2", company("91370100MA3C000000", "济南第二公司")).await;
    let r4 = deliver_webhooks(&app.core, &client, t1 + Duration::seconds(10)).await.unwrap();
    assert_eq!(r4.delivered, 0);
    let e = webhooks::remove_webhook(&app.core, &caller("ggzyjy"), &g).await.unwrap_err();
    assert_eq!(e.code(), "webhook_not_found");
    // Every loop event's projection replays to the stored rows.
    verify(&app.core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}

#[tokio::test]
async fn backoff_doubles_up_to_ten_minutes() {
    let app = app_with(loopback()).await;
    let g = dept("zjj");
    // Nothing listens on port 9 of the loopback address.
    webhooks::set_webhook(&app.core, &caller("zjj"), &g, "http://127.0.0.1:9/hook", [1; 32]).await.unwrap();
    let start = webhooks::webhook(&app.core, &g).await.unwrap().unwrap().delivered_cursor;
    decide(&app, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;
    let client = WebhookClient::new(std::time::Duration::from_secs(2), loopback());
    let mut now = app.core.now();
    let mut waits = Vec::new();
    for _ in 0..12 {
        let r = deliver_webhooks(&app.core, &client, now).await.unwrap();
        assert_eq!(r.failed, 1);
        let next = client.next_attempt("zjj").unwrap();
        waits.push((next - now).num_seconds());
        now = next;
    }
    assert_eq!(&waits[..5], [1, 2, 4, 8, 16]);
    assert_eq!(*waits.last().unwrap(), 600);
    // Nothing was delivered: the cursor is where the webhook started.
    assert_eq!(webhooks::webhook(&app.core, &g).await.unwrap().unwrap().delivered_cursor, start);
}

#[tokio::test]
async fn an_https_webhook_speaks_tls_and_a_plain_server_fails_the_handshake() {
    let app = app_with(loopback()).await;
    let g = dept("ggzyjy");
    let (url, seen) = receiver(0).await;
    let https = url.replacen("http://", "https://", 1);
    webhooks::set_webhook(&app.core, &caller("ggzyjy"), &g, &https, [3; 32]).await.unwrap();
    decide(&app, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;
    let client = WebhookClient::new(std::time::Duration::from_secs(2), loopback());
    let r = deliver_webhooks(&app.core, &client, app.core.now()).await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1));
    // The plain-HTTP receiver never saw a request: the client spoke TLS.
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn webhooks_may_not_point_inside_the_network_or_travel_unencrypted() {
    let app = app().await;
    let g = dept("ggzyjy");
    let refused = |url: &'static str| {
        let app = &app;
        let g = g.clone();
        async move { webhooks::set_webhook(&app.core, &caller("ggzyjy"), &g, url, [1; 32]).await.unwrap_err().code() }
    };
    assert_eq!(refused("http://hooks.example.com/x").await, "webhook_url_not_https");
    for url in [
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1:6379/",
        "https://localhost:6379/",
        "https://[::1]/hook",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://[fd00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ] {
        assert_eq!(refused(url).await, "webhook_address_refused", "{url}");
    }
    // A public name is accepted when set; its addresses are checked at each delivery.
    webhooks::set_webhook(&app.core, &caller("ggzyjy"), &g, "https://hooks.example.com/x", [1; 32]).await.unwrap();
}

#[tokio::test]
async fn the_address_a_name_resolves_to_is_checked_when_connecting() {
    // Allowed to use http, but not the loopback network.
    let app = app_with(WebhookTargets { allow_http: true, allowed_networks: Vec::new() }).await;
    let g = dept("ggzyjy");
    let (url, seen) = receiver(0).await;
    let port = url.rsplit(':').next().unwrap().trim_end_matches("/hook");
    // 2130706433 is 127.0.0.1 written as one number: not an address literal
    // the URL check sees, but the system resolver turns it into loopback.
    let sneaky = format!("http://2130706433:{port}/hook");
    webhooks::set_webhook(&app.core, &caller("ggzyjy"), &g, &sneaky, [2; 32]).await.unwrap();
    decide(&app, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;
    let client = WebhookClient::new(std::time::Duration::from_secs(2), app.core.settings().webhooks.clone());
    let r = deliver_webhooks(&app.core, &client, app.core.now()).await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1));
    assert!(seen.lock().unwrap().is_empty(), "nothing reached the loopback receiver");
    // The control: with the loopback network allowed the same URL delivers.
    let allowed = WebhookClient::new(std::time::Duration::from_secs(2), loopback());
    let r = deliver_webhooks(&app.core, &allowed, app.core.now() + Duration::seconds(5)).await.unwrap();
    assert_eq!((r.delivered, r.failed), (1, 0));
    seen.lock().unwrap().clear();

    // A URL set while the targets were wider is refused at delivery once they are narrowed.
    let wide = app_with(loopback()).await;
    webhooks::set_webhook(&wide.core, &caller("ggzyjy"), &g, &url, [3; 32]).await.unwrap();
    decide(&wide, "LS1", company(XT, "济南鑫泰建筑工程有限公司")).await;
    let strict = WebhookClient::new(std::time::Duration::from_secs(2), WebhookTargets::default());
    let r = deliver_webhooks(&wide.core, &strict, wide.core.now()).await.unwrap();
    assert_eq!((r.delivered, r.failed), (0, 1));
    assert!(seen.lock().unwrap().is_empty());
}

/// The demo city writes each act of its history at the act's own time
/// (issue 15, item 11): a decision's pushes carry the decision's day, the
/// departments acknowledge hours or days later, and pushes nobody answered
/// are overdue — so the loop's figures mean something on a demo.
#[tokio::test]
async fn the_demo_city_stamps_each_act_at_its_own_time() {
    use xinyong_core::lists::queries::{self, ListingFilter};
    let app = TestApp::new().await;
    xinyong_demo::create_city(&app.core, 600, 7, &|_, _, _| {}).await.unwrap();
    let totals = loop_metrics(&app.core, &LoopFilter::default()).await.unwrap().totals;
    assert!(totals.responded > 0 && totals.fed_back > 0 && totals.pending_overdue > 0, "{totals:?}");
    assert!(totals.response_hours.median.is_some_and(|h| h >= 1.0), "{totals:?}");
    assert!(totals.feedback_hours.median.is_some_and(|h| h >= 24.0), "{totals:?}");
    let page = queries::listings_page(&app.core, &ListingFilter::default(), None, 500).await.unwrap();
    let mut decided = 0;
    for listing in page.items {
        let Some(detail) = queries::listing_detail(&app.core, &listing.listing_id).await.unwrap() else { continue };
        let Some(decided_on) = detail.row.decided_on else { continue };
        for push in &detail.pushes {
            let pushed = chrono::DateTime::from_timestamp_millis(push.pushed_ms).unwrap();
            assert_eq!(xinyong_core::clock::china_date(pushed), decided_on, "{}", listing.listing_id);
            if let Some(acked) = push.acked_ms {
                assert!(acked > push.pushed_ms, "{}", listing.listing_id);
            }
        }
        decided += 1;
    }
    assert!(decided > 3, "{decided}");
}
