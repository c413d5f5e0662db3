//! Public pledges (信用承诺公示; 35号 item 1 encourages voluntary and
//! industry commitments, Shandong Art. 32 puts voluntary public commitments
//! into the credit record). A company publishes its own pledge (主动承诺)
//! from its account; an industry association — a social organisation
//! registered by the civil affairs department, USCC starting with `5` —
//! publishes its self-discipline scheme (行业自律公约) with the members
//! pledging to it. Both are public, searchable by company, and can be
//! withdrawn with a reason (the withdrawal stays in the log). Texts carry
//! no personal data: a phone number, e-mail or ID number refuses the text.

use sha2::{Digest as _, Sha256};
use xinyong_domain::Uscc;
use xinyong_domain::commitments::{CommitmentsEvent, PledgeRow, PledgeSchemeRow, SchemeMember, is_social_organisation};
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::digest_id;
use xinyong_domain::personal_text::find_personal_data;
use xinyong_domain::subjects::{SubjectRow, SubjectStatus};

use super::{applicant, text};
use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// Longest pledge or scheme title.
const MAX_TITLE_CHARS: usize = 100;
/// Longest pledge or scheme text.
const MAX_TEXT_CHARS: usize = 3_000;
/// Longest withdrawal reason.
const MAX_REASON_CHARS: usize = 500;
/// Longest search query.
const MAX_QUERY_CHARS: usize = 40;
/// A company's pledges or an association's schemes a page lists.
const OWN_LIMIT: u32 = 200;

/// A pledge or scheme as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PledgeText {
    pub title: String,
    pub text: String,
}

/// The title and text, checked: required, bounded, no personal data.
fn checked(input: &PledgeText) -> Result<(String, String, String)> {
    let title = text(&input.title, "pledge_title_required", "承诺标题", MAX_TITLE_CHARS)?;
    let body = text(&input.text, "pledge_text_required", "承诺内容", MAX_TEXT_CHARS)?;
    for (label, t) in [("承诺标题", &title), ("承诺内容", &body)] {
        if let Some(found) = find_personal_data(t).first() {
            return Err(CoreError::invalid(
                "pledge_personal_data",
                format!("{label}含有{}，公示的承诺不能含个人信息，请删除后再提交", found.kind.label()),
            ));
        }
    }
    let sha = hex::encode(Sha256::digest(format!("{title}\n{body}").as_bytes()));
    Ok((title, body, sha))
}

/// A registered organisation in business, by code.
async fn organisation(core: &Core, uscc: &Uscc) -> Result<SubjectRow> {
    match core.store().get(SubjectRow::key(uscc)).await? {
        Some(row) if row.status == SubjectStatus::Active => Ok(row),
        Some(_) => Err(CoreError::invalid("subject_not_active", format!("统一社会信用代码 {uscc} 的主体不在存续状态"))),
        None => {
            Err(CoreError::invalid("subject_unknown", format!("统一社会信用代码 {uscc} 的主体未在平台登记，请核对")))
        }
    }
}

/// A company publishes its own pledge; returns its id. The same text
/// published again by the same company is the same pledge.
pub async fn make_pledge(core: &Core, principal: &Principal, uscc: &str, input: &PledgeText) -> Result<String> {
    let uscc = applicant(uscc)?;
    authorize(principal, Action::MakePledge, &Resource::Subject(uscc.clone()))?;
    let (title, body, sha) = checked(input)?;
    let subject = organisation(core, &uscc).await?;
    let id = digest_id("PL", &[uscc.as_str(), &sha]);
    if core.store().get(PledgeRow::key(id.as_str())).await?.is_some_and(|p| p.withdrawn_on.is_none()) {
        return Ok(id);
    }
    let event = CommitmentsEvent::PledgeMade {
        pledge_id: id.clone(),
        uscc,
        subject_name: subject.name,
        title,
        text: body,
        text_sha256: sha,
        made_on: china_today(core),
        made_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), event)]).await?;
    Ok(id)
}

/// The members typed on a scheme form: codes separated by line breaks,
/// spaces, commas or 、; each checked, duplicates dropped, in order.
fn member_codes(raw: &str, max: usize) -> Result<Vec<Uscc>> {
    let mut out: Vec<Uscc> = Vec::new();
    let parts = raw.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace()).filter(|p| !p.is_empty());
    for (i, part) in parts.enumerate() {
        let uscc = Uscc::parse(part).map_err(|e| {
            CoreError::invalid("scheme_member_invalid", format!("第 {} 个成员单位代码“{part}”无效：{e}", i + 1))
        })?;
        if !out.contains(&uscc) {
            out.push(uscc);
        }
        if out.len() > max {
            return Err(CoreError::invalid(
                "scheme_too_many_members",
                format!("一次最多列出 {max} 家成员单位（设置 commitments.max_scheme_members），请分批发布"),
            ));
        }
    }
    if out.is_empty() {
        return Err(CoreError::invalid("scheme_members_required", "请列出作出承诺的成员单位的统一社会信用代码"));
    }
    Ok(out)
}

