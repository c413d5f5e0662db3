//! The access policy, pinned: every action × every kind of principal × own
//! department, another department and all departments, written down here a
//! second time, independently of `policy.rs`, so a change to who may do what
//! is a change to this table too. An action without a row fails the test.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::collections::BTreeMap;

use strum::VariantArray as _;
use xinyong_core::auth::policy::{
    Action, Principal, Resource, Scope, TokenPrincipal, authorize, own_department, scope,
};
use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::Actor;
use xinyong_test_support::{credit_office, user};

/// Department A (市场监管局) and B (公共资源交易中心).
const A: &str = "scjgj";
const B: &str = "ggzyjy";

fn code(raw: &str) -> DepartmentCode {
    DepartmentCode::parse(raw).unwrap()
}

/// The kinds of principal, in the column order of the table.
fn principals() -> Vec<(&'static str, Principal)> {
    vec![
        ("anonymous", Principal::Anonymous),
        ("operator A", user("op", Some(A), &[Role::Operator])),
        ("reviewer A", user("rv", Some(A), &[Role::Reviewer])),
        ("operator+reviewer A", user("or", Some(A), &[Role::Operator, Role::Reviewer])),
        ("operator+reviewer B", user("ub", Some(B), &[Role::Operator, Role::Reviewer])),
        ("credit office", credit_office("boss")),
        ("token A", Principal::Token(TokenPrincipal { token_id: "0123456789ab".into(), department: code(A) })),
        ("system", Principal::System(Actor::parse("department:scjgj").unwrap())),
    ]
}

/// Outcomes, short: `ok`, `401`, or the refusal's code by its initials.
fn outcome(decision: Result<(), xinyong_core::auth::policy::Denied>) -> &'static str {
    match decision {
        Ok(()) => "ok",
        Err(d) => match d.code {
            "unauthenticated" => "401",
            "no_department" => "nd",
            "console_only" => "co",
            "forbidden" => "fb",
            "not_your_department" => "ny",
            "upload_forbidden" => "uf",
            "listing_role_required" => "lr",
            "not_the_deciding_department" => "nt",
            "not_your_company" => "nc",
            "subject_account_not_allowed" => "sa",
            "subscribers_only" => "so",
            "agencies_only" => "ao",
            other => panic!("a refusal code the table does not know: {other}"),
        },
    }
}

/// What an action is judged on in the table.
#[derive(Clone, Copy)]
enum On {
    /// One resource that belongs to no department.
    One(fn() -> Resource),
    /// Department A, department B, and all departments: three outcomes per
    /// principal, written `a/b/all`.
    Departments,
}

fn platform() -> Resource {
    Resource::Platform
}

fn persons() -> Resource {
    Resource::NaturalPersons
}

fn subject() -> Resource {
    Resource::Subject(Uscc::from_parts('9', '1', "370102", "MA3C8N0X").unwrap())
}

fn record_of_a() -> Resource {
    Resource::Record { department: code(A), subject: Uscc::from_parts('9', '1', "370102", "MA3C8N0X").unwrap() }
}

