//! Who may do what: the platform's one access policy.
//!
//! Every entry point names what its caller wants as an [`Action`] on a
//! [`Resource`] and asks [`authorize`]: the console's pages and the JSON API
//! before they do anything, and the use cases of this crate that act for a
//! department (the listing procedure, bans, interviews, the people in a
//! credit file, feed answers, cases, webhooks) once more with the exact
//! resource, so the command line, the demo and HTTP share the decision.
//! Nothing else decides: callers only establish *who* is calling (a
//! [`Principal`]), and pages ask [`allows`] to decide what to offer.
//!
//! # Principals
//!
//! - **Anonymous**: nobody has shown who they are (the public).
//! - **Console user**: a person with a live console session — a login, the
//!   department the user works for (none for the credit office) and roles:
//!   经办人 [`Role::Operator`], 审核人 [`Role::Reviewer`], 信用办管理员
//!   [`Role::Admin`]. The Admin role *is* the credit office: it acts for every
//!   department where the table says so.
//! - **API token**: a department's system (`Authorization: Bearer xyt_…`): the
//!   token id and its department. A token has no roles; it is the department's
//!   system, issued by an operator or the credit office.
//! - **System**: the platform itself — background jobs and the `xinyong`
//!   command line (imports, the demo city). Whoever runs them holds the
//!   database already, so the policy allows them everything; the actor says
//!   in whose name they write (`system`, `demo`, `department:scjgj`).
//!
//! A disabled user's session and a revoked or unknown token establish nobody:
//! they are anonymous.
//!
//! # The policy
//!
//! "Of D": only for the resource's own department D; a user or token of
//! another department is refused (403). Nobody (anonymous) is refused with
//! 401 (`unauthenticated`; pages send the browser to the login page) for
//! everything but the public actions.
//!
//! | action | console user | credit office (Admin) | API token | refused with |
//! |---|---|---|---|---|
//! | `ViewPortal`, `ViewLog`, `ViewOperations`, `ViewApiDocs`, `LogIn` | ✓ | ✓ | ✓ | (public, also anonymous) |
//! | `ViewConsole`, `LogOut`, `ViewRules`, `ViewCreditFile` | ✓ any | ✓ | — | `console_only` |
//! | `ViewIdentity`, `ViewReceipt` | ✓ with a department | with a department | ✓ | `no_department` |
//! | `CheckCredit`, `ReportCases` | of D | of D | of D | `forbidden` |
//! | `ManageUsers`, `ViewAuditTrail`, `ViewMetrics` | — | ✓ | — | `forbidden` |
//! | `ViewPersons` (natural persons' data) | Reviewer | ✓ | — | `forbidden` |
//! | `IssueTokens` | Operator of D | any D | — | `forbidden` |
//! | `ViewTokens`, `RevokeTokens` | of D | any D | — | `forbidden` |
//! | `SubmitRecords` | Operator of D | any D | of D | `upload_forbidden` |
//! | `ViewBatches`, `ViewTimeliness` | of D | any D, all | of D | `not_your_department` |
//! | `ViewListings` | of D | any D, all | — | `not_your_department` |
//! | `ProposeListing`, `HandleListing` | Operator or Reviewer of D | any D | — | `not_your_department`, `listing_role_required` |
//! | `DecideListing` | Reviewer of D | any D | — | `not_your_department`, `listing_role_required` |
//! | `ViewBans`, `ViewInterviews` | of D | any D, all | — | `forbidden` |
//! | `ImposeBan` | Reviewer of D | — | — | `forbidden` |
//! | `LiftBan` | Reviewer of D | any D | — | `not_the_deciding_department` |
//! | `RecordInterview` | of D | — | — | `forbidden` |
//! | `ReadFeed`, `AnswerFeed`, `ManageWebhook` | of D | any D | of D | `forbidden` |
//! | `ViewLoopMetrics` | of D | any D, all | — | `forbidden` |
//! | `IssueActivationCode`, `ViewObjections`, `ViewRepairs` | of D | any D, all | — | `forbidden` |
//! | `AnswerObjection`, `DecideRepair` | Reviewer of D | any D | — | `not_your_department` |
//! | `ViewOwnFile`, `ApplyRepair` | — | — | — | `not_your_company` |
//! | `ConfirmRepair` | — | ✓ | — | `forbidden` |
//! | `FileObjection` | of the record's D (counter) | ✓ | — | `forbidden` |
//! | `ViewGrades` | ✓ any | ✓ | — | `console_only` |
//! | `ManageEvaluation` | — | ✓ | — | `forbidden` |
//! | `UseSubscription` | — | — | — | `subscribers_only` |
//! | `ManageSubscribers` | — | ✓ | — | `forbidden` |
//! | `ViewInspections` | of D | any D, all | — | `forbidden` |
//! | `PlanInspections` | Operator or Reviewer of D | any D | — | `forbidden` |
//! | `RecordInspectionResults` | Operator or Reviewer of D | any D | — | `forbidden` |
//! | `PublishInspections` | Reviewer of D | any D | — | `forbidden` |
//! | `EnterBeacon` | — | ✓ | — | `forbidden` |
//! | `ViewCampaigns` | ✓ any | ✓ | — | `console_only` |
//! | `OpenCampaign` | Reviewer of D | any D | — | `forbidden` |
//! | `ReportRectification` | of D (the listing department) | any D | — | `forbidden` |
//! | `DecideRectification` | Reviewer of D (the listing department) | — | — | `not_the_deciding_department`, `forbidden` |
//! | `MakeCommitment` | of the item's D (counter) | ✓ | — | `forbidden` |
//! | `ViewCommitments` | of D | any D, all | — | `forbidden` |
//! | `VerifyCommitment` | Operator or Reviewer of D (the granting department) | any D | — | `forbidden` |
//! | `MakePledge` | — | — | — | `not_your_company` |
//! | `ManageEducation` | — | ✓ | — | `forbidden` |
//! | `SubmitRegistration` | — | — | — | `not_your_company` |
//! | `ViewRegistrations` | of D (the reviewing department) | any D, all | — | `forbidden` |
//! | `ReviewRegistration` | Reviewer of D (the reviewing department) | any D | — | `forbidden` |
//! | `ManageNotices` | — | ✓ | — | `forbidden` |
//! | `ManageAgencies` | — | ✓ | — | `forbidden` |
//! | `GrantAgencyConsent` | — | — | — | `not_your_company` |
//! | `UseAgencyConsent` | — | — | — | `agencies_only` |
//!
//! A **subject account** (企业账号, [`Principal::Subject`]) may take the public
//! actions, and `ViewOwnFile`, `ApplyRepair`, `FileObjection`,
//! `MakeCommitment`, `MakePledge` and `SubmitRegistration` for its own
//! company only ([`Resource::Subject`] or [`Resource::Record`] of its USCC;
//! another company's: `not_your_company`). Every other action refuses it
//! with `subject_account_not_allowed`.
//!
//! An **agency account** (信用服务机构账号, [`Principal::Agency`]) may take the
//! public actions and `UseAgencyConsent`; whether a company consented, and
//! whether the agency's filing is 正常, the use case checks with the exact
//! company. Every other action refuses it with `agency_account_not_allowed`.
//!
//! "All" is [`Resource::AllDepartments`]: lists and statistics over every
//! department at once. A console user without a department is refused
//! department actions with `no_department`; a token is refused console
//! actions with `console_only`.
//!
//! # Adding a principal
//!
//! A new kind of caller is one more [`Principal`] variant and one more arm
//! in `Rule::judge`, as the subject accounts, subscribers and agencies
//! were: the actions they may take name their resource, and every other
//! action refuses them by default.

