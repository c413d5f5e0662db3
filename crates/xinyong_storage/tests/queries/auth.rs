//! `xinyong_storage::auth` and `::rules`: departments, users, tokens and
//! rule-set versions in key order with a bound and a cursor, on every
//! backend.

use xinyong_domain::auth::{AccessAuditRow, ApiTokenRow, DepartmentRow, Role, UserRow};
use xinyong_domain::projection::Joined;
use xinyong_storage::auth;

use crate::{backends, dept, put, rows};

#[tokio::test]
async fn departments_users_and_tokens_are_listed_by_key_page_by_page() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let department = |code: &str| DepartmentRow {
            code: dept(code),
            name: format!("{code} 局"),
            uscc: None,
            district: "370100".to_owned(),
            sector: None,
            seq: 1,
        };
        let user = |login: &str| UserRow {
            login: login.to_owned(),
            display_name: login.to_owned(),
            department: Some(dept("scjgj")),
            roles: Joined(vec![Role::Operator]),
            password_hash: "$argon2id$x".to_owned(),
            active: true,
            must_change_password: login == "zhao",
            seq: 1,
        };
        let token = |id: &str, d: &str| ApiTokenRow {
            token_id: id.to_owned(),
            department: dept(d),
            label: "系统".to_owned(),
            secret_sha256: "00".to_owned(),
            revoked: false,
            seq: 1,
        };
        let mut writes = rows(&[department("swj"), department("czj"), department("scjgj")]);
        writes.extend(rows(&[user("wang"), user("li"), user("zhao")]));
        writes.extend(rows(&[token("t3", "scjgj"), token("t1", "swj"), token("t2", "scjgj")]));
        put(store, writes).await;

        let codes: Vec<String> =
            auth::departments(store, 10).await.unwrap().into_iter().map(|d| d.code.to_string()).collect();
        assert_eq!(codes, ["czj", "scjgj", "swj"], "{backend}");
        assert_eq!(auth::departments(store, 2).await.unwrap().len(), 2);

        let page = auth::users(store, None, 2).await.unwrap();
        let logins: Vec<&str> = page.items.iter().map(|u| u.login.as_str()).collect();
        assert_eq!((logins, page.next.as_deref()), (vec!["li", "wang"], Some("wang")), "{backend}");
        let rest = auth::users(store, page.next.as_deref(), 2).await.unwrap();
        assert_eq!((rest.items.len(), rest.next), (1, None));
        assert_eq!(rest.items[0].login, "zhao");
        assert!(rest.items[0].must_change_password && !page.items[0].must_change_password, "{backend}: read back");

        let ids = |p: &xinyong_storage::Page<ApiTokenRow, String>| {
            p.items.iter().map(|t| t.token_id.clone()).collect::<Vec<_>>()
        };
        let all = auth::tokens(store, None, None, 10).await.unwrap();
        assert_eq!(ids(&all), ["t1", "t2", "t3"], "{backend}");
        let scjgj = dept("scjgj");
        let first = auth::tokens(store, Some(&scjgj), None, 1).await.unwrap();
        assert_eq!((ids(&first), first.next.as_deref()), (vec!["t2".to_owned()], Some("t2")), "{backend}");
        let rest = auth::tokens(store, Some(&scjgj), first.next.as_deref(), 1).await.unwrap();
        assert_eq!((ids(&rest), rest.next), (vec!["t3".to_owned()], None));
    }
}

#[tokio::test]
async fn the_audit_trail_is_read_newest_first_by_reader_and_time() {
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let read = |entry: u64, reader: &str, at_ms: i64| AccessAuditRow {
            entry,
            read_at_ms: at_ms,
            reader: reader.to_owned(),
            reader_roles: "reviewer".to_owned(),
            reader_department: Some(dept("scjgj")),
            reason: "核查".to_owned(),
            what: "person_file".to_owned(),
            subject: "110105********002X".to_owned(),
            seq: entry,
        };
        put(store, rows(&[read(5, "user:wang", 1_000), read(9, "user:li", 2_000), read(12, "user:wang", 3_000)])).await;
        let entries =
            |p: &xinyong_storage::Page<AccessAuditRow, u64>| p.items.iter().map(|r| r.entry).collect::<Vec<_>>();
        let first = auth::access_audit(store, None, None, None, 2).await.unwrap();
        assert_eq!((entries(&first), first.next), (vec![12, 9], Some(9)), "{backend}");
        let rest = auth::access_audit(store, None, None, first.next, 2).await.unwrap();
        assert_eq!((entries(&rest), rest.next), (vec![5], None), "{backend}");
        let wang = auth::access_audit(store, Some("user:wang"), None, None, 10).await.unwrap();
        assert_eq!(entries(&wang), [12, 5], "{backend}");
        let recent = auth::access_audit(store, Some("user:wang"), Some(2_000), None, 10).await.unwrap();
        assert_eq!(entries(&recent), [12], "{backend}");
    }
}

#[tokio::test]
async fn rule_set_versions_are_read_by_key_page_by_page() {
    use xinyong_domain::rules::RuleSetRow;
    use xinyong_storage::rules;
    for db in backends().await {
        let store = db.store.as_ref();
        let version = |kind: &str, version: &str, effective: Option<&str>| RuleSetRow {
            kind: kind.to_owned(),
            version: version.to_owned(),
            sha256: "00".to_owned(),
            text: format!("{kind} {version}"),
            effective: effective.map(crate::date),
            seq: 1,
        };
        put(
            store,
            rows(&[
                version("lists", "2026.1", None),
                version("calendar", "2027", Some("2027-01-01")),
                version("catalog", "2026.2", Some("2026-12-01")),
                version("catalog", "2026.1", None),
            ]),
        )
        .await;
        let first = rules::rule_sets(store, None, 2).await.unwrap();
        let keys = |p: &xinyong_storage::Page<RuleSetRow, (String, String)>| {
            p.items.iter().map(|r| format!("{} {}", r.kind, r.version)).collect::<Vec<_>>()
        };
        assert_eq!(keys(&first), ["calendar 2027", "catalog 2026.1"], "{}", store.backend().as_str());
        assert_eq!(first.items[0].effective, Some(crate::date("2027-01-01")));
        let rest = rules::rule_sets(store, first.next.as_ref(), 2).await.unwrap();
        assert_eq!((keys(&rest), rest.next), (vec!["catalog 2026.2".to_owned(), "lists 2026.1".to_owned()], None));
    }
}
