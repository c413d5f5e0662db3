//! Two cities, two `xinyong serve` processes, each with its own database and
//! key, witnessing each other over HTTP (C2SP tlog-witness): each one's
//! `witness_submission` job keeps the other's cosignature, a credit report
//! issued by A verifies offline under B's trust policy (A's key plus B's
//! witness, quorum 1), and one issued by B under A's. A
//! fork of A (a third process with A's key and another history) submits to
//! B over HTTP too: B never cosigns it and its report fails B's policy.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn xinyong(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(args)
        .current_dir(dir)
        .env_remove("XINYONG_DATABASE__URL")
        .env("XINYONG_LOG", "warn")
        .output()
        .unwrap()
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = xinyong(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A port free now on loopback (each city must know the other's address
/// before either starts).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `serve` in `dir` and returns it with the address it listens on.
fn serve(dir: &Path) -> (Server, String) {
    serve_on(dir, "127.0.0.1:0")
}

fn serve_on(dir: &Path, listen: &str) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xinyong"))
        .args(["serve", "--listen", listen])
        .current_dir(dir)
        .env_remove("XINYONG_DATABASE__URL")
        .env("XINYONG_LOG", "warn")
        .env("XINYONG_SERVER__METRICS_LISTEN", "")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("serve exited before listening").unwrap();
        if let Some(rest) = line.strip_prefix("xinyong: serving http://") {
            break rest.trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (Server(child), addr)
}

/// The company with the latest penalty in publicity in the city of `dir`.
fn penalised_company(dir: &Path) -> String {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = xinyong_storage::SqliteStore::open(&dir.join("data/xinyong.db")).await.unwrap();
        let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive().to_string();
        let filter = xinyong_storage::PublicRecordFilter { item: "CF".to_owned(), today, ..Default::default() };
        xinyong_storage::portal::public_records_at(&store, &filter, 0, 1).await.unwrap()[0].subject_key.clone()
    })
}

#[test]
fn a_report_from_one_city_verifies_in_another_that_witnesses_its_log() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(a.path().join("xinyong.toml"), "[log]\norigin = \"a.test/log\"\n").unwrap();
    std::fs::write(b.path().join("xinyong.toml"), "[log]\norigin = \"b.test/log\"\n").unwrap();
    ok(a.path(), &["demo", "--subjects", "300", "--seed", "7"]);
    ok(b.path(), &["demo", "--subjects", "150", "--seed", "8"]);
    let a_key = ok(a.path(), &["log", "key"]).trim().to_owned();
    let b_key = ok(b.path(), &["log", "key"]).trim().to_owned();
    let a_witness = ok(a.path(), &["log", "key", "--witness"]).trim().to_owned();
    let b_witness = ok(b.path(), &["log", "key", "--witness"]).trim().to_owned();

    // A and B witness each other; each submits to the other every second,
    // over plain HTTP on loopback.
    let (a_addr, b_addr) = (format!("127.0.0.1:{}", free_port()), format!("127.0.0.1:{}", free_port()));
    let config = |origin: &str, peer_key: &str, peer_addr: &str, peer_witness: &str| {
        format!(
            "[log]\norigin = \"{origin}\"\n[feeds]\nwebhook_allow_http = true\nwebhook_allowed_networks = [\"127.0.0.0/8\"]\n\
             [witness]\npeers = [\"{peer_key}\"]\nsubmit_interval_secs = 1\n\
             submit_to = [{{ url = \"http://{peer_addr}/witness/add-checkpoint\", key = \"{peer_witness}\" }}]\n"
        )
    };
    std::fs::write(b.path().join("xinyong.toml"), config("b.test/log", &a_key, &a_addr, &a_witness)).unwrap();
    std::fs::write(a.path().join("xinyong.toml"), config("a.test/log", &b_key, &b_addr, &b_witness)).unwrap();
    let (b_server, _) = serve_on(b.path(), &b_addr);
    let (a_server, _) = serve_on(a.path(), &a_addr);

    // The company with the latest penalty in publicity in city A.
    let uscc = penalised_company(a.path());
    let trust = format!("logs = [\"{a_key}\"]\nwitnesses = [\"{b_witness}\"]\nquorum = 1\n");
    std::fs::write(b.path().join("trust.toml"), trust).unwrap();
    let report = b.path().join("a-report.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    let verified = loop {
        let report = report.to_str().unwrap();
        ok(a.path(), &["report", "issue", "--uscc", &uscc, "--out", report]);
        let out = xinyong(b.path(), &["report", "verify", report, "--trust", "trust.toml"]);
        if out.status.success() {
            break String::from_utf8(out.stdout).unwrap();
        }
        let why = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(why.contains("checkpoint.cosignatures"), "{why}");
        assert!(Instant::now() < deadline, "B never cosigned A's checkpoint: {why}");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(verified.contains("1 个受信任的见证者联署"), "{verified}");
    b_report_verifies_under_a_policy(a.path(), b.path(), &b_key, &a_witness);
    forked_a_is_refused(a.path(), b.path(), &b_addr, &b_witness, &uscc);
    // B recorded A's checkpoint; its log still verifies. `verify` reads the
    // log, then the tables: with B still cosigning A's checkpoints every
    // second, a `witnessed_logs` row could be newer than the log it read.
    drop((a_server, b_server));
    ok(b.path(), &["verify"]);
}