use xinyong_domain::Uscc;
use xinyong_domain::auth::{DepartmentCode, Role, SubjectAccountRole};
use xinyong_domain::event::Actor;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Nobody has shown who they are: the public.
    Anonymous,
    /// A person with a live console session.
    User(UserPrincipal),
    /// A department's system with a live API token.
    Token(TokenPrincipal),
    /// A market subject's own account (企业账号) with a live session.
    Subject(SubjectPrincipal),
    /// An approved subscriber's system (a bank, an association) with its
    /// API token: it reads its own feed and keeps its own watchlist.
    Subscriber(SubscriberPrincipal),
    /// A filed credit service agency's account (信用服务机构账号) with a
    /// live session: it downloads the reports companies consented to.
    Agency(AgencyPrincipal),
    /// The platform itself: jobs and the command line, writing as `actor`.
    System(Actor),
}

/// A credit service agency's account as the policy sees it: the agency (by
/// its USCC) and the account's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyPrincipal {
    pub agency: Uscc,
    pub username: String,
}

impl AgencyPrincipal {
    /// `agency:<uscc in lower case>:<username>`: the actor of its events.
    pub fn actor_name(&self) -> String {
        format!("agency:{}:{}", self.agency.as_str().to_ascii_lowercase(), self.username)
    }
}

/// A market subject's account as the policy sees it: the company it is
/// bound to and its role there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectPrincipal {
    pub uscc: Uscc,
    pub username: String,
    pub role: SubjectAccountRole,
}

impl SubjectPrincipal {
    /// `subject:<uscc in lower case>:<username>`: the actor of its events.
    pub fn actor_name(&self) -> String {
        format!("subject:{}:{}", self.uscc.as_str().to_ascii_lowercase(), self.username)
    }
}

/// A subscriber as the policy sees it: which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriberPrincipal {
    pub subscriber_id: String,
}

/// A console user as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPrincipal {
    pub login: String,
    /// `None` for the credit office's own staff.
    pub department: Option<DepartmentCode>,
    pub roles: Vec<Role>,
}

/// A department's API token as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPrincipal {
    pub token_id: String,
    pub department: DepartmentCode,
}

impl Principal {
    /// The platform's own jobs (actor `system`).
    pub fn system() -> Principal {
        Principal::System(Actor::system())
    }

    /// The actor written into the events this principal causes.
    pub fn actor(&self) -> Actor {
        // Logins and token ids are validated to a subset of the actor
        // alphabet; the fallback is never reached.
        let named = |raw: String| Actor::parse(&raw).unwrap_or_else(|_| Actor::system());
        match self {
            Principal::Anonymous => named("anonymous".to_owned()),
            Principal::User(user) => named(format!("user:{}", user.login)),
            Principal::Token(token) => named(format!("token:{}", token.token_id)),
            Principal::Subject(subject) => named(subject.actor_name()),
            Principal::Subscriber(s) => named(format!("subscriber:{}", s.subscriber_id)),
            Principal::Agency(agency) => named(agency.actor_name()),
            Principal::System(actor) => actor.clone(),
        }
    }

