//! `xinyong demo`: a synthetic Jinan, written through `core` as events.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use xinyong_core::Core;
use xinyong_core::auth::{self, NewUser};
use xinyong_core::demo::DemoCity;
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::{Actor, NewEvent};

use crate::config::Config;
use crate::departments_cmd::{core_failure, seed_shipped};
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// How many subjects to create.
    #[arg(long, default_value_t = 10_000)]
    subjects: u64,
    /// Seed: the same seed always gives the same city.
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// Database URL (overrides configuration).
    #[arg(long)]
    database: Option<String>,
}

/// Events per transaction: large enough to amortise the commit, small enough
/// to keep memory flat for a million subjects.
const BATCH: usize = 10_000;

pub async fn run(cfg: Config, args: DemoArgs) -> CmdResult {
    let url = args.database.clone().unwrap_or_else(|| cfg.database.url.clone());
    let core = runtime::build_core(&cfg, &url).await?;
    let before = core.store().log_size().await.map_err(|e| Failure::Other(e.into()))?;
    if before > 0 {
        eprintln!("xinyong: 数据库已有 {before} 条日志；演示主体将追加在后面（同一种子生成的主体会更新原有记录）");
    }
    let started = Instant::now();
    create_city(&core, args.subjects, args.seed, true).await?;
    print_demo_accounts();
    let elapsed = started.elapsed();
    let counts = core.counts().await.map_err(|e| Failure::Other(e.into()))?;
    println!(
        "演示城市已生成：{} 个主体（种子 {}），用时 {:.1} 秒；数据库共 {} 个主体、{} 条日志",
        args.subjects,
        args.seed,
        elapsed.as_secs_f64(),
        counts.subjects,
        counts.events
    );
    if let Some(path) = xinyong_storage::sqlite::path_from_url(&url).filter(|_| !url.starts_with("postgres")) {
        let size: u64 = ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
            .map(|m| m.len())
            .sum();
        println!("数据库文件：{}({:.1} MB)", path.display(), size as f64 / 1_048_576.0);
    }
    Ok(())
}

/// Appends `count` demo subjects in batches, registers the shipped
/// departments and the demo console accounts, and signs a checkpoint.
pub async fn create_city(core: &Core, count: u64, seed: u64, progress: bool) -> CmdResult {
    let bar = if progress { ProgressBar::new(count) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("生成演示主体");
    let actor = Actor::parse("demo").map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
    let mut city = DemoCity::new(seed);
    let mut left = count;
    while left > 0 {
        let n = left.min(BATCH as u64);
        let events: Vec<NewEvent> =
            city.by_ref().take(n as usize).map(|body| NewEvent::new(actor.clone(), body)).collect();
        core.append(events)
            .await
            .map_err(|e| Failure::Other(anyhow::Error::new(e).context("appending demo subjects")))?;
        left -= n;
        bar.inc(n);
    }
    bar.finish_and_clear();
    // After the subjects, so a seed gives the same log indexes as before.
    seed_shipped(core).await?;
    create_demo_users(core).await?;
    upload_history(core, count, seed, progress).await?;
    crate::demo_lists::play(core, count, seed, progress).await?;
    core.sign_checkpoint_if_grown().await.map_err(|e| Failure::Other(e.into()))?;
    Ok(())
}

/// Subjects whose licences and penalties the demo history covers at most:
/// enough for every page to have data, small enough to stay quick for a
/// million-subject city.
const HISTORY_SUBJECTS: u64 = 20_000;

/// The departments' uploads of licences and penalties for the demo subjects,
/// through `ingest_batch` like real uploads (received dates from 2019 on, as
/// when a city migrates its history).
async fn upload_history(core: &Core, count: u64, seed: u64, progress: bool) -> CmdResult {
    let fail = |e: xinyong_core::CoreError| Failure::Other(anyhow::Error::new(e).context("uploading the demo history"));
    xinyong_core::rules::publish_rules(core).await.map_err(fail)?;
    let bodies: Vec<_> = DemoCity::new(seed).take(count.min(HISTORY_SUBJECTS) as usize).collect();
    let departments: Vec<(String, String)> = xinyong_core::auth::departments(core)
        .await
        .map_err(fail)?
        .into_iter()
        .filter_map(|d| d.uscc.map(|u| (d.code.to_string(), u.as_str().to_owned())))
        .collect();
    let batches = xinyong_core::demo_records::demo_batches(seed, &bodies, &departments, &core.rules().calendar);
    let bar = if progress { ProgressBar::new(batches.len() as u64) } else { ProgressBar::hidden() };
    bar.set_message("上传演示许可与处罚");
    for batch in batches {
        let department = xinyong_domain::auth::DepartmentCode::parse(&batch.department)
            .map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
        let actor =
            Actor::parse(&format!("department:{department}")).map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
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
        xinyong_core::collection::intake::ingest_batch(core, request).await.map_err(fail)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(())
}

/// Password of the demo console accounts. Public: a demo database holds no
/// real data, and README.md prints it.
pub const DEMO_PASSWORD: &str = "xinyong-demo-2026";

/// The demo console accounts: (login, name, department, roles).
const DEMO_USERS: [(&str, &str, &str, &[Role]); 3] = [
    ("admin", "信用办管理员", "fgw", &[Role::Admin]),
    ("scjgj", "市场监管局经办人", "scjgj", &[Role::Operator, Role::Reviewer]),
    ("ggzyjy", "公共资源交易中心经办人", "ggzyjy", &[Role::Operator, Role::Reviewer]),
];

/// Creates the demo console accounts that do not exist yet (an account whose
/// password someone changed is left alone).
pub async fn create_demo_users(core: &Core) -> CmdResult {
    let actor = Actor::parse("demo").map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
    for (login, name, department, roles) in DEMO_USERS {
        if auth::user(core, login).await.map_err(core_failure)?.is_some() {
            continue;
        }
        let department = DepartmentCode::parse(department).map_err(|e| Failure::Other(anyhow::anyhow!("{e}")))?;
        let user = NewUser {
            login: login.to_owned(),
            display_name: name.to_owned(),
            department: Some(department),
            roles: roles.to_vec(),
        };
        auth::create_user(core, &actor, user, DEMO_PASSWORD).await.map_err(core_failure)?;
    }
    Ok(())
}

/// Tells the person starting a demo how to log in to the console.
pub fn print_demo_accounts() {
    let logins: Vec<&str> = DEMO_USERS.iter().map(|(login, ..)| *login).collect();
    eprintln!(
        "xinyong: 演示账号 {}（信用办管理员 / 市场监管局经办人 / 公共资源交易中心经办人），密码 {DEMO_PASSWORD}；登录 /console/login",
        logins.join("、")
    );
}
