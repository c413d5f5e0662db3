//! The public portal through the router: search, subject pages, 双公示,
//! lists, verification, the public JSON API, rate limits and the OpenAPI
//! document.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::net::SocketAddr;
use xinyong_domain::subjects::SubjectsEvent;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use xinyong_core::auth::{seed_departments, shipped_departments};
use xinyong_core::collection::intake::{IngestRequest, InputTable, Source, ingest_batch};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::RoleHolder;
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, RelationRole, SubjectName, SubjectStatus};
use xinyong_domain::{IdNumber, Uscc};
use xinyong_server::PortalSettings;
use xinyong_test_support::{TestApp, TestResponse, assert_matches_schema};

const SCJGJ: &str = "11370100MB2853A6XD";
const ZJJ: &str = "113701000041882744";
const REP_A_ID: &str = "11010519491231002X";
const REP_B_ID: &str = "440524188001010014";

fn uscc(division: &str, body: &str) -> String {
    Uscc::from_parts('9', '1', division, body).unwrap().as_str().to_owned()
}

/// 济南泉润商贸有限公司 (历下区, represented by 张三丰).
fn a() -> String {
    uscc("370102", "MA3C8N0Q")
}

/// 济南鑫泰建筑工程有限公司 (长清区, represented by 李卫东).
fn b() -> String {
    uscc("370113", "MA3D8N0R")
}

fn natural_id() -> String {
    IdNumber::from_parts("370102", NaiveDate::from_ymd_opt(1980, 5, 6).unwrap(), 123).unwrap().as_str().to_owned()
}

fn registration(code: &str, name: &str, rep: &str, rep_id: &str) -> NewEvent {
    NewEvent::new(
        Actor::parse("demo").unwrap(),
        SubjectsEvent::LegalPersonRegistered {
            subject: LegalPerson {
                uscc: Uscc::parse(code).unwrap(),
                name: SubjectName::parse(name).unwrap(),
                status: SubjectStatus::Active,
            },
            people: vec![RoleHolder {
                role: RelationRole::LegalRepresentative,
                person: NaturalPerson {
                    id_number: IdNumber::parse(rep_id).unwrap(),
                    name: SubjectName::parse(rep).unwrap(),
                },
            }],
        },
    )
}

fn table(rows: &[Vec<(&str, String)>]) -> InputTable {
    let mut headers: Vec<String> = Vec::new();
    for row in rows {
        for (k, _) in row {
            if !headers.iter().any(|h| h == k) {
                headers.push((*k).to_owned());
            }
        }
    }
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let cells = headers
                .iter()
                .map(|h| row.iter().find(|(k, _)| k == h).map(|(_, v)| v.clone()).unwrap_or_default())
                .collect();
            (i as u64 + 2, cells)
        })
        .collect();
    InputTable { headers, rows }
}

async fn ingest(app: &TestApp, department: &str, item: &str, rows: &[Vec<(&str, String)>]) {
    let out = ingest_batch(
        &app.core,
        IngestRequest {
            actor: Actor::parse(&format!("department:{department}")).unwrap(),
            department: DepartmentCode::parse(department).unwrap(),
            item: Some(item.to_owned()),
            source: Source::Cli,
            file_name: None,
            idempotency_key: None,
            table: table(rows),
            lenient_codes: false,
            received_date: None,
            dry_run: false,
        },
    )
    .await
    .unwrap();
    assert_eq!(out.batch.rejected, 0, "{:?}", out.rows);
}

fn licence(
    subject: &str,
    name: &str,
    rep: &str,
    doc: &str,
    decided: &str,
    valid_to: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("XK_XDR_MC", name.to_owned()),
        ("XK_XDR_LB", "法人及非法人组织".to_owned()),
        ("XK_XDR_SHXYM", subject.to_owned()),
        ("XK_FRDB", rep.to_owned()),
        ("XK_XKWS", "食品经营许可证准予许可决定书".to_owned()),
        ("XK_WSH", doc.to_owned()),
        ("XK_XKLB", "普通".to_owned()),
        ("XK_XKZS", "食品经营许可证".to_owned()),
        ("XK_XKBH", format!("JY{doc}")),
        ("XK_NR", "预包装食品销售".to_owned()),
        ("XK_JDRQ", decided.to_owned()),
        ("XK_YXQZ", decided.to_owned()),
        ("XK_YXQZI", valid_to.to_owned()),
        ("XK_XKJG", "济南市市场监督管理局".to_owned()),
        ("XK_XKJGDM", SCJGJ.to_owned()),
        ("XK_ZT", "1".to_owned()),
        ("XK_LYDW", "济南市市场监督管理局".to_owned()),
        ("XK_LYDWDM", SCJGJ.to_owned()),
    ]
}

fn penalty(
    subject: &str,
    name: &str,
    rep: &str,
    doc: &str,
    decided: &str,
    simplified: bool,
) -> Vec<(&'static str, String)> {
    let mut row = vec![
        ("CF_XDR_MC", name.to_owned()),
        ("CF_XDR_LB", "法人及非法人组织".to_owned()),
        ("CF_XDR_SHXYM", subject.to_owned()),
        ("CF_FRDB", rep.to_owned()),
        ("CF_WSH", doc.to_owned()),
        ("CF_WFXW", "销售不合格商品".to_owned()),
        ("CF_SY", format!("当事人销售的产品经抽样检验不合格（{doc}）。")),
        ("CF_YJ", "《中华人民共和国产品质量法》第四十九条".to_owned()),
        ("CF_JDRQ", decided.to_owned()),
        ("CF_YXQ", decided.to_owned()),
        ("CF_CFJG", "济南市市场监督管理局".to_owned()),
        ("CF_CFJGDM", SCJGJ.to_owned()),
        ("CF_SJLY", "济南市市场监督管理局".to_owned()),
        ("CF_SJLYDM", SCJGJ.to_owned()),
    ];
    if simplified {
        row.extend([("CF_CFLB", "警告".to_owned()), ("CF_NR", "警告".to_owned()), ("CF_CXLX", "简易程序".to_owned())]);
    } else {
        row.extend([
            ("CF_CFLB", "罚款".to_owned()),
            ("CF_NR", "罚款5万元".to_owned()),
            ("CF_NR_FK", "5".to_owned()),
            ("CF_CXLX", "普通程序".to_owned()),
        ]);
    }
    row
}

/// A small city: two companies, their licences and penalties, a penalty on
/// a natural person and an inspection record without personal data.
async fn portal_app() -> TestApp {
    let app = TestApp::new().await;
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    app.core
        .append(vec![
            registration(&a(), "济南泉润商贸有限公司", "张三丰", REP_A_ID),
            registration(&b(), "济南鑫泰建筑工程有限公司", "李卫东", REP_B_ID),
        ])
        .await
        .unwrap();
    let (a, b) = (a(), b());
    ingest(
        &app,
        "scjgj",
        "XK",
        &[
            licence(&a, "济南泉润商贸有限公司", "张三丰", "济市监食许〔2026〕1001号", "2026-03-02", "2031-03-01"),
            // Valid until last January: out of its window.
            licence(&b, "济南鑫泰建筑工程有限公司", "李卫东", "济市监食许〔2025〕1002号", "2025-01-10", "2026-01-09"),
        ],
    )
    .await;
    let mut natural = penalty("", "王小明", "", "济市监罚〔2026〕104号", "2026-05-06", false);
    natural.retain(|(k, _)| !matches!(*k, "CF_XDR_SHXYM" | "CF_FRDB" | "CF_XDR_LB"));
    natural.extend([
        ("CF_XDR_LB", "自然人".to_owned()),
        ("CF_XDR_ZJLX", "身份证".to_owned()),
        ("CF_XDR_ZJHM", natural_id()),
    ]);
    ingest(
        &app,
        "scjgj",
        "CF",
        &[
            // Market regulation (SAMR Order 45) shows a lower fine for three
            // months: this one until 2027-01-15.
            penalty(&a, "济南泉润商贸有限公司", "张三丰", "济市监罚〔2026〕101号", "2026-10-15", false),
            // Decided in 2020 (527号, general: one year at most): long over.
            penalty(&a, "济南泉润商贸有限公司", "张三丰", "济市监罚〔2020〕102号", "2020-03-02", false),
            // Simplified procedure: never public in Shandong.
            penalty(&a, "济南泉润商贸有限公司", "张三丰", "济市监罚〔2026〕103号", "2026-07-01", true),
            natural,
        ],
    )
    .await;
    ingest(
        &app,
        "zjj",
        "JC",
        &[vec![
            ("JC_DX", "济南鑫泰建筑工程有限公司".to_owned()),
            ("JC_SHXYM", b.clone()),
            ("JC_BH", "济建检〔2026〕7号".to_owned()),
            ("JC_LB", "日常检查".to_owned()),
            ("JC_RQ", "2026-09-15".to_owned()),
            ("JC_JG", "未发现问题".to_owned()),
            ("JC_JGMC", "济南市住房和城乡建设局".to_owned()),
            ("JC_JGDM", ZJJ.to_owned()),
        ]],
    )
    .await;
    app.sync_search().await;
    app
}

