//! The demo city's notices and policy documents (通知公告, 政策法规), as
//! the credit office publishes them in the console. The policy documents
//! are real, with their real dates and document numbers, summarised rather
//! than quoted; the announcements are the demo city's own, marked as demo
//! data in their text and without document numbers. A notice is identified
//! by its kind, title and date, so a second run publishes nothing new.

use xinyong_core::Core;
use xinyong_core::auth::policy::Principal;
use xinyong_core::notices::{self, PublishNotice};
use xinyong_domain::event::Actor;

use crate::{Result, fail, invalid};

/// (kind, title, date, issuer, document number, body).
type Entry = (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

const NOTICES: [Entry; 7] = [
    (
        "policy",
        "社会信用体系建设规划纲要（2014—2020年）",
        "2014-06-14",
        "国务院",
        "国发〔2014〕21号",
        "《社会信用体系建设规划纲要（2014—2020年）》由国务院于2014年6月14日印发，是我国首部国家级社会信用体系建设专项规划。\n\n纲要部署了政务诚信、商务诚信、社会诚信和司法公信四大重点领域的诚信建设，提出建立健全信用信息归集共享和使用机制，完善以奖惩制度为重点的社会信用体系运行机制。\n\n全文请见中国政府网。",
    ),
    (
        "policy",
        "山东省社会信用条例",
        "2020-07-24",
        "山东省人民代表大会常务委员会",
        "",
        "《山东省社会信用条例》于2020年7月24日经山东省人民代表大会常务委员会会议通过，自2021年1月1日起施行。\n\n条例对社会信用信息的归集、披露和使用，守信激励和失信惩戒，信用主体权益保护，社会信用环境建设等作出规定，明确信用主体有权查询本主体的信用信息，对信用信息有异议的可以提出异议申请，失信主体可以依法申请信用修复。\n\n全文请见山东省人大常委会网站。",
    ),
    (
        "policy",
        "国务院办公厅关于进一步完善失信约束制度构建诚信建设长效机制的指导意见",
        "2020-12-07",
        "国务院办公厅",
        "国办发〔2020〕49号",
        "指导意见要求科学界定公共信用信息纳入范围和程序，规范严重失信主体名单认定标准，依法依规开展失信惩戒，建立有利于自我纠错、主动自新的信用修复机制，加强信息安全和隐私保护。\n\n本平台的失信名单认定程序、信用修复和异议处理均按照该意见的要求设计。",
    ),
    (
        "policy",
        "失信行为纠正后的信用信息修复管理办法（试行）",
        "2023-01-13",
        "国家发展和改革委员会",
        "国家发展和改革委员会令第58号",
        "《失信行为纠正后的信用信息修复管理办法（试行）》于2023年1月13日公布，自2023年3月1日起施行。\n\n办法规定了失信信息的公示期限、信用修复的申请条件和办理程序、修复结果的共享和同步，以及信用修复的监督管理。",
    ),
    (
        "announcement",
        "关于开展2025年度信用修复集中办理的通知",
        "2025-11-03",
        "",
        "",
        "各有关市场主体：\n\n为帮助已纠正失信行为的市场主体重塑信用，现集中办理2025年度信用修复申请。已履行行政处罚决定、公示期满最短期限的企业，可登录本平台“企业服务”在线申请，或到信息提供部门窗口办理。\n\n（本通知为演示数据。）",
    ),
    (
        "announcement",
        "关于开展2026年“诚信兴商宣传月”活动的通知",
        "2026-08-25",
        "",
        "",
        "各区县社会信用体系建设牵头部门、各有关单位：\n\n9月为“诚信兴商宣传月”。请各单位结合信用承诺公示、诚信教育和守信激励，组织开展诚信经营主题宣传，引导市场主体主动作出信用承诺。\n\n（本通知为演示数据。）",
    ),
    (
        "announcement",
        "关于“信用济南”演示站点系统维护的公告",
        "2026-11-28",
        "",
        "",
        "因系统升级，本演示站点将于周六凌晨进行维护，期间信用查询和日志验证可能短暂无法访问。维护前后公开的每一条信息均可通过“日志验证”独立核验。\n\n（本公告为演示数据。）",
    ),
];

/// Publishes the demo notices (those already published are left as they are).
///
/// # Errors
/// A use case refused what the demo asked.
pub async fn play(core: &Core) -> Result<()> {
    let office = Principal::System(Actor::parse("user:admin").map_err(invalid)?);
    let today = xinyong_core::collection::intake::china_today(core);
    for (kind, title, date, issuer, doc_number, body) in NOTICES {
        // A clock set before a notice's date (a test's) publishes only those before it.
        if date.parse::<chrono::NaiveDate>().map_err(invalid)? > today {
            continue;
        }
        let input = PublishNotice {
            kind: kind.to_owned(),
            title: title.to_owned(),
            published_on: date.to_owned(),
            body: body.to_owned(),
            issuer: issuer.to_owned(),
            doc_number: doc_number.to_owned(),
            attachments: Vec::new(),
        };
        notices::publish(core, &office, input).await.map_err(fail("demo: a notice"))?;
    }
    Ok(())
}
