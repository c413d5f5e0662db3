//! An independent verifier written from the specifications (RFC 6962/9162,
//! C2SP signed-note / tlog-checkpoint) with only sha2, ed25519-dalek and
//! base64: no code shared with the signer in xinyong_tlog. Used by the
//! tests that prove log entries and check receipts.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use sha2::{Digest, Sha256};

pub type H = [u8; 32];

pub fn sha(parts: &[&[u8]]) -> H {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

pub fn leaf(data: &[u8]) -> H {
    sha(&[&[0u8], data])
}

pub fn node(l: &H, r: &H) -> H {
    sha(&[&[1u8], l, r])
}

/// RFC 9162 §2.1.3.2, transcribed.
pub fn root_from_inclusion(index: u64, size: u64, leaf_hash: H, path: &[H]) -> Option<H> {
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
pub fn consistency_ok(first: u64, second: u64, first_root: H, second_root: H, proof: &[H]) -> bool {
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

pub struct Key {
    pub name: String,
    pub id: [u8; 4],
    pub key: VerifyingKey,
}

pub fn parse_vkey(line: &str) -> Key {
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
pub fn open_checkpoint(note: &str, key: &Key) -> (String, u64, H) {
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
