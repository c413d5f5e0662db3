//! `xinyong demo`: a synthetic Jinan (`xinyong_demo`), written through `core` as events.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use xinyong_core::Core;
use xinyong_demo::DEMO_USERS;

use crate::config::Config;
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

pub async fn run(cfg: Config, args: DemoArgs) -> CmdResult {
    let url = args.database.clone().unwrap_or_else(|| cfg.database.url.clone());
    let core = runtime::build_core(&cfg, &url).await?;
    let before = core.store().log_size().await.map_err(|e| Failure::Other(e.into()))?;
    if before > 0 {
        eprintln!("xinyong: 数据库已有 {before} 条日志；演示主体将追加在后面（同一种子生成的主体会更新原有记录）");
    }
    let started = Instant::now();
    create_city(&core, args.subjects, args.seed, true).await?;
    print_demo_accounts(&core).await;
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

/// Writes the demo city (`xinyong_demo::create_city`), with a progress bar
/// per step when `progress` is set.
pub async fn create_city(core: &Core, count: u64, seed: u64, progress: bool) -> CmdResult {
    let bar = if progress { ProgressBar::new(count) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let show = |what: &str, done: u64, total: u64| {
        if bar.message() != what {
            bar.reset();
            bar.set_message(what.to_owned());
        }
        bar.set_length(total);
        bar.set_position(done);
    };
    let written = xinyong_demo::create_city(core, count, seed, &show).await;
    bar.finish_and_clear();
    written.map_err(|e| Failure::Other(anyhow::Error::new(e).context("writing the demo city")))
}

/// Creates the demo console accounts that do not exist yet.
pub async fn create_demo_users(core: &Core) -> CmdResult {
    xinyong_demo::create_demo_users(core).await.map_err(|e| Failure::Other(e.into()))
}

/// Tells the person starting a demo how to log in to the console and, when
/// the demo city has one, to the demo company's own pages.
pub async fn print_demo_accounts(core: &Core) {
    let logins: Vec<&str> = DEMO_USERS.iter().map(|(login, ..)| *login).collect();
    eprintln!(
        "xinyong: 演示账号 {}（信用办管理员 / 信用办审核人 / 市场监管局经办人 / 公共资源交易中心经办人），密码 {}；登录 /console/login",
        logins.join("、"),
        xinyong_demo::DEMO_PASSWORD,
    );
    if let Ok(Some(uscc)) = xinyong_demo::demo_company(core).await {
        eprintln!(
            "xinyong: 演示企业账号 统一社会信用代码 {uscc}，账号 {}，密码 {}；登录 /my/login",
            xinyong_demo::DEMO_COMPANY_ACCOUNT,
            xinyong_demo::DEMO_PASSWORD,
        );
    }
}
