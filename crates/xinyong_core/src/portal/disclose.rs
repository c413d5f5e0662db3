//! Which fields of a record's v2 entry the portal discloses (docs/LOG.md,
//! "Entry format v2"): each disclosed field is handed out as its SD-JWT-style
//! disclosure and checked here against the entry's digests, so anyone can
//! prove that field alone. A field is disclosed only when showing it reveals
//! nothing the public view hides: personal fields, names withheld by the
//! row's flag, and any value holding an ID, phone, e-mail or card number stay
//! digests.

use serde::Serialize;
use xinyong_domain::collection::AcceptedRecord;
use xinyong_domain::collection::catalog::{CatalogItem, FieldRole};
use xinyong_domain::log::LogEntry;
use xinyong_domain::log::disclosure::{Disclosure, disclosures};
use xinyong_domain::mask::MaskConfig;

use super::scrub_personal_data;

/// One field of a record entry, opened on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDisclosure {
    /// RFC 6901 JSON Pointer into the event body, e.g. `/record/fields/CF_WFXW`.
    pub pointer: String,
    /// What the field is, in Chinese.
    pub label: String,
    /// The value as committed (JSON text for anything but a string).
    pub value: String,
    /// `base64url([salt, pointer, value])`: hash it and find the digest in the entry.
    pub disclosure: String,
    /// Its SHA-256 is one of the entry's `field` lines (checked here).
    pub matches: bool,
}

/// The public fields of a record's v2 entry, each with its disclosure, or
/// nothing for a v1 entry (one commitment to the whole body).
pub fn public_disclosures(
    entry: &LogEntry,
    salt: &[u8; 32],
    body_json: &str,
    record: &AcceptedRecord,
    item: &CatalogItem,
    mask: &MaskConfig,
) -> Vec<FieldDisclosure> {
    let Some(digests) = &entry.field_digests else { return Vec::new() };
    let Ok(all) = disclosures(salt, body_json.as_bytes()) else { return Vec::new() };
    let names_withheld = item.names_withheld(&record.fields);
    all.into_iter()
        .filter_map(|d| {
            let label = public_label(&d, item, names_withheld, mask)?;
            let value = match &d.value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let matches = digests.contains(&d.digest());
            Some(FieldDisclosure { label, value, matches, disclosure: d.encoded, pointer: d.pointer })
        })
        .collect()
}

/// Every field of an entry whose whole body is public (a status map
/// commitment), each with its disclosure, labelled by its pointer.
pub fn all_disclosures(entry: &LogEntry, salt: &[u8; 32], body_json: &str) -> Vec<FieldDisclosure> {
    let Some(digests) = &entry.field_digests else { return Vec::new() };
    let Ok(all) = disclosures(salt, body_json.as_bytes()) else { return Vec::new() };
    all.into_iter()
        .map(|d| FieldDisclosure {
            label: d.pointer.clone(),
            value: match &d.value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            },
            matches: digests.contains(&d.digest()),
            disclosure: d.encoded,
            pointer: d.pointer,
        })
        .collect()
}

/// The label of a leaf the public may see, or `None` for one that stays a digest.
fn public_label(d: &Disclosure, item: &CatalogItem, names_withheld: bool, mask: &MaskConfig) -> Option<String> {
    if !is_clean(&d.value, mask) {
        return None;
    }
    if let Some(code) = d.pointer.strip_prefix("/record/fields/") {
        let spec = item.field(code)?;
        let personal = !spec.is_public()
            || spec.role() == Some(FieldRole::LegalRepName)
            || (names_withheld && spec.is_withheld_when_names());
        return (!personal).then(|| format!("{}（{}）", spec.name(), spec.code()));
    }
    if let Some(name) = d.pointer.strip_prefix("/record/publicity/") {
        return Some(format!("公示决定：{name}"));
    }
    let label = match d.pointer.as_str() {
        "/kind" => "事件类型",
        "/record/id" => "记录编号",
        "/record/department" => "报送部门代码",
        "/record/item" => "目录事项",
        "/record/catalog_version" => "目录版本",
        "/record/batch_id" => "报送批次",
        "/record/document_number" => "决定文书号",
        "/record/subject/kind" => "主体类别",
        "/record/subject/key" => "统一社会信用代码",
        "/record/subject/name" => "主体名称",
        "/record/decision_date" => "决定日期",
        "/record/received_date" => "报送日期",
        "/record/working_days" => "报送用时（工作日）",
        "/record/deadline_working_days" => "报送时限（工作日）",
        // A correction's changes may name any field, public or not: they open
        // only when every value in them is a public field's and clean.
        "/changes" => return changes_are_public(&d.value, item, names_withheld).then(|| "更正内容".to_owned()),
        _ => return None,
    };
    Some(label.to_owned())
}

/// Nothing in the value (at any depth) is something the public view masks.
fn is_clean(value: &serde_json::Value, mask: &MaskConfig) -> bool {
    match value {
        serde_json::Value::String(s) => scrub_personal_data(s, mask) == *s,
        serde_json::Value::Array(items) => items.iter().all(|v| is_clean(v, mask)),
        serde_json::Value::Object(members) => members.values().all(|v| is_clean(v, mask)),
        serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => true,
    }
}

fn changes_are_public(changes: &serde_json::Value, item: &CatalogItem, names_withheld: bool) -> bool {
    let Some(changes) = changes.as_array() else { return false };
    changes.iter().all(|c| {
        c.get("field").and_then(|f| f.as_str()).and_then(|code| item.field(code)).is_some_and(|spec| {
            spec.is_public()
                && spec.role() != Some(FieldRole::LegalRepName)
                && !(names_withheld && spec.is_withheld_when_names())
        })
    })
}
