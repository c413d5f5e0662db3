//! The /log endpoints, checked by an independent verifier (`independent/`) written from
//! the specifications (RFC 6962/9162, C2SP signed-note / tlog-checkpoint /
//! tlog-proof) with only sha2, ed25519-dalek and base64: no code shared with
//! the signer in xinyong_tlog.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use xinyong_demo::city::DemoCity;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_test_support::TestApp;

use crate::independent::{H, consistency_ok, leaf, node, open_checkpoint, parse_vkey, root_from_inclusion, sha};

async fn app_with(n: usize) -> TestApp {
    let app = TestApp::new().await;
    let actor = Actor::parse("demo").unwrap();
    app.core.append(DemoCity::new(5).take(n).map(|b| NewEvent::new(actor.clone(), b)).collect()).await.unwrap();
    app
}

#[tokio::test]
async fn key_checkpoint_entries_and_proofs_verify_independently() {
    let app = app_with(13).await;
    let vkey = app.get("/log/key").await;
    assert!(vkey.content_type().starts_with("text/plain"));
    let key = parse_vkey(&vkey.text());
    assert_eq!(key.name, "xinyong.test/log");

    let cp = app.get("/log/checkpoint").await;
    assert_eq!(cp.status, 200);
    assert!(cp.content_type().starts_with("text/plain"));
    let (origin, size, root) = open_checkpoint(&cp.text(), &key);
    assert_eq!((origin.as_str(), size), ("xinyong.test/log", 13));

    // Rebuild the whole tree by hand from the served entries.
    let mut leaves = Vec::new();
    for i in 0..size {
        let e = app.get(&format!("/log/entries/{i}")).await;
        assert_eq!(e.status, 200);
        assert_eq!(e.content_type(), "application/octet-stream");
        assert!(e.text().starts_with("xinyong-entry/v1\nindex ") || e.text().starts_with("xinyong-entry/v2\nindex "));
        leaves.push(leaf(&e.body));
    }
    fn mth(l: &[H]) -> H {
        if l.len() == 1 {
            return l[0];
        }
        // The largest power of two strictly smaller than n.
        let k = 1usize << (usize::BITS - 1 - (l.len() - 1).leading_zeros());
        node(&mth(&l[..k]), &mth(&l[k..]))
    }
    assert_eq!(mth(&leaves), root);

    // Every tlog-proof: header, index, hashes, blank line, the same checkpoint.
    for i in 0..size {
        let p = app.get(&format!("/log/entries/{i}/proof")).await;
        assert_eq!(p.status, 200);
        let text = p.text();
        let (head, note) = text.split_once("\n\n").unwrap();
        let mut lines = head.lines();
        assert_eq!(lines.next(), Some("c2sp.org/tlog-proof@v1"));
        assert_eq!(lines.next(), Some(format!("index {i}").as_str()));
        let path: Vec<H> = lines.map(|l| B64.decode(l).unwrap().try_into().unwrap()).collect();
        let (_, psize, proot) = open_checkpoint(note, &key);
        assert_eq!(root_from_inclusion(i, psize, leaves[i as usize], &path), Some(proot), "index {i}");
    }
}

#[tokio::test]
async fn consistency_between_two_checkpoints_verifies_independently() {
    let app = app_with(6).await;
    let key = parse_vkey(&app.get("/log/key").await.text());
    let (_, old, old_root) = open_checkpoint(&app.get("/log/checkpoint").await.text(), &key);
    let actor = Actor::parse("demo").unwrap();
    app.core.append(DemoCity::new(6).take(11).map(|b| NewEvent::new(actor.clone(), b)).collect()).await.unwrap();
    let (_, new, new_root) = open_checkpoint(&app.get("/log/checkpoint").await.text(), &key);
    assert_eq!((old, new), (6, 17));
    let c = app.get(&format!("/log/consistency?old={old}&new={new}")).await;
    assert_eq!(c.status, 200);
    let proof: Vec<H> = c.text().lines().map(|l| B64.decode(l).unwrap().try_into().unwrap()).collect();
    assert!(consistency_ok(old, new, old_root, new_root, &proof));
    assert!(!consistency_ok(old, new, old_root, leaf(b"x"), &proof));
}

#[tokio::test]
async fn hand_computed_three_entry_tree_matches() {
    let app = app_with(3).await;
    let key = parse_vkey(&app.get("/log/key").await.text());
    let (_, size, root) = open_checkpoint(&app.get("/log/checkpoint").await.text(), &key);
    assert_eq!(size, 3);
    let l: Vec<H> = {
        let mut v = Vec::new();
        for i in 0..3 {
            v.push(leaf(&app.get(&format!("/log/entries/{i}")).await.body));
        }
        v
    };
    // RFC 6962 MTH for n = 3: the split is at 2.
    assert_eq!(root, node(&node(&l[0], &l[1]), &l[2]));
}