/// The other way: a report of B verifies under A's policy (B's key, A's
/// witness), once A has cosigned one of B's checkpoints.
fn b_report_verifies_under_a_policy(a: &Path, b: &Path, b_key: &str, a_witness: &str) {
    let b_subject = penalised_company(b);
    let trust = format!("logs = [\"{b_key}\"]\nwitnesses = [\"{a_witness}\"]\nquorum = 1\n");
    std::fs::write(a.join("trust.toml"), trust).unwrap();
    let b_report = a.join("b-report.json");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let report = b_report.to_str().unwrap();
        ok(b, &["report", "issue", "--uscc", &b_subject, "--out", report]);
        let out = xinyong(a, &["report", "verify", report, "--trust", "trust.toml"]);
        if out.status.success() {
            break;
        }
        let why = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(why.contains("checkpoint.cosignatures"), "{why}");
        assert!(Instant::now() < deadline, "A never cosigned B's checkpoint: {why}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A fork of A (A's key, another history) served as a third process and
/// submitting to B over HTTP: B never cosigns it, and its report fails B's
/// trust policy at `checkpoint.cosignatures`, though A's key alone accepts it.
fn forked_a_is_refused(a: &Path, b: &Path, b_addr: &str, b_witness: &str, uscc: &str) {
    let fork = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(fork.path().join("data")).unwrap();
    std::fs::copy(a.join("data/log-key.txt"), fork.path().join("data/log-key.txt")).unwrap();
    let config = format!(
        "[log]\norigin = \"a.test/log\"\n[feeds]\nwebhook_allow_http = true\nwebhook_allowed_networks = [\"127.0.0.0/8\"]\n\
         [witness]\nsubmit_interval_secs = 1\nsubmit_to = [{{ url = \"http://{b_addr}/witness/add-checkpoint\", key = \"{b_witness}\" }}]\n"
    );
    std::fs::write(fork.path().join("xinyong.toml"), config).unwrap();
    ok(fork.path(), &["demo", "--subjects", "300", "--seed", "9"]);
    let a_key = ok(a, &["log", "key"]).trim().to_owned();
    assert_eq!(ok(fork.path(), &["log", "key"]).trim(), a_key, "the fork signs with A's key");
    let (_fork_server, _) = serve(fork.path());
    // Let the fork's witness_submission run a few times against B.
    std::thread::sleep(Duration::from_secs(4));
    let report = fork.path().join("fork-report.json");
    let report = report.to_str().unwrap();
    // The fork's demo has other companies; any legal person will do.
    let out = xinyong(fork.path(), &["report", "issue", "--uscc", uscc, "--out", report]);
    if !out.status.success() {
        let other = penalised_company(fork.path());
        ok(fork.path(), &["report", "issue", "--uscc", &other, "--out", report]);
    }
    let refused = xinyong(b, &["report", "verify", report, "--trust", "trust.toml"]);
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && why.contains("checkpoint.cosignatures"), "{why}");
    // With the key alone the fork's report passes: what the witness is for.
    ok(b, &["report", "verify", report, "--key", &a_key]);
}
