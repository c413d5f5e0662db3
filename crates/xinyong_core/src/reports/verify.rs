//! Checking a credit report offline (docs/REPORTS.md, "Verifying"): nothing
//! here reads a database or the network. The parts are checked before the
//! signature, so that a changed byte is reported where it was changed; a
//! report whose parts all hold is still refused unless the signature does.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD as BASE64URL};
use xinyong_domain::log::LogEntry;
use xinyong_domain::log::disclosure::{disclosure_digest, parse_disclosure};
use xinyong_tlog::NoteVerifier;

use super::format::{CreditReport, REPORT_FORMAT, REPORT_MEDIA_TYPE, ReportHeader, SignedReport, signing_input};

/// The first thing that does not hold, by where it is in the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {problem}")]
pub struct ReportFailure {
    /// `signature`, `checkpoint`, `records[3].proof`, `records[3].disclosures[1]`, …
    pub part: String,
    pub problem: String,
}

fn fail(part: impl Into<String>, problem: impl Into<String>) -> ReportFailure {
    ReportFailure { part: part.into(), problem: problem.into() }
}

/// Whom a verifier trusts: the keys a log may sign with (its key and any
/// it rotated to). Witnesses join this when cities cosign (issue 12 item 5).
#[derive(Debug, Clone, Default)]
pub struct TrustPolicy {
    pub logs: Vec<NoteVerifier>,
    /// Witnesses whose cosignatures count (C2SP tlog-cosignature keys).
    pub witnesses: Vec<xinyong_tlog::CosignatureVerifier>,
    /// How many of `witnesses` must have cosigned the report's checkpoint.
    pub quorum: usize,
}

/// What a report that verified says, for printing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReport {
    pub report: CreditReport,
    pub checkpoint_size: u64,
    /// Fields proven one by one, over all records.
    pub disclosed_fields: usize,
    /// Records written in entry v1: in the log, but their fields not provable one by one.
    pub v1_records: usize,
    /// Trusted witnesses that cosigned the checkpoint.
    pub cosigned_by: usize,
}

/// Checks a report file's bytes against `trust`.
pub fn verify_report(file: &[u8], trust: &TrustPolicy) -> Result<VerifiedReport, ReportFailure> {
    let signed: SignedReport =
        serde_json::from_slice(file).map_err(|e| fail("file", format!("not a JWS JSON object: {e}")))?;
    let header: ReportHeader = decode_json(&signed.protected).map_err(|e| fail("protected", e))?;
    if header.alg != "EdDSA" || header.typ != REPORT_MEDIA_TYPE {
        return Err(fail("protected", format!("expected alg EdDSA and typ {REPORT_MEDIA_TYPE}")));
    }
    let key = trust
        .logs
        .iter()
        .find(|v| v.verifier_key() == header.kid)
        .ok_or_else(|| fail("protected.kid", format!("{} is not a trusted key", header.kid)))?;
    let report: CreditReport = decode_json(&signed.payload).map_err(|e| fail("payload", e))?;
    if report.format != REPORT_FORMAT {
        return Err(fail("payload.format", format!("expected {REPORT_FORMAT}")));
    }
    if report.issuer.verifier_key != header.kid {
        return Err(fail("payload.issuer", "the issuer's key is not the key that signed the report"));
    }
    let checkpoint = xinyong_tlog::open_checkpoint(&report.checkpoint, key)
        .map_err(|e| fail("checkpoint", format!("does not verify with the trusted key: {e}")))?;
    let cosigned = trust.witnesses.iter().filter(|w| w.verify_note(&report.checkpoint).is_some()).count();
    if cosigned < trust.quorum {
        let problem = format!("cosigned by {cosigned} of the trusted witnesses, {} required", trust.quorum);
        return Err(fail("checkpoint.cosignatures", problem));
    }
    let (mut disclosed_fields, mut v1_records) = (0, 0);
    for (i, record) in report.records.iter().enumerate() {
        let disclosed = check_record(i, record, &report.subject.uscc, &checkpoint)?;
        disclosed_fields += disclosed;
        v1_records += usize::from(disclosed == 0);
    }
    let signature: [u8; 64] = BASE64URL
        .decode(&signed.signature)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| fail("signature", "not a base64url Ed25519 signature"))?;
    if !key.verify_detached(signing_input(&signed.protected, &signed.payload).as_bytes(), &signature) {
        return Err(fail("signature", "does not verify with the trusted key"));
    }
    Ok(VerifiedReport { checkpoint_size: checkpoint.size, disclosed_fields, v1_records, cosigned_by: cosigned, report })
}

