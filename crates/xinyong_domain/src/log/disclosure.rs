//! Per-field commitments of `xinyong-entry/v2` (docs/LOG.md, "Entry format
//! v2"): every leaf of an event body is committed on its own, in the shape of
//! an SD-JWT disclosure (RFC 9901 §4.2.1), so a public field can be proven by
//! handing out its disclosure while a private field stays a digest.
//!
//! A leaf is a member of the body, at any depth, whose value is not a
//! non-empty JSON object (strings, numbers, booleans, null, arrays and `{}`).
//! Its name is its RFC 6901 JSON Pointer from the body's root, e.g.
//! `/record/fields/CF_WFXW`. The disclosure is
//! `base64url(JSON array [salt, pointer, value])` without padding, and the
//! digest in the entry is `SHA-256` of the disclosure's ASCII characters.
//! Verifiers never re-encode anything: they hash the string they are given.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Domain separation for the per-leaf salts derived from an entry's salt.
const SALT_LABEL: &[u8] = b"xinyong-disclosure-salt/v1\n";

/// One leaf of a body, ready to be handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disclosure {
    /// RFC 6901 JSON Pointer of the leaf, e.g. `/record/fields/CF_WFXW`.
    pub pointer: String,
    pub value: Value,
    /// `base64url(JSON [salt, pointer, value])`, no padding: what is hashed.
    pub encoded: String,
}

impl Disclosure {
    /// `SHA-256(ASCII(encoded))`: the digest the entry lists.
    pub fn digest(&self) -> [u8; 32] {
        disclosure_digest(&self.encoded)
    }
}

/// `SHA-256` of a disclosure string as received.
pub fn disclosure_digest(encoded: &str) -> [u8; 32] {
    Sha256::digest(encoded.as_bytes()).into()
}

/// Why a disclosure string does not open a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    #[error("disclosure is not base64url without padding")]
    NotBase64Url,
    #[error("disclosure is not a JSON array [salt, pointer, value]")]
    NotAnArray,
}

/// Reads a disclosure string back into its pointer and value (the salt is
/// only needed for the digest, which is taken over the string itself).
pub fn parse_disclosure(encoded: &str) -> Result<Disclosure, DisclosureError> {
    let bytes = BASE64URL.decode(encoded).map_err(|_| DisclosureError::NotBase64Url)?;
    let parts: Vec<Value> = serde_json::from_slice(&bytes).map_err(|_| DisclosureError::NotAnArray)?;
    match <[Value; 3]>::try_from(parts) {
        Ok([Value::String(_), Value::String(pointer), value]) => {
            Ok(Disclosure { pointer, value, encoded: encoded.to_owned() })
        }
        _ => Err(DisclosureError::NotAnArray),
    }
}

/// Every leaf of `body_json`, each with its disclosure, in pointer order.
/// The per-leaf salt is `HMAC-SHA256(entry salt, label ‖ pointer)`, cut to 16
/// bytes: stable for `verify`, and one disclosed salt says nothing of another.
pub fn disclosures(salt: &[u8; 32], body_json: &[u8]) -> Result<Vec<Disclosure>, serde_json::Error> {
    let body: Value = serde_json::from_slice(body_json)?;
    let mut out = Vec::new();
    each_disclosure(salt, &body, |pointer, value, encoded| {
        out.push(Disclosure { pointer: pointer.to_owned(), value: value.clone(), encoded: encoded.to_owned() });
    })?;
    Ok(out)
}

/// The digests of every leaf of `body_json` in the order of an entry's
/// `field` lines: ascending by their base64url text (the order tells nothing
/// about the body). On the write path of every record: no disclosure is kept.
///
/// The same digests as [`field_digests_of_value`] of the parsed body, taken
/// without building it: a leaf whose JSON text is already what serde_json
/// writes for its value (a string without escapes, `true`, `false`, `null`,
/// `{}`, a short integer) is hashed as it stands. A body this walk does not
/// take (an escaped member name, a body that is not a non-empty object) goes
/// the general way.
pub fn field_digests(salt: &[u8; 32], body_json: &[u8]) -> Result<Vec<[u8; 32]>, serde_json::Error> {
    let Ok(text) = std::str::from_utf8(body_json) else {
        return field_digests_of_value(salt, &serde_json::from_slice(body_json)?);
    };
    let mut digests = Digests::new(salt);
    match walk_members(text, &mut String::new(), &mut |pointer, leaf| digests.add(pointer, leaf)) {
        Ok(true) => Ok(digests.sorted()),
        _ => field_digests_of_value(salt, &serde_json::from_str(text)?),
    }
}