    /// The department the principal works for, if any.
    pub fn department(&self) -> Option<&DepartmentCode> {
        match self {
            Principal::User(user) => user.department.as_ref(),
            Principal::Token(token) => Some(&token.department),
            Principal::Anonymous
            | Principal::Subject(_)
            | Principal::Subscriber(_)
            | Principal::Agency(_)
            | Principal::System(_) => None,
        }
    }

    /// A short name of the kind, for logs and test output.
    pub fn kind(&self) -> &'static str {
        match self {
            Principal::Anonymous => "anonymous",
            Principal::User(_) => "user",
            Principal::Token(_) => "token",
            Principal::Subject(_) => "subject",
            Principal::Subscriber(_) => "subscriber",
            Principal::Agency(_) => "agency",
            Principal::System(_) => "system",
        }
    }
}

impl UserPrincipal {
    /// The Admin role is the credit office (信用办), whatever the department.
    fn is_credit_office(&self) -> bool {
        self.roles.contains(&Role::Admin)
    }

    fn has_any(&self, roles: &[Role]) -> bool {
        roles.is_empty() || self.roles.iter().any(|r| roles.contains(r))
    }
}

/// Every operation the platform offers, one per capability. The routes that
/// perform each are listed in the server's route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    // ----- public
    /// The portal: search, subject pages, 双公示, published lists, its API, static files.
    ViewPortal,
    /// The transparency log: keys, checkpoints, entries, proofs, `/verify`.
    ViewLog,
    /// Health, readiness, metrics and the ping the check bench compares with.
    ViewOperations,
    /// The OpenAPI document.
    ViewApiDocs,
    /// The console's login page and form.
    LogIn,
    // ----- the console
    /// The console home.
    ViewConsole,
    LogOut,
    /// The rules in force as the console shows them: upload templates, the measures catalog.
    ViewRules,
    /// An organisation's credit file (listings, bans, interviews).
    ViewCreditFile,
    /// Natural persons' data: the people in a credit file, a person's file.
    ViewPersons,
    ManageUsers,
    /// The audit trail of personal-data reads (十七.1).
    ViewAuditTrail,
    /// The Prometheus metrics (also served without a session on the
    /// separate `[server] metrics_listen` address, for the scraper).
    ViewMetrics,
    ViewTokens,
    IssueTokens,
    RevokeTokens,
    // ----- department systems
    /// `whoami`: which department a token or session speaks for.
    ViewIdentity,
    /// A credit check (应查必查).
    CheckCredit,
    /// A check receipt with its proof.
    ViewReceipt,
    // ----- collection (归集)
    /// Upload or push records.
    SubmitRecords,
    /// Batches, their error reports and the records they carried.
    ViewBatches,
    /// Timeliness statistics (十五.1).
    ViewTimeliness,
    // ----- lists
    ViewListings,
    /// 拟列入.
    ProposeListing,
    /// 送达告知, 登记异议.
    HandleListing,
    /// 答复异议, 列入决定, 撤回, 移出.
    DecideListing,
    ViewBans,
    /// 禁入决定.
    ImposeBan,
    /// 解除禁入.
    LiftBan,
    ViewInterviews,
    /// 约谈.
    RecordInterview,
    // ----- closed loop
    /// The measures pushed to a department.
    ReadFeed,
    /// 签收 and 执行反馈.
    AnswerFeed,
    /// Cases a department handled (the denominator of 应查必查 coverage).
    ReportCases,
    ManageWebhook,
    /// 闭环统计.
    ViewLoopMetrics,
    // ----- the market subject's side
    /// Issue an activation letter for a company's first account.
    IssueActivationCode,
    /// A company's own credit file (free self-query, Art. 37), its export,
    /// its objections and repair applications.
    ViewOwnFile,
    /// Object to a record (online by the company; at a counter by the
    /// record's department), or withdraw the objection.
    FileObjection,
    /// The objections routed to a department.
    ViewObjections,
    /// Answer an objection, or extend its deadline.
    AnswerObjection,
    /// Apply for credit repair of a record.
    ApplyRepair,
    /// The repair applications a department decides.
    ViewRepairs,
    /// Decide a repair application (谁认定、谁修复).
    DecideRepair,
    /// Confirm a department's approval, where the configuration asks for it.
    ConfirmRepair,
    // ----- evaluation
    /// Grades with their reasons, grade history, the supervision table and
    /// the grade distribution (console).
    ViewGrades,
    /// Import grades received from elsewhere; run an evaluation now.
    ManageEvaluation,
    // ----- subscriptions
    /// A subscriber reads its feed and keeps its watchlist and webhook.
    UseSubscription,
    /// Register, approve and suspend subscribers; see what each received.
    ManageSubscribers,
    // ----- random inspections (双随机、一公开)
    /// A department's inspection items, inspectors and tasks.
    ViewInspections,
    /// Keep the item list and the inspector directory; plan a task and
    /// commit its pool.
    PlanInspections,
    /// Enter the results of a drawn task's inspections.
    RecordInspectionResults,
    /// Publish a task's results (一公开).
    PublishInspections,
    /// Enter a public beacon value into a committed draw.
    EnterBeacon,
    // ----- rectification campaigns (专项治理)
    /// The campaigns, their subjects, progress, evidence and dashboard.
    ViewCampaigns,
    /// Open a campaign over a list's organisations, in a department's name.
    OpenCampaign,
    /// Report a subject's rectification progress, with evidence.
    ReportRectification,
    /// Decide whether a subject rectified (谁认定、谁评定).
    DecideRectification,
    // ----- notification and commitment (告知承诺)
    /// Sign an item's commitment letter for an approval case: the company
    /// online, or the granting department's counter for it.
    MakeCommitment,
    /// The commitments made for a department's items.
    ViewCommitments,
    /// Record a deferred material's arrival and the verification outcome.
    VerifyCommitment,
    /// Publish or withdraw a public pledge (主动承诺), or, for an industry
    /// association, a self-discipline scheme with its members' pledges.
    MakePledge,
    /// The integrity-education courses and the completions (诚信教育).
    ManageEducation,
    // ----- voluntary registration (自愿注册)
    /// Register (or withdraw) the company's own qualifications, honours,
    /// operations, contract performance or public welfare: the company only.
    SubmitRegistration,
    /// The registrations a department reviews, and their files.
    ViewRegistrations,
    /// Accept, reject (with reasons) or find false a registration.
    ReviewRegistration,
    // ----- notices and policy documents (通知公告, 政策法规)
    /// Publish and withdraw the portal's notices and policy documents, and
    /// see withdrawn ones: the credit office only.
    ManageNotices,
    // ----- credit service agencies (信用服务机构)
    /// File agencies, change their status, file their staff, record their
    /// supervision and open their accounts: the credit office only.
    ManageAgencies,
    /// Consent that a filed agency downloads the company's full report, and
    /// revoke it; see who queried (the company itself).
    GrantAgencyConsent,
    /// Download a consenting company's full report: agencies' accounts only.
    UseAgencyConsent,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What an action is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// The platform as a whole: public pages, the console itself, users.
    Platform,
    /// One department's data and acts: its records, batches, tokens, feed,
    /// webhook, cases, and what it decides.
    Department(DepartmentCode),
    /// Every department's data at once (cross-department lists and statistics).
    AllDepartments,
    /// A listing procedure, run by its deciding department.
    Listing { department: DepartmentCode, subject: String },
    /// A ban, lifted only by its deciding department or the credit office.
    Ban { department: DepartmentCode, subject: String },
    /// An organisation and its credit file.
    Subject(Uscc),
    /// Natural persons' data (ID numbers, personal records).
    NaturalPersons,
    /// One record about an organisation, provided by a department.
    Record { department: DepartmentCode, subject: Uscc },
}