/// One record: its entry is in the checkpointed tree, is about the report's
/// subject, and holds the digest of every disclosure. Returns how many.
fn check_record(
    i: usize,
    record: &super::format::ReportRecord,
    subject: &str,
    checkpoint: &xinyong_tlog::Checkpoint,
) -> Result<usize, ReportFailure> {
    let at = |what: &str| format!("records[{i}].{what}");
    let entry = LogEntry::parse(record.entry.as_bytes()).map_err(|e| fail(at("entry"), e.to_string()))?;
    if entry.index != record.index || entry.subject.as_deref() != Some(subject) {
        return Err(fail(at("entry"), "names another index or another subject than the report"));
    }
    let proof = record
        .proof
        .iter()
        .map(|h| BASE64.decode(h).ok().and_then(|b| <[u8; 32]>::try_from(b).ok()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| fail(at("proof"), "a hash is not base64 SHA-256"))?;
    let leaf = xinyong_tlog::leaf_hash(record.entry.as_bytes());
    xinyong_tlog::verify_inclusion(&leaf, record.index, checkpoint.size, &proof, &checkpoint.root)
        .map_err(|e| fail(at("proof"), format!("the entry is not in the checkpointed tree: {e:?}")))?;
    let digests = entry.field_digests.unwrap_or_default();
    for (j, d) in record.disclosures.iter().enumerate() {
        let part = at(&format!("disclosures[{j}]"));
        parse_disclosure(d).map_err(|e| fail(&part, e.to_string()))?;
        if !digests.contains(&disclosure_digest(d)) {
            return Err(fail(&part, "its digest is not one of the entry's field lines"));
        }
    }
    Ok(record.disclosures.len())
}

fn decode_json<T: serde::de::DeserializeOwned>(b64: &str) -> Result<T, String> {
    let bytes = BASE64URL.decode(b64).map_err(|_| "not base64url without padding".to_owned())?;
    serde_json::from_slice(&bytes).map_err(|e| format!("not the expected JSON: {e}"))
}

/// The signed JSON a report PDF carries as its attached file: the stream of
/// the object whose dictionary says `/Type/EmbeddedFile` (PDF 32000-1
/// §7.11.4), inflated when it is `/FlateDecode`. Only what typst writes is
/// read: a direct `/Length`, no other filter. Not a general PDF parser.
pub fn attached_json(pdf: &[u8]) -> Option<Vec<u8>> {
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
    };
    let marker = find(pdf, b"/Type/EmbeddedFile", 0)?;
    let dict_start = pdf[..marker].windows(3).rposition(|w| w == b"obj")?;
    let stream = find(pdf, b"stream", marker)?;
    let dict = &pdf[dict_start..stream];
    let length: usize = {
        let at = find(dict, b"/Length", 0)? + b"/Length".len();
        let digits: String = dict[at..]
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| char::from(b))
            .collect();
        digits.parse().ok()?
    };
    let mut start = stream + b"stream".len();
    start += usize::from(pdf.get(start) == Some(&b'\r'));
    start += usize::from(pdf.get(start) == Some(&b'\n'));
    let data = pdf.get(start..start.checked_add(length)?)?;
    if find(dict, b"/FlateDecode", 0).is_some() {
        use std::io::Read as _;
        let mut out = Vec::new();
        // Bounded: a report is a few megabytes at most.
        flate2::read::ZlibDecoder::new(data).take(64 << 20).read_to_end(&mut out).ok()?;
        Some(out)
    } else {
        Some(data.to_vec())
    }
}

