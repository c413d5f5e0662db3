//! Writing the demo city through the core: subjects, departments, console
//! accounts, then the history in date order — the departments' uploads and
//! the lists ([`crate::play_lists`]) — then the subscriber, the
//! rectification campaign and the rest at the time of the run.

use xinyong_core::Core;
use xinyong_core::auth::{self, NewUser};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};

use crate::city::DemoCity;
use crate::records::DemoBatch;
use crate::timeline::{Timeline, city_start};
use crate::{Progress, Result, fail, invalid};

/// Events per transaction: large enough to amortise the commit, small enough
/// to keep memory flat for a million subjects.
const BATCH: usize = 10_000;

/// Appends `count` demo subjects in batches, registers the shipped
/// departments and the demo console accounts, plays the city's history in
/// date order on its timeline (each act at its own time), and signs a
/// checkpoint.
pub async fn create_city(core: &Core, count: u64, seed: u64, progress: Progress<'_>) -> Result<()> {
    const STEP: &str = "生成演示主体";
    let actor = Actor::parse("demo").map_err(invalid)?;
    let timeline = Timeline::new(core);
    // The platform's first day: subjects, departments and accounts exist
    // before the first upload.
    let opening = timeline.at(city_start());
    let mut city = DemoCity::new(seed);
    let mut left = count;
    while left > 0 {
        let n = left.min(BATCH as u64);
        let events: Vec<NewEvent> =
            city.by_ref().take(n as usize).map(|body| NewEvent::new(actor.clone(), body)).collect();
        opening.append(events).await.map_err(fail("appending demo subjects"))?;
        left -= n;
        progress(STEP, count - left, count);
    }
    // After the subjects, so a seed gives the same log indexes as before.
    let shipped = auth::shipped_departments().map_err(fail("reading the shipped departments"))?;
    auth::seed_departments(opening, &shipped).await.map_err(fail("registering the shipped departments"))?;
    create_demo_users(opening).await?;
    xinyong_core::rules::publish_rules(opening).await.map_err(fail("publishing the rules"))?;
    let uploads = history_uploads(core, count, seed).await?;
    crate::play_lists::play(&timeline, uploads, count, seed, progress).await?;
    crate::play_subscriptions::play(core, seed).await?;
    crate::play_campaigns::play(core, seed).await?;
    crate::play_evaluation::play(core, seed).await?;
    crate::play_inspections::play(core, seed).await?;
    crate::play_commitments::play(core, seed).await?;
    crate::play_pledges::play(core, seed).await?;
    crate::play_pledges::education(core, seed).await?;
    crate::play_registrations::play(core, seed).await?;
    crate::play_notices::play(core).await?;
    crate::play_agencies::play(core).await?;
    // What `serve`'s `subscriptions` job would queue in its first seconds.
    xinyong_core::subscriptions::fanout::fan_out(core, 0)
        .await
        .map_err(fail("demo: queueing the subscriber's feed"))?;
    core.sign_checkpoint_if_grown().await.map_err(fail("signing a checkpoint"))?;
    Ok(())
}

/// Subjects whose licences and penalties the demo history covers at most:
/// enough for every page to have data, small enough to stay quick for a
/// million-subject city.
const HISTORY_SUBJECTS: u64 = 20_000;

/// The departments' uploads of licences and penalties for the demo subjects
/// (received dates from 2019 on, as when a city ran the platform since), in
/// date order; [`crate::play_lists`] sends each through `ingest_batch` on
/// its received date, like a real upload.
async fn history_uploads(core: &Core, count: u64, seed: u64) -> Result<Vec<DemoBatch>> {
    let bodies: Vec<_> = DemoCity::new(seed).take(count.min(HISTORY_SUBJECTS) as usize).collect();
    let departments: Vec<(String, String)> = xinyong_core::auth::departments(core)
        .await
        .map_err(fail("reading the departments"))?
        .into_iter()
        .filter_map(|d| d.uscc.map(|u| (d.code.to_string(), u.as_str().to_owned())))
        .collect();
    Ok(crate::records::demo_batches(seed, &bodies, &departments, &core.rules().calendar))
}

/// Sends one demo upload through `ingest_batch`, as its department.
pub(crate) async fn upload(core: &Core, batch: DemoBatch) -> Result<()> {
    let department = DepartmentCode::parse(&batch.department).map_err(invalid)?;
    let actor = Actor::parse(&format!("department:{department}")).map_err(invalid)?;
    let request = xinyong_core::collection::intake::IngestRequest {
        actor,
        department,
        item: Some(batch.item),
        source: xinyong_core::collection::intake::Source::Upload,
        file_name: Some(batch.file_name),
        idempotency_key: None,
        table: batch.table,
        lenient_codes: false,
        received_date: Some(batch.received_date),
        dry_run: false,
    };
    xinyong_core::collection::intake::ingest_batch(core, request).await.map_err(fail("uploading the demo history"))?;
    Ok(())
}

/// Password of the demo console accounts. Public: a demo database holds no
/// real data, and README.md prints it.
pub const DEMO_PASSWORD: &str = "xinyong-demo-2026";

/// The demo console accounts: (login, name, department, roles).
pub const DEMO_USERS: [(&str, &str, &str, &[Role]); 4] = [
    ("admin", "信用办管理员", "fgw", &[Role::Admin]),
    // A second person of the credit office: four-eyes steps (approving a
    // subscriber) need someone other than `admin`.
    ("xyb", "信用办审核人", "fgw", &[Role::Admin]),
    ("scjgj", "市场监管局经办人", "scjgj", &[Role::Operator, Role::Reviewer]),
    ("ggzyjy", "公共资源交易中心经办人", "ggzyjy", &[Role::Operator, Role::Reviewer]),
];

/// Creates the demo console accounts that do not exist yet (an account whose
/// password someone changed is left alone).
pub async fn create_demo_users(core: &Core) -> Result<()> {
    let actor = Actor::parse("demo").map_err(invalid)?;
    for (login, name, department, roles) in DEMO_USERS {
        if auth::user(core, login).await.map_err(fail("reading a demo account"))?.is_some() {
            continue;
        }
        let department = DepartmentCode::parse(department).map_err(invalid)?;
        let user = NewUser {
            login: login.to_owned(),
            display_name: name.to_owned(),
            department: Some(department),
            roles: roles.to_vec(),
        };
        auth::create_user(core, &actor, user, DEMO_PASSWORD).await.map_err(fail("creating a demo account"))?;
    }
    Ok(())
}
