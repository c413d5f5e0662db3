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
    /// Lists the subject is on (published, in force), as the portal shows
    /// them; `status` proves they are all there are.
    pub lists: Vec<ReportListing>,
    /// The subject's status in the status map committed to the log: what
    /// makes "not on any list, no penalty in publicity" a proven statement.
    pub status: ReportStatus,
    /// Credit pledges in force (信用承诺), as the portal shows them: signed
    /// by the platform; `index` names the entry that made each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pledges: Vec<ReportPledge>,
    /// Public credit grades (信用评价): the platform's model and grades
    /// received from other schemes, as the portal shows them; signed by the platform.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grades: Vec<ReportGrade>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportPledge {
    /// `voluntary` (主动承诺) or `self_discipline` (行业自律承诺).
    pub kind: String,
    pub title: String,
    pub made_on: String,
    /// The association whose scheme it joins, for a self-discipline pledge.
    pub association: Option<String>,
    /// Hex SHA-256 of the pledge's text as made.
    pub text_sha256: String,
    pub index: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportGrade {
    /// Who graded: the platform's model title, or the external scheme's name.
    pub source: String,
    pub grade: String,
    /// The model's category, or the scheme's period.
    pub detail: String,
    /// When it was graded or received (YYYY-MM-DD).
    pub on: String,
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
    /// The record's publicity period has ended (full version only); absent
    /// (false) for a record in publicity. The status map is checked
    /// against the records in publicity.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub publicity_ended: bool,
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

/// A status map proof (docs/REPORTS.md, "Status map").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportStatus {
    /// The `status_map_committed` entry holding the map's root.
    pub commitment: ReportEntry,
    /// The subject's status as committed ([`SubjectStatus`] JSON text, hashed
    /// as it stands), or `null` when the subject is not in the map: on no
    /// list, no penalty or dishonest-debtor record in publicity.
    pub value: Option<String>,
    /// Where the subject's key leads in the map.
    pub proof: StatusProof,
}

/// A log entry with its inclusion proof and the disclosures of its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportEntry {
    pub index: u64,
    /// The entry bytes as UTF-8 text.
    pub entry: String,
    /// The RFC 9162 inclusion path to the report's checkpoint, base64.
    pub proof: Vec<String>,
    pub disclosures: Vec<String>,
}

/// A sparse Merkle map proof, hashes in standard base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusProof {
    /// Siblings from the root's children down the key's path.
    pub siblings: Vec<String>,
    /// The one pair in the subtree the path ends at; `null` when it is empty.
    pub leaf: Option<StatusLeaf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusLeaf {
    pub key: String,
    pub value_digest: String,
}

/// What a legal person's USCC maps to in the status map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectStatus {
    pub uscc: String,
    /// Published lists in force, by listing date, then decision number.
    pub lists: Vec<StatusListing>,
    /// Penalty and dishonest-debtor records in publicity, by log index.
    pub records: Vec<StatusRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusListing {
    pub list_code: String,
    pub list_name: String,
    /// `serious`, `key_attention` or `red`.
    pub list_kind: String,
    pub decision_no: String,
    pub listed_on: String,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusRecord {
    pub category: String,
    pub id: String,
    /// The log index of the record's current version.
    pub index: u64,
}

impl SubjectStatus {
    /// A status with nothing in it: such a subject is not in the map.
    pub fn is_clean(&self) -> bool {
        self.lists.is_empty() && self.records.is_empty()
    }

    /// Puts lists and records in the order the map commits them.
    pub fn sorted(mut self) -> SubjectStatus {
        self.lists.sort_by(|a, b| {
            (&a.listed_on, &a.decision_no, &a.list_code).cmp(&(&b.listed_on, &b.decision_no, &b.list_code))
        });
        // Then by id: a sort that depends on the order rows were read in
        // would give the same statuses another root.
        self.records.sort_by(|a, b| (a.index, &a.id).cmp(&(b.index, &b.id)));
        self
    }

    /// The value the map commits: this JSON text, or nothing for a clean status.
    pub fn committed_value(&self) -> Option<String> {
        (!self.is_clean()).then(|| serde_json::to_string(self).unwrap_or_default())
    }
}

impl CreditReport {
    /// What the status proof states, in one Chinese sentence (the PDF, the
    /// command line and the portal's check print it).
    pub fn status_statement(&self) -> String {
        let index = self.status.commitment.index;
        let status = self.status.value.as_deref().and_then(|v| serde_json::from_str::<SubjectStatus>(v).ok());
        match status {
            None => format!(
                "截至 {}，该主体不在状态图谱中：未被列入任何有效信用名单，无公示期内的行政处罚和失信被执行人信息（状态图谱承诺见日志第 {index} 条，可离线核验）。",
                self.as_of
            ),
            Some(s) => format!(
                "截至 {}，状态图谱记载该主体在 {} 个有效信用名单中，有 {} 条公示期内的行政处罚或失信被执行人信息，即本报告所列各项，别无其他（状态图谱承诺见日志第 {index} 条，可离线核验）。",
                self.as_of,
                s.lists.len(),
                s.records.len()
            ),
        }
    }
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
