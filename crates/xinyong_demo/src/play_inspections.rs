//! The demo city's random inspections (双随机、一公开): 市场监管局's and 卫健委's
//! item lists and inspectors; a joint task of the third quarter in 历下区,
//! drawn, inspected and published; and a fourth-quarter task committed and
//! waiting for its seed, which `serve`'s `inspection_draws` job draws once
//! the first checkpoint signed ten minutes after the commitment exists.
//!
//! The finished task was created in one go, so it could not wait: its plan
//! says so (a seed delay of 0 minutes, the first checkpoint signed after
//! the commitment). Everything else runs as in production.

use xinyong_core::Core;
use xinyong_core::auth::policy::Principal;
use xinyong_core::inspections::directory::{self, InspectorInput, ItemInput};
use xinyong_core::inspections::plan::{PlanInput, plan_task};
use xinyong_core::inspections::results::{ResultInput, enter_result, publish};
use xinyong_core::inspections::{draw, view};
use xinyong_domain::event::Actor;

use crate::{Result, fail, invalid};

const ITEMS: [(&str, &str, &str, &str, &str, &str, &str); 3] = [
    (
        "scjgj",
        "SJ-GS-001",
        "企业公示信息情况检查",
        "《企业信息公示暂行条例》第十四条",
        "年度报告、即时信息公示的真实性、及时性",
        "",
        "370102",
    ),
    (
        "scjgj",
        "SJ-JY-003",
        "登记事项和经营行为检查",
        "《中华人民共和国市场主体登记管理条例》第三十五条",
        "住所（经营场所）、经营范围、注册资本实缴等登记事项",
        "",
        "370102",
    ),
    (
        "wjw",
        "WJ-GG-002",
        "公共场所卫生监督检查",
        "《公共场所卫生管理条例》第十条",
        "卫生许可证、从业人员健康证明、卫生检测",
        "health",
        "",
    ),
];

const INSPECTORS: [(&str, &str, &str); 12] = [
    ("scjgj", "刘洪涛", "市场监管综合执法"),
    ("scjgj", "王晓燕", "市场监管综合执法"),
    ("scjgj", "张立军", "登记注册监管"),
    ("scjgj", "李倩", "信用监管"),
    ("scjgj", "赵建华", "市场监管综合执法"),
    ("scjgj", "孙明", "食品安全"),
    ("scjgj", "周海峰", "登记注册监管"),
    ("scjgj", "吴静", "信用监管"),
    ("wjw", "郑磊", "公共场所卫生"),
    ("wjw", "冯雪梅", "公共场所卫生"),
    ("wjw", "陈志刚", "卫生监督"),
    ("wjw", "褚丽娜", "卫生监督"),
];

fn user(login: &str) -> Result<Principal> {
    Actor::parse(&format!("user:{login}")).map(Principal::System).map_err(invalid)
}

/// Writes the city's item lists, inspectors and two tasks (the leak walk
/// runs it too, to find no inspector on a public page).
///
/// # Errors
/// A use case refused what the demo asked.
pub async fn play(core: &Core, seed: u64) -> Result<()> {
    // The demo's inspections happen once per city: a second run (more
    // subjects, another seed) keeps the tasks, items and inspectors it has.
    if !view::public_tasks(core).await.map_err(fail("demo: reading the tasks"))?.is_empty() {
        return Ok(());
    }
    let clerk = user("scjgj")?;
    for (department, code, name, basis, content, sectors, districts) in ITEMS {
        let item = ItemInput {
            department: department.into(),
            code: code.into(),
            name: name.into(),
            legal_basis: basis.into(),
            content: content.into(),
            sectors: sectors.into(),
            districts: districts.into(),
        };
        directory::save_item(core, &clerk, item).await.map_err(fail("demo: an inspection item"))?;
    }
    for (i, (department, name, fields)) in INSPECTORS.iter().enumerate() {
        let input = InspectorInput {
            department: (*department).into(),
            inspector_id: format!("{}-{:04}", department.to_uppercase(), 101 + i),
            name: (*name).into(),
            certificate_no: format!("3701{:08}", 20_190_000 + (seed % 97) * 100 + i as u64),
            fields: (*fields).into(),
        };
        directory::register_inspector(core, &clerk, input).await.map_err(fail("demo: an inspector"))?;
    }
    finished_task(core, &clerk, seed).await?;
    let next = PlanInput {
        title: "2026 年第四季度企业公示信息随机抽查".into(),
        lead_department: "scjgj".into(),
        items: "SJ-GS-001".into(),
        period_start: "2026-12-01".into(),
        period_end: "2026-12-31".into(),
        max_per_stratum: "20".into(),
        ..PlanInput::default()
    };
    let task = plan_task(core, &clerk, next).await.map_err(fail("demo: planning the fourth quarter"))?;
    let salt = (seed ^ 0x5eed).to_le_bytes().repeat(4).try_into().map_err(|_| invalid("salt"))?;
    draw::commit(core, &clerk, &task, salt).await.map_err(fail("demo: committing the fourth quarter"))?;
    Ok(())
}

/// The third quarter's joint task (市场监管局 with 卫健委): committed, drawn
/// from the first checkpoint signed after the commitment, every target
/// inspected, results published.
async fn finished_task(core: &Core, clerk: &Principal, seed: u64) -> Result<()> {
    let mut settings = core.settings().clone();
    settings.inspections.min_seed_delay_minutes = 0;
    let demo = core.clone().with_settings(settings);
    let plan = PlanInput {
        title: "2026 年第三季度历下区市场主体联合抽查".into(),
        lead_department: "scjgj".into(),
        items: "scjgj:SJ-GS-001 scjgj:SJ-JY-003 wjw:WJ-GG-002".into(),
        period_start: "2026-09-01".into(),
        period_end: "2026-11-30".into(),
        max_per_stratum: "12".into(),
        min_per_stratum: "1".into(),
        seed_delay_minutes: "0".into(),
        ..PlanInput::default()
    };
    let task = plan_task(&demo, clerk, plan).await.map_err(fail("demo: planning the third quarter"))?;
    let salt = seed.to_be_bytes().repeat(4).try_into().map_err(|_| invalid("salt"))?;
    draw::commit(&demo, clerk, &task, salt).await.map_err(fail("demo: committing the third quarter"))?;
    draw::draw(&demo, clerk, &task).await.map_err(fail("demo: drawing the third quarter"))?;
    let detail = view::detail(&demo, clerk, &task, false).await.map_err(fail("demo: reading the draw"))?;
    for (i, t) in detail.targets.iter().enumerate() {
        let pick = (seed as usize + i * 7) % 20;
        let (outcome, findings, deadline) = match pick {
            0 | 1 => ("rectification_ordered", "年度报告中的从业人数、资产状况与实际不符", "2027-01-15"),
            2 => ("not_found_at_address", "通过登记的住所无法联系，已告知标记经营异常名录的后果", ""),
            3 => ("problems_found", "超出登记的经营范围从事经营活动，已移交立案", ""),
            _ => ("normal", "", ""),
        };
        let input = ResultInput {
            task_id: task.clone(),
            uscc: t.uscc.clone(),
            outcome: outcome.into(),
            findings: findings.into(),
            rectification_deadline: deadline.into(),
        };
        enter_result(&demo, clerk, input).await.map_err(fail("demo: entering a result"))?;
    }
    publish(&demo, clerk, &task).await.map_err(fail("demo: publishing the results"))?;
    Ok(())
}
