//! What the parsers enforce, stated in the API document: lengths, patterns,
//! ranges and the codes a field takes, written from the same constants the
//! handlers and the core check against, so that a request the document
//! allows is one the server accepts and one it forbids is refused (the
//! schemathesis run of `scripts/api-conformance` holds the two together).
//!
//! [`apply`] sets what the code fixes (run once, on the generated document);
//! [`apply_rules`] sets what the rules and settings in force decide (the
//! scenario, list and catalog item codes, the watchlist's length), on every
//! request for the document: rules are published without a restart.

use serde_json::{Map, Value, json};
use xinyong_core::checks::receipts::RECEIPT_ID_LEN;
use xinyong_core::closed_loop::feeds::{MAX_CASE_REF_CHARS, MAX_CASES_PER_CALL, MAX_FEED_PAGE, MAX_TEXT_CHARS};
use xinyong_core::rules::Rules;

/// What `char::is_whitespace` (Unicode White_Space) matches: the characters
/// `str::trim` removes. Spelled out, so that every regex engine reads the
/// same class (`\s` differs between them).
const WS: &str = r"\u0009-\u000D\u0020\u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// What `char::is_control` (Unicode Cc) matches.
const CC: &str = r"\u0000-\u001F\u007F-\u009F";

/// A `YYYY-MM-DD` day of the proleptic Gregorian calendar (leap years
/// included), as `chrono` reads one; ASCII digits only.
const DATE: &str = "(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)\
                    |02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])\
                    |(?:[02468][048]|[13579][26])00)-02-29)";

/// A text the parser trims and then wants 1..=`max` characters of (none of
/// them a control character unless `controls`); with `optional`, nothing
/// (or only blanks) is fine too.
fn trimmed(max: usize, controls: bool, optional: bool) -> String {
    let (inner, edge) = if controls {
        (r"[\s\S]".to_owned(), format!("[^{WS}]"))
    } else {
        (format!("[^{CC}]"), format!("[^{WS}{CC}]"))
    };
    let body = format!("{edge}(?:{inner}{{0,{}}}{edge})?", max.saturating_sub(2));
    let body = if optional { format!("(?:{body})?") } else { body };
    format!("^[{WS}]*{body}[{WS}]*$")
}

/// Something other than blanks (the parser trims and refuses nothing).
fn not_blank() -> String {
    format!("[^{WS}]")
}

/// One of `codes` (blanks around it ignored), or with `optional` nothing.
fn one_of<'c>(codes: impl IntoIterator<Item = &'c str>, optional: bool) -> String {
    let escaped: Vec<String> = codes
        .into_iter()
        .map(|c| {
            c.chars()
                .map(|ch| if r"\.^$|?*+()[]{}".contains(ch) { format!("\\{ch}") } else { ch.to_string() })
                .collect()
        })
        .collect();
    let quantifier = if optional { "?" } else { "" };
    format!("^[{WS}]*(?:{}){quantifier}[{WS}]*$", escaped.join("|"))
}

/// A day, or nothing (blanks around it ignored): the portal's filters.
fn day_or_nothing() -> String {
    format!("^[{WS}]*(?:{DATE})?[{WS}]*$")
}

