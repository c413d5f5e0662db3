//! The binary as a clerk or an operator uses it.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn xinyong(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(args)
        .current_dir(dir)
        .env_remove("XINYONG_DATABASE__URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn xinyong");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

const GOOD: [&str; 4] = ["91350100M000100Y43", "914403001922038216", "91110108551385082Q", "11010519491231002X"];
const USCC_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

#[test]
fn codes_check_accepts_the_reference_codes_and_rejects_every_single_change() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(
        dir.path(),
        &["codes", "check"],
        Some(&format!("  {}  \n\n{}\n{}\n{}\n", GOOD[0], GOOD[1], GOOD[2], GOOD[3])),
    );
    assert!(out.status.success());
    let results = lines(&out);
    assert_eq!(results.len(), 4);
    let kinds: Vec<&str> = results.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["uscc", "uscc", "uscc", "id_number"]);
    assert!(results.iter().all(|r| r["valid"] == true && r["errors"].as_array().unwrap().is_empty()));
    assert_eq!(results[0]["input"], format!("  {}  ", GOOD[0]));
    assert_eq!(results[0]["normalized"], GOOD[0]);

    let mut mutated = String::new();
    for code in GOOD {
        for (i, original) in code.char_indices() {
            for c in USCC_CHARS.chars().filter(|&c| c != original) {
                let mut m = code.to_owned();
                m.replace_range(i..i + 1, &c.to_string());
                mutated.push_str(&m);
                mutated.push('\n');
            }
        }
    }
    let file = dir.path().join("codes.txt");
    std::fs::write(&file, &mutated).unwrap();
    let out = xinyong(dir.path(), &["codes", "check", file.to_str().unwrap()], None);
    assert!(out.status.success());
    let results = lines(&out);
    assert_eq!(results.len(), mutated.lines().count());
    for r in &results {
        assert_eq!(r["valid"], false, "{r}");
        assert!(!r["errors"].as_array().unwrap().is_empty(), "{r}");
    }
}

#[test]
fn lenient_mode_turns_fujian_pilot_codes_into_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let input = "91350100M0001TGQXM\n91350211M0000XUF46\n91350203M0001FUE2P\n";
    let strict = lines(&xinyong(dir.path(), &["codes", "check"], Some(input)));
    assert!(strict.iter().all(|r| r["valid"] == false));
    let lenient = lines(&xinyong(dir.path(), &["codes", "check", "--lenient"], Some(input)));
    for r in &lenient {
        assert_eq!(r["valid"], true, "{r}");
        assert_eq!(r["kind"], "uscc");
        let codes: Vec<&str> = r["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"uscc_check_character_mismatch"), "{r}");
    }
}

#[test]
fn calendar_2026_matches_the_state_council_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["calendar", "show", "2026"], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 365);
    let kind_of =
        |date: &str| text.lines().find(|l| l.starts_with(date)).unwrap().split(' ').nth(1).unwrap().to_owned();
    // DOMAIN §8: weekday holidays and make-up working days of 2026.
    for d in [
        "01-01", "01-02", "02-16", "02-17", "02-18", "02-19", "02-20", "02-23", "04-06", "05-01", "05-04", "05-05",
        "06-19", "09-25", "10-01", "10-02", "10-05", "10-06", "10-07",
    ] {
        assert_eq!(kind_of(&format!("2026-{d}")), "holiday", "2026-{d}");
    }
    for d in ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"] {
        assert_eq!(kind_of(&format!("2026-{d}")), "makeup_workday", "2026-{d}");
    }
    assert_eq!(kind_of("2026-10-11"), "weekend");
    assert_eq!(kind_of("2026-10-12"), "workday");
    let holidays = text.lines().filter(|l| l.contains(" holiday ")).count();
    // 3 + 9 + 3 + 5 + 3 + 3 + 7 days off.
    assert_eq!(holidays, 33);

    let out = xinyong(dir.path(), &["calendar", "add", "2026-09-30", "1"], None);
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "2026-10-08");
}