/// The test vector of docs/REPORTS.md: a one-record report over a one-entry
/// log, signed with the key of seed 32 × 0x11. If this changes, the document
/// and every outside implementation change with it.
#[cfg(test)]
mod vector {
    use super::*;
    use crate::reports::format::{ReportIssuer, ReportRecord, ReportSubject};
    use xinyong_domain::log::disclosure::disclosures;

    const ENTRY: &str = "xinyong-entry/v2\nindex 0\ntime 2025-11-26T08:00:00.123Z\nactor department:scjgj\n\
kind record_accepted\nsubject 91350100M000100Y43\nrules catalog=2026.3\nbody VKXqoV5rboev0buDr9KLfhGHAUoDPP2yuYfyDOp3+SE=\n\
field TT0WX_Sjobjgs6Num7DJf4-rAO90LXtoc_Xfb580YTE\nfield _xzYBrm5zRMEKyh98myJ9gquCzpdpNiExRBxreKaLyk\n\
field dtHQDFHSjOFxo1ayWlcL5hBLfWqA5Lhz3GCvq2CWam4\nfield lllsrwcns99fpsdO0CdF3mJumI-_iEBwLT1Q0yBXQ9A\n";
    const BODY: &str = r#"{"kind":"record_accepted","record":{"fields":{"CF_CFJG":"罚款","CF_FRDB":"张三"},"id":"r0123456789abcdef0123"}}"#;

    #[test]
    fn report_test_vector() {
        let keys = crate::log::keys::LogKeys::from_seed("xinyong.local/log", [0x11; 32]).unwrap();
        let root = xinyong_tlog::leaf_hash(ENTRY.as_bytes());
        let cp =
            xinyong_tlog::Checkpoint { origin: "xinyong.local/log".to_owned(), size: 1, root, extensions: Vec::new() };
        let checkpoint = xinyong_tlog::sign_checkpoint(&cp, keys.signer()).unwrap();
        let opened = disclosures(&[0x11; 32], BODY.as_bytes()).unwrap();
        let public = opened.iter().filter(|d| d.pointer != "/record/fields/CF_FRDB").map(|d| d.encoded.clone());
        let report = CreditReport {
            format: REPORT_FORMAT.to_owned(),
            report_id: "XYBG20261204A1B2C3D4E5".to_owned(),
            version: "public".to_owned(),
            issued_at: "2026-12-04T08:00:00Z".to_owned(),
            as_of: "2026-12-04".to_owned(),
            issuer: ReportIssuer { origin: "xinyong.local/log".to_owned(), verifier_key: keys.verifier_key() },
            subject: ReportSubject {
                uscc: "91350100M000100Y43".to_owned(),
                name: "福建某某有限公司".to_owned(),
                status: "存续".to_owned(),
                division: "福州市".to_owned(),
            },
            checkpoint,
            records: vec![ReportRecord {
                category: "administrative_penalty".to_owned(),
                item: "CF".to_owned(),
                item_name: "行政处罚".to_owned(),
                index: 0,
                entry: ENTRY.to_owned(),
                proof: Vec::new(),
                disclosures: public.collect(),
            }],
            lists: Vec::new(),
        };
        let signed = SignedReport::sign(&report, keys.signer()).unwrap();
        let file = serde_json::to_string_pretty(&signed).unwrap();
        println!("{file}\n{}", String::from_utf8(BASE64URL.decode(&signed.payload).unwrap()).unwrap());
        let trust = TrustPolicy { logs: vec![keys.verifier().unwrap()], ..Default::default() };
        let ok = verify_report(file.as_bytes(), &trust).unwrap();
        assert_eq!((ok.disclosed_fields, ok.checkpoint_size), (3, 1));
        assert_eq!(signed.signature, EXPECTED_SIGNATURE);
        // The file outsiders test against, byte for byte.
        assert_eq!(format!("{file}\n"), include_str!("../../../../docs/vectors/credit-report-v1.json"));
    }

    const EXPECTED_SIGNATURE: &str =
        "qpNl-4wm2iCgRJBZiCzcy9z62qOHr22s1MeY21ssNPWRBo7rRF0dDZqb-1r6pIXX1anR3NFqCysRkMsX4F2gDw";
}