/// Each limit: where it goes (`schemas/<Schema>/<property>` or
/// `<METHOD> <path> <parameter>`) and the keywords it adds.
fn limits() -> Vec<(String, Value)> {
    let text = |max, controls, optional| json!({ "pattern": trimmed(max, controls, optional) });
    // Cursors and offsets are read as `u64` (`usize`): the whole unsigned
    // range, which `format: int64` would halve. A cursor given is the one
    // answered when nothing follows it.
    let unsigned = json!({ "format": null, "minimum": 0, "maximum": u64::MAX });
    let page = |max: u32| json!({ "minimum": 1, "maximum": max });
    let mut out = vec![
        // POST /api/v1/records/batches (collection::api)
        (
            "schemas/BatchCreateRequestDoc/rows".to_owned(),
            json!({ "items": {
                "type": "object",
                "additionalProperties": { "type": ["string", "number", "boolean", "null"] },
            }}),
        ),
        (
            "POST /api/v1/records/batches Idempotency-Key".to_owned(),
            json!({
                "type": "string",
                "pattern": format!("^[\\t ]*[!-~](?:[\\t -~]{{0,{}}}[!-~])?[\\t ]*$", crate::collection::api::MAX_IDEMPOTENCY_KEY - 2),
            }),
        ),
        ("GET /api/v1/records/batches/{id} reports_offset".to_owned(), unsigned.clone()),
        // POST /api/v1/checks, /checks/batch (checks::api, xinyong_core::checks::index)
        ("schemas/CheckRequestDoc/subject".to_owned(), text(xinyong_domain::subjects::MAX_NAME_CHARS, false, false)),
        ("schemas/CheckRequestDoc/requester".to_owned(), text(crate::checks::api::MAX_REF_CHARS, false, false)),
        ("schemas/CheckRequestDoc/case_ref".to_owned(), text(crate::checks::api::MAX_REF_CHARS, false, true)),
        ("schemas/BatchCheckRequestDoc/requester".to_owned(), text(crate::checks::api::MAX_REF_CHARS, false, false)),
        ("schemas/BatchCheckRequestDoc/case_ref".to_owned(), text(crate::checks::api::MAX_REF_CHARS, false, true)),
        (
            "schemas/BatchCheckRequestDoc/subjects".to_owned(),
            json!({ "maxItems": crate::checks::api::MAX_BATCH_SUBJECTS }),
        ),
        (
            "GET /api/v1/checks/receipts/{id} id".to_owned(),
            json!({ "pattern": format!("^[0-9a-f]{{{RECEIPT_ID_LEN}}}$") }),
        ),
        // The closed loop (closed_loop::api, xinyong_core::closed_loop::feeds)
        ("GET /api/v1/feeds/{department} limit".to_owned(), page(MAX_FEED_PAGE)),
        ("GET /api/v1/feeds/{department} after".to_owned(), unsigned.clone()),
        ("schemas/FeedPageDoc/next_cursor".to_owned(), unsigned.clone()),
        ("GET /api/v1/subscription/feed after".to_owned(), unsigned.clone()),
        ("schemas/SubscriptionFeedDoc/next_cursor".to_owned(), unsigned.clone()),
        // Clamped to 1–1,000, read as `u32`.
        (
            "GET /api/v1/subscription/feed limit".to_owned(),
            json!({ "format": null, "minimum": 0, "maximum": u32::MAX }),
        ),
        ("schemas/AcknowledgeRequestDoc/note".to_owned(), text(MAX_TEXT_CHARS, true, true)),
        ("schemas/FeedbackRequestDoc/outcome".to_owned(), text(MAX_TEXT_CHARS, true, false)),
        ("schemas/FeedbackRequestDoc/case_ref".to_owned(), text(MAX_CASE_REF_CHARS, false, true)),
        ("schemas/CasesRequestDoc/cases".to_owned(), json!({ "minItems": 1, "maxItems": MAX_CASES_PER_CALL })),
        ("schemas/CaseDoc/case_ref".to_owned(), text(MAX_CASE_REF_CHARS, false, false)),
        ("schemas/CaseDoc/handled_on".to_owned(), json!({ "pattern": format!("^{DATE}$") })),
        // Statistics (collection::stats_api): no blanks trimmed.
        ("GET /api/v1/stats/timeliness from".to_owned(), json!({ "pattern": format!("^(?:{DATE})?$") })),
        ("GET /api/v1/stats/timeliness to".to_owned(), json!({ "pattern": format!("^(?:{DATE})?$") })),
        // Public (portal::api)
        ("GET /api/v1/public/subjects q".to_owned(), json!({ "pattern": not_blank() })),
        // Clamped to 1–50, read as `usize`.
        ("GET /api/v1/public/subjects limit".to_owned(), unsigned),
        ("GET /api/v1/public/subjects/{uscc} as_of".to_owned(), json!({ "pattern": day_or_nothing() })),
        ("GET /api/v1/public/notices kind".to_owned(), json!({ "pattern": one_of(["announcement", "policy"], true) })),
    ];
    for path in ["/api/v1/public/licences", "/api/v1/public/penalties"] {
        out.push((format!("GET {path} from"), json!({ "pattern": day_or_nothing() })));
        out.push((format!("GET {path} to"), json!({ "pattern": day_or_nothing() })));
        out.push((
            format!("GET {path} after"),
            json!({ "pattern": format!("^[{WS}]*(?:{DATE}_[A-Za-z0-9]{{1,64}})?[{WS}]*$") }),
        ));
    }
    out
}