impl Resource {
    /// The department the resource belongs to, or every department.
    fn target(&self) -> Option<Target<'_>> {
        match self {
            Resource::Department(d)
            | Resource::Listing { department: d, .. }
            | Resource::Ban { department: d, .. }
            | Resource::Record { department: d, .. } => Some(Target::One(d)),
            Resource::AllDepartments => Some(Target::All),
            Resource::Platform | Resource::Subject(_) | Resource::NaturalPersons => None,
        }
    }

    /// What an id that matches nothing is judged as: the caller's own
    /// department (every department for a caller without one). Whoever may
    /// act on their own department's things learns that it does not exist;
    /// nobody else learns anything.
    pub fn unknown_for(principal: &Principal) -> Resource {
        principal.department().map_or(Resource::AllDepartments, |d| Resource::Department(d.clone()))
    }
}

enum Target<'a> {
    One(&'a DepartmentCode),
    All,
}

/// Why a caller may not do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeniedKind {
    /// Nobody is calling: 401, or the login page for a browser.
    Unauthenticated,
    /// Somebody is calling who may not: 403.
    Forbidden,
}

/// A refusal: its kind, a stable snake_case code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Denied {
    pub kind: DeniedKind,
    pub code: &'static str,
    pub message: &'static str,
}

impl Denied {
    /// Nobody is calling where somebody must.
    pub fn unauthenticated() -> Denied {
        Denied {
            kind: DeniedKind::Unauthenticated, code: "unauthenticated", message: "需要登录或有效的 API 令牌"
        }
    }

    fn forbidden((code, message): Refusal) -> Denied {
        Denied { kind: DeniedKind::Forbidden, code, message }
    }

    pub fn is_unauthenticated(&self) -> bool {
        self.kind == DeniedKind::Unauthenticated
    }
}

/// Code and message of a refusal.
type Refusal = (&'static str, &'static str);

const NO_DEPARTMENT: Refusal = ("no_department", "当前账号不属于任何部门，不能代表部门办理");
const CONSOLE_ONLY: Refusal = ("console_only", "API 令牌不能办理部门工作台的事务，请用账号登录");
const NOT_FOR_SUBSCRIBERS: Refusal = ("subscriber_not_allowed", "订阅单位的令牌只能读取本单位的订阅");
const NOT_FOR_SUBJECTS: Refusal = ("subject_account_not_allowed", "企业账号只能查询和办理本企业的事项");
const OWN_COMPANY_ONLY: Refusal = ("not_your_company", "只能查询和办理本企业的事项");
const NOT_FOR_AGENCIES: Refusal = ("agency_account_not_allowed", "信用服务机构账号只能查询已获企业授权的信用报告");