/// [`field_digests`] of a parsed body: every leaf's value written again by
/// serde_json. What [`field_digests`] falls back to, and its reference.
pub fn field_digests_of_value(salt: &[u8; 32], body: &Value) -> Result<Vec<[u8; 32]>, serde_json::Error> {
    let mut digests = Digests::new(salt);
    each_disclosure(salt, body, |_, _, encoded| digests.all.push(sortable(encoded)))?;
    Ok(digests.sorted())
}

/// A leaf's JSON text as the walk found it.
enum LeafText<'a> {
    /// Exactly what serde_json writes for the parsed value: a string
    /// without escapes, `true`, `false`, `null`, `{}`, or an integer of at
    /// most 18 digits that is not `-0`.
    AsWritten(&'a serde_json::value::RawValue),
    /// Anything else (escaped strings, other numbers, arrays, whitespace):
    /// parsed and written again, as the general way does.
    Rewritten(&'a str),
}

impl<'a> LeafText<'a> {
    fn of(raw: &'a serde_json::value::RawValue) -> Self {
        let text = raw.get();
        let as_written = match text.as_bytes().first() {
            Some(b'"') => !text.contains('\\'),
            Some(b't' | b'f' | b'n') => true,
            Some(b'{') => text == "{}",
            Some(b'-' | b'0'..=b'9') => {
                let digits = text.strip_prefix('-').unwrap_or(text);
                digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()) && text != "-0"
            }
            _ => false,
        };
        if as_written { Self::AsWritten(raw) } else { Self::Rewritten(text) }
    }
}

/// Calls `each(pointer, leaf)` for every leaf under the non-empty object
/// `object`, in no particular order; `Ok(false)` when the object is not one
/// this walk takes (the caller then parses the body).
fn walk_members<'a>(
    object: &'a str,
    path: &mut String,
    each: &mut impl FnMut(&str, LeafText<'a>) -> Result<(), serde_json::Error>,
) -> Result<bool, serde_json::Error> {
    // Borrowed names: a name with an escape fails here and the body goes
    // the general way. Like `Value`, a repeated name keeps its last value.
    let Ok(members) = serde_json::from_str::<std::collections::BTreeMap<&str, &serde_json::value::RawValue>>(object)
    else {
        return Ok(false);
    };
    if members.is_empty() {
        return Ok(false);
    }
    for (name, member) in members {
        let len = path.len();
        push_member(path, name);
        let text = member.get();
        if text.starts_with('{') && text != "{}" {
            if !walk_members(text, path, each)? {
                return Ok(false);
            }
        } else {
            each(path, LeafText::of(member))?;
        }
        path.truncate(len);
    }
    Ok(true)
}

/// Digests being collected, keyed by their base64url text (43 characters,
/// kept on the stack: this runs for every field of every record written).
struct Digests {
    writer: DisclosureWriter,
    all: Vec<([u8; 43], [u8; 32])>,
}

impl Digests {
    fn new(salt: &[u8; 32]) -> Self {
        Self { writer: DisclosureWriter::new(salt), all: Vec::with_capacity(48) }
    }

    fn add(&mut self, pointer: &str, leaf: LeafText<'_>) -> Result<(), serde_json::Error> {
        let encoded = match leaf {
            LeafText::AsWritten(raw) => self.writer.write(pointer, raw)?,
            LeafText::Rewritten(text) => self.writer.write(pointer, &serde_json::from_str::<Value>(text)?)?,
        };
        self.all.push(sortable(encoded));
        Ok(())
    }

    fn sorted(mut self) -> Vec<[u8; 32]> {
        self.all.sort_unstable_by_key(|d| d.0);
        self.all.into_iter().map(|(_, d)| d).collect()
    }
}

