//! Rules at run time through `xinyong_core::rules`: a directory checked
//! against the log, published with an effective date, the versions in force
//! by the core's clock, another process following the log, and departments
//! updated from their file (and the pages' names with them). On the backend
//! the environment chooses.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use xinyong_core::auth::{SHIPPED_DEPARTMENTS_TOML, departments, seed_departments, shipped_departments};
use xinyong_core::log::follower::{Follower, LogSubscriber};
use xinyong_core::rules::{
    DepartmentChange, RuleFiles, RulesFollower, SetStatus, plan, publish, publish_rules, sync_departments,
};
use xinyong_core::{Core, CoreError, CoreSettings};
use xinyong_domain::collection::catalog::SHIPPED_CATALOG_TOML;
use xinyong_domain::lists::sanction::SHIPPED_LISTS_TOML;
use xinyong_domain::rules::{RuleSetName, RuleSetRow};
use xinyong_test_support::{TestApp, test_keys};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Sets the clock to 08:00 UTC (16:00 in Jinan) of `day`.
fn set_day(app: &TestApp, day: &str) {
    app.clock.set(Utc.from_utc_datetime(&d(day).and_hms_opt(8, 0, 0).unwrap()));
}

/// The shipped catalog as `version`, with a new optional field on 行政处罚.
fn catalog_with_new_field(version: &str) -> String {
    let field = "key = [\"CF_WSH\"]\n\n[[items.fields]]\ncode = \"CF_XYCN\"\nname = \"信用承诺书编号\"\n\
                 type = \"text\"\nmax_chars = 64\nrequired = \"never\"\npublic = false\n";
    let text = SHIPPED_CATALOG_TOML.replacen("version = \"2026.3\"", &format!("version = \"{version}\""), 1).replacen(
        "key = [\"CF_WSH\"]\n",
        field,
        1,
    );
    assert!(text.contains("CF_XYCN") && text.contains(version));
    text
}

/// A synthetic schedule for 2027 (not a State Council notice): 元旦 and one
/// made-up block in March, with a make-up Saturday.
const SYNTHETIC_2027: &str = r#"
year = 2027
notice = "测试用合成安排（不是国务院通知）"
[[holidays]]
name = "元旦"
days_off = ["2027-01-01", "2027-01-02", "2027-01-03"]
[[holidays]]
name = "合成假期"
days_off = ["2027-03-01", "2027-03-02", "2027-03-03"]
makeup_workdays = ["2027-03-06"]
"#;

fn files(sets: &[(RuleSetName, &str)]) -> RuleFiles {
    RuleFiles { sets: sets.iter().map(|(n, t)| (*n, Arc::from(*t))).collect(), ..RuleFiles::default() }
}

async fn started(app: &TestApp) {
    seed_departments(&app.core, &shipped_departments().unwrap()).await.unwrap();
    assert_eq!(
        publish_rules(&app.core).await.unwrap(),
        6,
        "catalog, publicity, lists, measures, local model, commitments"
    );
    assert_eq!(publish_rules(&app.core).await.unwrap(), 0, "each version is logged once");
}

