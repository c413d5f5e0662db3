//! Integrity education (诚信教育, seed clause 二): the credit office keeps a
//! catalog of free law-and-credit courses — offered at registration and at
//! application, never a precondition for market entry — and records who
//! completed them, organisations by USCC and people by ID number. The
//! credit file shows an organisation's completions; a completion of a
//! course marked as repair training answers the 信用修复专题培训证明 a
//! repair regime asks for, so the company need not bring paper.

use chrono::NaiveDate;
use xinyong_domain::collection::RecordSubject;
use xinyong_domain::commitments::{CommitmentsEvent, CourseCompletionRow, IntegrityCourseRow};
use xinyong_domain::event::NewEvent;
use xinyong_domain::lists::digest_id;

use super::text;
use crate::auth::policy::{Action, Principal, Resource, authorize};
use crate::collection::intake::china_today;
use crate::error::{CoreError, Result};
use crate::log::Core;
use crate::subjects::{SubjectLookup, lookup_subject};

/// Courses and completions a page lists.
const LIST_LIMIT: u32 = 500;
/// Longest course text.
const MAX_CONTENT_CHARS: usize = 2_000;
/// Most class hours a course may have.
const MAX_HOURS: u32 = 200;

/// A course as the credit office enters it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseInput {
    /// Empty for a new course.
    pub course_id: String,
    pub title: String,
    pub provider: String,
    pub hours: String,
    pub content: String,
    pub location: String,
    pub repair_training: bool,
    pub active: bool,
}

/// Saves a course (new, changed or withdrawn); returns its id.
pub async fn save_course(core: &Core, principal: &Principal, input: CourseInput) -> Result<String> {
    authorize(principal, Action::ManageEducation, &Resource::Platform)?;
    let title = text(&input.title, "course_title_required", "课程名称", 100)?;
    let provider = text(&input.provider, "course_provider_required", "举办单位", 100)?;
    let content = text(&input.content, "course_content_required", "课程内容", MAX_CONTENT_CHARS)?;
    let location = text(&input.location, "course_location_required", "学习方式或地点", 200)?;
    let hours: u32 = input.hours.trim().parse().ok().filter(|h| (1..=MAX_HOURS).contains(h)).ok_or_else(|| {
        CoreError::invalid(
            "course_hours_invalid",
            format!("学时应为 1–{MAX_HOURS} 的整数，收到“{}”", input.hours.trim()),
        )
    })?;
    let today = china_today(core);
    let course_id = match input.course_id.trim() {
        "" => digest_id("KC", &[&title, &provider, &today.to_string()]),
        id => {
            course(core, id).await?;
            id.to_owned()
        }
    };
    let event = CommitmentsEvent::CourseSaved {
        course_id: course_id.clone(),
        title,
        provider,
        hours,
        content,
        location,
        repair_training: input.repair_training,
        active: input.active,
        saved_on: today,
    };
    core.append(vec![NewEvent::new(principal.actor(), event)]).await?;
    Ok(course_id)
}

/// A course by id.
pub async fn course(core: &Core, course_id: &str) -> Result<IntegrityCourseRow> {
    core.store().get(IntegrityCourseRow::key(course_id.trim())).await?.ok_or_else(|| CoreError::NotFound {
        what: format!("诚信教育课程“{}”", course_id.trim()),
        code: "course_not_found",
    })
}

/// A completion as the credit office enters it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletionInput {
    pub course_id: String,
    /// USCC or ID number.
    pub learner: String,
    /// A person's name when the platform does not know the person.
    pub name: String,
    pub certificate_no: String,
    pub completed_on: String,
}

async fn learner(core: &Core, typed: &str, name: &str) -> Result<RecordSubject> {
    match lookup_subject(core, typed).await? {
        SubjectLookup::Found(subject) => Ok(subject),
        SubjectLookup::UnknownPerson(id) => Ok(RecordSubject {
            kind: "natural_person".to_owned(),
            key: id.as_str().to_owned(),
            name: text(name, "learner_name_required", "学员姓名", 50)?,
        }),
        SubjectLookup::UnknownOrganisation(uscc) => {
            Err(CoreError::invalid("subject_unknown", format!("统一社会信用代码 {uscc} 的主体未在平台登记")))
        }
        SubjectLookup::Empty | SubjectLookup::Malformed => {
            Err(CoreError::invalid("learner_code_invalid", "「学员」须为有效的统一社会信用代码或身份证号码"))
        }
    }
}

/// Records that an organisation or a person completed a course. The same
/// learner completing the same course again replaces the certificate.
pub async fn record_completion(core: &Core, principal: &Principal, input: CompletionInput) -> Result<()> {
    authorize(principal, Action::ManageEducation, &Resource::Platform)?;
    let course = course(core, &input.course_id).await?;
    let learner = learner(core, &input.learner, &input.name).await?;
    let certificate_no = text(&input.certificate_no, "certificate_no_required", "结业证书编号", 64)?;
    let today = china_today(core);
    let completed_on = NaiveDate::parse_from_str(input.completed_on.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| *d <= today)
        .ok_or_else(|| {
            CoreError::invalid("completed_on_invalid", format!("结业日期应为不晚于今天（{today}）的 YYYY-MM-DD 日期"))
        })?;
    let event = CommitmentsEvent::CourseCompleted {
        course_id: course.course_id,
        learner,
        certificate_no,
        completed_on,
        recorded_by: principal.actor().as_str().to_owned(),
    };
    core.append(vec![NewEvent::new(principal.actor(), event)]).await?;
    Ok(())
}

/// Every course, offered ones first (public: the catalog is published).
pub async fn courses(core: &Core) -> Result<Vec<IntegrityCourseRow>> {
    Ok(xinyong_storage::commitments::courses(core.store(), LIST_LIMIT).await?)
}

/// The latest completions (the credit office's console).
pub async fn recent_completions(core: &Core, principal: &Principal) -> Result<Vec<CourseCompletionRow>> {
    authorize(principal, Action::ManageEducation, &Resource::Platform)?;
    Ok(xinyong_storage::commitments::recent_completions(core.store(), LIST_LIMIT).await?)
}

/// An organisation's completions with their courses (its credit file).
pub async fn completions_of(
    core: &Core,
    uscc: &xinyong_domain::Uscc,
) -> Result<Vec<(CourseCompletionRow, Option<IntegrityCourseRow>)>> {
    let rows = xinyong_storage::commitments::completions_of(core.store(), uscc.as_str(), LIST_LIMIT).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let course = core.store().get(IntegrityCourseRow::key(row.course_id.as_str())).await?;
        out.push((row, course));
    }
    Ok(out)
}

/// The repair-training certificate the platform holds for an organisation:
/// its latest completion of a course marked as repair training, as the
/// repair application's material describes it.
pub async fn repair_training_certificate(core: &Core, uscc: &xinyong_domain::Uscc) -> Result<Option<String>> {
    for (row, course) in completions_of(core, uscc).await? {
        if let Some(c) = course.filter(|c| c.repair_training) {
            return Ok(Some(format!(
                "{}（{}，{} 学时），{} 结业，证书编号 {}（平台诚信教育记录）",
                c.title, c.provider, c.hours, row.completed_on, row.certificate_no
            )));
        }
    }
    Ok(None)
}
