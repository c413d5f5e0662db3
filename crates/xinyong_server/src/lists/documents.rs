//! The listing's documents as PDFs to print and serve: the notice before
//! listing (拟列入告知书), the decision (列入决定书) and the answer to each
//! objection (异议处理答复书). Their wording follows the listing's own data
//! and the list's rules in force (移出条件, 救济途径), so the printed copy
//! says what the console and the portal say.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use xinyong_core::auth as core_auth;
use xinyong_core::auth::policy::Action;
use xinyong_core::lists::listing::{ListingDetail, Objection};
use xinyong_documents::{LetterSection, OfficialLetter, chinese_date};
use xinyong_domain::lists::sanction::ListKind;

use super::pages::load;
use crate::auth::{ConsoleCaller, PageError};
use crate::web::{department_name, error_page, pdf};
use crate::{ApiError, AppState};

/// `GET /console/listings/{id}/notice.pdf`: the notice, from the proposal on
/// (the clerk prints it to serve it; once served it carries the real dates).
pub(crate) async fn notice(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = load(&state, &caller, &id, Action::ViewListings).await?;
    let letter = notice_letter(&state, &d).await.map_err(|e| error_page(&state, e))?;
    send(&state, letter, format!("{}-拟列入告知书.pdf", d.row.listing_id)).await
}

/// `GET /console/listings/{id}/decision.pdf`: the decision, once decided.
pub(crate) async fn decision(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let d = load(&state, &caller, &id, Action::ViewListings).await?;
    let letter = decision_letter(&state, &d).await.map_err(|e| error_page(&state, e))?;
    send(&state, letter, format!("{}-列入决定书.pdf", d.row.listing_id)).await
}