#[tokio::test]
async fn check_compares_each_file_with_the_published_versions() {
    let app = TestApp::new().await;
    started(&app).await;
    let catalog = catalog_with_new_field("2026.4");
    let lists_same_version =
        SHIPPED_LISTS_TOML.replace("objection_window_working_days = 5", "objection_window_working_days = 6");
    let dir = files(&[
        (RuleSetName::Catalog, &catalog),
        (RuleSetName::Publicity, xinyong_domain::collection::publicity::SHIPPED_PUBLICITY_TOML),
        (RuleSetName::Lists, &lists_same_version),
        (RuleSetName::Calendar(2027), SYNTHETIC_2027),
    ]);
    let book = app.core.rule_book();
    let plan = plan(app.core.store(), &book, &dir, Vec::new(), d("2026-11-26"), None).await.unwrap();
    let status = |name: RuleSetName| {
        plan.sets.iter().find(|s| s.name == name).map(|s| (s.status, s.version.as_str(), s.in_force.clone()))
    };
    assert_eq!(status(RuleSetName::Catalog), Some((SetStatus::NewVersion, "2026.4", Some("2026.3".to_owned()))));
    assert_eq!(status(RuleSetName::Publicity), Some((SetStatus::Same, "2026.1", Some("2026.1".to_owned()))));
    assert_eq!(status(RuleSetName::Lists), Some((SetStatus::VersionReused, "2026.1", Some("2026.1".to_owned()))));
    assert_eq!(status(RuleSetName::Calendar(2027)), Some((SetStatus::NewVersion, "1", None)));
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert!(!plan.is_publishable(), "a changed text under a used version is refused");

    let refused = publish(&app.core, &dir, Vec::new(), None).await.unwrap_err();
    assert!(matches!(refused, CoreError::Invalid { code: "rules_version_reused", .. }), "{refused}");
    assert!(refused.to_string().contains("lists"), "{refused}");
    assert_eq!(app.core.rules().catalog.version(), "2026.3", "nothing was published");
}

#[tokio::test]
async fn problems_name_the_file_the_line_and_the_field() {
    let app = TestApp::new().await;
    started(&app).await;
    let bad_type = catalog_with_new_field("2026.4").replace(
        "code = \"CF_XYCN\"\nname = \"信用承诺书编号\"\ntype = \"text\"\nmax_chars = 64",
        "code = \"CF_XYCN\"\nname = \"信用承诺书编号\"\ntype = \"enumeration\"\nmax_chars = 64",
    );
    let field_line = bad_type.lines().position(|l| l == "code = \"CF_XYCN\"").unwrap() + 1;
    let bad_year = SYNTHETIC_2027.replace("\"2027-03-06\"", "\"2027-03-08\"");
    let bad_toml = SHIPPED_LISTS_TOML.replacen("version = \"2026.1\"", "version = \"2026.2\"\nversion = 3", 1);
    let dir = files(&[
        (RuleSetName::Catalog, &bad_type),
        (RuleSetName::Calendar(2027), &bad_year),
        (RuleSetName::Calendar(2028), SYNTHETIC_2027),
        (RuleSetName::Lists, &bad_toml),
    ]);
    let book = app.core.rule_book();
    let plan = plan(app.core.store(), &book, &dir, Vec::new(), d("2026-11-26"), None).await.unwrap();
    let problem = |file: &str| {
        plan.problems.iter().find(|p| p.file == file).unwrap_or_else(|| panic!("{file}: {:?}", plan.problems))
    };

    let catalog = problem("catalog.toml");
    assert_eq!(catalog.line, Some(field_line), "{catalog}");
    assert!(catalog.message.contains("CF") && catalog.message.contains("CF_XYCN"), "{catalog}");
    let calendar = problem("calendar/2027.toml");
    assert!(calendar.message.contains("2027-03-08") && calendar.message.contains("星期一"), "{calendar}");
    let makeup_line = bad_year.lines().position(|l| l.contains("2027-03-08")).unwrap() + 1;
    assert_eq!(calendar.line, Some(makeup_line), "{calendar}");
    let mismatch = problem("calendar/2028.toml");
    assert_eq!(mismatch.code, "calendar_year_mismatch");
    let lists = problem("lists.toml");
    assert!(lists.line.is_some(), "a TOML error names its line: {lists}");
    assert!(!plan.is_publishable());
    assert!(plan.to_string_for_test().contains("catalog.toml 第"), "problems display as file 第 N 行");
}

trait PlanDisplay {
    fn to_string_for_test(&self) -> String;
}

impl PlanDisplay for xinyong_core::rules::RulesPlan {
    fn to_string_for_test(&self) -> String {
        self.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
    }
}