/// Who may do an action.
enum Who {
    /// Everyone, anonymous included.
    Everyone,
    /// Any console user.
    ConsoleUsers,
    /// A department's token, or a console user who belongs to a department.
    DepartmentCallers,
    /// The credit office only.
    CreditOffice,
    /// Reviewers of any department, and the credit office.
    Reviewers,
    /// For a department's resource: its users holding one of `roles` (any
    /// role when empty), its tokens when `tokens`, and the credit office for
    /// every department (and all at once) when `credit_office`.
    Members { roles: &'static [Role], tokens: bool, credit_office: bool, role_refusal: Refusal },
    /// Approved subscribers (their own subscription only).
    Subscribers,
    /// Filed credit service agencies' accounts (the use case checks the
    /// company's consent and the agency's status).
    Agencies,
    /// The organisation itself (its own accounts), for its own
    /// [`Resource::Subject`] or [`Resource::Record`].
    TheSubject,
    /// The organisation itself, or for a [`Resource::Record`] the console
    /// users of the record's department (at a counter) and the credit office.
    TheSubjectOrCounter,
}

/// One line of the policy table.
struct Rule {
    who: Who,
    refusal: Refusal,
}

const ANY_ROLE: &[Role] = &[];
const OPERATORS: &[Role] = &[Role::Operator];
const REVIEWERS: &[Role] = &[Role::Reviewer];
const HANDLERS: &[Role] = &[Role::Operator, Role::Reviewer];

/// A department rule whose refusals, for another department's caller and
/// for one of the department without the role, read alike.
fn members(roles: &'static [Role], tokens: bool, credit_office: bool, refusal: Refusal) -> Rule {
    Rule { who: Who::Members { roles, tokens, credit_office, role_refusal: refusal }, refusal }
}

impl Rule {
    /// The same rule, telling the department's own callers without the role
    /// so in its own words.
    fn role_refused(self, role_refusal: Refusal) -> Rule {
        match self.who {
            Who::Members { roles, tokens, credit_office, .. } => {
                Rule { who: Who::Members { roles, tokens, credit_office, role_refusal }, refusal: self.refusal }
            }
            who => Rule { who, refusal: self.refusal },
        }
    }
}

fn rule(who: Who, refusal: Refusal) -> Rule {
    Rule { who, refusal }
}

/// Public actions refuse nobody: there is nothing to say.
const NEVER: Refusal = ("forbidden", "");

const PLAN_OTHER: Refusal = ("forbidden", "只能为本部门制定抽查计划");
const PLAN_ROLE: Refusal = ("forbidden", "只有本部门的经办人、审核人或信用办可以制定抽查计划");
const RESULTS_OTHER: Refusal = ("forbidden", "只能录入本部门参与的抽查结果");
const RESULTS_ROLE: Refusal = ("forbidden", "只有本部门的经办人、审核人或信用办可以录入抽查结果");
const PUBLISH_OTHER: Refusal = ("forbidden", "只能公示本部门牵头的抽查结果");
const PUBLISH_ROLE: Refusal = ("forbidden", "只有本部门的审核人或信用办可以公示抽查结果");
const COMMIT_COUNTER: Refusal = ("forbidden", "告知承诺由申请企业本身或审批部门的窗口办理");
const COMMITMENTS_OTHER: Refusal = ("forbidden", "只能查看本部门审批事项的承诺");
const VERIFY_OTHER: Refusal = ("forbidden", "承诺由审批部门核查");
const VERIFY_ROLE: Refusal = ("forbidden", "只有审批部门的经办人、审核人或信用办可以核查承诺");
const REGISTRATIONS_OTHER: Refusal = ("forbidden", "只能查看本部门审核的自愿注册信息");
const REGISTRATION_REVIEW_OTHER: Refusal = ("forbidden", "自愿注册信息由主管部门或信用办审核");
const REGISTRATION_REVIEW_ROLE: Refusal = ("forbidden", "只有审核部门的审核人或信用办可以审核自愿注册信息");
const RECTIFICATION_DECIDER: Refusal =
    ("not_the_deciding_department", "谁认定、谁评定：整改结果由认定该主体的部门评定");
const RECTIFICATION_ROLE: Refusal = ("forbidden", "只有认定部门的审核人可以评定整改结果");
const RECTIFICATION_OTHER: Refusal = ("forbidden", "整改进展由认定该主体的部门或信用办登记");

/// The policy table (the module documentation shows it as a table).
#[expect(clippy::too_many_lines, reason = "the policy table, one line per action, is read as a whole")]
fn rule_for(action: Action) -> Rule {
    use Action::*;
    // Whether a department's API tokens may (TOKENS) or only its console
    // users (CONSOLE); whether the credit office acts for every department
    // (OFFICE) or each department only for itself (OWN).
    const TOKENS: bool = true;
    const CONSOLE: bool = false;
    const OFFICE: bool = true;
    const OWN: bool = false;
    match action {
        ViewPortal | ViewLog | ViewOperations | ViewApiDocs | LogIn => rule(Who::Everyone, NEVER),
        ViewConsole | LogOut | ViewRules | ViewCreditFile => rule(Who::ConsoleUsers, CONSOLE_ONLY),
        ViewIdentity | ViewReceipt => rule(Who::DepartmentCallers, NO_DEPARTMENT),
        CheckCredit => members(ANY_ROLE, TOKENS, OWN, ("forbidden", "只能以本部门名义核查")),
        ReportCases => members(ANY_ROLE, TOKENS, OWN, ("forbidden", "只能报送本部门办理的案件")),
        ManageUsers => rule(Who::CreditOffice, ("forbidden", "只有信用办管理员可以管理用户")),
        ViewAuditTrail => rule(Who::CreditOffice, ("forbidden", "只有信用办管理员可以查看个人信息查询记录")),
        ViewMetrics => rule(Who::CreditOffice, ("forbidden", "只有信用办管理员可以查看运行指标")),
        ViewPersons => rule(Who::Reviewers, ("forbidden", "只有审核人和信用办管理员可以查看自然人的信用信息")),
        IssueTokens => members(OPERATORS, CONSOLE, OFFICE, ("forbidden", "只能为本部门签发令牌"))
            .role_refused(("forbidden", "只有本部门的经办人或信用办管理员可以签发令牌")),
        ViewTokens => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能查看本部门的令牌")),
        RevokeTokens => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能吊销本部门的令牌")),
        SubmitRecords => members(OPERATORS, TOKENS, OFFICE, ("upload_forbidden", "只能为本部门报送数据"))
            .role_refused(("upload_forbidden", "只有本部门的经办人可以报送数据")),
        ViewBatches => members(ANY_ROLE, TOKENS, OFFICE, ("not_your_department", "只能查看本部门的批次和记录")),
        ViewTimeliness => members(ANY_ROLE, TOKENS, OFFICE, ("not_your_department", "只能查看本部门的报送时效")),
        ViewListings => {
            members(ANY_ROLE, CONSOLE, OFFICE, ("not_your_department", "该名单记录由其他部门办理，您无权查看"))
        }
        ProposeListing | HandleListing => {
            members(HANDLERS, CONSOLE, OFFICE, ("not_your_department", "名单记录只能由认定部门或信用办办理"))
                .role_refused(("listing_role_required", "只有本部门的经办人、审核人或信用办可以办理此操作"))
        }
        DecideListing => {
            members(REVIEWERS, CONSOLE, OFFICE, ("not_your_department", "名单记录只能由认定部门或信用办办理"))
                .role_refused(("listing_role_required", "只有本部门的审核人或信用办可以作出此决定"))
        }
        ViewBans => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能查看本部门的禁入决定")),
        ImposeBan => members(REVIEWERS, CONSOLE, OWN, ("forbidden", "只能以本部门名义作出禁入决定"))
            .role_refused(("forbidden", "只有部门审核人可以作出禁入决定")),
        LiftBan => members(
            REVIEWERS,
            CONSOLE,
            OFFICE,
            ("not_the_deciding_department", "只有作出禁入决定的部门（或信用办）可以解除该禁入"),
        )
        .role_refused(("forbidden", "只有作出决定部门的审核人或信用办可以解除禁入")),
        ViewInterviews => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能查看本部门的约谈记录")),
        RecordInterview => members(ANY_ROLE, CONSOLE, OWN, ("forbidden", "约谈由认定部门以本部门名义登记")),
        ReadFeed | AnswerFeed => members(ANY_ROLE, TOKENS, OFFICE, ("forbidden", "只能查看和处理本部门的推送")),
        ManageWebhook => members(ANY_ROLE, TOKENS, OFFICE, ("forbidden", "只能设置本部门的回调地址")),
        ViewLoopMetrics => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能查看本部门的闭环统计")),
        IssueActivationCode => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能以本部门名义开具开通函")),
        ViewOwnFile | ApplyRepair | MakePledge => rule(Who::TheSubject, OWN_COMPANY_ONLY),
        FileObjection => rule(Who::TheSubjectOrCounter, ("forbidden", "异议由企业本身或信息提供部门的窗口登记")),
        ViewObjections => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能查看本部门收到的异议")),
        AnswerObjection => members(REVIEWERS, CONSOLE, OFFICE, ("not_your_department", "异议由信息提供部门答复"))
            .role_refused(("forbidden", "只有本部门的审核人或信用办可以答复异议")),
        ViewRepairs => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能查看本部门受理的修复申请")),
        DecideRepair => members(REVIEWERS, CONSOLE, OFFICE, ("not_your_department", "修复申请由作出认定的部门审核"))
            .role_refused(("forbidden", "只有本部门的审核人或信用办可以审核修复申请")),
        ConfirmRepair => rule(Who::CreditOffice, ("forbidden", "只有信用办可以确认信用修复")),
        ViewGrades => rule(Who::ConsoleUsers, CONSOLE_ONLY),
        ManageEvaluation => rule(Who::CreditOffice, ("forbidden", "只有信用办可以导入外部评价结果和运行评价")),
        ManageEducation => rule(Who::CreditOffice, ("forbidden", "诚信教育课程和结业记录由信用办管理")),
        ManageNotices => rule(Who::CreditOffice, ("forbidden", "通知公告和政策法规由信用办发布和撤回")),
        ManageAgencies | GrantAgencyConsent | UseAgencyConsent => agency_rule(action),
        UseSubscription => rule(Who::Subscribers, ("subscribers_only", "只有经信用办批准的订阅单位可以使用订阅接口")),
        ManageSubscribers => rule(Who::CreditOffice, ("forbidden", "只有信用办可以管理订阅单位")),
        ViewInspections => members(ANY_ROLE, CONSOLE, OFFICE, ("forbidden", "只能查看本部门的抽查事项、人员和任务")),
        PlanInspections => members(HANDLERS, CONSOLE, OFFICE, PLAN_OTHER).role_refused(PLAN_ROLE),
        RecordInspectionResults => members(HANDLERS, CONSOLE, OFFICE, RESULTS_OTHER).role_refused(RESULTS_ROLE),
        PublishInspections => members(REVIEWERS, CONSOLE, OFFICE, PUBLISH_OTHER).role_refused(PUBLISH_ROLE),
        EnterBeacon => rule(Who::CreditOffice, ("forbidden", "只有信用办可以录入公开信标值")),
        ViewCampaigns => rule(Who::ConsoleUsers, CONSOLE_ONLY),
        OpenCampaign => members(REVIEWERS, CONSOLE, OFFICE, ("forbidden", "只能以本部门名义开展专项治理"))
            .role_refused(("forbidden", "只有本部门的审核人或信用办可以开展专项治理")),
        ReportRectification => members(ANY_ROLE, CONSOLE, OFFICE, RECTIFICATION_OTHER),
        DecideRectification => members(REVIEWERS, CONSOLE, OWN, RECTIFICATION_DECIDER).role_refused(RECTIFICATION_ROLE),
        MakeCommitment => rule(Who::TheSubjectOrCounter, COMMIT_COUNTER),
        ViewCommitments => members(ANY_ROLE, CONSOLE, OFFICE, COMMITMENTS_OTHER),
        VerifyCommitment => members(HANDLERS, CONSOLE, OFFICE, VERIFY_OTHER).role_refused(VERIFY_ROLE),
        SubmitRegistration | ViewRegistrations | ReviewRegistration => registration_rule(action),
    }
}

/// The lines of credit service agencies: the credit office files and
/// supervises them; the company consents; agencies' accounts use consents.
fn agency_rule(action: Action) -> Rule {
    if action == Action::ManageAgencies {
        rule(Who::CreditOffice, ("forbidden", "信用服务机构的备案和监管由信用办办理"))
    } else if action == Action::GrantAgencyConsent {
        rule(Who::TheSubject, OWN_COMPANY_ONLY)
    } else {
        rule(Who::Agencies, ("agencies_only", "只有已备案的信用服务机构账号可以查询企业授权的信用报告"))
    }
}

/// The lines of voluntary registration (自愿注册): the company registers its
/// own; the reviewing department (or the credit office) sees and decides.
fn registration_rule(action: Action) -> Rule {
    if action == Action::SubmitRegistration {
        rule(Who::TheSubject, OWN_COMPANY_ONLY)
    } else if action == Action::ReviewRegistration {
        members(REVIEWERS, false, true, REGISTRATION_REVIEW_OTHER).role_refused(REGISTRATION_REVIEW_ROLE)
    } else {
        members(ANY_ROLE, false, true, REGISTRATIONS_OTHER)
    }
}

impl Rule {
    fn judge(&self, principal: &Principal, resource: &Resource) -> Result<(), Denied> {
        match principal {
            Principal::System(_) => Ok(()),
            Principal::Anonymous => match self.who {
                Who::Everyone => Ok(()),
                _ => Err(Denied::unauthenticated()),
            },
            Principal::User(user) => self.judge_user(user, resource),
            Principal::Token(token) => self.judge_token(token, resource),
            Principal::Subject(subject) => self.judge_subject(subject, resource),
            // A subscriber acts only on its own subscription (the handlers
            // take it from the principal) and may take the public actions.
            Principal::Subscriber(_) => match self.who {
                Who::Everyone | Who::Subscribers => Ok(()),
                _ => Err(Denied::forbidden(NOT_FOR_SUBSCRIBERS)),
            },
            // An agency acts only for itself (the handlers take it from the
            // principal); consent and filing status are the use case's.
            Principal::Agency(_) => match self.who {
                Who::Everyone | Who::Agencies => Ok(()),
                _ => Err(Denied::forbidden(NOT_FOR_AGENCIES)),
            },
        }
    }