/// The policy table, once more. Columns: anonymous, operator A, reviewer A,
/// operator+reviewer A, operator+reviewer B, credit office, token A, system.
#[expect(clippy::too_many_lines, reason = "the policy table, one row per action and resource")]
fn table() -> Vec<(Action, On, [&'static str; 8])> {
    use Action::*;
    use On::*;
    const PUBLIC: [&str; 8] = ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"];
    const CONSOLE: [&str; 8] = ["401", "ok", "ok", "ok", "ok", "ok", "co", "ok"];
    const CALLERS: [&str; 8] = ["401", "ok", "ok", "ok", "ok", "nd", "ok", "ok"];
    let d = |c: [&'static str; 8]| c;
    vec![
        (ViewPortal, One(platform), PUBLIC),
        (ViewLog, One(platform), PUBLIC),
        (ViewOperations, One(platform), PUBLIC),
        (ViewApiDocs, One(platform), PUBLIC),
        (LogIn, One(platform), PUBLIC),
        (ViewConsole, One(platform), CONSOLE),
        (LogOut, One(platform), CONSOLE),
        (ViewRules, One(platform), CONSOLE),
        (ViewCreditFile, One(subject), CONSOLE),
        (ViewIdentity, One(platform), CALLERS),
        (ViewReceipt, One(platform), CALLERS),
        (ManageUsers, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        (ViewAuditTrail, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        (ViewMetrics, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        (ViewPersons, One(persons), ["401", "fb", "ok", "ok", "ok", "ok", "fb", "ok"]),
        // Department rows: department A / department B / all departments.
        (
            CheckCredit,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "nd/nd/nd", "ok/fb/fb", "ok/ok/ok"]),
        ),
        (
            ReportCases,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "nd/nd/nd", "ok/fb/fb", "ok/ok/ok"]),
        ),
        (
            IssueTokens,
            Departments,
            d(["401/401/401", "ok/fb/fb", "fb/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ViewTokens,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            RevokeTokens,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            SubmitRecords,
            Departments,
            d(["401/401/401", "ok/uf/uf", "uf/uf/uf", "ok/uf/uf", "uf/ok/uf", "ok/ok/ok", "ok/uf/uf", "ok/ok/ok"]),
        ),
        (
            ViewBatches,
            Departments,
            d(["401/401/401", "ok/ny/ny", "ok/ny/ny", "ok/ny/ny", "ny/ok/ny", "ok/ok/ok", "ok/ny/ny", "ok/ok/ok"]),
        ),
        (
            ViewTimeliness,
            Departments,
            d(["401/401/401", "ok/ny/ny", "ok/ny/ny", "ok/ny/ny", "ny/ok/ny", "ok/ok/ok", "ok/ny/ny", "ok/ok/ok"]),
        ),
        (
            ViewListings,
            Departments,
            d(["401/401/401", "ok/ny/ny", "ok/ny/ny", "ok/ny/ny", "ny/ok/ny", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ProposeListing,
            Departments,
            d(["401/401/401", "ok/ny/ny", "ok/ny/ny", "ok/ny/ny", "ny/ok/ny", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            HandleListing,
            Departments,
            d(["401/401/401", "ok/ny/ny", "ok/ny/ny", "ok/ny/ny", "ny/ok/ny", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            DecideListing,
            Departments,
            d(["401/401/401", "lr/ny/ny", "ok/ny/ny", "ok/ny/ny", "ny/ok/ny", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ViewBans,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ImposeBan,
            Departments,
            d(["401/401/401", "fb/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "nd/nd/nd", "co/co/co", "ok/ok/ok"]),
        ),
        (
            LiftBan,
            Departments,
            d(["401/401/401", "fb/nt/nt", "ok/nt/nt", "ok/nt/nt", "nt/ok/nt", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ViewInterviews,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            RecordInterview,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "nd/nd/nd", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ReadFeed,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "ok/fb/fb", "ok/ok/ok"]),
        ),
        (
            AnswerFeed,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "ok/fb/fb", "ok/ok/ok"]),
        ),
        (
            ManageWebhook,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "ok/fb/fb", "ok/ok/ok"]),
        ),
        (
            ViewLoopMetrics,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        // The market subject's side. Subject accounts have their own test below.
        (
            IssueActivationCode,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ViewObjections,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ViewRepairs,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            AnswerObjection,
            Departments,
            d(["401/401/401", "fb/ny/ny", "ok/ny/ny", "ok/ny/ny", "ny/ok/ny", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            DecideRepair,
            Departments,
            d(["401/401/401", "fb/ny/ny", "ok/ny/ny", "ok/ny/ny", "ny/ok/ny", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (ViewOwnFile, One(subject), ["401", "nc", "nc", "nc", "nc", "nc", "nc", "ok"]),
        (ConfirmRepair, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        (ApplyRepair, One(subject), ["401", "nc", "nc", "nc", "nc", "nc", "nc", "ok"]),
        (MakePledge, One(subject), ["401", "nc", "nc", "nc", "nc", "nc", "nc", "ok"]),
        // 自愿注册: the company itself only; the reviewing department (any of
        // its users sees, its reviewers decide) and the credit office.
        (SubmitRegistration, One(subject), ["401", "nc", "nc", "nc", "nc", "nc", "nc", "ok"]),
        (
            ViewRegistrations,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ReviewRegistration,
            Departments,
            d(["401/401/401", "fb/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        // At a counter: the record's department (any role) and the credit office.
        (FileObjection, One(record_of_a), ["401", "ok", "ok", "ok", "fb", "ok", "fb", "ok"]),
        // Evaluation: every console user reads grades; only the credit office manages.
        (ViewGrades, One(platform), ["401", "ok", "ok", "ok", "ok", "ok", "co", "ok"]),
        (ManageEvaluation, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        (ManageEducation, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        // Notices and policy documents: the credit office publishes and withdraws.
        (ManageNotices, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        // Credit service agencies: the credit office files and supervises; the
        // company consents (its own, test below); agencies use consents (test below).
        (ManageAgencies, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        (GrantAgencyConsent, One(subject), ["401", "nc", "nc", "nc", "nc", "nc", "nc", "ok"]),
        (UseAgencyConsent, One(platform), ["401", "ao", "ao", "ao", "ao", "ao", "ao", "ok"]),
        // Subscriptions: a subscriber's own (its test below); the credit office manages.
        (UseSubscription, One(platform), ["401", "so", "so", "so", "so", "so", "so", "ok"]),
        (ManageSubscribers, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        // Random inspections: each department its own, the credit office all.
        (
            ViewInspections,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            PlanInspections,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            RecordInspectionResults,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            PublishInspections,
            Departments,
            d(["401/401/401", "fb/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (EnterBeacon, One(platform), ["401", "fb", "fb", "fb", "fb", "ok", "fb", "ok"]),
        // Campaigns: every console user reads them; departments act on the subjects they listed.
        (ViewCampaigns, One(platform), ["401", "ok", "ok", "ok", "ok", "ok", "co", "ok"]),
        (
            OpenCampaign,
            Departments,
            d(["401/401/401", "fb/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            ReportRectification,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            DecideRectification,
            Departments,
            d(["401/401/401", "fb/nt/nt", "ok/nt/nt", "ok/nt/nt", "nt/ok/nt", "nd/nd/nd", "co/co/co", "ok/ok/ok"]),
        ),
        // 告知承诺: the company itself (another test) or the granting
        // department's counter; the department sees and verifies its own.
        (MakeCommitment, One(record_of_a), ["401", "ok", "ok", "ok", "fb", "ok", "fb", "ok"]),
        (
            ViewCommitments,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
        (
            VerifyCommitment,
            Departments,
            d(["401/401/401", "ok/fb/fb", "ok/fb/fb", "ok/fb/fb", "fb/ok/fb", "ok/ok/ok", "co/co/co", "ok/ok/ok"]),
        ),
    ]
}

/// A cell as the policy answers it, in the table's notation.
fn observed(principal: &Principal, action: Action, on: On) -> String {
    match on {
        On::One(resource) => outcome(authorize(principal, action, &resource())).to_owned(),
        On::Departments => {
            let cells = [Resource::Department(code(A)), Resource::Department(code(B)), Resource::AllDepartments]
                .map(|r| outcome(authorize(principal, action, &r)));
            cells.join("/")
        }
    }
}

#[test]
fn every_action_has_a_row_and_the_policy_answers_as_the_table_says() {
    let table = table();
    let rows: BTreeMap<Action, (On, [&str; 8])> = table.iter().map(|(a, on, cells)| (*a, (*on, *cells))).collect();
    assert_eq!(rows.len(), table.len(), "an action has two rows");
    let missing: Vec<&str> = Action::VARIANTS.iter().filter(|a| !rows.contains_key(a)).map(|a| a.as_str()).collect();
    assert!(missing.is_empty(), "actions without a row in the table: {missing:?}");

    let principals = principals();
    let mut wrong = Vec::new();
    for (action, (on, expected)) in &rows {
        for ((name, principal), want) in principals.iter().zip(expected) {
            let got = observed(principal, *action, *on);
            if got != *want {
                wrong.push(format!("{:<16} {name:<22} table {want:<10} policy {got}", action.as_str()));
            }
        }
    }
    assert!(wrong.is_empty(), "the policy differs from the table:\n{}", wrong.join("\n"));
}

#[test]
fn listings_and_bans_are_judged_by_their_deciding_department() {
    let reviewer_a = user("rv", Some(A), &[Role::Reviewer]);
    let of = |d: &str| Resource::Listing { department: code(d), subject: "91370102MA3C8N0X0B".into() };
    assert!(authorize(&reviewer_a, Action::DecideListing, &of(A)).is_ok());
    assert_eq!(authorize(&reviewer_a, Action::DecideListing, &of(B)).unwrap_err().code, "not_your_department");
    let ban = |d: &str| Resource::Ban { department: code(d), subject: "91370102MA3C8N0X0B".into() };
    assert!(authorize(&reviewer_a, Action::LiftBan, &ban(A)).is_ok());
    assert_eq!(authorize(&reviewer_a, Action::LiftBan, &ban(B)).unwrap_err().code, "not_the_deciding_department");
    // A department rule asked about something of no department refuses.
    assert!(authorize(&credit_office("boss"), Action::LiftBan, &Resource::Platform).is_err());
}

#[test]
fn scopes_and_own_departments_follow_from_the_policy() {
    let [anonymous, operator_a, reviewer_a, _, _, office, token_a, _] =
        principals().into_iter().map(|(_, p)| p).collect::<Vec<_>>().try_into().unwrap();
    assert_eq!(scope(&operator_a, Action::ViewListings).unwrap(), Scope::Department(code(A)));
    assert_eq!(scope(&office, Action::ViewListings).unwrap(), Scope::All);
    assert_eq!(scope(&token_a, Action::ViewBatches).unwrap(), Scope::Department(code(A)));
    assert!(scope(&anonymous, Action::ViewListings).unwrap_err().is_unauthenticated());
    // The hole that was: a reviewer alone submits for no department.
    assert_eq!(scope(&reviewer_a, Action::SubmitRecords).unwrap_err().code, "upload_forbidden");
    assert_eq!(scope(&office, Action::ImposeBan).unwrap_err().code, "no_department");
    assert!(own_department(&anonymous).unwrap_err().is_unauthenticated());
    assert_eq!(own_department(&office).unwrap_err().code, "no_department");
    assert_eq!(own_department(&token_a).unwrap(), code(A));
    // Unknown things are judged as the caller's own department's.
    assert_eq!(Resource::unknown_for(&operator_a), Resource::Department(code(A)));
    assert_eq!(Resource::unknown_for(&office), Resource::AllDepartments);
}

#[test]
fn refusals_carry_a_snake_case_code_and_a_chinese_message() {
    for action in Action::VARIANTS {
        for (_, principal) in principals() {
            for resource in [Resource::Department(code(B)), Resource::AllDepartments, Resource::Platform] {
                if let Err(denied) = authorize(&principal, *action, &resource) {
                    assert!(denied.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{}", denied.code);
                    assert!(
                        denied.message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                        "{}",
                        denied.message
                    );
                }
            }
        }
    }
}

#[test]
fn subject_accounts_act_only_for_their_own_company() {
    use xinyong_core::auth::policy::SubjectPrincipal;
    use xinyong_domain::auth::SubjectAccountRole;
    let own = Uscc::from_parts('9', '1', "370102", "MA3C8N0X").unwrap();
    let other = Uscc::from_parts('9', '1', "370112", "MA3D0B7K").unwrap();
    let company = Principal::Subject(SubjectPrincipal {
        uscc: own.clone(),
        username: "admin".into(),
        role: SubjectAccountRole::LegalRepresentative,
    });
    let record = |uscc: &Uscc| Resource::Record { department: code(A), subject: uscc.clone() };
    for action in Action::VARIANTS {
        let on_own = [Resource::Subject(own.clone()), record(&own)].map(|r| authorize(&company, *action, &r));
        let on_other = [Resource::Subject(other.clone()), record(&other)].map(|r| authorize(&company, *action, &r));
        let department = authorize(&company, *action, &Resource::Department(code(A)));
        match action {
            Action::ViewPortal | Action::ViewLog | Action::ViewOperations | Action::ViewApiDocs | Action::LogIn => {
                assert!(department.is_ok(), "{action:?}");
            }
            Action::ViewOwnFile
            | Action::ApplyRepair
            | Action::FileObjection
            | Action::MakeCommitment
            | Action::MakePledge
            | Action::SubmitRegistration
            | Action::GrantAgencyConsent => {
                assert!(on_own.iter().all(Result::is_ok), "{action:?} on its own company");
                for r in on_other {
                    assert_eq!(r.unwrap_err().code, "not_your_company", "{action:?} on another company");
                }
                assert_eq!(department.unwrap_err().code, "not_your_company", "{action:?}");
            }
            _ => {
                for r in on_own.into_iter().chain([department]) {
                    assert_eq!(r.unwrap_err().code, "subject_account_not_allowed", "{action:?}");
                }
            }
        }
    }
    assert_eq!(company.actor().as_str(), "subject:91370102ma3c8n0xx0:admin");
    assert_eq!(own_department(&company).unwrap_err().code, "subject_account_not_allowed");
}

#[test]
fn subscribers_use_their_subscription_and_nothing_else() {
    use xinyong_core::auth::policy::SubscriberPrincipal;
    let bank = Principal::Subscriber(SubscriberPrincipal { subscriber_id: "s0123456789".into() });
    for action in Action::VARIANTS {
        let got = authorize(&bank, *action, &Resource::Platform);
        match action {
            Action::ViewPortal
            | Action::ViewLog
            | Action::ViewOperations
            | Action::ViewApiDocs
            | Action::LogIn
            | Action::UseSubscription => assert!(got.is_ok(), "{action:?}"),
            _ => assert_eq!(got.unwrap_err().code, "subscriber_not_allowed", "{action:?}"),
        }
    }
    assert_eq!(bank.actor().as_str(), "subscriber:s0123456789");
    assert_eq!(own_department(&bank).unwrap_err().code, "subscriber_not_allowed");
}

#[test]
fn agencies_use_consents_and_nothing_else() {
    use xinyong_core::auth::policy::AgencyPrincipal;
    let agency = Principal::Agency(AgencyPrincipal {
        agency: Uscc::from_parts('9', '1', "370102", "MA3C8N0Q").unwrap(),
        username: "zhang".into(),
    });
    for action in Action::VARIANTS {
        let got = authorize(&agency, *action, &Resource::Platform);
        match action {
            Action::ViewPortal
            | Action::ViewLog
            | Action::ViewOperations
            | Action::ViewApiDocs
            | Action::LogIn
            | Action::UseAgencyConsent => assert!(got.is_ok(), "{action:?}"),
            _ => assert_eq!(got.unwrap_err().code, "agency_account_not_allowed", "{action:?}"),
        }
    }
    assert!(agency.actor().as_str().starts_with("agency:91370102ma3c8n0q"), "{}", agency.actor().as_str());
    assert_eq!(own_department(&agency).unwrap_err().code, "agency_account_not_allowed");
}

#[test]
fn principals_write_as_their_actors() {
    assert_eq!(user("wang", Some(A), &[Role::Operator]).actor().as_str(), "user:wang");
    let token = Principal::Token(TokenPrincipal { token_id: "0123456789ab".into(), department: code(A) });
    assert_eq!(token.actor().as_str(), "token:0123456789ab");
    assert_eq!(Principal::system().actor().as_str(), "system");
    assert_eq!(token.department(), Some(&code(A)));
    assert_eq!(Principal::Anonymous.department(), None);
}