#[tokio::test]
async fn bad_log_requests_get_the_error_envelope() {
    let app = app_with(2).await;
    let r = app.get("/log/entries/abc").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "log_bad_index");
    let r = app.get("/log/entries/99").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], "log_entry_not_found");
    let r = app.get("/log/entries/99/proof").await;
    assert_eq!(r.status, 404);
    let r = app.get("/log/consistency?old=2&new=9").await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"]["code"], "log_bad_range");
    let r = app.get("/log/consistency").await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn home_health_readiness_and_metrics() {
    let app = app_with(4).await;
    app.core.checkpoint().await.unwrap();
    app.sync_search().await;
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    let html = home.text();
    // The counts shown are the tables' (the subjects from the search index).
    let counts = app.core.counts().await.unwrap();
    assert!(counts.subjects > 0);
    assert!(html.contains(&format!("<dt>市场主体</dt><dd>{}</dd>", counts.subjects)), "{html}");
    assert!(html.contains(&format!("<dt>日志条目</dt><dd>{}</dd>", counts.events)), "{html}");
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("信用济南"));
    assert!(html.contains("市场主体"));
    assert!(html.contains("可验证") && html.contains("href=\"/verify\""), "a short line, linked to /verify");
    assert!(!html.contains("xinyong.test/log\n4\n"), "the raw note is not on the home page");
    let verify = app.get("/verify").await.text();
    assert!(verify.contains("xinyong.test/log\n4\n"), "the checkpoint note is on /verify");
    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/readyz").await.status, 200);
    // Metrics are not the public's: a visitor is sent to the console login.
    let m = app.get("/metrics").await;
    assert_eq!(m.status, 303);
    assert!(m.headers["location"].to_str().unwrap().starts_with("/console/login"));
    // A credit office administrator sees them, with per-route histograms.
    let admin = xinyong_core::auth::NewUser {
        login: "boss".into(),
        display_name: "信用办".into(),
        department: None,
        roles: vec![xinyong_domain::auth::Role::Admin],
    };
    xinyong_core::auth::create_user(&app.core, &Actor::system(), admin, "Metrics-Admin-2026").await.unwrap();
    let (cookie, _) = app.log_in("boss", "Metrics-Admin-2026", "/console").await;
    app.get("/log/checkpoint").await;
    let m = app.get_as("/metrics", &cookie).await;
    assert_eq!(m.status, 200);
    let text = m.text();
    for expected in [
        "xinyong_subjects",
        "xinyong_checkpoint_age_seconds",
        "xinyong_http_requests_total{route=\"/log/checkpoint\",method=\"GET\",status=\"200\"}",
        "xinyong_http_request_duration_seconds_bucket{route=\"/log/checkpoint\",method=\"GET\",le=\"0.005\"}",
        // The database pool and how long its calls take.
        "xinyong_db_pool_connections{state=\"open\"}",
        "xinyong_db_pool_connections{state=\"max\"}",
        ",call=\"fetch\",le=\"0.005\"}",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    let missing = app.get("/no/such/page").await;
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("页面不存在"));
    assert_eq!(app.get("/static/site.css").await.status, 200);
}

#[tokio::test]
async fn natural_persons_never_appear_on_public_pages() {
    let app = app_with(30).await;
    app.core.checkpoint().await.unwrap();
    let mut pages = vec!["/".to_owned(), "/log/checkpoint".to_owned(), "/log/key".to_owned()];
    for i in 0..30 {
        pages.push(format!("/log/entries/{i}"));
        pages.push(format!("/log/entries/{i}/proof"));
    }
    for path in pages {
        let text = app.get(&path).await.text();
        let found = xinyong_domain::mask::find_id_numbers(&text);
        assert!(found.is_empty(), "{path} shows ID numbers");
    }
}

/// `/log/key-rotations` lists each change of the signing key with the
/// entry's body and salt, which a verifier checks against the entry itself
/// (its `body` line is base64 SHA-256(salt ‖ body)).
#[tokio::test]
async fn key_rotations_are_served_with_bodies_that_match_their_entries() {
    let app = app_with(4).await;
    let first = app.core.keys().verifier_key();
    let doc = app.get("/log/key-rotations").await.json();
    assert_eq!((doc["first_key"].as_str(), doc["current_key"].as_str()), (Some(first.as_str()), Some(first.as_str())));
    assert_eq!(doc["rotations"].as_array().unwrap().len(), 0);

    let new = xinyong_core::LogKeys::from_seed(xinyong_test_support::TEST_ORIGIN, [7; 32]).unwrap();
    app.core.rotate_key(&new, Actor::system()).await.unwrap();
    let r = app.get("/log/key-rotations").await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["first_key"].as_str(), Some(first.as_str()));
    let rotation = &doc["rotations"][0];
    assert_eq!((rotation["index"].as_u64(), rotation["old_key"].as_str()), (Some(4), Some(first.as_str())));
    assert_eq!(rotation["new_key"].as_str(), Some(new.verifier_key().as_str()));
    let body = rotation["body"].as_str().unwrap();
    let parsed: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(parsed["kind"], "log_key_rotated");
    assert!(parsed["statement"].as_str().unwrap().starts_with("xinyong-log-key-rotation/v1\n"));
    let salt = B64.decode(rotation["salt_base64"].as_str().unwrap()).unwrap();
    let entry = String::from_utf8(app.get("/log/entries/4").await.body).unwrap();
    let line = format!("body {}\n", B64.encode(sha(&[&salt, body.as_bytes()])));
    assert!(entry.ends_with(&line), "{entry}");
}