/// A disclosure's digest with its base64url text, the entry's sort key.
fn sortable(encoded: &str) -> ([u8; 43], [u8; 32]) {
    let digest = disclosure_digest(encoded);
    let mut text = [0u8; 43];
    if BASE64URL.encode_slice(digest, &mut text).is_err() {
        unreachable!("32 bytes are 43 base64url characters");
    }
    (text, digest)
}

/// Writes the disclosures of one entry's leaves, reusing one buffer for the
/// JSON and one for its encoding, and one HMAC state keyed with the entry
/// salt and the label.
struct DisclosureWriter {
    keyed: hmac::Hmac<Sha256>,
    json: Vec<u8>,
    encoded: String,
}

impl DisclosureWriter {
    fn new(salt: &[u8; 32]) -> Self {
        Self { keyed: salts(salt), json: Vec::with_capacity(512), encoded: String::with_capacity(1024) }
    }

    /// `base64url(JSON [leaf salt, pointer, value])`.
    fn write(&mut self, pointer: &str, value: &(impl serde::Serialize + ?Sized)) -> Result<&str, serde_json::Error> {
        let salt_text = leaf_salt_text(&self.keyed, pointer);
        self.json.clear();
        serde_json::to_writer(&mut self.json, &(salt_str(&salt_text), pointer, value))?;
        self.encoded.clear();
        BASE64URL.encode_string(&self.json, &mut self.encoded);
        Ok(&self.encoded)
    }
}

/// The HMAC state keyed with the entry salt that has read the label.
fn salts(salt: &[u8; 32]) -> hmac::Hmac<Sha256> {
    let Ok(mut keyed) = hmac::Hmac::<Sha256>::new_from_slice(salt) else {
        unreachable!("HMAC takes a key of any length")
    };
    keyed.update(SALT_LABEL);
    keyed
}

