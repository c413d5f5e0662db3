//! Public pledges (信用承诺公示, issue 14 item 4): a company publishes a
//! voluntary pledge, found by name and by code; personal data in the text is
//! refused; only an industry association (USCC `5…`) publishes a
//! self-discipline scheme, whose members must be registered organisations;
//! the association or the member withdraws a member's pledge, another
//! company cannot; everything replays under `verify`.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use xinyong_core::CoreError;
use xinyong_core::auth::policy::{Principal, SubjectPrincipal};
use xinyong_core::commitments::pledges::{self, PledgeText};
use xinyong_core::log::verify::verify;
use xinyong_domain::Uscc;
use xinyong_domain::auth::SubjectAccountRole;
use xinyong_domain::commitments::PledgeKind;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::TestApp;

fn org(n: u32) -> Uscc {
    Uscc::from_parts('9', '1', "370102", &format!("MA3E{n:04}")).unwrap()
}

fn association() -> Uscc {
    Uscc::from_parts('5', '1', "370100", "MJD61875").unwrap()
}

fn account(uscc: &Uscc) -> Principal {
    Principal::Subject(SubjectPrincipal {
        uscc: uscc.clone(),
        username: "admin".into(),
        role: SubjectAccountRole::LegalRepresentative,
    })
}

fn code_of<T: std::fmt::Debug>(r: Result<T, CoreError>) -> &'static str {
    r.unwrap_err().code()
}

fn pledge(title: &str, text: &str) -> PledgeText {
    PledgeText { title: title.into(), text: text.into() }
}

async fn city() -> TestApp {
    let app = TestApp::new().await;
    let named =
        [(org(1), "济南泉城餐饮有限公司"), (org(2), "济南明湖饭店有限公司"), (association(), "济南市餐饮行业协会")];
    let events = named.into_iter().map(|(uscc, name)| {
        let subject = LegalPerson { uscc, name: SubjectName::parse(name).unwrap(), status: SubjectStatus::Active };
        NewEvent::new(Actor::parse("demo").unwrap(), SubjectsEvent::LegalPersonRegistered { subject, people: vec![] })
    });
    app.core.append(events.collect()).await.unwrap();
    app
}

#[tokio::test]
async fn pledges_are_published_searched_and_withdrawn_by_their_makers() {
    let app = city().await;
    let (quancheng, minghu) = (org(1), org(2));
    let text = pledge("诚信经营承诺书", "依法诚信经营，明码标价，接受社会监督。");
    let id = pledges::make_pledge(&app.core, &account(&quancheng), quancheng.as_str(), &text).await.unwrap();
    let again = pledges::make_pledge(&app.core, &account(&quancheng), quancheng.as_str(), &text).await.unwrap();
    assert_eq!(id, again, "the same text is the same pledge");
    // Another company's name is not the caller's to use; personal data is refused.
    assert_eq!(
        code_of(pledges::make_pledge(&app.core, &account(&minghu), quancheng.as_str(), &text).await),
        "not_your_company"
    );
    let phone = pledge("承诺", "如有问题请联系张经理 13912345678");
    assert_eq!(
        code_of(pledges::make_pledge(&app.core, &account(&minghu), minghu.as_str(), &phone).await),
        "pledge_personal_data"
    );
    assert_eq!(
        code_of(pledges::make_pledge(&app.core, &account(&minghu), minghu.as_str(), &pledge(" ", "x")).await),
        "pledge_title_required"
    );

    // Only an association publishes a scheme; its members must be known.
    let convention = pledge("济南市餐饮行业诚信自律公约", "杜绝餐饮浪费，不设最低消费。");
    let members = format!("{}\n{}", quancheng.as_str(), minghu.as_str());
    let not_host = pledges::publish_scheme(&app.core, &account(&minghu), minghu.as_str(), &convention, &members).await;
    assert_eq!(code_of(not_host), "not_an_association");
    let host = association();
    let bad =
        pledges::publish_scheme(&app.core, &account(&host), host.as_str(), &convention, "91370102MA3E0001X0").await;
    assert_eq!(code_of(bad), "scheme_member_invalid");
    let unknown =
        pledges::publish_scheme(&app.core, &account(&host), host.as_str(), &convention, org(9).as_str()).await;
    assert_eq!(code_of(unknown), "subject_unknown");
    pledges::publish_scheme(&app.core, &account(&host), host.as_str(), &convention, &members).await.unwrap();

    let (all, total) = pledges::public_pledges(&app.core, "", 0, 20).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(all.iter().filter(|p| p.kind == PledgeKind::SelfDiscipline).count(), 2);
    let (found, _) = pledges::public_pledges(&app.core, "明湖", 0, 20).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].association_name.as_deref(), Some("济南市餐饮行业协会"));
    assert_eq!(pledges::public_pledges(&app.core, quancheng.as_str(), 0, 20).await.unwrap().1, 2, "by code");
    assert_eq!(pledges::public_pledges(&app.core, "%", 0, 20).await.unwrap().1, 0, "LIKE wildcards are literal");

    // The association withdraws a member's pledge; another company cannot.
    let member_pledge = found[0].pledge_id.clone();
    let refused = pledges::withdraw_pledge(&app.core, &account(&quancheng), &member_pledge, "退出协会").await;
    assert_eq!(code_of(refused), "not_your_company");
    pledges::withdraw_pledge(&app.core, &account(&host), &member_pledge, "该会员已退出协会").await.unwrap();
    assert!(pledges::public_pledges(&app.core, "明湖", 0, 20).await.unwrap().0.is_empty());
    let (own, _) = pledges::own(&app.core, &account(&minghu), &minghu).await.unwrap();
    assert_eq!(own[0].withdraw_reason.as_deref(), Some("该会员已退出协会"), "kept on the company's own page");
    let (_, schemes) = pledges::own(&app.core, &account(&host), &host).await.unwrap();
    assert_eq!(schemes[0].members, 2);
    verify(&app.core, &|_: &str, _: u64, _: u64| {}).await.unwrap();
}
