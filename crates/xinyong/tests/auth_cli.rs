//! Departments, users and API tokens from the command line.

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

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn departments_users_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    let out = xinyong(d, &["departments", "seed"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = xinyong(d, &["departments", "seed"], None);
    assert!(stdout(&out).contains("登记了 0 个新部门"), "{}", stdout(&out));
    let out = xinyong(d, &["departments", "list", "--json"], None);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let scjgj = list.as_array().unwrap().iter().find(|d| d["code"] == "scjgj").unwrap();
    assert_eq!(
        *scjgj,
        serde_json::json!({"code": "scjgj", "name": "济南市市场监督管理局", "uscc": "11370100MB2853A6XD",
                           "district": "370100", "sector": "market_regulation"})
    );

    // The password never comes from argv.
    let add = ["users", "add", "--login", "wang", "--name", "王经办", "--department", "scjgj", "--role", "operator"];
    let out = xinyong(d, &add, Some("correct-horse-42\n"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--password-stdin"));
    let mut with_stdin = add.to_vec();
    with_stdin.extend(["--role", "reviewer", "--password-stdin"]);
    let out = xinyong(d, &with_stdin, Some("short\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("密码至少 10 个字符"), "{}", stderr(&out));
    let out = xinyong(d, &with_stdin, Some("correct-horse-42\r\n"));
    assert!(out.status.success(), "{}", stderr(&out));
    let out = xinyong(d, &with_stdin, Some("correct-horse-42\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("已存在"));
    let out = xinyong(d, &["users", "list", "--json"], None);
    let users: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(users[0]["login"], "wang");
    assert_eq!(users[0]["roles"], serde_json::json!(["operator", "reviewer"]));
    assert!(!stdout(&out).contains("argon2"), "hashes are never listed");

    let out = xinyong(d, &["tokens", "create", "--department", "scjgj", "--label", "报送系统"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let token = stdout(&out).trim().to_owned();
    assert!(token.starts_with("xyt_"), "{token}");
    let id = token.strip_prefix("xyt_").unwrap().split('_').next().unwrap().to_owned();
    let out = xinyong(d, &["tokens", "list", "--department", "scjgj", "--json"], None);
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        tokens,
        serde_json::json!([{"token_id": id, "department": "scjgj", "label": "报送系统", "revoked": false}])
    );
    assert!(!stdout(&out).contains(&token));
    let out = xinyong(d, &["tokens", "revoke", &id], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = xinyong(d, &["tokens", "list", "--json"], None);
    let tokens: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tokens[0]["revoked"], true);
    let out = xinyong(d, &["tokens", "create", "--department", "nosuch", "--label", "x"], None);
    assert_eq!(out.status.code(), Some(2));

    // Everything above is in the log and replays to the same tables.
    let out = xinyong(d, &["verify"], None);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_demo_creates_departments_and_console_accounts() {
    let dir = tempfile::tempdir().unwrap();
    let out = xinyong(dir.path(), &["demo", "--subjects", "20"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("xinyong-demo-2026"));
    let out = xinyong(dir.path(), &["users", "list"], None);
    let text = stdout(&out);
    assert!(text.contains("admin\t信用办管理员\tfgw\tadmin\tactive"), "{text}");
    assert!(text.contains("xyb\t信用办审核人\tfgw\tadmin\tactive"), "{text}");
    assert!(text.contains("scjgj\t市场监管局经办人\tscjgj\toperator,reviewer\tactive"), "{text}");
    assert!(text.contains("ggzyjy\t公共资源交易中心经办人\tggzyjy\toperator,reviewer\tactive"), "{text}");
    // A second demo run keeps the accounts as they are.
    let out = xinyong(dir.path(), &["demo", "--subjects", "5", "--seed", "8"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = xinyong(dir.path(), &["users", "list"], None);
    assert_eq!(stdout(&out).lines().count(), 4);
}