/// `GET /console/listings/{id}/objections/{objection}/answer.pdf`: the
/// answer to one objection, once answered.
pub(crate) async fn objection_answer(
    State(state): State<AppState>,
    caller: ConsoleCaller,
    Path((id, objection_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let d = load(&state, &caller, &id, Action::ViewListings).await?;
    let Some(objection) = d.objections.iter().find(|o| o.objection_id == objection_id) else {
        let e = ApiError::new(
            StatusCode::NOT_FOUND,
            "objection_not_found",
            format!("名单记录 {id} 没有编号为 {objection_id} 的异议"),
        );
        return Err(error_page(&state, e).into());
    };
    let letter = answer_letter(&state, &d, objection).await.map_err(|e| error_page(&state, e))?;
    send(&state, letter, format!("{objection_id}-异议处理答复书.pdf")).await
}

async fn send(state: &AppState, letter: OfficialLetter, file_name: String) -> Result<Response, PageError> {
    let created = state.core.clock().now().with_timezone(&xinyong_core::clock::china_offset());
    match pdf::render(state, move |documents| documents.official_letter(&letter, created)).await {
        Ok(bytes) => Ok(pdf::inline(bytes, &file_name)),
        Err(e) => Err(error_page(state, e).into()),
    }
}

/// What every document of a listing shares: addressee, issuer, list name.
struct Parties {
    addressee: String,
    issuer: String,
    list_name: String,
    you: &'static str,
}

async fn parties(state: &AppState, d: &ListingDetail) -> Result<Parties, ApiError> {
    let departments = core_auth::departments(&state.core).await?;
    let r = &d.row;
    let (key_label, you) =
        if r.is_natural_person() { ("身份证号码", "你") } else { ("统一社会信用代码", "你单位") };
    Ok(Parties {
        addressee: format!("{}（{key_label}：{}）", d.subject_name_display, d.subject_display),
        issuer: department_name(&departments, r.department.as_str()),
        list_name: d.list.as_ref().map_or_else(|| r.list_code.clone(), |l| l.name.clone()),
        you,
    })
}

fn section(heading: &str, paragraphs: Vec<String>) -> LetterSection {
    LetterSection { heading: Some(heading.to_owned()), paragraphs }
}

/// A rule text that says something (the rules write "—" for none).
fn stated(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && text != "—" && text != "-").then(|| text.to_owned())
}

fn footer(state: &AppState, d: &ListingDetail) -> String {
    format!("{} · 名单记录 {}", state.site.site_name, d.row.listing_id)
}

async fn notice_letter(state: &AppState, d: &ListingDetail) -> Result<OfficialLetter, ApiError> {
    let p = parties(state, d).await?;
    let r = &d.row;
    let rules = state.core.rules();
    let window = rules.sanctions.settings.objection_window_working_days;
    let deadline = r.objection_deadline.map_or_else(
        || format!("自本告知书送达之日起 {window} 个工作日内"),
        |day| format!("{}前（自本告知书送达之日起 {window} 个工作日内）", chinese_date(day)),
    );
    let measures: Vec<String> = d
        .list
        .iter()
        .flat_map(|l| l.measures.iter())
        .map(|code| rules.sanctions.measure(code).map_or_else(|| code.clone(), |m| m.name.clone()))
        .collect();
    let you = p.you;
    let red = d.list.as_ref().is_some_and(|l| l.kind == ListKind::Red);
    let opening = if red {
        format!(
            "经审核，{you}符合{}的认定条件。本机关拟将{you}列入{}，现将有关事项告知如下。",
            p.list_name, p.list_name
        )
    } else {
        format!(
            "经查，{you}存在下列情形，符合{}的认定条件。本机关拟将{you}列入{}，现将有关事项告知如下。",
            p.list_name, p.list_name
        )
    };
    let mut sections = vec![
        LetterSection { heading: None, paragraphs: vec![opening] },
        section("拟列入的事实和理由", vec![r.facts.clone(), r.reason.clone()]),
        section("拟列入的依据", vec![r.legal_basis.clone()]),
    ];
    if !measures.is_empty() {
        sections.push(section(
            "列入后的影响",
            vec![format!("列入后，有关部门将依法依规实施以下措施：{}。", measures.join("；"))],
        ));
    }
    sections.push(section(
        "陈述、申辩和异议",
        vec![format!(
            "{you}对上述事实、理由和依据有异议的，可以在{deadline}向本机关提出陈述、申辩，并提交相关证明材料；也可以登录{}企业服务在线提出异议。逾期未提出的，视为放弃陈述、申辩的权利。本机关将对{you}提出的事实、理由和证据进行复核。",
            state.site.site_name
        )],
    ));
    let mut facts =
        vec![("名单".to_owned(), p.list_name.clone()), ("拟列入日期".to_owned(), chinese_date(r.proposed_on))];
    if let Some(served) = r.notice_served_on {
        facts.push(("告知送达日期".to_owned(), chinese_date(served)));
    }
    if let Some(day) = r.objection_deadline {
        facts.push(("异议截止日期".to_owned(), chinese_date(day)));
    }
    Ok(OfficialLetter {
        title: format!("拟列入{}告知书", p.list_name),
        number: Some(format!("告知书编号：{}-GZ", r.listing_id)),
        addressee: Some(p.addressee),
        sections,
        facts,
        issuer: p.issuer,
        date: chinese_date(r.notice_served_on.unwrap_or(r.proposed_on)),
        footer: footer(state, d),
        note: Some("本告知书一式两份，一份送达当事人，一份存档。".to_owned()),
    })
}

async fn decision_letter(state: &AppState, d: &ListingDetail) -> Result<OfficialLetter, ApiError> {
    let r = &d.row;
    let (Some(decided_on), Some(decision_no)) = (r.decided_on, r.decision_no.clone()) else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "listing_not_decided",
            format!("名单记录 {} 尚未作出列入决定，没有决定书", r.listing_id),
        ));
    };
    let p = parties(state, d).await?;
    let rules = state.core.rules();
    let you = p.you;
    let heard = match d.objections.len() {
        0 => format!("{you}在规定期限内未提出异议。"),
        n => format!("{you}在规定期限内提出异议 {n} 件，本机关已依法复核并答复。"),
    };
    let served = r
        .notice_served_on
        .map_or_else(String::new, |day| format!("本机关于{}向{you}送达了告知书，", chinese_date(day)));
    let validity = match (r.valid_from, r.valid_until) {
        (Some(from), Some(until)) => format!("有效期自{}起至{}止。", chinese_date(from), chinese_date(until)),
        (Some(from), None) => format!("自{}起列入，至作出移出决定之日止。", chinese_date(from)),
        _ => String::new(),
    };
    let measures: Vec<String> = r
        .measure_codes()
        .iter()
        .map(|code| rules.sanctions.measure(code).map_or_else(|| code.clone(), |m| m.name.clone()))
        .collect();
    let mut sections = vec![
        LetterSection { heading: None, paragraphs: vec![format!("{served}{heard}")] },
        section("认定的事实和理由", vec![r.facts.clone(), r.reason.clone()]),
        section("依据", vec![r.legal_basis.clone()]),
        section("决定", vec![format!("本机关决定将{you}列入{}。{validity}", p.list_name)]),
    ];
    if !measures.is_empty() {
        sections.push(section("实施的措施", vec![format!("{}。", measures.join("；"))]));
    }
    if let Some(list) = &d.list {
        sections.push(section("移出条件", vec![list.exit_conditions.clone()]));
        if let Some(remedy) = stated(&list.remedy) {
            sections.push(section("救济途径", vec![remedy]));
        }
    }
    let mut facts = vec![
        ("决定书文号".to_owned(), decision_no.clone()),
        ("名单".to_owned(), p.list_name.clone()),
        ("决定日期".to_owned(), chinese_date(decided_on)),
    ];
    if let Some(until) = r.valid_until {
        facts.push(("有效期至".to_owned(), chinese_date(until)));
    }
    Ok(OfficialLetter {
        title: format!("列入{}决定书", p.list_name),
        number: Some(decision_no),
        addressee: Some(p.addressee),
        sections,
        facts,
        issuer: p.issuer,
        date: chinese_date(decided_on),
        footer: footer(state, d),
        note: None,
    })
}