    fn judge_subject(&self, subject: &SubjectPrincipal, resource: &Resource) -> Result<(), Denied> {
        match &self.who {
            Who::Everyone => Ok(()),
            Who::TheSubject | Who::TheSubjectOrCounter => match resource {
                Resource::Subject(uscc) | Resource::Record { subject: uscc, .. } if *uscc == subject.uscc => Ok(()),
                Resource::Listing { subject: key, .. } if key == subject.uscc.as_str() => Ok(()),
                _ => Err(Denied::forbidden(OWN_COMPANY_ONLY)),
            },
            Who::ConsoleUsers
            | Who::DepartmentCallers
            | Who::CreditOffice
            | Who::Reviewers
            | Who::Members { .. }
            | Who::Subscribers
            | Who::Agencies => Err(Denied::forbidden(NOT_FOR_SUBJECTS)),
        }
    }

    fn judge_user(&self, user: &UserPrincipal, resource: &Resource) -> Result<(), Denied> {
        let refused = || Err(Denied::forbidden(self.refusal));
        match &self.who {
            Who::Everyone | Who::ConsoleUsers => Ok(()),
            Who::DepartmentCallers if user.department.is_some() => Ok(()),
            Who::DepartmentCallers => Err(Denied::forbidden(NO_DEPARTMENT)),
            Who::CreditOffice if user.is_credit_office() => Ok(()),
            Who::Reviewers if user.is_credit_office() || user.roles.contains(&Role::Reviewer) => Ok(()),
            Who::CreditOffice | Who::Reviewers | Who::TheSubject | Who::Subscribers | Who::Agencies => refused(),
            Who::TheSubjectOrCounter => match resource {
                Resource::Record { department, .. } | Resource::Listing { department, .. }
                    if user.is_credit_office() || user.department.as_ref() == Some(department) =>
                {
                    Ok(())
                }
                _ => refused(),
            },
            Who::Members { roles, credit_office, role_refusal, .. } => {
                // A department rule asked about something of no department
                // has nobody to act for.
                let Some(target) = resource.target() else { return refused() };
                if *credit_office && user.is_credit_office() {
                    return Ok(());
                }
                let Some(own) = &user.department else { return Err(Denied::forbidden(NO_DEPARTMENT)) };
                match target {
                    Target::One(d) if d == own => {
                        if user.has_any(roles) {
                            Ok(())
                        } else {
                            Err(Denied::forbidden(*role_refusal))
                        }
                    }
                    Target::One(_) | Target::All => refused(),
                }
            }
        }
    }