fn assert_ok_html(r: &TestResponse) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.content_type().starts_with("text/html"), "{}", r.content_type());
    r.text()
}

#[tokio::test]
async fn the_footer_carries_the_site_furniture_and_the_console_link() {
    let mut app = portal_app().await;
    let furniture = xinyong_server::SiteFurniture {
        organizer: "济南市大数据局".into(),
        contact: "0531-12345".into(),
        website_code: "3701000099".into(),
        icp: "鲁ICP备12345678号".into(),
        police_record: "鲁公网安备 37010202000001号".into(),
    };
    let site = xinyong_server::SiteSettings { furniture, ..xinyong_server::SiteSettings::default() };
    app.state = xinyong_server::AppState::new(app.core.clone(), site);
    let html = assert_ok_html(&app.get("/lists").await);
    let (header, footer) = html.split_once("<footer").unwrap();
    assert!(!header.contains("href=\"/console\""), "部门工作台 is not in the public navigation");
    for expected in
        ["承办：济南市大数据局", "联系我们：0531-12345", "网站标识码：3701000099", "鲁ICP备12345678号", "鲁公网安备"]
    {
        assert!(footer.contains(expected), "{expected}");
    }
    assert!(footer.contains("href=\"/console\"") && footer.contains("href=\"/api/docs\""));
    // The API documentation: the vendored Swagger UI, nothing from a CDN.
    let docs = app.get("/api/docs").await;
    assert_eq!(docs.status, StatusCode::OK);
    let text = docs.text();
    assert!(text.contains("/static/vendor/swagger-ui/swagger-ui-bundle.js") && text.contains("开放接口文档"));
    assert!(!text.contains("https://") && !text.contains("http://"), "no external resources");
    assert!(docs.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self';"));
    let bundle = app.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status, StatusCode::OK);
    assert!(html.contains("rel=\"icon\" href=\"/static/favicon.svg\""));
    assert_eq!(app.get("/static/favicon.svg").await.status, StatusCode::OK);
    let r = app.get("/favicon.ico").await;
    assert_eq!(
        (r.status, r.headers["location"].to_str().unwrap()),
        (StatusCode::PERMANENT_REDIRECT, "/static/favicon.svg")
    );
    // Without furniture configured, no empty labels.
    let bare = assert_ok_html(&portal_app().await.get("/lists").await);
    assert!(!bare.contains("网站标识码") && !bare.contains("承办"));
}

