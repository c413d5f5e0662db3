//! The credit report's JSON (docs/REPORTS.md): the payload, and the JWS
//! (RFC 7515, flattened JSON serialisation, `alg` EdDSA) that signs it with
//! the log's key, so any JOSE library with the log's public key can check
//! the signature, and `xinyong report verify` checks everything else.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as BASE64URL;
use serde::{Deserialize, Serialize};

/// The payload's `format`.
pub const REPORT_FORMAT: &str = "xinyong-credit-report/v1";
/// The JWS protected header's `typ`.
pub const REPORT_MEDIA_TYPE: &str = "xinyong-credit-report+json";

/// What a report says, every proven part with its proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditReport {
    pub format: String,
    pub report_id: String,
    /// `public` (公开版): what the portal shows, for bidding, procurement and approvals.
    pub version: String,
    /// RFC 3339, UTC.
    pub issued_at: String,
    /// The day publicity was judged on (China Standard Time).
    pub as_of: String,
    pub issuer: ReportIssuer,
    pub subject: ReportSubject,
    /// The signed C2SP checkpoint every inclusion proof leads to.
    pub checkpoint: String,
    /// Records in publicity, each proven by its entry, inclusion proof and
    /// field disclosures.
    pub records: Vec<ReportRecord>,
    /// Lists the subject is on (published, in force): stated and signed by
    /// the platform, not yet proven against the log.
    pub lists: Vec<ReportListing>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportIssuer {
    /// The log's origin (first line of every checkpoint).
    pub origin: String,
    /// The C2SP verifier key the report and checkpoint are signed with.
    pub verifier_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSubject {
    pub uscc: String,
    pub name: String,
    /// 存续, 注销, … as the portal shows it.
    pub status: String,
    pub division: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRecord {
    /// `administrative_licensing`, `administrative_penalty`, …
    pub category: String,
    pub item: String,
    pub item_name: String,
    /// The log index of the record's current version.
    pub index: u64,
    /// The entry bytes as UTF-8 text.
    pub entry: String,
    /// The RFC 9162 inclusion path to `checkpoint`, base64, leaf's sibling first.
    pub proof: Vec<String>,
    /// SD-JWT-style disclosures of the record's public fields (entry v2);
    /// empty for an entry written in v1.
    pub disclosures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportListing {
    pub list_name: String,
    pub department: String,
    pub reason: String,
    pub decision_no: String,
    pub listed_on: String,
    pub valid_until: Option<String>,
}

/// The file: RFC 7515 §7.2.2 flattened JWS JSON serialisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedReport {
    /// base64url of the protected header JSON.
    pub protected: String,
    /// base64url of the payload JSON ([`CreditReport`]).
    pub payload: String,
    /// base64url of the 64-byte Ed25519 signature over `protected.payload`.
    pub signature: String,
}

/// The protected header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportHeader {
    pub alg: String,
    pub typ: String,
    /// The signing key as a C2SP verifier key.
    pub kid: String,
}

impl SignedReport {
    /// Signs `report` with the log's signer.
    pub fn sign(report: &CreditReport, signer: &xinyong_tlog::NoteSigner) -> Result<SignedReport, serde_json::Error> {
        let header =
            ReportHeader { alg: "EdDSA".to_owned(), typ: REPORT_MEDIA_TYPE.to_owned(), kid: signer.verifier_key() };
        let protected = BASE64URL.encode(serde_json::to_vec(&header)?);
        let payload = BASE64URL.encode(serde_json::to_vec(report)?);
        let signature = BASE64URL.encode(signer.sign_detached(signing_input(&protected, &payload).as_bytes()));
        Ok(SignedReport { protected, payload, signature })
    }

    /// Base64url SHA-256 of the payload bytes: the digest the log records.
    pub fn payload_digest(&self) -> String {
        use sha2::Digest as _;
        BASE64URL.encode(sha2::Sha256::digest(self.payload.as_bytes()))
    }
}

/// RFC 7515 §5.1: `ASCII(BASE64URL(protected) || '.' || BASE64URL(payload))`.
pub fn signing_input(protected: &str, payload: &str) -> String {
    format!("{protected}.{payload}")
}
