//! Integrity education (诚信教育, issue 14 item 6): the credit office saves
//! courses and records completions by organisations and people; a
//! department may not; a completion of a repair-training course is the
//! training certificate a repair application needs.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use xinyong_core::commitments::education::{self, CompletionInput, CourseInput};
use xinyong_core::log::verify::verify;
use xinyong_domain::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, credit_office, department_user};

fn company() -> Uscc {
    Uscc::from_parts('9', '1', "370102", "MA3F0021").unwrap()
}

fn course(title: &str, repair_training: bool) -> CourseInput {
    CourseInput {
        course_id: String::new(),
        title: title.into(),
        provider: "济南市发展和改革委员会".into(),
        hours: "4".into(),
        content: "信用修复政策与流程解读；失信行为的法律后果".into(),
        location: "信用济南网站在线学习".into(),
        repair_training,
        active: true,
    }
}

#[tokio::test]
async fn courses_and_completions_are_kept_by_the_credit_office_and_answer_the_repair_training() {
    let app = TestApp::new().await;
    let subject = LegalPerson {
        uscc: company(),
        name: SubjectName::parse("济南历山建材有限公司").unwrap(),
        status: SubjectStatus::Active,
    };
    let event = SubjectsEvent::LegalPersonRegistered { subject, people: vec![] };
    app.core.append(vec![NewEvent::new(Actor::parse("demo").unwrap(), event)]).await.unwrap();
    let office = credit_office("admin");
    let refused = education::save_course(&app.core, &department_user("scjgj"), course("x", false)).await;
    assert_eq!(refused.unwrap_err().code(), "forbidden");
    let mut bad = course("法律知识", false);
    bad.hours = "0".into();
    assert_eq!(education::save_course(&app.core, &office, bad).await.unwrap_err().code(), "course_hours_invalid");
    let general = education::save_course(&app.core, &office, course("市场主体法律知识", false)).await.unwrap();
    let repair = education::save_course(&app.core, &office, course("企业信用修复专题培训", true)).await.unwrap();
    assert_eq!(education::courses(&app.core).await.unwrap().len(), 2);

    let completion = |course: &str, learner: &str, name: &str, day: &str| CompletionInput {
        course_id: course.into(),
        learner: learner.into(),
        name: name.into(),
        certificate_no: format!("XYPX-{day}"),
        completed_on: day.into(),
    };
    let ours = company();
    education::record_completion(&app.core, &office, completion(&general, ours.as_str(), "", "2026-10-10"))
        .await
        .unwrap();
    assert_eq!(education::repair_training_certificate(&app.core, &ours).await.unwrap(), None, "not a repair course");
    let person = "11010519491231002X";
    let nameless =
        education::record_completion(&app.core, &office, completion(&repair, person, "", "2026-11-01")).await;
    assert_eq!(nameless.unwrap_err().code(), "learner_name_required", "a person the platform does not know");
    education::record_completion(&app.core, &office, completion(&repair, person, "王某某", "2026-11-01"))
        .await
        .unwrap();
    let late =
        education::record_completion(&app.core, &office, completion(&repair, ours.as_str(), "", "2099-01-01")).await;
    assert_eq!(late.unwrap_err().code(), "completed_on_invalid");
    education::record_completion(&app.core, &office, completion(&repair, ours.as_str(), "", "2026-11-20"))
        .await
        .unwrap();

    let certificate = education::repair_training_certificate(&app.core, &ours).await.unwrap().unwrap();
    assert!(certificate.contains("企业信用修复专题培训") && certificate.contains("XYPX-2026-11-20"), "{certificate}");
    assert_eq!(education::completions_of(&app.core, &ours).await.unwrap().len(), 2);
    let recent = education::recent_completions(&app.core, &office).await.unwrap();
    assert_eq!(recent.len(), 3);
    assert!(education::recent_completions(&app.core, &department_user("scjgj")).await.is_err());
    verify(&app.core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}