async fn answer_letter(state: &AppState, d: &ListingDetail, o: &Objection) -> Result<OfficialLetter, ApiError> {
    let (Some(answered_on), Some(outcome)) = (o.answered_on, o.outcome) else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "objection_not_answered",
            format!("异议 {} 尚未答复，没有答复书", o.objection_id),
        ));
    };
    let p = parties(state, d).await?;
    let you = p.you;
    let mut sections = vec![
        LetterSection {
            heading: None,
            paragraphs: vec![format!(
                "{you}于{}对本机关拟将{you}列入{}提出异议，理由如下：{}",
                chinese_date(o.filed_on),
                p.list_name,
                o.grounds
            )],
        },
        section("复核结论", vec![format!("经复核，{}。{}", outcome.name_zh(), o.reply.clone().unwrap_or_default())]),
    ];
    let remedy = d
        .list
        .as_ref()
        .and_then(|l| stated(&l.remedy))
        .unwrap_or_else(|| "如对本答复不服，可以依法申请行政复议或者提起行政诉讼。".to_owned());
    sections.push(section("救济途径", vec![remedy]));
    Ok(OfficialLetter {
        title: "异议处理答复书".to_owned(),
        number: Some(format!("答复书编号：{}", o.objection_id)),
        addressee: Some(p.addressee),
        sections,
        facts: vec![
            ("名单记录".to_owned(), d.row.listing_id.clone()),
            ("异议提出日期".to_owned(), chinese_date(o.filed_on)),
            ("答复期限".to_owned(), chinese_date(o.answer_due)),
            ("答复日期".to_owned(), chinese_date(answered_on)),
        ],
        issuer: p.issuer,
        date: chinese_date(answered_on),
        footer: footer(state, d),
        note: None,
    })
}