#[tokio::test]
async fn the_home_page_has_the_search_box_and_the_sections() {
    let app = portal_app().await;
    let html = assert_ok_html(&app.get("/").await);
    for needle in [
        r#"action="/search""#,
        r#"hx-get="/search/suggest""#,
        r#"<label for="q""#,
        r#"href="/publicity/licences""#,
        r#"href="/lists""#,
        r#"href="/verify""#,
        r#"href="/console""#,
        r#"<script src="/static/htmx.min.js" defer></script>"#,
        r#"aria-current="page">首页"#,
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    // htmx is vendored, not loaded from a CDN.
    let js = app.get("/static/htmx.min.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.content_type().contains("javascript"), "{}", js.content_type());
    assert!(js.text().starts_with("var htmx=function()"));
    assert!(!html.contains("http://") && !html.contains("https://"), "no external resources");
}

#[tokio::test]
async fn search_works_as_a_form_and_as_you_type() {
    let app = portal_app().await;
    let html = assert_ok_html(&app.get("/search?q=%E6%B3%89%E6%B6%A6").await); // 泉润
    assert!(html.contains("济南泉润商贸有限公司"), "{html}");
    assert!(html.contains(&format!("/subjects/{}", a())));
    assert!(html.contains("历下区"));
    assert!(!html.contains("鑫泰"));

    let fragment = app.get("/search/suggest?q=%E9%91%AB%E6%B3%B0").await; // 鑫泰
    assert_eq!(fragment.status, StatusCode::OK);
    let text = fragment.text();
    assert!(text.contains("济南鑫泰建筑工程有限公司") && text.contains(&b()), "{text}");
    assert!(!text.contains("<html"), "a fragment, not a page");
    let empty = app.get("/search/suggest?q=").await.text();
    assert!(empty.trim().is_empty(), "{empty}");
    let none = app.get("/search/suggest?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84").await.text();
    assert!(none.contains("没有找到"), "{none}");

    // By code, in lower case with spaces.
    let code = a().to_lowercase();
    let spaced = format!("{} {}", &code[..8], &code[8..]);
    let html = assert_ok_html(&app.get(&format!("/search?q={}", spaced.replace(' ', "+"))).await);
    assert!(html.contains("济南泉润商贸有限公司"));
    // A legal form alone finds nothing and says why.
    let html = assert_ok_html(&app.get("/search?q=%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8").await);
    assert!(html.contains("至少两个字"), "{html}");
    // Markup in the query is escaped.
    let html = assert_ok_html(&app.get("/search?q=%3Cscript%3Ex%3C%2Fscript%3E").await);
    assert!(!html.contains("<script>x") && html.contains("&#60;script&#62;"), "{html}");
}

#[tokio::test]
async fn the_subject_page_shows_public_records_in_window_with_masked_names() {
    let app = portal_app().await;
    let html = assert_ok_html(&app.get(&format!("/subjects/{}", a())).await);
    // Basic facts: type decoded from the code, district, masked representative.
    for needle in ["济南泉润商贸有限公司", "企业", "工商", "山东省济南市历下区", "张*丰", "存续", "法定代表人"]
    {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(!html.contains("张三丰"), "representative name unmasked");
    assert!(!html.contains(REP_A_ID) && !html.contains("110105"), "ID number shown");
    // The licence and the penalty in their windows, with the penalty's facts.
    for needle in [
        "济市监食许〔2026〕1001号",
        "预包装食品销售",
        "2026-03-02 至 2031-03-01",
        "济市监罚〔2026〕101号",
        "当事人销售的产品经抽样检验不合格",
        "《中华人民共和国产品质量法》第四十九条",
        "罚款5万元",
        "50,000 元（5 万元）",
        "公示期至",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    // Out of window and simplified procedure: not shown.
    assert!(!html.contains("济市监罚〔2020〕102号"));
    assert!(!html.contains("济市监罚〔2026〕103号"));
    // Every public fact links to its verification.
    let links = html.matches("href=\"/verify/").count();
    assert_eq!(links, 3, "basic facts, one licence, one penalty");
    assert!(html.contains("暂无"));

    // The other company: its licence expired, its inspection is shown.
    let html = assert_ok_html(&app.get(&format!("/subjects/{}", b())).await);
    assert!(!html.contains("济市监食许〔2025〕1002号"));
    assert!(html.contains("济建检〔2026〕7号") && html.contains("未发现问题"));
    assert!(html.contains("李*东") && !html.contains("李卫东"));

    // Lower case redirects to the canonical address; unknown codes are 404.
    let r = app.get(&format!("/subjects/{}", a().to_lowercase())).await;
    assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(r.headers["location"], format!("/subjects/{}", a()).as_str());
    let r = app.get(&format!("/subjects/{}", uscc("370104", "MA3E8N0T"))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("没有统一社会信用代码为"));
    assert_eq!(app.get("/subjects/not-a-code").await.status, StatusCode::NOT_FOUND);
}

/// Pulls the log index out of the first `/verify/N` link after `after`.
fn verify_link_after(html: &str, after: &str) -> u64 {
    let from = html.find(after).unwrap();
    let rest = &html[from..];
    let start = rest.find("/verify/").unwrap() + "/verify/".len();
    rest[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().unwrap()
}

#[tokio::test]
async fn verification_checks_the_proof_and_opens_only_bodies_without_personal_data() {
    let app = portal_app().await;
    let page = app.get(&format!("/subjects/{}", b())).await.text();
    let inspection = verify_link_after(&page, "济建检〔2026〕7号");
    let registration = verify_link_after(&page, "信息来源");

    // An inspection record with no personal field: body and salt are shown,
    // and they open the entry's commitment.
    let html = assert_ok_html(&app.get(&format!("/verify/{inspection}")).await);
    assert!(html.contains("✓ 证明有效") || html.contains("证明有效"), "{html}");
    assert!(html.contains("未被修改") || html.contains("没有被修改"));
    assert!(html.contains("xinyong-entry/v2") && html.contains("c2sp.org/tlog-proof@v1"));
    assert!(html.contains(&app.core.keys().verifier_key()));
    let body = app.get(&format!("/verify/{inspection}/body.json")).await;
    assert_eq!(body.status, StatusCode::OK);
    let entry = app.get(&format!("/log/entries/{inspection}")).await.body;
    let entry = String::from_utf8(entry).unwrap();
    let committed = entry.lines().find_map(|l| l.strip_prefix("body ")).unwrap().to_owned();
    let salt_hex = html.split("<h3>盐值</h3>").nth(1).unwrap().split("<pre class=\"note\">").nth(1).unwrap();
    let salt = hex_decode(&salt_hex[..64]);
    let mut h = Sha256::new();
    h.update(&salt);
    h.update(&body.body);
    assert_eq!(base64::engine::general_purpose::STANDARD.encode(h.finalize()), committed);
    assert!(html.contains("与条目一致"));

    // A penalty: public, but its body holds the representative's name and
    // would reveal it; only entry and proof.
    let page = app.get(&format!("/subjects/{}", a())).await.text();
    let penalty = verify_link_after(&page, "济市监罚〔2026〕101号");
    let html = assert_ok_html(&app.get(&format!("/verify/{penalty}")).await);
    assert!(html.contains("证明有效") && html.contains("不公开正文"));
    assert!(!html.contains("张三丰") && !html.contains("盐值</h3>"));
    assert!(html.contains("济市监罚〔2026〕101号"), "the public view of the record");
    assert_eq!(app.get(&format!("/verify/{penalty}/body.json")).await.status, StatusCode::NOT_FOUND);

    // A registration (its body names people): entry and proof only.
    let html = assert_ok_html(&app.get(&format!("/verify/{registration}")).await);
    assert!(html.contains("legal_person_registered") && !html.contains("李卫东") && !html.contains(REP_B_ID));

    // Every entry verifies, including non-public ones, without their bodies.
    let size = app.core.store().log_size().await.unwrap();
    for i in 0..size {
        let html = assert_ok_html(&app.get(&format!("/verify/{i}")).await);
        assert!(html.contains("证明有效"), "entry {i}");
        assert!(!html.contains(&natural_id()) && !html.contains("王小明"), "entry {i}");
    }
    assert_eq!(app.get(&format!("/verify/{size}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/verify/x").await.status, StatusCode::NOT_FOUND);
    // The form on /verify goes to the entry.
    let r = app.get("/verify?index=3").await;
    assert_eq!((r.status, r.headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/verify/3"));
    assert!(assert_ok_html(&app.get("/verify").await).contains("最新签名检查点"));
}

/// A penalty's body names the legal representative, so it never opens whole;
/// its entry (v2) commits each field on its own, and the public ones are
/// handed out one by one and check against the entry by hashing alone.
#[tokio::test]
async fn a_penalty_s_public_fields_are_proven_one_by_one_without_its_personal_ones() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let app = portal_app().await;
    let page = app.get(&format!("/subjects/{}", a())).await.text();
    let penalty = verify_link_after(&page, "济市监罚〔2026〕101号");
    let entry = app.get(&format!("/log/entries/{penalty}")).await.text();
    assert!(entry.starts_with("xinyong-entry/v2\n"), "{entry}");
    let digests: Vec<&str> = entry.lines().filter_map(|l| l.strip_prefix("field ")).collect();
    assert!(digests.len() > 10 && digests.windows(2).all(|w| w[0] < w[1]), "{entry}");

    let r = app.get(&format!("/verify/{penalty}/disclosures.json")).await;
    assert_eq!(r.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(json["entry"].as_str(), Some(entry.as_str()));
    let disclosures = json["disclosures"].as_array().unwrap();
    let mut opened = std::collections::BTreeMap::new();
    for d in disclosures {
        // Only the string handed out and the entry: hash, encode, look up.
        let encoded = d["disclosure"].as_str().unwrap();
        let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(encoded.as_bytes()));
        assert!(digests.contains(&digest.as_str()), "{d}");
        let array: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(encoded).unwrap()).unwrap();
        assert_eq!(array[1], d["pointer"]);
        opened.insert(array[1].as_str().unwrap().to_owned(), array[2].clone());
    }
    assert_eq!(opened["/record/document_number"], "济市监罚〔2026〕101号");
    assert_eq!(opened["/record/subject/key"], a().as_str());
    assert!(opened.keys().any(|p| p.starts_with("/record/fields/CF_")), "{opened:?}");
    assert!(disclosures.len() < digests.len(), "personal fields stay digests");
    let text = String::from_utf8(r.body.clone()).unwrap();
    assert!(!text.contains("张三丰") && !text.contains("salt_hex"), "{text}");

    // A disclosure changed by one character is no longer in the entry.
    let first = disclosures[0]["disclosure"].as_str().unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(first).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 1;
    let forged = URL_SAFE_NO_PAD.encode(&bytes);
    assert!(!digests.contains(&URL_SAFE_NO_PAD.encode(Sha256::digest(forged.as_bytes())).as_str()));

    let html = assert_ok_html(&app.get(&format!("/verify/{penalty}")).await);
    assert!(html.contains("逐字段核验") && html.contains("济市监罚〔2026〕101号") && !html.contains("张三丰"));
    assert!(!html.contains("摘要不在条目中"));
    // An entry that is not a record has no field-by-field disclosures.
    assert_eq!(app.get("/verify/0/disclosures.json").await.status, StatusCode::NOT_FOUND);
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[tokio::test]
async fn publicity_pages_list_filter_and_page() {
    let app = portal_app().await;
    let html = assert_ok_html(&app.get("/publicity/penalties").await);
    assert!(html.contains("共 1 条") && html.contains("济市监罚〔2026〕101号"), "{html}");
    assert!(html.contains(&format!("href=\"/subjects/{}\"", a())));
    for hidden in ["济市监罚〔2020〕102号", "济市监罚〔2026〕103号", "济市监罚〔2026〕104号", "王小明"]
    {
        assert!(!html.contains(hidden), "{hidden}");
    }
    let html = assert_ok_html(&app.get("/publicity/licences").await);
    assert!(html.contains("共 1 条") && html.contains("济市监食许〔2026〕1001号"));
    assert!(!html.contains("济市监食许〔2025〕1002号"));

    // Filters: department, district, decision dates.
    let count = |html: &str| html.contains("共 1 条");
    assert!(count(&app.get("/publicity/penalties?department=scjgj").await.text()));
    assert!(app.get("/publicity/penalties?department=zjj").await.text().contains("共 0 条"));
    assert!(count(&app.get("/publicity/penalties?district=370102").await.text()));
    assert!(app.get("/publicity/penalties?district=370113").await.text().contains("共 0 条"));
    assert!(count(&app.get("/publicity/penalties?from=2026-10-15&to=2026-10-15").await.text()));
    assert!(app.get("/publicity/penalties?from=2026-10-16").await.text().contains("共 0 条"));
    assert_eq!(app.get("/publicity/penalties?from=yesterday").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/publicity/penalties?after=junk").await.status, StatusCode::BAD_REQUEST);
    // The selected filter stays selected.
    let html = app.get("/publicity/penalties?district=370102").await.text();
    assert!(html.contains(r#"<option value="370102" selected>"#), "{html}");
}

#[tokio::test]
async fn publicity_pages_walk_every_record_once() {
    let app = portal_app().await;
    let code = a();
    let rows: Vec<Vec<(&str, String)>> = (0..45)
        .map(|i| {
            let day = format!("2026-10-{:02}", 1 + i % 28);
            licence(
                &code,
                "济南泉润商贸有限公司",
                "张三丰",
                &format!("济市监食许〔2026〕{}号", 2000 + i),
                &day,
                "2031-01-01",
            )
        })
        .collect();
    ingest(&app, "scjgj", "XK", &rows).await;
    let mut path = "/publicity/licences".to_owned();
    let mut seen = Vec::new();
    for _ in 0..10 {
        let html = assert_ok_html(&app.get(&path).await);
        assert!(html.contains("共 46 条"));
        seen.extend(html.match_indices("济市监食许〔").map(|(i, _)| html[i..].split('<').next().unwrap().to_owned()));
        match html.split("rel=\"next\" href=\"").nth(1) {
            Some(rest) => path = rest.split('"').next().unwrap().replace("&amp;", "&"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (46, 46), "{seen:?}");
}

#[tokio::test]
async fn the_lists_page_is_honest_about_having_nothing_yet() {
    let app = portal_app().await;
    let html = assert_ok_html(&app.get("/lists").await);
    assert!(html.contains("目前没有公布的名单信息"));
    assert!(html.contains("法人和非法人组织"));
}

#[tokio::test]
async fn the_public_api_follows_the_same_rules_as_the_pages() {
    let app = portal_app().await;
    let r = app.get("/api/v1/public/subjects?q=%E6%B3%89%E6%B6%A6").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["hits"][0]["uscc"], a().as_str());
    assert_eq!(v["hits"][0]["status_name"], "存续");
    assert_eq!(v["hits"][0]["division_name"], "山东省济南市历下区");
    let r = app.get("/api/v1/public/subjects?q=").await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("query_missing")));

    let r = app.get(&format!("/api/v1/public/subjects/{}", a())).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["representative"]["name_masked"], "张*丰");
    assert_eq!(v["subject_type"]["category"], "企业");
    assert_eq!(v["licences"].as_array().unwrap().len(), 1);
    assert_eq!(v["penalties"].as_array().unwrap().len(), 1);
    assert_eq!(v["penalties"][0]["document_number"], "济市监罚〔2026〕101号");
    assert!(v["penalties"][0]["log_index"].as_u64().is_some());
    assert_eq!(v["list_entries"], serde_json::json!([]));
    assert_eq!(v["grade"], serde_json::Value::Null);
    let text = r.text();
    assert!(!text.contains("张三丰") && !text.contains(REP_A_ID) && !text.contains("FR_ZJHM"));
    assert!(!text.contains("102号") && !text.contains("103号"));
    let r = app.get(&format!("/api/v1/public/subjects/{}", uscc("370104", "MA3E8N0T"))).await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("subject_not_found")));
}

fn from_peer(path: &str, peer: &str, forwarded: Option<&str>) -> Request<Body> {
    let mut req = Request::get(path);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    req
}

#[tokio::test]
async fn public_search_is_rate_limited_per_client() {
    let mut app = portal_app().await;
    let portal = PortalSettings {
        requests_per_minute: 1,
        burst: 2,
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..PortalSettings::default()
    };
    app.state = app.state.clone().with_portal(portal);
    let page = "/search?q=%E6%B3%89%E6%B6%A6";
    for _ in 0..2 {
        assert_eq!(app.send(from_peer(page, "203.0.113.5:4000", None)).await.status, StatusCode::OK);
    }
    let r = app.send(from_peer(page, "203.0.113.5:4001", None)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.content_type().starts_with("text/html"));
    assert!(r.text().contains("查询过于频繁"));
    assert!(r.headers.get("retry-after").is_some());
    // The same client on the JSON API (one bucket per client): the envelope.
    let r = app.send(from_peer("/api/v1/public/subjects?q=abc", "203.0.113.5:4002", None)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["error"]["code"], "rate_limited");
    // Suggestions count too.
    let r = app.send(from_peer("/search/suggest?q=ab", "203.0.113.5:4003", None)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client is not affected, and a forged X-Forwarded-For from an
    // untrusted peer does not buy a fresh bucket.
    assert_eq!(app.send(from_peer(page, "198.51.100.7:5000", None)).await.status, StatusCode::OK);
    assert_eq!(app.send(from_peer(page, "198.51.100.7:5000", Some("192.0.2.1"))).await.status, StatusCode::OK);
    assert_eq!(
        app.send(from_peer(page, "198.51.100.7:5000", Some("192.0.2.2"))).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Behind the trusted proxy, clients are told apart by the header.
    for client in ["192.0.2.10", "192.0.2.11"] {
        for _ in 0..2 {
            let r = app.send(from_peer(page, "10.0.0.2:80", Some(client))).await;
            assert_eq!(r.status, StatusCode::OK, "{client}");
        }
        let r = app.send(from_peer(page, "10.0.0.2:80", Some(client))).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{client}");
    }
    // Subject pages and the 双公示 lists are not search: not limited.
    for _ in 0..5 {
        let r = app.send(from_peer(&format!("/subjects/{}", a()), "203.0.113.5:4000", None)).await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

/// A public record's entry through the API: its public fields come with
/// disclosures whose digests are the entry's `field` lines.
async fn log_entries_match_the_document(app: &TestApp, doc: &serde_json::Value) {
    let check = |schema: &str, value: &serde_json::Value| assert_matches_schema(doc, schema, value);
    // From another client: the public API is rate limited per client.
    let get = |path: String| app.send(from_peer(&path, "203.0.113.77:4000", None));
    let penalties = get("/api/v1/public/penalties".to_owned()).await.json();
    let index = penalties["records"][0]["log_index"].as_u64().unwrap();
    let entry = get(format!("/api/v1/public/log/{index}")).await.json();
    check("LogEntryView", &entry);
    let disclosures = entry["disclosures"].as_array().unwrap();
    assert!(!disclosures.is_empty() && entry["record"]["log_index"] == index, "{entry}");
    for d in disclosures {
        let encoded = d["disclosure"].as_str().unwrap();
        let digest = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(encoded.as_bytes()));
        assert!(entry["entry"].as_str().unwrap().contains(&format!("field {digest}\n")), "{d}");
    }
    assert_eq!(get("/api/v1/public/log/99999999".to_owned()).await.status, 404);
    assert_eq!(get("/api/v1/public/log/18446744073709551615".to_owned()).await.status, 404);
    let bad = get("/api/v1/public/log/-1".to_owned()).await;
    assert_eq!((bad.status.as_u16(), bad.json()["error"]["code"].as_str()), (400, Some("path_invalid")));
}

/// The notices API (a published policy with an attachment) has exactly the
/// documented properties; an unknown kind is the envelope.
async fn notices_match_the_document(app: &TestApp, doc: &serde_json::Value) {
    let check = |schema: &str, value: &serde_json::Value| assert_matches_schema(doc, schema, value);
    let office = xinyong_core::auth::policy::Principal::System(Actor::parse("user:admin").unwrap());
    let notice = xinyong_core::notices::PublishNotice {
        kind: "policy".into(),
        title: "山东省社会信用条例".into(),
        published_on: "2020-07-24".into(),
        body: "第一条\n\n第二条".into(),
        issuer: "山东省人民代表大会常务委员会".into(),
        doc_number: String::new(),
        attachments: vec![xinyong_core::notices::AttachmentUpload {
            name: "条例.pdf".into(),
            bytes: b"%PDF-1.7".to_vec(),
        }],
    };
    let id = xinyong_core::notices::publish(&app.core, &office, notice).await.unwrap();
    let notices = app.get("/api/v1/public/notices?kind=policy").await.json();
    assert_eq!((notices["total"].as_u64(), notices["notices"][0]["notice_id"].as_str()), (Some(1), Some(id.as_str())));
    check("NoticesResponse", &notices);
    let one = app.get(&format!("/api/v1/public/notices/{id}")).await.json();
    assert_eq!(one["paragraphs"], serde_json::json!(["第一条", "第二条"]), "{one}");
    assert_eq!(one["attachment_files"][0]["url"], format!("/notices/{id}/attachments/1"));
    check("NoticeResponse", &one);
    let r = app.get("/api/v1/public/notices?kind=gossip").await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("notice_kind_invalid")));
}

#[tokio::test]
async fn the_openapi_document_is_stable_and_matches_real_responses() {
    let mut app = portal_app().await;
    // The walk below calls every documented path from one client: more
    // than the default burst of the public rate limit, which has its own test.
    let portal = PortalSettings { requests_per_minute: 600, burst: 200, ..PortalSettings::default() };
    app.state = app.state.clone().with_portal(portal);
    let r = app.get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    insta::assert_json_snapshot!("openapi", doc);

    // Every documented path is routed (not the HTML fallback).
    let paths = doc["paths"].as_object().unwrap();
    for (path, ops) in paths {
        let concrete =
            path.replace("{uscc}", &a()).replace("{id}", "b0").replace("{index}", "0").replace("{department}", "zjj");
        for method in ops.as_object().unwrap().keys() {
            let req = Request::builder().method(method.to_uppercase().as_str()).uri(&concrete).body(Body::empty());
            let r = app.send(req.unwrap()).await;
            assert!(r.content_type().starts_with("application/json"), "{method} {path}: {}", r.content_type());
        }
    }

    // Real responses have exactly the documented properties.
    let check = |schema: &str, value: &serde_json::Value| assert_matches_schema(&doc, schema, value);
    check("SubjectSearchResponse", &app.get("/api/v1/public/subjects?q=%E6%B3%89%E6%B6%A6").await.json());
    check("SubjectView", &app.get(&format!("/api/v1/public/subjects/{}", a())).await.json());
    check("SubjectView", &app.get(&format!("/api/v1/public/subjects/{}", b())).await.json());
    check("ErrorEnvelope", &app.get("/api/v1/public/subjects").await.json());
    check("ListsResponse", &app.get("/api/v1/public/lists?page=2").await.json());
    check("PublicityResponse", &app.get("/api/v1/public/penalties").await.json());
    check("PublicityResponse", &app.get("/api/v1/public/licences?page=2&page_size=1").await.json());
    log_entries_match_the_document(&app, &doc).await;
    let company = xinyong_core::auth::policy::Principal::Subject(xinyong_core::auth::policy::SubjectPrincipal {
        uscc: Uscc::parse(&a()).unwrap(),
        username: "admin".into(),
        role: xinyong_domain::auth::SubjectAccountRole::LegalRepresentative,
    });
    let pledge = xinyong_core::commitments::pledges::PledgeText {
        title: "诚信经营承诺".into(),
        text: "依法经营。".into(),
    };
    xinyong_core::commitments::pledges::make_pledge(&app.core, &company, &a(), &pledge).await.unwrap();
    let pledges = app.get("/api/v1/public/pledges?q=%E6%B3%89%E6%B6%A6").await.json();
    assert_eq!(pledges["total"], 1, "{pledges}");
    check("PledgesResponse", &pledges);
    notices_match_the_document(&app, &doc).await;

    let dept = DepartmentCode::parse("zjj").unwrap();
    let token = xinyong_core::auth::issue_token(&app.core, &Actor::system(), &dept, "测试", [7; 32]).await.unwrap();
    let send = |method: &str, path: &str, body: Option<serde_json::Value>| {
        let mut req =
            Request::builder().method(method).uri(path).header("authorization", format!("Bearer {}", token.token));
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap()
    };
    let mut row = penalty(&b(), "济南鑫泰建筑工程有限公司", "李卫东", "济建罚〔2026〕9号", "2026-08-01", false);
    row.retain(|(k, _)| *k != "CF_CFJGDM" && *k != "CF_SJLYDM");
    row.extend([("CF_CFJGDM", ZJJ.to_owned()), ("CF_SJLYDM", ZJJ.to_owned())]);
    let mut bad = row.clone();
    bad.retain(|(k, _)| *k != "CF_SY");
    bad.push(("CF_SY", String::new()));
    let rows: Vec<serde_json::Value> = [row, bad]
        .iter()
        .map(|r| serde_json::Value::Object(r.iter().map(|(k, v)| ((*k).to_owned(), v.clone().into())).collect()))
        .collect();
    let created =
        app.send(send("POST", "/api/v1/records/batches", Some(serde_json::json!({"item": "CF", "rows": rows})))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let created = created.json();
    check("BatchCreateResponseDoc", &created);
    let batch = created["batch"]["id"].as_str().unwrap();
    check("BatchViewDoc", &app.send(send("GET", &format!("/api/v1/records/batches/{batch}"), None)).await.json());
    let record = created["rows"][0]["record_id"].as_str().unwrap();
    check("RecordViewDoc", &app.send(send("GET", &format!("/api/v1/records/{record}"), None)).await.json());
    let report = app.send(send("GET", "/api/v1/stats/timeliness?from=2026-01-01", None)).await.json();
    check("TimelinessReportDoc", &report);
}

/// Free text reaches the portal with its personal data masked (issue 11,
/// finding 5): the probe's 违法事实 and 备注, on the page and in the API.
#[tokio::test]
async fn telephone_numbers_and_mail_addresses_in_public_text_are_masked() {
    let app = portal_app().await;
    let mut row = penalty(&a(), "济南泉润商贸有限公司", "张三丰", "济市监罚〔2026〕105号", "2026-10-20", false);
    for (code, value) in &mut row {
        if *code == "CF_SY" {
            *value = "员工张小凤（手机13912345678，邮箱zxf@example.com）销售不合格商品".to_owned();
        }
    }
    row.push(("BZ", "举报人王大锤 15866667777，回款账户6222 0212 3456 7894".to_owned()));
    ingest(&app, "scjgj", "CF", &[row]).await;
    let html = assert_ok_html(&app.get(&format!("/subjects/{}", a())).await);
    let api = app.get(&format!("/api/v1/public/subjects/{}", a())).await.text();
    for shown in [&html, &api] {
        assert!(shown.contains("139****5678") && shown.contains("z**@example.com"), "masked facts missing");
        assert!(shown.contains("158****7777") && shown.contains("**** **** **** 7894"), "masked remark missing");
        for raw in ["13912345678", "zxf@example.com", "15866667777", "6222 0212 3456 7894"] {
            assert!(!shown.contains(raw), "{raw} shown");
        }
    }
}

/// A department marks a row whose prose names natural persons (issue 11,
/// finding 5: names cannot be found by the platform): its 违法事实 and 备注
/// are withheld on the portal, in the public API and from the company, and a
/// row marked 否 is published as written.
#[tokio::test]
async fn prose_a_department_marks_as_naming_people_is_not_published() {
    let app = portal_app().await;
    let with_prose = |doc: &str, facts: &str, remark: &str, marked: &str| {
        let mut row = penalty(&a(), "济南泉润商贸有限公司", "张三丰", doc, "2026-10-20", false);
        for (code, value) in &mut row {
            if *code == "CF_SY" {
                *value = facts.to_owned();
            }
        }
        row.extend([("BZ", remark.to_owned()), ("CF_HZRRXM", marked.to_owned())]);
        row
    };
    let marked = with_prose("济市监罚〔2026〕106号", "员工张小凤当场销售过期食品", "举报人王大锤", "是");
    let unmarked = with_prose("济市监罚〔2026〕107号", "当事人销售过期食品三批次", "已整改", "否");
    ingest(&app, "scjgj", "CF", &[marked, unmarked]).await;

    let html = assert_ok_html(&app.get(&format!("/subjects/{}", a())).await);
    let api = app.get(&format!("/api/v1/public/subjects/{}", a())).await.text();
    let penalties = app.get("/api/v1/public/penalties?q=%E6%B3%89%E6%B6%A6").await.text();
    for shown in [&html, &api, &penalties] {
        for name in ["张小凤", "王大锤"] {
            assert!(!shown.contains(name), "{name} published");
        }
        assert!(shown.contains("（含自然人姓名，依法不予公示）"), "the reader is told why");
        assert!(shown.contains("当事人销售过期食品三批次"), "a row marked 否 is published as written");
        assert!(!shown.contains("CF_HZRRXM") && !shown.contains("含自然人姓名\""), "the flag itself is not public");
    }

    let uscc = Uscc::parse(&a()).unwrap();
    let records = xinyong_storage::collection::records_of_subject(app.core.store(), &uscc, 50).await.unwrap();
    let stored = records.iter().find(|r| r.document_number == "济市监罚〔2026〕106号").expect("stored");
    assert_eq!(stored.fields.0.get("CF_SY").map(String::as_str), Some("员工张小凤当场销售过期食品"), "kept inside");
    let own = xinyong_core::subjects::own_file::records_with_publicity(&app.core, &uscc).await.unwrap();
    let own = format!("{:?}", own.iter().map(|r| &r.fields).collect::<Vec<_>>());
    assert!(!own.contains("张小凤") && !own.contains("王大锤") && own.contains("依法不予公示"), "{own}");
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// 45 more licences of 济南泉润商贸 (46 with the fixture's), one of 鑫泰.
async fn many_licences(app: &TestApp) {
    let code = a();
    let rows: Vec<Vec<(&str, String)>> = (0..45)
        .map(|i| {
            let day = format!("2026-10-{:02}", 1 + i % 28);
            let number = format!("济市监食许〔2026〕{}号", 2000 + i);
            licence(&code, "济南泉润商贸有限公司", "张三丰", &number, &day, "2031-01-01")
        })
        .collect();
    ingest(app, "scjgj", "XK", &rows).await;
    let other = licence(&b(), "济南鑫泰建筑工程有限公司", "李卫东", "济建许〔2026〕9号", "2026-09-01", "2031-01-01");
    ingest(app, "scjgj", "XK", &[other]).await;
}

fn licence_numbers(html: &str) -> Vec<String> {
    html.match_indices("济市监食许〔").map(|(i, _)| html[i..].split('<').next().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn publicity_pages_are_numbered_with_previous_next_and_jump() {
    let app = portal_app().await;
    many_licences(&app).await;
    let first = assert_ok_html(&app.get("/publicity/licences").await);
    assert!(first.contains("共 47 条"), "{first}");
    // 47 rows of 20: three pages, a jump form, no "previous" on page 1.
    assert!(first.contains(r#"<span aria-current="page">1</span>"#), "{first}");
    assert!(first.contains(r#"href="/publicity/licences?page=3""#));
    assert!(first.contains(r#"name="page" type="number" min="1" max="3""#));
    assert!(!first.contains(r#"rel="prev""#));
    let second = assert_ok_html(&app.get("/publicity/licences?page=2").await);
    let (one, two) = (licence_numbers(&first), licence_numbers(&second));
    assert_eq!((one.len(), two.len()), (20, 20));
    assert!(one.iter().all(|n| !two.contains(n)), "page 2 shows other rows");
    assert!(second.contains(r#"rel="prev" href="/publicity/licences""#), "{second}");
    // Out of range pages show the last one; junk is page 1.
    assert!(
        assert_ok_html(&app.get("/publicity/licences?page=99").await).contains(r#"<span aria-current="page">3</span>"#)
    );
    assert_eq!(licence_numbers(&assert_ok_html(&app.get("/publicity/licences?page=x").await)), one);
    // Filters are kept in page links and in the jump form.
    let html = assert_ok_html(&app.get("/publicity/licences?district=370102").await);
    assert!(html.contains("共 46 条") && html.contains("district=370102&#38;page=2"), "{html}");
    assert!(html.contains(r#"<input type="hidden" name="district" value="370102">"#));
    // An old keyset link still works.
    assert_eq!(app.get("/publicity/penalties?after=junk").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn publicity_and_lists_filter_by_name_or_code() {
    let app = portal_app().await;
    many_licences(&app).await;
    let html = assert_ok_html(&app.get(&format!("/publicity/licences?q={}", enc("鑫泰"))).await);
    assert!(html.contains("共 1 条") && html.contains("济建许〔2026〕9号"), "{html}");
    assert!(html.contains(r#"name="q" type="search" value="鑫泰""#));
    // A USCC in lower case with spaces is matched exactly.
    let code = b().to_lowercase();
    let html = assert_ok_html(&app.get(&format!("/publicity/licences?q={}+{}", &code[..9], &code[9..])).await);
    assert!(html.contains("共 1 条"), "{html}");
    assert!(assert_ok_html(&app.get("/publicity/licences?q=%25").await).contains("共 0 条"));
    // Legal forms alone name no one: nothing is listed, and the page says why.
    let html = assert_ok_html(&app.get(&format!("/publicity/licences?q={}", enc("有限公司"))).await);
    assert!(html.contains("共 0 条") && html.contains(r#"data-code="query_too_short""#), "{html}");
    // A mistyped code is named as such.
    let good = b();
    let typo = format!("{}{}", &good[..17], if good.ends_with('0') { '1' } else { '0' });
    let html = assert_ok_html(&app.get(&format!("/publicity/licences?q={typo}")).await);
    assert!(html.contains("共 0 条") && html.contains(r#"data-code="uscc_check_character""#), "{html}");
    // A natural person's penalty is not found by the person's name.
    assert!(assert_ok_html(&app.get(&format!("/publicity/penalties?q={}", enc("王小明"))).await).contains("共 0 条"));
    let html = assert_ok_html(&app.get(&format!("/lists?q={}", enc("泉润"))).await);
    assert!(html.contains(r#"value="泉润""#) && html.contains("清除条件"), "{html}");
}

#[tokio::test]
async fn the_publicity_api_pages_filters_and_shows_only_organisations() {
    let app = portal_app().await;
    let v = app.get("/api/v1/public/penalties").await.json();
    assert_eq!((v["item"].as_str(), v["total"].as_u64()), (Some("CF"), Some(1)), "{v}");
    assert_eq!(v["records"][0]["subject_uscc"], a().as_str());
    assert_eq!(v["records"][0]["document_number"], "济市监罚〔2026〕101号");
    let text = app.get("/api/v1/public/penalties").await.text();
    assert!(!text.contains("王小明") && !text.contains(&natural_id()) && !text.contains("张三丰"), "{text}");

    many_licences(&app).await;
    let v = app.get("/api/v1/public/licences?page=3&page_size=20").await.json();
    assert_eq!((v["page"].as_u64(), v["pages"].as_u64(), v["total"].as_u64()), (Some(3), Some(3), Some(47)), "{v}");
    assert_eq!(v["records"].as_array().unwrap().len(), 7);
    // The keyset cursor walks every record once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/public/licences?page_size=10".to_owned();
    loop {
        let v = app.get(&path).await.json();
        seen.extend(v["records"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()));
        match v["next_after"].as_str() {
            Some(after) => path = format!("/api/v1/public/licences?page_size=10&after={after}"),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (47, 47));
    // Filters: name, code, district, department, dates.
    let total = |path: String| {
        let app = &app;
        async move { app.get(&path).await.json()["total"].as_u64().unwrap() }
    };
    assert_eq!(total(format!("/api/v1/public/licences?q={}", enc("鑫泰"))).await, 1);
    assert_eq!(total(format!("/api/v1/public/licences?q={}", a())).await, 46);
    let v = app.get(&format!("/api/v1/public/licences?q={}", enc("鑫泰"))).await.json();
    assert!(v["notice"].is_null(), "{v}");
    let v = app.get(&format!("/api/v1/public/licences?q={}", enc("有限公司"))).await.json();
    assert_eq!((v["total"].as_u64(), v["notice"]["code"].as_str()), (Some(0), Some("query_too_short")), "{v}");
    assert_eq!(total("/api/v1/public/licences?district=370113".to_owned()).await, 1);
    assert_eq!(total("/api/v1/public/licences?department=zjj".to_owned()).await, 0);
    assert_eq!(total("/api/v1/public/licences?from=2026-10-28&to=2026-10-28".to_owned()).await, 1);
    let r = app.get("/api/v1/public/licences?from=yesterday").await;
    assert_eq!((r.status, r.json()["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
}

#[tokio::test]
async fn a_publicity_count_stops_where_numbered_paging_ends() {
    let app = portal_app().await;
    many_licences(&app).await;
    // 455 more: 502 licences, one more than 500 pages of one row reach.
    let code = a();
    let rows: Vec<Vec<(&str, String)>> = (0..455)
        .map(|i| {
            let number = format!("济市监食许〔2025〕{}号", 3000 + i);
            licence(&code, "济南泉润商贸有限公司", "张三丰", &number, "2026-09-15", "2031-01-01")
        })
        .collect();
    ingest(&app, "scjgj", "XK", &rows).await;
    let v = app.get("/api/v1/public/licences?page_size=1").await.json();
    let shape = |v: &serde_json::Value| (v["total"].as_u64(), v["total_is_lower_bound"].as_bool(), v["pages"].as_u64());
    assert_eq!(shape(&v), (Some(500), Some(true), Some(500)), "{v}");
    let v = app.get("/api/v1/public/licences?page_size=2").await.json();
    assert_eq!(shape(&v), (Some(502), Some(false), Some(251)), "{v}");
    // The keyset cursor still reaches past the count.
    let last = app.get("/api/v1/public/licences?page_size=1&page=500").await.json();
    let after = last["next_after"].as_str().unwrap().to_owned();
    let deeper = app.get(&format!("/api/v1/public/licences?page_size=1&after={after}")).await.json();
    assert_eq!(deeper["records"].as_array().map(Vec::len), Some(1), "{deeper}");
    assert!(assert_ok_html(&app.get("/publicity/licences").await).contains("共 502 条"));
}

#[tokio::test]
async fn the_deepest_numbered_page_is_a_setting() {
    let mut app = portal_app().await;
    many_licences(&app).await;
    app.state = app.state.clone().with_portal(PortalSettings {
        lists: xinyong_core::portal::ListBounds { pages: 2, ..Default::default() },
        ..PortalSettings::default()
    });
    // 47 licences, 20 a page: the count stops at two pages and says so.
    let v = app.get("/api/v1/public/licences?page=3").await.json();
    let shape = |v: &serde_json::Value| {
        (v["page"].as_u64(), v["pages"].as_u64(), v["total"].as_u64(), v["total_is_lower_bound"].as_bool())
    };
    assert_eq!(shape(&v), (Some(2), Some(2), Some(40), Some(true)), "{v}");
    let html = assert_ok_html(&app.get("/publicity/licences?page=3").await);
    assert!(html.contains(r#"<span aria-current="page">2</span>"#) && !html.contains("page=3"), "{html}");
    // The next-page link still reaches the third page's records.
    let after = v["next_after"].as_str().unwrap().to_owned();
    let third = app.get(&format!("/api/v1/public/licences?after={after}")).await.json();
    assert_eq!(third["records"].as_array().map(Vec::len), Some(7), "{third}");
}

#[tokio::test]
async fn search_pages_and_explains_people_and_wrong_check_characters() {
    let app = portal_app().await;
    let events: Vec<NewEvent> = (0..45)
        .map(|i| {
            let code = uscc("370102", &format!("MA3X{i:04}"));
            registration(&code, &format!("济南泉润第{i}分店商贸有限公司"), "张三丰", REP_A_ID)
        })
        .collect();
    app.core.append(events).await.unwrap();
    app.core.append(vec![registration(&uscc("370102", "MA3Y0001"), "丁建国副食店", "丁建国", REP_B_ID)]).await.unwrap();
    app.sync_search().await;

    let q = enc("泉润");
    let first = assert_ok_html(&app.get(&format!("/search?q={q}")).await);
    assert!(first.contains("（46 个）") && first.contains(r#"<ol class="results" start="1">"#), "{first}");
    assert!(first.contains(&format!(r#"href="/search?q={q}&#38;page=3""#)), "{first}");
    let second = assert_ok_html(&app.get(&format!("/search?q={q}&page=2")).await);
    assert!(second.contains(r#"<ol class="results" start="21">"#));
    assert!(second.contains(&format!(r#"rel="prev" href="/search?q={q}""#)), "{second}");

    // Traditional characters find the simplified name.
    let html = assert_ok_html(&app.get(&format!("/search?q={}", enc("濟南鑫泰"))).await);
    assert!(html.contains("济南鑫泰建筑工程有限公司"), "{html}");

    // A person's name: the notice, not a fuzzy 丁建国副食店.
    let html = assert_ok_html(&app.get(&format!("/search?q={}", enc("张建国"))).await);
    assert!(html.contains("自然人信息不提供公开查询") && html.contains("natural_person_not_searchable"), "{html}");
    assert!(!html.contains("丁建国副食店"), "{html}");
    // …while a company whose name starts with the query is found.
    let html = assert_ok_html(&app.get(&format!("/search?q={}", enc("丁建国"))).await);
    assert!(html.contains("丁建国副食店") && !html.contains("自然人信息不提供公开查询"), "{html}");

    // A wrong check character is named.
    let code = a();
    let expected = code.chars().last().unwrap();
    let wrong = if expected == '0' { '1' } else { '0' };
    let typed = format!("{}{wrong}", &code[..17]);
    let html = assert_ok_html(&app.get(&format!("/search?q={typed}")).await);
    assert!(html.contains(&format!("统一社会信用代码校验位错误，应为 {expected}")), "{html}");
    assert!(!html.contains("改用统一社会信用代码"), "{html}");
}

#[tokio::test]
async fn suggestions_and_the_search_api_explain_people_and_check_characters() {
    let app = portal_app().await;
    app.core.append(vec![registration(&uscc("370102", "MA3Y0001"), "丁建国副食店", "丁建国", REP_B_ID)]).await.unwrap();
    app.sync_search().await;
    let text = app.get(&format!("/search/suggest?q={}", enc("张建国"))).await.text();
    assert!(text.contains("自然人信息不提供公开查询") && !text.contains("丁建国副食店"), "{text}");
    let v = app.get(&format!("/api/v1/public/subjects?q={}", enc("张建国"))).await.json();
    assert_eq!(v["notice"]["code"], "natural_person_not_searchable", "{v}");
    assert_eq!(v["hits"], serde_json::json!([]));
    let code = a();
    let wrong = if code.ends_with('0') { '1' } else { '0' };
    let v = app.get(&format!("/api/v1/public/subjects?q={}{wrong}", &code[..17])).await.json();
    assert_eq!(v["notice"]["code"], "uscc_check_character", "{v}");
    assert!(v["notice"]["message"].as_str().unwrap().contains(&format!("应为 {}", code.chars().last().unwrap())));
    // Ordinary queries have no notice.
    let v = app.get(&format!("/api/v1/public/subjects?q={}", enc("泉润"))).await.json();
    assert_eq!(v["notice"], serde_json::Value::Null);
}

/// Every `description` and `summary` text of a document, with where it is.
fn texts(value: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match v {
                    serde_json::Value::String(text) if key == "description" || key == "summary" => {
                        out.push((format!("{at}/{key}"), text.clone()));
                    }
                    _ => texts(v, &format!("{at}/{key}"), out),
                }
            }
        }
        serde_json::Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| texts(v, &format!("{at}/{i}"), out));
        }
        _ => {}
    }
}

/// English prose in a text, outside `code` spans: two English words in a row.
fn english_phrase(text: &str) -> Option<String> {
    let prose: String = text.split('`').step_by(2).collect::<Vec<_>>().join(" ");
    let tokens: Vec<&str> = prose.split_whitespace().collect();
    tokens
        .windows(2)
        .find(|w| {
            w.iter().all(|t| {
                let t = t.trim_matches(|c: char| c.is_ascii_punctuation());
                t.len() > 1 && t.chars().all(|c| c.is_ascii_alphabetic())
            })
        })
        .map(|w| w.join(" "))
}

/// The API document is in one language (issue 15, item 6): Chinese
/// summaries and descriptions, English only in operation ids and `code`.
#[tokio::test]
async fn the_openapi_document_speaks_chinese() {
    let doc = xinyong_server::openapi::document();
    let mut found = Vec::new();
    texts(&doc, "", &mut found);
    assert!(found.len() > 200, "{}", found.len());
    let is_cjk = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
    let english: Vec<String> = found
        .iter()
        .filter(|(_, text)| {
            let prose: String = text.split('`').step_by(2).collect();
            english_phrase(text).is_some()
                || (prose.chars().any(|c| c.is_ascii_alphabetic()) && !text.chars().any(is_cjk))
        })
        .map(|(at, text)| format!("{at}: {text:?}"))
        .collect();
    assert!(english.is_empty(), "English left in the API document (add to openapi_zh.rs):\n{}", english.join("\n"));
    assert_eq!(xinyong_server::openapi::stale_translations(), Vec::<&str>::new());
}

/// The public credit report: signed JSON whose every record is proven to one
/// checkpoint and whose public fields are disclosed one by one; it verifies
/// offline with the log's key only, and any change names the part changed.
#[tokio::test]
async fn a_public_credit_report_verifies_offline_and_names_the_part_that_was_changed() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use xinyong_core::reports::verify::{TrustPolicy, verify_report};
    let app = portal_app().await;
    let r = app.get(&format!("/subjects/{}/report.json", a())).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.content_type().starts_with("application/json"));
    let trust = TrustPolicy { logs: vec![app.core.keys().verifier().unwrap()], ..Default::default() };
    let ok = verify_report(&r.body, &trust).unwrap();
    assert_eq!(ok.report.subject.uscc, a());
    assert!(!ok.report.records.is_empty() && ok.disclosed_fields > 0, "{ok:?}");
    assert!(ok.report.records.iter().any(|rec| rec.item == "CF"));
    let payload_text =
        String::from_utf8(URL_SAFE_NO_PAD.decode(r.json()["payload"].as_str().unwrap()).unwrap()).unwrap();
    assert!(!payload_text.contains("张三丰") && !payload_text.contains("salt"), "{payload_text}");

    // Issuing it was logged, and the log still verifies.
    let size = app.core.store().log_size().await.unwrap();
    let last = app.core.store().events_from(size - 1, 1).await.unwrap().remove(0);
    assert_eq!(last.kind, "report_issued");
    assert!(last.body.unwrap().contains(&ok.report.report_id));
    xinyong_core::log::verify::verify(&app.core, &|_, _, _| {}).await.unwrap();

    // Change one part of the payload, keep the signature: the part is named.
    let tampered = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut file = r.json();
        let mut payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(file["payload"].as_str().unwrap()).unwrap()).unwrap();
        change(&mut payload);
        file["payload"] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap()).into();
        verify_report(&serde_json::to_vec(&file).unwrap(), &trust).unwrap_err().part
    };
    let flip = |s: &str| {
        let mut chars: Vec<char> = s.chars().collect();
        let i = chars.len() / 2;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let with_value = |d: &str| {
        let mut array: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(d).unwrap()).unwrap();
        array[2] = format!("{}改", array[2].as_str().unwrap_or_default()).into();
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&array).unwrap())
    };
    let rec = ok.report.records.iter().position(|rec| !rec.disclosures.is_empty()).unwrap();
    let at = |what: &str| format!("records[{rec}].{what}");
    let disclosure = |p: &mut serde_json::Value| {
        let d = p["records"][rec]["disclosures"][1].as_str().unwrap().to_owned();
        p["records"][rec]["disclosures"][1] = with_value(&d).into();
    };
    assert_eq!(tampered(&disclosure), at("disclosures[1]"));
    let proof = |p: &mut serde_json::Value| {
        let h = p["records"][rec]["proof"][0].as_str().unwrap().to_owned();
        p["records"][rec]["proof"][0] = flip(&h).into();
    };
    assert_eq!(tampered(&proof), at("proof"));
    let entry = |p: &mut serde_json::Value| {
        let e = p["records"][rec]["entry"].as_str().unwrap().replace("kind record_", "kind recorx_");
        p["records"][rec]["entry"] = e.into();
    };
    assert_eq!(tampered(&entry), at("proof"));
    let checkpoint = |p: &mut serde_json::Value| {
        let c = p["checkpoint"].as_str().unwrap();
        let root = c.lines().nth(2).unwrap();
        p["checkpoint"] = c.replace(root, &flip(root)).into();
    };
    assert_eq!(tampered(&checkpoint), "checkpoint");
    assert_eq!(tampered(&|p| p["subject"]["name"] = "别的公司".into()), "signature");

    let mut file = r.json();
    file["signature"] = flip(file["signature"].as_str().unwrap()).into();
    assert_eq!(verify_report(&serde_json::to_vec(&file).unwrap(), &trust).unwrap_err().part, "signature");
    let stranger = xinyong_core::LogKeys::from_seed("xinyong.test/log", [7; 32]).unwrap();
    let other = TrustPolicy { logs: vec![stranger.verifier().unwrap()], ..Default::default() };
    assert_eq!(verify_report(&r.body, &other).unwrap_err().part, "protected.kid");

    // An unknown subject is a 404, not an empty report.
    let unknown = app.get(&format!("/subjects/{}/report.json", uscc("370104", "MA3E8N0T"))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

/// The report as a PDF carries the signed JSON; anyone holding a report finds
/// it by its id (where the PDF's QR code leads).
#[tokio::test]
async fn a_report_pdf_carries_the_signed_json_and_its_id_can_be_looked_up() {
    use xinyong_core::reports::verify::{TrustPolicy, verify_report};
    let app = portal_app().await;
    let r = app.get(&format!("/subjects/{}/report.json", a())).await;
    let trust = TrustPolicy { logs: vec![app.core.keys().verifier().unwrap()], ..Default::default() };
    let ok = verify_report(&r.body, &trust).unwrap();
    // Anyone holding it finds it by its id (the PDF's QR code leads there).
    let page = assert_ok_html(&app.get(&format!("/reports/{}", ok.report.report_id)).await);
    assert!(page.contains(&ok.report.report_id) && page.contains(&a()) && page.contains("公开版"), "{page}");
    assert_eq!(app.get("/reports/XYBG20260101FFFFFFFFFF").await.status, StatusCode::NOT_FOUND);

    // The PDF: a government-style report with the signed JSON attached.
    let pdf = app.get(&format!("/subjects/{}/report.pdf", a())).await;
    assert_eq!(pdf.status, StatusCode::OK, "{}", pdf.text());
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(String::from_utf8_lossy(&pdf.body).contains("/EmbeddedFile"));
    if let Some(text) = xinyong_test_support::pdf_text(&pdf.body) {
        assert!(
            text.contains("信用报告") && text.contains("济市监罚〔2026〕101号") && !text.contains("张三丰"),
            "{text}"
        );
    }
    // Anyone uploads it to /reports/verify: the PDF passes, a changed copy is named.
    let upload = |name: &str, bytes: &[u8]| {
        let mut body = format!(
            "--XYB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n--XYB--\r\n");
        Request::post("/reports/verify")
            .header("content-type", "multipart/form-data; boundary=XYB")
            .body(Body::from(body))
            .unwrap()
    };
    let html = assert_ok_html(&app.send(upload("report.pdf", &pdf.body)).await);
    assert!(html.contains("核验通过") && !html.contains("张三丰"), "{html}");
    let forged = String::from_utf8(r.body.clone()).unwrap().replacen("\"signature\": \"", "\"signature\": \"A", 1);
    let html = assert_ok_html(&app.send(upload("report.json", forged.as_bytes())).await);
    assert!(html.contains("核验未通过") && html.contains("<code>signature</code>"), "{html}");
}