#[tokio::test]
async fn a_version_published_for_a_later_date_comes_into_force_on_that_date() {
    let app = TestApp::new().await;
    started(&app).await;
    set_day(&app, "2026-11-26");
    let catalog = catalog_with_new_field("2027.1");
    let dir = files(&[(RuleSetName::Catalog, &catalog), (RuleSetName::Calendar(2027), SYNTHETIC_2027)]);

    let past = publish(&app.core, &dir, Vec::new(), Some(d("2026-11-25"))).await.unwrap_err();
    assert!(past.to_string().contains("早于今天"), "{past}");

    let outcome = publish(&app.core, &dir, Vec::new(), Some(d("2027-01-01"))).await.unwrap();
    assert_eq!(outcome.plan.new_versions().count(), 2);
    let row = app.core.store().get(RuleSetRow::key("catalog", "2027.1")).await.unwrap().unwrap();
    assert_eq!(row.effective, Some(d("2027-01-01")));
    assert_eq!(row.seq, outcome.first_index.unwrap());

    // Today: the version in force before, and no 2027 schedule yet.
    assert_eq!(app.core.rules().catalog.version(), "2026.3");
    assert!(app.core.rules().calendar.kind(d("2027-03-02")).is_err());
    // From the effective date on (China Standard Time), by the core's clock.
    set_day(&app, "2027-01-01");
    let rules = app.core.rules();
    assert_eq!(rules.catalog.version(), "2027.1");
    assert!(rules.catalog.item("CF").unwrap().field("CF_XYCN").is_some());
    assert_eq!(rules.versions_in_force.get(&RuleSetName::Calendar(2027)).map(String::as_str), Some("1"));
    assert_eq!(rules.calendar.working_days_between(d("2027-02-26"), d("2027-03-08")), Ok(4));
    // Earlier dates keep being answered by what was in force then.
    assert_eq!(app.core.rules_on(d("2026-12-31")).catalog.version(), "2026.3");

    // Publishing the same directory again writes nothing.
    let again = publish(&app.core, &dir, Vec::new(), Some(d("2027-01-01"))).await.unwrap();
    assert_eq!(again.first_index, None);
    assert!(again.plan.sets.iter().all(|s| s.status == SetStatus::Same));
}

#[tokio::test]
async fn another_process_follows_the_published_rules_through_the_log() {
    let app = TestApp::new().await;
    started(&app).await;
    // A second process over the same database: its own core and follower.
    let other = Core::new(app.db.store.clone(), Arc::new(app.clock.clone()), test_keys(), CoreSettings::default());
    let source = Arc::clone(other.rule_book().source());
    let other = other.with_rule_book(xinyong_core::rules::load_book(app.db.store.as_ref(), source).await.unwrap());
    let follower = RulesFollower::new(other.clone());
    let log = Follower::starting_at(follower.applied());
    let subscribers: Vec<&dyn LogSubscriber> = vec![&follower];

    let catalog = catalog_with_new_field("2026.4");
    publish(&app.core, &files(&[(RuleSetName::Catalog, &catalog)]), Vec::new(), None).await.unwrap();
    assert_eq!(other.rules().catalog.version(), "2026.3", "not read yet");
    log.poll(&other, &subscribers).await.unwrap();
    assert_eq!(other.rules().catalog.version(), "2026.4");
    assert!(other.rules().catalog.item("CF").unwrap().field("CF_XYCN").is_some());
    assert_eq!(follower.applied(), app.core.store().log_size().await.unwrap());
}