    fn judge_token(&self, token: &TokenPrincipal, resource: &Resource) -> Result<(), Denied> {
        match &self.who {
            Who::Everyone | Who::DepartmentCallers => Ok(()),
            Who::ConsoleUsers => Err(Denied::forbidden(CONSOLE_ONLY)),
            Who::CreditOffice
            | Who::Reviewers
            | Who::TheSubject
            | Who::TheSubjectOrCounter
            | Who::Subscribers
            | Who::Agencies => Err(Denied::forbidden(self.refusal)),
            Who::Members { tokens: false, .. } => Err(Denied::forbidden(CONSOLE_ONLY)),
            Who::Members { tokens: true, .. } => match resource.target() {
                Some(Target::One(d)) if *d == token.department => Ok(()),
                _ => Err(Denied::forbidden(self.refusal)),
            },
        }
    }
}

/// Whether `principal` may do `action` on `resource`: the only place that
/// decides. See the module documentation for the table.
pub fn authorize(principal: &Principal, action: Action, resource: &Resource) -> Result<(), Denied> {
    rule_for(action).judge(principal, resource)
}

/// [`authorize`] as a yes or no, for pages deciding what to offer.
pub fn allows(principal: &Principal, action: Action, resource: &Resource) -> bool {
    authorize(principal, action, resource).is_ok()
}

/// Whose things a view of many departments shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every department's (the credit office).
    All,
    /// One department's: the caller's own.
    Department(DepartmentCode),
}