/// The base64url text of a leaf's salt: `HMAC-SHA256(entry salt, label ‖
/// pointer)` cut to 16 bytes.
fn leaf_salt_text(keyed: &hmac::Hmac<Sha256>, pointer: &str) -> [u8; 22] {
    let mut mac = keyed.clone();
    mac.update(pointer.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut salt_text = [0u8; 22];
    if BASE64URL.encode_slice(&full[..16], &mut salt_text).is_err() {
        unreachable!("16 bytes are 22 base64url characters");
    }
    salt_text
}

fn salt_str(text: &[u8; 22]) -> &str {
    let Ok(s) = std::str::from_utf8(text) else { unreachable!("base64url is ASCII") };
    s
}

/// Calls `each(pointer, value, disclosure)` for every leaf in pointer order.
fn each_disclosure(
    salt: &[u8; 32],
    body: &Value,
    mut each: impl FnMut(&str, &Value, &str),
) -> Result<(), serde_json::Error> {
    let mut leaves = Vec::with_capacity(48);
    collect_leaves(body, &mut String::new(), &mut leaves);
    leaves.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut writer = DisclosureWriter::new(salt);
    for (pointer, value) in leaves {
        let encoded = writer.write(&pointer, value)?;
        each(&pointer, value, encoded);
    }
    Ok(())
}

#[cfg(test)]
fn leaf_salt(salt: &[u8; 32], pointer: &str) -> [u8; 16] {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(salt) else {
        unreachable!("HMAC takes a key of any length")
    };
    mac.update(SALT_LABEL);
    mac.update(pointer.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// Appends a member's name to a JSON Pointer (RFC 6901: `~` as `~0`, `/`
/// as `~1`).
fn push_member(path: &mut String, name: &str) {
    path.push('/');
    if name.contains(['~', '/']) {
        path.push_str(&name.replace('~', "~0").replace('/', "~1"));
    } else {
        path.push_str(name);
    }
}

fn collect_leaves<'a>(value: &'a Value, path: &mut String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(members) if !members.is_empty() => {
            for (name, member) in members {
                let len = path.len();
                push_member(path, name);
                collect_leaves(member, path, out);
                path.truncate(len);
            }
        }
        _ => out.push((path.clone(), value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"kind":"record_accepted","record":{"fields":{"A/B":"x","CF_WFXW":"未按规定公示年报"},"id":"r1","tags":[1,2],"empty":{}}}"#;

    #[test]
    fn every_leaf_is_disclosed_once_and_opens_to_its_value() {
        let all = disclosures(&[7; 32], BODY.as_bytes()).unwrap();
        let pointers: Vec<&str> = all.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/kind", "/record/empty", "/record/fields/A~1B", "/record/fields/CF_WFXW", "/record/id", "/record/tags"]
        );
        for d in &all {
            let back = parse_disclosure(&d.encoded).unwrap();
            assert_eq!((back.pointer.as_str(), &back.value), (d.pointer.as_str(), &d.value));
        }
        let digests = field_digests(&[7; 32], BODY.as_bytes()).unwrap();
        assert!(digests.windows(2).all(|w| BASE64URL.encode(w[0]) < BASE64URL.encode(w[1])));
        assert!(all.iter().all(|d| digests.contains(&d.digest())));
    }

    /// The walk over the text and the general way over the parsed body
    /// give the same digests, for bodies the walk takes and bodies it
    /// hands over (escapes, numbers serde_json writes otherwise, arrays,
    /// whitespace, names needing `~0`/`~1`, repeated names, non-objects).
    #[test]
    fn the_walk_over_the_text_digests_as_the_parsed_body() {
        let bodies = [
            BODY,
            r#"{"a":"x\"y","b":"\u00e9","c":"é\n","d":"\/"}"#,
            r#"{"n":[-0,0,-12,123456789012345678,1234567890123456789,18446744073709551615,1.0,1e5,1E+2,-0.5]}"#,
            r#"{"z":-0,"y":1.50,"x":1e2,"w":123456789012345678901,"v":-9223372036854775808}"#,
            r#"{ "a" : { "b" : 1 , "c" : { } } , "d" : [ 1 , { "e" : 2 , "d" : 1 } ] }"#,
            r#"{"~/":{"/~":true,"":null},"a\u0062":false}"#,
            r#"{"dup":1,"dup":{"x":"y"}}"#,
            r#"{"a":{"b":{"c":{"d":{}}}},"a/b":"s"}"#,
            r#"{}"#,
            r#""just a string""#,
            r#"[{"b":1,"a":2}]"#,
            r#"{"a":{}}"#,
        ];
        for body in bodies {
            let value: Value = serde_json::from_str(body).unwrap();
            assert_eq!(
                field_digests(&[3; 32], body.as_bytes()).unwrap(),
                field_digests_of_value(&[3; 32], &value).unwrap(),
                "{body}"
            );
        }
        for broken in [r#"{"a":"#, r#"{"a":1e400}"#, "{\"a\":\"\u{1}\"}", r#"{"a":1}x"#] {
            assert!(field_digests(&[3; 32], broken.as_bytes()).is_err(), "{broken}");
        }
        assert!(field_digests(&[3; 32], b"{\"a\":\"\xff\"}").is_err());
    }

    fn any_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-z~/\"\\\\ é\n\u{1}-\u{7f}]{0,6}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map("[a-c~/\"é]{0,3}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn the_walk_agrees_with_the_general_way_on_any_body(
            members in proptest::collection::btree_map("[a-c~/é]{0,3}", any_value(), 0..6),
            other in any_value(),
            pretty in proptest::bool::ANY,
        ) {
            // Bodies are objects; now and then something else.
            let value = if members.contains_key("a") { other } else { Value::Object(members.into_iter().collect()) };
            let text = if pretty { serde_json::to_vec_pretty(&value) } else { serde_json::to_vec(&value) }.unwrap();
            let parsed: Value = serde_json::from_slice(&text).unwrap();
            proptest::prop_assert_eq!(
                field_digests(&[5; 32], &text).unwrap(),
                field_digests_of_value(&[5; 32], &parsed).unwrap()
            );
        }
    }

    #[test]
    fn salts_differ_by_leaf_and_by_entry() {
        let a = disclosures(&[7; 32], BODY.as_bytes()).unwrap();
        let b = disclosures(&[8; 32], BODY.as_bytes()).unwrap();
        assert_ne!(a[0].encoded, b[0].encoded);
        assert_ne!(leaf_salt(&[7; 32], "/kind"), leaf_salt(&[7; 32], "/record/id"));
    }

    #[test]
    fn a_changed_disclosure_no_longer_matches() {
        let d = &disclosures(&[7; 32], BODY.as_bytes()).unwrap()[3];
        let mut tampered = d.encoded.clone();
        tampered.replace_range(10..11, if &tampered[10..11] == "A" { "B" } else { "A" });
        assert_ne!(disclosure_digest(&tampered), d.digest());
        assert!(parse_disclosure("not base64!").is_err());
        assert!(parse_disclosure(&BASE64URL.encode(br#"["s","/p"]"#)).is_err());
    }
}

/// The test vector of docs/LOG.md ("Entry format v2"): if this changes, the
/// document and every outside implementation change with it.
#[cfg(test)]
mod vector {
    use super::*;
    use crate::log::LogEntry;

    const SALT: [u8; 32] = [0x11; 32];
    const BODY: &str = r#"{"kind":"record_accepted","record":{"fields":{"CF_CFJG":"罚款","CF_FRDB":"张三"},"id":"r0123456789abcdef0123"}}"#;

    #[test]
    fn entry_v2_test_vector() {
        let all = disclosures(&SALT, BODY.as_bytes()).unwrap();
        let shown: Vec<String> =
            all.iter().map(|d| format!("{} {} {}", d.pointer, d.encoded, BASE64URL.encode(d.digest()))).collect();
        let entry = LogEntry {
            index: 42,
            time: crate::log::time_from_millis(1_764_144_000_123).unwrap(),
            actor: "department:scjgj".to_owned(),
            kind: "record_accepted".to_owned(),
            subject: Some("91350100M000100Y43".to_owned()),
            rules: [("catalog".to_owned(), "2026.3".to_owned())].into(),
            body_commitment: crate::log::body_commitment(&SALT, BODY.as_bytes()),
            field_digests: Some(field_digests(&SALT, BODY.as_bytes()).unwrap()),
        };
        let text = String::from_utf8(entry.to_bytes()).unwrap();
        println!("{}\n---\n{text}", shown.join("\n"));
        assert_eq!(LogEntry::parse(text.as_bytes()).unwrap(), entry);
        assert_eq!(shown, EXPECTED_DISCLOSURES);
        assert_eq!(text, EXPECTED_ENTRY);
    }

    const EXPECTED_DISCLOSURES: [&str; 4] = [
        "/kind WyJuWlEzT1ZCSEVvR2lfUTZ2QTR0UUZRIiwiL2tpbmQiLCJyZWNvcmRfYWNjZXB0ZWQiXQ \
         TT0WX_Sjobjgs6Num7DJf4-rAO90LXtoc_Xfb580YTE",
        "/record/fields/CF_CFJG WyJ0U0dXd0JWSzU0WUVlVDNMVUp3MWp3IiwiL3JlY29yZC9maWVsZHMvQ0ZfQ0ZKRyIsIue9muasviJd \
         _xzYBrm5zRMEKyh98myJ9gquCzpdpNiExRBxreKaLyk",
        "/record/fields/CF_FRDB WyI4R1hlSmJ3ZmRLRzB2V2NNS2wwemxBIiwiL3JlY29yZC9maWVsZHMvQ0ZfRlJEQiIsIuW8oOS4iSJd \
         dtHQDFHSjOFxo1ayWlcL5hBLfWqA5Lhz3GCvq2CWam4",
        "/record/id WyJDc3VzQjQtVmhVeDd2UmdXT2JLeV9BIiwiL3JlY29yZC9pZCIsInIwMTIzNDU2Nzg5YWJjZGVmMDEyMyJd \
         lllsrwcns99fpsdO0CdF3mJumI-_iEBwLT1Q0yBXQ9A",
    ];
    const EXPECTED_ENTRY: &str = "xinyong-entry/v2
index 42
time 2025-11-26T08:00:00.123Z
actor department:scjgj
kind record_accepted
subject 91350100M000100Y43
rules catalog=2026.3
body VKXqoV5rboev0buDr9KLfhGHAUoDPP2yuYfyDOp3+SE=
field TT0WX_Sjobjgs6Num7DJf4-rAO90LXtoc_Xfb580YTE
field _xzYBrm5zRMEKyh98myJ9gquCzpdpNiExRBxreKaLyk
field dtHQDFHSjOFxo1ayWlcL5hBLfWqA5Lhz3GCvq2CWam4
field lllsrwcns99fpsdO0CdF3mJumI-_iEBwLT1Q0yBXQ9A
";
}
