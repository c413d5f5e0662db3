//! The demo city's public pledges (信用承诺公示): the demo company and a few
//! others publish voluntary pledges (主动承诺), and 济南市餐饮行业协会 — a
//! social organisation registered by the civil affairs bureau — publishes
//! its self-discipline convention with six member restaurants (行业自律承诺).
//! The same text published again is the same pledge, so a second run adds
//! only the pledges of the companies its seed picks.

use xinyong_core::Core;
use xinyong_core::auth::policy::{Principal, SubjectPrincipal};
use xinyong_core::commitments::pledges::{self, PledgeText};
use xinyong_domain::Uscc;
use xinyong_domain::auth::SubjectAccountRole;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectRow, SubjectStatus, SubjectsEvent};

use crate::{Result, fail, invalid};

const VOLUNTARY: [(&str, &str); 3] = [
    (
        "诚信经营承诺书",
        "一、严格遵守国家法律法规和行业规范，依法依规开展经营活动。\n二、如实公示企业信息，保证所提供的信息真实、准确、完整。\n三、不虚假宣传，不以次充好，不侵害消费者合法权益。\n四、自觉接受政府部门、行业组织、社会公众和新闻媒体的监督。\n五、如违背上述承诺，愿意承担相应的法律责任，并同意将违诺情况记入本单位信用记录。",
    ),
    (
        "明码标价与质量保证承诺",
        "一、商品和服务一律明码标价，不在标价之外加价出售，不收取任何未予标明的费用。\n二、所售商品来源合法、质量合格，建立进货查验和销售记录制度。\n三、七日内无理由退货，及时妥善处理消费者投诉。\n四、违背承诺的，自愿接受有关部门依法处理，并记入信用记录。",
    ),
    (
        "依法纳税与按时履约承诺",
        "一、依法办理纳税申报，按时足额缴纳税款，不偷税、不骗税。\n二、诚信履行合同约定，按时支付货款和员工工资，不拖欠中小企业账款。\n三、违背承诺的，同意将相关情况记入本单位信用记录并向社会公示。",
    ),
];

const CONVENTION: (&str, &str) = (
    "济南市餐饮行业诚信自律公约",
    "一、严格落实食品安全主体责任，建立健全食品安全管理制度，从业人员持有效健康证明上岗。\n二、公开菜品价格，不设最低消费，不强制搭售，不收取开瓶费。\n三、杜绝餐饮浪费，倡导“光盘行动”，主动提示顾客适量点餐。\n四、不使用来源不明的食品原料，不超范围超限量使用食品添加剂。\n五、会员单位违背公约的，由协会予以批评教育并通报有关部门，违诺情况记入信用记录。",
);

fn subject_account(uscc: &Uscc) -> Principal {
    Principal::Subject(SubjectPrincipal {
        uscc: uscc.clone(),
        username: "admin".to_owned(),
        role: SubjectAccountRole::LegalRepresentative,
    })
}

/// The association, registered once (it is not among the generated subjects).
async fn association(core: &Core) -> Result<Uscc> {
    let uscc = Uscc::from_parts('5', '1', "370100", "MJD61875").map_err(invalid)?;
    if core.store().get(SubjectRow::key(&uscc)).await.map_err(|e| fail("demo: reading a subject")(e.into()))?.is_none()
    {
        let subject = LegalPerson {
            uscc: uscc.clone(),
            name: SubjectName::parse("济南市餐饮行业协会").map_err(invalid)?,
            status: SubjectStatus::Active,
        };
        let event = SubjectsEvent::LegalPersonRegistered { subject, people: vec![] };
        let actor = Actor::parse("demo").map_err(invalid)?;
        core.append(vec![NewEvent::new(actor, event)]).await.map_err(fail("demo: registering the association"))?;
    }
    Ok(uscc)
}