impl Scope {
    /// The one department, or `None` for all.
    pub fn department(&self) -> Option<&DepartmentCode> {
        match self {
            Scope::All => None,
            Scope::Department(d) => Some(d),
        }
    }

    pub fn is_all(&self) -> bool {
        *self == Scope::All
    }
}

/// The scope of a view of many departments' things: all of them when the
/// policy lets the caller see [`Resource::AllDepartments`], else the caller's
/// own department's, when it may see those. Asks only [`authorize`].
pub fn scope(principal: &Principal, action: Action) -> Result<Scope, Denied> {
    match authorize(principal, action, &Resource::AllDepartments) {
        Ok(()) => Ok(Scope::All),
        Err(all) => match principal.department() {
            Some(own) => {
                authorize(principal, action, &Resource::Department(own.clone()))?;
                Ok(Scope::Department(own.clone()))
            }
            None => Err(all),
        },
    }
}

/// The department an action that names none is about: the caller's own
/// (the API's department endpoints: a token's or a department user's).
/// Nobody → unauthenticated; a caller without a department → `no_department`.
pub fn own_department(principal: &Principal) -> Result<DepartmentCode, Denied> {
    match (principal, principal.department()) {
        (Principal::Anonymous, _) => Err(Denied::unauthenticated()),
        (Principal::Subject(_), _) => Err(Denied::forbidden(NOT_FOR_SUBJECTS)),
        (Principal::Subscriber(_), _) => Err(Denied::forbidden(NOT_FOR_SUBSCRIBERS)),
        (Principal::Agency(_), _) => Err(Denied::forbidden(NOT_FOR_AGENCIES)),
        (_, Some(d)) => Ok(d.clone()),
        (_, None) => Err(Denied::forbidden(NO_DEPARTMENT)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_actions_have_no_refusal_message_because_nobody_is_refused() {
        use strum::VariantArray as _;
        for action in Action::VARIANTS {
            let rule = rule_for(*action);
            assert_eq!(matches!(rule.who, Who::Everyone), rule.refusal.1.is_empty(), "{action:?}");
        }
    }
}
