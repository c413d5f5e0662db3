//! The /log endpoints, checked by an independent verifier written here from
//! the specifications (RFC 6962/9162, C2SP signed-note / tlog-checkpoint /
//! tlog-proof) with only sha2, ed25519-dalek and base64: no code shared with
//! the signer in xinyong_tlog.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};
use xinyong_core::demo::DemoCity;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_test_support::TestApp;

type H = [u8; 32];

fn sha(parts: &[&[u8]]) -> H {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn leaf(data: &[u8]) -> H {
    sha(&[&[0u8], data])
}

fn node(l: &H, r: &H) -> H {
    sha(&[&[1u8], l, r])
}

/// RFC 9162 §2.1.3.2, transcribed.
fn root_from_inclusion(index: u64, size: u64, leaf_hash: H, path: &[H]) -> Option<H> {
    if index >= size {
        return None;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = leaf_hash;
    for p in path {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(r)
}

/// RFC 9162 §2.1.4.2, transcribed.
fn consistency_ok(first: u64, second: u64, first_root: H, second_root: H, proof: &[H]) -> bool {
    if first == second {
        return proof.is_empty() && first_root == second_root;
    }
    if first == 0 || first > second {
        return false;
    }
    let mut path = proof.to_vec();
    if first.is_power_of_two() {
        path.insert(0, first_root);
    }
    let Some((&c0, rest)) = path.split_first() else {
        return false;
    };
    let (mut fn_, mut sn) = (first - 1, second - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (c0, c0);
    for c in rest {
        if sn == 0 {
            return false;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node(c, &fr);
            sr = node(c, &sr);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            sr = node(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    fr == first_root && sr == second_root && sn == 0
}

struct Key {
    name: String,
    id: [u8; 4],
    key: VerifyingKey,
}

fn parse_vkey(line: &str) -> Key {
    let mut parts = line.trim_end().splitn(3, '+');
    let name = parts.next().unwrap().to_owned();
    let id_hex = parts.next().unwrap();
    let raw = B64.decode(parts.next().unwrap()).unwrap();
    assert_eq!(raw.len(), 33);
    assert_eq!(raw[0], 0x01, "Ed25519 algorithm byte");
    let key = VerifyingKey::from_bytes(&raw[1..].try_into().unwrap()).unwrap();
    // C2SP signed-note: key ID = SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[:4].
    let id: [u8; 4] = sha(&[name.as_bytes(), b"\n", &raw])[..4].try_into().unwrap();
    assert_eq!(id_hex.len(), 8);
    assert_eq!(u32::from_str_radix(id_hex, 16).unwrap().to_be_bytes(), id);
    Key { name, id, key }
}

/// Opens a signed checkpoint: (origin, size, root).
fn open_checkpoint(note: &str, key: &Key) -> (String, u64, H) {
    let split = note.rfind("\n\n").expect("blank line before signatures");
    let text = &note[..split + 1];
    let mut ok = false;
    for line in note[split + 2..].lines() {
        let rest = line.strip_prefix("\u{2014} ").expect("signature line");
        let (name, sig) = rest.split_once(' ').unwrap();
        let sig = B64.decode(sig).unwrap();
        if name == key.name && sig[..4] == key.id {
            let sig = Signature::from_slice(&sig[4..]).unwrap();
            key.key.verify(text.as_bytes(), &sig).expect("checkpoint signature");
            ok = true;
        }
    }
    assert!(ok, "no signature by our key");
    let mut lines = text.lines();
    let origin = lines.next().unwrap().to_owned();
    let size = lines.next().unwrap().parse().unwrap();
    let root = B64.decode(lines.next().unwrap()).unwrap().try_into().unwrap();
    (origin, size, root)
}

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
        assert!(e.text().starts_with("xinyong-entry/v1\nindex "));
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
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    let html = home.text();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("信用济南"));
    assert!(html.contains("市场主体"));
    assert!(html.contains("xinyong.test/log\n4\n"), "the checkpoint note is on the page");
    assert_eq!(app.get("/healthz").await.status, 200);
    assert_eq!(app.get("/readyz").await.status, 200);
    let m = app.get("/metrics").await;
    assert_eq!(m.status, 200);
    assert!(m.text().contains("xinyong_subjects"));
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