/// An industry association publishes its self-discipline scheme with the
/// members pledging to it; returns the scheme's id.
pub async fn publish_scheme(
    core: &Core,
    principal: &Principal,
    association: &str,
    input: &PledgeText,
    members: &str,
) -> Result<String> {
    let association = applicant(association)?;
    authorize(principal, Action::MakePledge, &Resource::Subject(association.clone()))?;
    if !is_social_organisation(&association) {
        return Err(CoreError::invalid(
            "not_an_association",
            "行业自律承诺由在民政部门登记的行业协会商会（统一社会信用代码以 5 开头）发布",
        ));
    }
    let (title, body, sha) = checked(input)?;
    let codes = member_codes(members, core.settings().commitments.max_scheme_members)?;
    let host = organisation(core, &association).await?;
    let scheme_id = digest_id("PS", &[association.as_str(), &sha]);
    if core.store().get(PledgeSchemeRow::key(scheme_id.as_str())).await?.is_some() {
        return Ok(scheme_id);
    }
    let mut listed = Vec::with_capacity(codes.len());
    for uscc in codes {
        let member = organisation(core, &uscc).await?;
        let pledge_id = digest_id("PL", &[uscc.as_str(), &scheme_id]);
        listed.push(SchemeMember { pledge_id, uscc, name: member.name });
    }
    let event = CommitmentsEvent::SelfDisciplineSchemePublished {
        scheme_id: scheme_id.clone(),
        association_uscc: association,
        association_name: host.name,
        title,
        text: body,
        text_sha256: sha,
        members: listed,
        published_on: china_today(core),
        published_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), event)]).await?;
    Ok(scheme_id)
}

/// The pledging company, or for a scheme's pledge its association,
/// withdraws a pledge with a reason. Withdrawing twice changes nothing.
pub async fn withdraw_pledge(core: &Core, principal: &Principal, pledge_id: &str, reason: &str) -> Result<()> {
    let Some(row) = core.store().get(PledgeRow::key(pledge_id.trim())).await? else {
        return Err(CoreError::NotFound {
            what: format!("承诺“{}”", pledge_id.trim()), code: "pledge_not_found"
        });
    };
    let own = authorize(principal, Action::MakePledge, &Resource::Subject(row.uscc.clone()));
    if own.is_err() {
        let host = row.association_uscc.clone().map(Resource::Subject);
        match host.map(|r| authorize(principal, Action::MakePledge, &r)) {
            Some(Ok(())) => {}
            _ => own?,
        }
    }
    let reason = text(reason, "withdraw_reason_required", "撤回理由", MAX_REASON_CHARS)?;
    if row.withdrawn_on.is_some() {
        return Ok(());
    }
    let event = CommitmentsEvent::PledgeWithdrawn {
        pledge_id: row.pledge_id,
        uscc: row.uscc,
        withdrawn_on: china_today(core),
        withdrawn_by: principal.actor().as_str().to_owned(),
        reason,
    };
    core.append(vec![NewEvent::new(principal.actor(), event)]).await?;
    Ok(())
}

/// A page of the public pledges (信用承诺公示) and how many `q` finds:
/// in force, newest first, by company name fragment or USCC.
pub async fn public_pledges(core: &Core, q: &str, offset: u64, limit: u32) -> Result<(Vec<PledgeRow>, u64)> {
    let q: String = q.trim().chars().take(MAX_QUERY_CHARS).collect();
    let store = core.store();
    let total = xinyong_storage::commitments::count_public_pledges(store, &q).await?;
    let rows = xinyong_storage::commitments::public_pledges(store, &q, offset, limit).await?;
    Ok((rows, total))
}

/// A company's own pledges (withdrawn ones too) and, for an association,
/// its schemes.
pub async fn own(core: &Core, principal: &Principal, uscc: &Uscc) -> Result<(Vec<PledgeRow>, Vec<PledgeSchemeRow>)> {
    authorize(principal, Action::ViewOwnFile, &Resource::Subject(uscc.clone()))?;
    let pledges = xinyong_storage::commitments::pledges_of(core.store(), uscc, OWN_LIMIT).await?;
    let schemes = if is_social_organisation(uscc) {
        xinyong_storage::commitments::schemes_of(core.store(), uscc, OWN_LIMIT).await?
    } else {
        Vec::new()
    };
    Ok((pledges, schemes))
}

/// The pledges in force of one organisation, for its public page.
pub async fn public_pledges_of(core: &Core, uscc: &Uscc) -> Result<Vec<PledgeRow>> {
    let rows = xinyong_storage::commitments::pledges_of(core.store(), uscc, OWN_LIMIT).await?;
    Ok(rows.into_iter().filter(|p| p.withdrawn_on.is_none()).collect())
}
