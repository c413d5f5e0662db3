//! `xinyong import`, `catalog list` and `departments list` as scripts use them.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::path::Path;
use std::process::{Command, Output};

fn xinyong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(args)
        .current_dir(dir)
        .env_remove("XINYONG_DATABASE__URL")
        .output()
        .unwrap()
}

fn fixture(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn import_infers_item_and_department_and_prints_one_line_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["import", "--json", &fixture("penalties_gbk.csv")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("推断事项为 CF") && err.contains("推断部门为 scjgj"), "{err}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 15, "14 rows and a summary");
    let summary = lines.last().unwrap();
    assert_eq!(summary["summary"], true);
    assert_eq!((summary["accepted"].as_u64(), summary["rejected"].as_u64()), (Some(6), Some(8)));
    for row in &lines[..14] {
        let status = row["status"].as_str().unwrap();
        assert!(["accepted", "accepted_with_warnings", "rejected"].contains(&status), "{row}");
        for e in row["errors"].as_array().unwrap() {
            assert!(e["field"].is_string() && e["code"].is_string() && e["message"].is_string());
        }
    }

    // A dry run of another file writes nothing; the same file again is recognised.
    let dry = xinyong(dir.path(), &["import", "--json", "--dry-run", &fixture("licences.xlsx")]);
    assert_eq!(json_lines(&dry).last().unwrap()["dry_run"], true);
    let again = xinyong(dir.path(), &["import", "--json", &fixture("penalties_utf8.csv")]);
    let summary = json_lines(&again).pop().unwrap();
    assert_eq!(summary["already_received"], true);
    let verify = xinyong(dir.path(), &["verify"]);
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}

#[test]
fn import_refuses_what_it_cannot_attribute() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.csv");
    std::fs::write(&csv, "甲,乙,丙\n1,2,3\n").unwrap();
    let out = xinyong(dir.path(), &["import", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let out =
        xinyong(dir.path(), &["import", "--department", "nosuch", "--item", "CF", &fixture("penalties_utf8.csv")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("department_unknown"));
    let out =
        xinyong(dir.path(), &["import", "--department", "scjgj", "--item", "SXBZXR", &fixture("penalties_utf8.csv")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("item_not_allowed"));
}

#[test]
fn catalog_and_departments_list_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["catalog", "list", "--json"]);
    assert!(out.status.success());
    let catalog: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = catalog["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
    for code in ["XK", "CF", "SXBZXR"] {
        assert!(codes.contains(&code), "{codes:?}");
    }
    assert!(xinyong(dir.path(), &["departments", "seed"]).status.success());
    let out = xinyong(dir.path(), &["departments", "list", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let departments: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(departments.as_array().unwrap().iter().any(|d| d["code"] == "scjgj"));
}