#[tokio::test]
async fn a_changed_department_is_registered_again_with_its_new_details() {
    let app = TestApp::new().await;
    started(&app).await;
    let shipped = shipped_departments().unwrap();
    let renamed = SHIPPED_DEPARTMENTS_TOML.replacen(
        "name = \"济南市市场监督管理局\"",
        "name = \"济南市市场监督管理局（知识产权局）\"",
        1,
    );
    let added = format!(
        "{renamed}\n[[departments]]\ncode = \"ceshi-ju\"\nname = \"济南市测试局\"\ndistrict = \"370100\"\nsector = \"market_regulation\"\n"
    );
    let dir = RuleFiles { departments: Some(Arc::from(added.as_str())), ..RuleFiles::default() };
    let book = app.core.rule_book();
    let plan = plan(app.core.store(), &book, &dir, Vec::new(), d("2026-11-26"), None).await.unwrap();
    let changes = plan.departments.clone().unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(changes.iter().any(|c| matches!(c, DepartmentChange::New(d) if d.code.as_str() == "ceshi-ju")));
    let changed = changes.iter().find(|c| matches!(c, DepartmentChange::Changed { .. })).unwrap();
    assert!(changed.describe_zh().contains("名称 济南市市场监督管理局 → 济南市市场监督管理局（知识产权局）"));

    // The pages' names, read (and kept in memory) before the publication.
    let name_of = |names: &xinyong_core::auth::names::Names| names.get("scjgj").cloned().unwrap();
    let names = xinyong_core::portal::department_names(&app.core).await.unwrap();
    assert_eq!(name_of(&names), "济南市市场监督管理局");

    let size = app.core.store().log_size().await.unwrap();
    let outcome = publish(&app.core, &dir, Vec::new(), None).await.unwrap();
    assert_eq!(outcome.first_index, Some(size));
    let now = departments(&app.core).await.unwrap();
    assert_eq!(now.len(), shipped.len() + 1);
    let scjgj = now.iter().find(|d| d.code.as_str() == "scjgj").unwrap();
    assert_eq!(scjgj.name, "济南市市场监督管理局（知识产权局）");
    let kinds: Vec<String> =
        app.core.store().events_from(size, 10).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["department_registered", "department_registered"]);
    // This process appended the registrations: the names kept are forgotten at once.
    let names = xinyong_core::portal::department_names(&app.core).await.unwrap();
    assert_eq!(name_of(&names), "济南市市场监督管理局（知识产权局）");
    assert_eq!(names.get("ceshi-ju").map(String::as_str), Some("济南市测试局"));

    // Back to the shipped file: the change is applied again, once.
    assert_eq!(sync_departments(&app.core, &shipped).await.unwrap(), (0, 1));
    assert_eq!(sync_departments(&app.core, &shipped).await.unwrap(), (0, 0));
    assert_eq!(name_of(&xinyong_core::portal::department_names(&app.core).await.unwrap()), "济南市市场监督管理局");
    // Replaying the log writes exactly the rows stored.
    xinyong_core::log::verify::verify(&app.core, &no_progress).await.unwrap();
}

fn no_progress(_: &str, _: u64, _: u64) {}

#[tokio::test]
async fn a_model_file_with_an_error_is_refused_with_its_line_and_rule() {
    use xinyong_domain::evaluation::{ModelName, SHIPPED_LOCAL_MODEL_TOML};
    let app = TestApp::new().await;
    started(&app).await;
    let overlapping = SHIPPED_LOCAL_MODEL_TOML.replace("min = 990\nmax = 1029", "min = 990\nmax = 1035");
    let band_line = overlapping.lines().position(|l| l == "max = 1035").unwrap() + 1;
    let unknown = SHIPPED_LOCAL_MODEL_TOML.replacen("source = \"interview\"", "source = \"complaint\"", 1);
    let broken = SHIPPED_LOCAL_MODEL_TOML.replacen("[model]", "[model", 1);
    for (text, code) in [
        (overlapping.as_str(), "model_bands_overlap"),
        (unknown.as_str(), "model_indicator_unknown"),
        (broken.as_str(), "model_syntax"),
    ] {
        let dir = files(&[(RuleSetName::Model(ModelName::local()), text)]);
        let book = app.core.rule_book();
        let plan = plan(app.core.store(), &book, &dir, Vec::new(), d("2026-11-26"), None).await.unwrap();
        let problem = plan
            .problems
            .iter()
            .find(|p| p.file == "models/local.toml")
            .unwrap_or_else(|| panic!("{code}: {:?}", plan.problems));
        assert_eq!(problem.code, code, "{problem}");
        assert!(problem.line.is_some(), "{code}: the line is named: {problem}");
        if code == "model_bands_overlap" {
            assert!(problem.line.unwrap() <= band_line && problem.message.contains("重叠"), "{problem}");
        }
        assert!(!plan.is_publishable());
    }
}