/// Sets every limit the code fixes; returns the places it did not find
/// (a renamed field or parameter: a test keeps this empty).
pub(crate) fn apply(doc: &mut Value) -> Vec<String> {
    let mut missing = Vec::new();
    for (place, keywords) in limits() {
        match target(doc, &place) {
            Some(schema) => merge(schema, &keywords),
            None => missing.push(place),
        }
    }
    missing
}

/// Sets what the rules and settings in force decide.
pub(crate) fn apply_rules(doc: &mut Value, rules: &Rules, max_watchlist: usize) {
    // Scenario codes and list types are trimmed; catalog items are not.
    let scenario = one_of(rules.sanctions.scenarios().iter().map(|s| s.code.as_str()), false);
    let items: Vec<Value> = rules.catalog.items().iter().map(|i| Value::from(i.code())).chain([Value::Null]).collect();
    let lists = one_of(rules.sanctions.lists().iter().filter(|l| l.public).map(|l| l.code.as_str()), true);
    let dynamic = [
        ("schemas/CheckRequestDoc/scenario", json!({ "pattern": scenario })),
        ("schemas/BatchCheckRequestDoc/scenario", json!({ "pattern": scenario })),
        ("schemas/CaseDoc/scenario", json!({ "pattern": scenario })),
        ("schemas/BatchCreateRequestDoc/item", json!({ "enum": items })),
        ("GET /api/v1/public/lists list", json!({ "pattern": lists })),
        ("schemas/WatchlistDoc/usccs", json!({ "maxItems": max_watchlist })),
    ];
    for (place, keywords) in dynamic {
        if let Some(schema) = target(doc, place) {
            merge(schema, &keywords);
        }
    }
}

/// The schema object a place names.
fn target<'d>(doc: &'d mut Value, place: &str) -> Option<&'d mut Map<String, Value>> {
    if let Some(rest) = place.strip_prefix("schemas/") {
        let (schema, property) = rest.split_once('/')?;
        return doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{property}"))?.as_object_mut();
    }
    let mut words = place.split(' ');
    let (method, path, name) = (words.next()?.to_lowercase(), words.next()?, words.next()?);
    let parameters = doc.get_mut("paths")?.get_mut(path)?.get_mut(&method)?.get_mut("parameters")?.as_array_mut()?;
    parameters.iter_mut().find(|p| p["name"] == name)?.get_mut("schema")?.as_object_mut()
}

/// Adds the keywords to the schema; a keyword set to null is removed.
fn merge(schema: &mut Map<String, Value>, keywords: &Value) {
    if let Some(keywords) = keywords.as_object() {
        for (k, v) in keywords {
            if v.is_null() {
                schema.remove(k);
            } else {
                schema.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        regex::Regex::new(pattern).map(|r| r.is_match(text)).unwrap_or(false)
    }

    #[test]
    fn a_trimmed_text_counts_what_is_left_of_it() {
        let p = trimmed(3, false, false);
        for ok in ["a", "abc", " \tabc\n ", "a b", "\u{3000}甲乙丙\u{3000}"] {
            assert!(matches(&p, ok), "{ok:?}");
        }
        for bad in ["", "  ", "abcd", "a\tb", "a\u{7f}"] {
            assert!(!matches(&p, bad), "{bad:?}");
        }
        assert!(matches(&trimmed(3, false, true), " "));
        assert!(matches(&trimmed(3, true, false), "a\tb"));
    }

    #[test]
    fn a_day_is_a_day_of_the_calendar() {
        let p = format!("^{DATE}$");
        for ok in ["2026-12-04", "2024-02-29", "2000-02-29", "0000-02-29", "1999-11-30"] {
            assert!(matches(&p, ok), "{ok}");
            assert!(chrono::NaiveDate::parse_from_str(ok, "%Y-%m-%d").is_ok(), "{ok}");
        }
        for bad in ["2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-1-01", "２０２６-01-01"] {
            assert!(!matches(&p, bad), "{bad}");
        }
    }
}
