//! Two `xinyong serve` processes on one database (PostgreSQL when
//! `XINYONG_TEST_DATABASE_URL` is set, else one SQLite file): a batch pushed
//! to one reaches the other's projections and both sign the same checkpoint.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(dir: &Path, url: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xinyong"));
    c.current_dir(dir).env("XINYONG_DATABASE__URL", url).env("XINYONG_LOG", "warn");
    c
}

/// Starts `serve` on a free port and returns once it says where it listens.
fn serve(dir: &Path, url: &str) -> Server {
    let mut child = command(dir, url)
        .args(["serve", "--listen", "127.0.0.1:0"])
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
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// A minimal HTTP/1.1 client: (status, body).
fn http(addr: &str, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

fn database_url(dir: &Path) -> String {
    match std::env::var("XINYONG_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            // A private schema, so this test does not meet the others.
            let rt = tokio::runtime::Runtime::new().unwrap();
            rt.block_on(xinyong_test_support::TestDb::postgres(&url)).url
        }
        _ => format!("sqlite://{}", dir.join("shared.db").display()),
    }
}

#[test]
fn a_batch_pushed_to_one_server_reaches_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let url = database_url(dir.path());
    assert!(command(dir.path(), &url).args(["departments", "seed"]).status().unwrap().success());
    let out = command(dir.path(), &url)
        .args(["tokens", "create", "--department", "zjj", "--label", "t", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let token = token["token"].as_str().unwrap().to_owned();

    let a = serve(dir.path(), &url);
    let b = serve(dir.path(), &url);
    let batch = serde_json::json!({"item": "CF", "rows": [{
        "CF_XDR_MC": "济南鑫泰建筑工程有限公司", "CF_XDR_LB": "法人及非法人组织", "CF_XDR_SHXYM": "91370112MA3D8N0Q3C",
        "CF_FRDB": "李卫东", "CF_WSH": "济建罚〔2026〕801号", "CF_WFXW": "违法建设", "CF_SY": "两个进程",
        "CF_YJ": "《建设工程质量管理条例》第六十四条", "CF_CFLB": "罚款", "CF_NR": "罚款1万元", "CF_NR_FK": "1",
        "CF_JDRQ": "2026-11-20", "CF_YXQ": "2027-11-20", "CF_CFJG": "济南市住房和城乡建设局", "CF_CFJGDM": "113701000041882744",
        "CF_SJLY": "济南市住房和城乡建设局", "CF_SJLYDM": "113701000041882744"
    }]});
    let (status, body) = http(&a.addr, "POST", "/api/v1/records/batches", &token, Some(&batch.to_string()));
    assert_eq!(status, 201, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    let record = body["rows"][0]["record_id"].as_str().unwrap().to_owned();

    // The projections are shared; the other process answers at once.
    let (status, body) = http(&b.addr, "GET", &format!("/api/v1/records/{record}"), &token, None);
    assert_eq!(status, 200, "{body}");
    // Both publish the same signed checkpoint once their publishers catch up.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, ca) = http(&a.addr, "GET", "/log/checkpoint", &token, None);
        let (_, cb) = http(&b.addr, "GET", "/log/checkpoint", &token, None);
        if ca == cb && !ca.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "checkpoints never agreed:\n{ca}\n{cb}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