/// Active companies picked by the seed: `count` of them, restaurants first
/// when `restaurants`.
async fn companies(core: &Core, seed: u64, count: usize, restaurants: bool) -> Result<Vec<Uscc>> {
    let mut scan = core.store().scan::<SubjectRow>(1_000);
    let stride = usize::try_from(seed % 7 + 5).unwrap_or(5);
    let mut out = Vec::new();
    while let Some(page) = scan.next_page().await.map_err(|e| fail("demo: reading subjects")(e.into()))? {
        for (i, s) in page.into_iter().enumerate() {
            let fits = !restaurants || ["餐饮", "饭店", "酒楼", "餐厅", "小吃"].iter().any(|w| s.name.contains(w));
            if s.status == SubjectStatus::Active && s.uscc.as_str().starts_with("91") && fits && i % stride == 2 {
                out.push(s.uscc);
            }
            if out.len() == count {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

pub(crate) async fn play(core: &Core, seed: u64) -> Result<()> {
    let mut voluntary = companies(core, seed, VOLUNTARY.len() - 1, false).await?;
    if let Some(own) = crate::demo_company(core).await? {
        voluntary.insert(0, own);
    }
    for (uscc, (title, text)) in voluntary.iter().zip(VOLUNTARY) {
        let input = PledgeText { title: title.to_owned(), text: text.to_owned() };
        pledges::make_pledge(core, &subject_account(uscc), uscc.as_str(), &input)
            .await
            .map_err(fail("demo: a voluntary pledge"))?;
    }
    let host = association(core).await?;
    let mut members = companies(core, seed, 6, true).await?;
    if members.len() < 6 {
        members = companies(core, seed, 6, false).await?;
    }
    let list: Vec<&str> = members.iter().map(Uscc::as_str).collect();
    let input = PledgeText { title: CONVENTION.0.to_owned(), text: CONVENTION.1.to_owned() };
    pledges::publish_scheme(core, &subject_account(&host), host.as_str(), &input, &list.join("\n"))
        .await
        .map_err(fail("demo: the association's convention"))?;
    Ok(())
}

/// For the leak walk: the same pledges in a city built by the test.
///
/// # Errors
/// A use case refused what the demo asked.
pub async fn pledges_of_the_city(core: &Core, seed: u64) -> Result<()> {
    play(core, seed).await
}

/// The credit office's courses (诚信教育) and some completions: the demo
/// company took the law-and-credit course, two others the repair training.
/// A second run finds the courses by title and the completions by learner.
pub(crate) async fn education(core: &Core, seed: u64) -> Result<()> {
    use xinyong_core::commitments::education::{self, CompletionInput, CourseInput};
    let office = Principal::System(Actor::parse("user:admin").map_err(invalid)?);
    let courses = [
        (
            "市场主体法律与信用知识",
            8,
            "《山东省社会信用条例》、公共信用信息的归集与公示、失信行为的法律后果、守信激励措施",
            false,
        ),
        ("企业信用修复专题培训", 4, "信用修复的条件和程序、行政处罚信息公示期限、信用修复承诺的履行与监督", true),
    ];
    let mut ids = Vec::new();
    for (title, hours, content, repair_training) in courses {
        let existing = education::courses(core).await.map_err(fail("demo: reading courses"))?;
        let id = match existing.into_iter().find(|c| c.title == title) {
            Some(c) => c.course_id,
            None => {
                let input = CourseInput {
                    course_id: String::new(),
                    title: title.to_owned(),
                    provider: "济南市发展和改革委员会（市社会信用体系建设领导小组办公室）".to_owned(),
                    hours: hours.to_string(),
                    content: content.to_owned(),
                    location: "信用济南网站在线学习，每月第一个周三在市民中心集中授课".to_owned(),
                    repair_training,
                    active: true,
                };
                education::save_course(core, &office, input).await.map_err(fail("demo: a course"))?
            }
        };
        ids.push(id);
    }
    let today = xinyong_core::collection::intake::china_today(core);
    let mut learners: Vec<(Uscc, usize)> = crate::demo_company(core).await?.into_iter().map(|u| (u, 0)).collect();
    learners.extend(companies(core, seed + 3, 2, false).await?.into_iter().map(|u| (u, 1)));
    for (n, (uscc, course)) in learners.iter().enumerate() {
        let done = education::completions_of(core, uscc).await.map_err(fail("demo: reading completions"))?;
        if done.iter().any(|(row, _)| row.course_id == ids[*course]) {
            continue;
        }
        let day = today - chrono::Duration::days(7 + 9 * n as i64);
        let input = CompletionInput {
            course_id: ids[*course].clone(),
            learner: uscc.as_str().to_owned(),
            name: String::new(),
            certificate_no: format!("JNXY-{}-{:04}", day.format("%Y%m"), 31 + n),
            completed_on: day.to_string(),
        };
        education::record_completion(core, &office, input).await.map_err(fail("demo: a completion"))?;
    }
    Ok(())
}