/// `POST /witness/add-checkpoint` over the router: a peer's checkpoint is
/// cosigned with this platform's witness key (C2SP tlog-witness answers).
#[tokio::test]
async fn the_witness_endpoint_cosigns_a_peers_checkpoint_and_answers_as_the_protocol_says() {
    use axum::body::Body;
    use axum::http::Request;
    let peer = app_with(5).await;
    let cp = peer.core.checkpoint().await.unwrap();
    let peers = xinyong_core::log::witness::WitnessSettings { peers: vec![peer.core.keys().verifier().unwrap()] };
    let settings = xinyong_core::CoreSettings { witness: peers, ..Default::default() };
    let db = xinyong_test_support::TestDb::new().await;
    let witness = TestApp::with_settings(db, settings).await;
    let post = |body: String| Request::post("/witness/add-checkpoint").body(Body::from(body)).unwrap();
    let request = xinyong_tlog::AddCheckpoint { old: 0, proof: Vec::new(), checkpoint: cp.note.clone() };
    let r = witness.send(post(request.to_text())).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let key = xinyong_tlog::CosignatureVerifier::parse(&witness.core.keys().witness().verifier_key()).unwrap();
    let body = xinyong_tlog::checkpoint_body(&cp.note).unwrap();
    assert!(key.verify_line(body, r.text().trim_end()).is_some(), "{}", r.text());
    // The same again from 0: 409 with the size it holds, as text/x.tlog.size.
    let r = witness.send(post(request.to_text())).await;
    assert_eq!((r.status.as_u16(), r.text(), r.content_type()), (409, "5\n".to_owned(), "text/x.tlog.size"));
    assert_eq!(witness.send(post("nonsense".to_owned())).await.status, 400);
}

/// A witness reached through its router, in process.
struct ViaRouter<'a>(&'a TestApp);

impl xinyong_core::log::witness::WitnessClient for ViaRouter<'_> {
    fn add_checkpoint(&self, body: String) -> xinyong_core::log::witness::WitnessAnswer<'_> {
        Box::pin(async move {
            let request = axum::http::Request::post("/witness/add-checkpoint").body(axum::body::Body::from(body));
            let r = self.0.send(request.map_err(|e| e.to_string())?).await;
            Ok((r.status.as_u16(), r.text()))
        })
    }
}

/// Once a witness cosigned, `/log/checkpoint/cosigned` serves that
/// checkpoint with the witness's line, and `/log/checkpoint` carries the
/// cosignatures of its size when it is the one cosigned.
#[tokio::test]
async fn the_cosigned_checkpoint_is_served_with_the_witnesses_lines() {
    let log = app_with(5).await;
    assert_eq!(log.get("/log/checkpoint/cosigned").await.status, 404);
    let peers = xinyong_core::log::witness::WitnessSettings { peers: vec![log.core.keys().verifier().unwrap()] };
    let settings = xinyong_core::CoreSettings { witness: peers, ..Default::default() };
    let witness = TestApp::with_settings(xinyong_test_support::TestDb::new().await, settings).await;
    let key = xinyong_tlog::CosignatureVerifier::parse(&witness.core.keys().witness().verifier_key()).unwrap();
    let size = log.core.submit_checkpoint(&key, &ViaRouter(&witness)).await.unwrap().unwrap();

    let cosigned = log.get("/log/checkpoint/cosigned").await;
    assert_eq!((cosigned.status.as_u16(), cosigned.content_type()), (200, "text/plain; charset=utf-8"));
    let note = cosigned.text();
    assert!(key.verify_note(&note).is_some(), "{note}");
    assert_eq!(note.lines().nth(1), Some(size.to_string().as_str()));
    let verifier = log.core.keys().verifier().unwrap();
    xinyong_tlog::open_checkpoint(&note, &verifier).unwrap();
    // Keeping the cosignature grew the log: the latest checkpoint is newer
    // and not cosigned yet.
    let latest = log.get("/log/checkpoint").await.text();
    assert!(key.verify_note(&latest).is_none());
    assert!(latest.lines().nth(1).unwrap().parse::<u64>().unwrap() > size);
}