#[test]
fn calendar_2027_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["calendar", "show", "2027"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("2027") && err.contains("尚未发布"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn an_operator_can_import_next_years_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2027.toml");
    std::fs::write(
        &file,
        "year = 2027\nnotice = \"国务院办公厅关于2027年部分节假日安排的通知\"\n\n[[holidays]]\nname = \"元旦\"\ndays_off = [\"2027-01-01\", \"2027-01-02\", \"2027-01-03\"]\nmakeup_workdays = []\n",
    )
    .unwrap();
    let out = xinyong(dir.path(), &["calendar", "import", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = xinyong(dir.path(), &["calendar", "show", "2027"], None);
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().starts_with("2027-01-01 holiday 元旦\n"));
}

#[test]
fn verify_passes_on_a_demo_city_and_names_a_tampered_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["demo", "--subjects", "300", "--seed", "7"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = xinyong(dir.path(), &["verify"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // 300 generated subjects and the demo's industry association (信用承诺公示).
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(report.starts_with("ok: ") && report.contains(" 301 subjects") && report.contains(" records"), "{report}");

    let db = dir.path().join("data/xinyong.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let tamper = |sql: &str| {
        rt.block_on(async {
            let store = xinyong_storage::SqliteStore::open(&db).await.unwrap();
            store.execute_raw(sql).await.unwrap()
        })
    };
    assert_eq!(tamper("UPDATE events SET body = REPLACE(body, '\"active\"', '\"cancelled\"') WHERE seq = 123"), 1);
    let out = xinyong(dir.path(), &["verify"], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("table events key 123") && err.contains("log index 123"), "{err}");
}

/// `index snapshot` writes the file `serve` loads; `index rebuild` checks
/// it against the rebuilt index, and names a file from another database as
/// one that would not be used.
#[test]
fn an_index_snapshot_is_written_and_checked_against_the_rebuilt_index() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["demo", "--subjects", "200", "--seed", "3"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = xinyong(dir.path(), &["index", "rebuild", "--no-replay"], None);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no snapshot in"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = xinyong(dir.path(), &["index", "snapshot"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("201 organisations"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(dir.path().join("data/indexes/search-index.bin").exists());
    let out = xinyong(dir.path(), &["index", "rebuild"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ok: the snapshot in"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Another city's database in the same directory does not use it.
    for file in ["xinyong.db", "xinyong.db-wal", "xinyong.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join("data").join(file));
    }
    let out = xinyong(dir.path(), &["demo", "--subjects", "200", "--seed", "4"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = xinyong(dir.path(), &["index", "rebuild", "--no-replay"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("would not be used"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn bad_configuration_and_urls_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("xinyong.toml"), "[server]\nlisten = \"nowhere\"\n").unwrap();
    let out = xinyong(dir.path(), &["verify"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);

    std::fs::write(dir.path().join("xinyong.toml"), "[databse]\nurl = \"x\"\n").unwrap();
    let out = xinyong(dir.path(), &["verify"], None);
    assert_eq!(out.status.code(), Some(2), "unknown sections are typos, not ignored");

    std::fs::remove_file(dir.path().join("xinyong.toml")).unwrap();
    let out = xinyong(dir.path(), &["verify", "--database", "mysql://localhost/x"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = xinyong(dir.path(), &["serve", "--listen", "not-an-address"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_database_from_a_newer_schema_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("data/xinyong.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = xinyong_storage::SqliteStore::open(&db).await.unwrap();
        store
            .execute_raw(
                "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                 VALUES (29991231000000, 'newer', CURRENT_TIMESTAMP, 1, X'00', 0)",
            )
            .await
            .unwrap();
    });
    let out = xinyong(dir.path(), &["serve"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newer") && err.contains("29991231000000"), "{err}");
}

#[test]
fn listings_expire_runs_the_expiry_job_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("x.db").display());
    let out = xinyong(dir.path(), &["listings", "expire", "--json", "--database", &url], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(lines(&out), [serde_json::json!({ "exited": 0 })]);
    let out = xinyong(dir.path(), &["config", "print-default"], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("expire_interval_secs = 3600"));
}

/// `bench all --json` runs the standard set, each bench in its own process,
/// and prints one document with every bench's figures (quick scale here).
#[test]
fn bench_all_prints_one_document_with_every_bench() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["bench", "all", "--scale", "quick", "--json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = lines(&out).pop().expect("one JSON document");
    let benches: Vec<&str> =
        doc["benches"].as_array().unwrap().iter().map(|b| b["report"]["bench"].as_str().unwrap()).collect();
    assert_eq!(benches, ["log", "ingest", "search", "check", "evaluate", "lottery", "report"], "{doc}");
    let ingest = &doc["benches"][1]["report"]["figures"];
    let rate = ingest.as_array().unwrap().iter().find(|f| f["name"] == "ingest_rate").unwrap();
    assert!(rate["value"].as_f64().unwrap() > 0.0 && rate["baseline"]["value"].as_f64().unwrap() > 0.0, "{rate}");
    assert_eq!(doc["scale"], "quick");
}

#[test]
fn a_credit_report_issued_on_the_command_line_verifies_with_the_logs_key_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["demo", "--subjects", "300", "--seed", "7"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let db = dir.path().join("data/xinyong.db");
    let rt = tokio::runtime::Runtime::new().unwrap();
    // The legal person with the latest penalty in publicity.
    let uscc = rt.block_on(async {
        let store = xinyong_storage::SqliteStore::open(&db).await.unwrap();
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive().to_string();
        let filter = xinyong_storage::PublicRecordFilter { item: "CF".to_owned(), today, ..Default::default() };
        let rows = xinyong_storage::portal::public_records_at(&store, &filter, 0, 1).await.unwrap();
        rows[0].subject_key.clone()
    });
    let out = xinyong(dir.path(), &["report", "issue", "--uscc", &uscc, "--out", "r.json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = xinyong(dir.path(), &["log", "key"], None);
    let key = String::from_utf8(key.stdout).unwrap().trim().to_owned();
    std::fs::write(dir.path().join("trust.toml"), format!("logs = [\"{key}\"]\n")).unwrap();
    let out = xinyong(dir.path(), &["report", "verify", "r.json", "--trust", "trust.toml"], None);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && text.starts_with("核验通过") && text.contains(&uscc), "{text}");

    // A stranger's key: refused, exit 1, the part named.
    let stranger = "xinyong.local/log+2791de25+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3";
    let out = xinyong(dir.path(), &["report", "verify", "r.json", "--key", stranger], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("protected.kid"));
    // The PDF carries the same kind of signed JSON, and verifies the same way.
    let out = xinyong(dir.path(), &["report", "issue", "--uscc", &uscc, "--pdf", "--out", "r.pdf"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = xinyong(dir.path(), &["report", "verify", "r.pdf", "--key", &key], None);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && text.starts_with("核验通过"), "{text}{}", String::from_utf8_lossy(&out.stderr));
    // The full version (完整版) verifies the same way.
    let out = xinyong(dir.path(), &["report", "issue", "--uscc", &uscc, "--full", "--out", "full.json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let full = std::fs::read_to_string(dir.path().join("full.json")).unwrap();
    assert!(!full.is_empty());
    let out = xinyong(dir.path(), &["report", "verify", "full.json", "--key", &key], None);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success() && text.starts_with("核验通过"), "{text}{}", String::from_utf8_lossy(&out.stderr));

    let out = xinyong(dir.path(), &["verify"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
