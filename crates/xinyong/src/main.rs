#![forbid(unsafe_code)]
//! `xinyong`: the one binary. Loads configuration, starts tracing, picks the
//! storage backend once, and calls `xinyong_core` / `xinyong_server`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The write path allocates many small strings per record; glibc's malloc
/// spent a third of ingest time in its own bookkeeping (perf), mimalloc
/// much less. With the `override` feature (workspace `Cargo.toml`) the C
/// `malloc` is mimalloc too, so SQLite's allocations take the same path.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod backup_cmd;
mod bench;
mod calendar_cmd;
mod catalog_cmd;
mod codes_cmd;
mod config;
mod demo_cmd;
mod departments_cmd;
mod evaluate_cmd;
mod import_cmd;
mod index_cmd;
mod jobs_cmd;
mod listings_cmd;
mod log_cmd;
mod lottery_cmd;
mod report_cmd;
mod rules_cmd;
mod runtime;
mod serve_cmd;
mod tokens_cmd;
mod users_cmd;
mod verify_cmd;

#[derive(Debug, Parser)]
#[command(name = "xinyong", version, about = "信用 — public credit information platform")]
struct Cli {
    /// Configuration file (default: ./xinyong.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the portal, the API and the log endpoints.
    Serve(serve_cmd::ServeArgs),
    /// Create a synthetic Jinan (subjects with valid codes and legal representatives).
    Demo(demo_cmd::DemoArgs),
    /// Check a list of USCCs / ID numbers (one per line) and print JSON lines.
    Codes {
        #[command(subcommand)]
        command: codes_cmd::CodesCommand,
    },
    /// Working days on the official State Council holiday schedules.
    Calendar {
        #[command(subcommand)]
        command: calendar_cmd::CalendarCommand,
    },
    /// Departments that submit data (rules/departments.toml).
    Departments {
        #[command(subcommand)]
        command: departments_cmd::DepartmentsCommand,
    },
    /// Console users (passwords from standard input).
    Users {
        #[command(subcommand)]
        command: users_cmd::UsersCommand,
    },
    /// API tokens for departments' systems.
    Tokens {
        #[command(subcommand)]
        command: tokens_cmd::TokensCommand,
    },
    /// Recompute the log, the tree, the checkpoint and every projection row.
    Verify(verify_cmd::VerifyArgs),
    /// Rule files (catalog, publicity, lists, measures, departments, calendar
    /// years): check a directory against the log, publish its changes.
    Rules {
        #[command(subcommand)]
        command: rules_cmd::RulesCommand,
    },
    /// The public credit information catalog in force.
    Catalog {
        #[command(subcommand)]
        command: catalog_cmd::CatalogCommand,
    },
    /// Import a department's CSV/XLSX file (双公示 templates) through the intake path.
    Import(import_cmd::ImportArgs),
    /// The company-name search index (rebuilt from the database).
    Index {
        #[command(subcommand)]
        command: index_cmd::IndexCommand,
    },
    /// Listings (名单): the jobs of the listing life cycle.
    Listings {
        #[command(subcommand)]
        command: listings_cmd::ListingsCommand,
    },
    /// Credit evaluation (信用评价): score every subject, import external grades.
    Evaluate {
        #[command(subcommand)]
        command: evaluate_cmd::EvaluateCommand,
    },
    /// Random inspections (双随机): recompute a draw from the log.
    Lottery {
        #[command(subcommand)]
        command: lottery_cmd::LotteryCommand,
    },
    /// Background jobs `serve` runs (listing expiry, checkpoints, webhooks).
    Jobs {
        #[command(subcommand)]
        command: jobs_cmd::JobsCommand,
    },
    /// The transparency log's signing key (rotation).
    Log {
        #[command(subcommand)]
        command: log_cmd::LogCommand,
    },
    /// Credit reports: issue one as signed JSON, verify one offline.
    Report {
        #[command(subcommand)]
        command: report_cmd::ReportCommand,
    },
    /// Back the SQLite database up while it serves, and verify the copy.
    Backup(backup_cmd::BackupArgs),
    /// Restore a backup into a new SQLite database (the signing key must be the backup's).
    Restore(backup_cmd::RestoreArgs),
    /// Apply database migrations and exit.
    Migrate {
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Benchmarks that print figures next to a baseline measured in the same run.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ConfigCommand {
    /// Print every setting with its default.
    PrintDefault,
}

/// Why the process stopped; the exit code follows from it.
#[derive(Debug)]
pub enum Failure {
    /// Bad configuration or arguments: exit code 2, one line.
    Usage(String),
    /// Anything else: exit code 1.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

pub type CmdResult = Result<(), Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    runtime::init_tracing();
    let result = match cli.command {
        Command::Config { command: ConfigCommand::PrintDefault } => {
            print!("{}", config::DEFAULT_TOML);
            Ok(())
        }
        Command::Codes { command } => codes_cmd::run(command),
        Command::Calendar { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(calendar_cmd::run(cfg, command)))
        }
        Command::Serve(args) => with_config(cli.config.as_deref(), |cfg| runtime::block_on(serve_cmd::run(cfg, args))),
        Command::Demo(args) => with_config(cli.config.as_deref(), |cfg| runtime::block_on(demo_cmd::run(cfg, args))),
        Command::Departments { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(departments_cmd::run(cfg, command)))
        }
        Command::Users { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(users_cmd::run(cfg, command)))
        }
        Command::Tokens { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(tokens_cmd::run(cfg, command)))
        }
        Command::Rules { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(rules_cmd::run(cfg, command)))
        }
        Command::Catalog { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(catalog_cmd::run(cfg, command)))
        }
        Command::Import(args) => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(import_cmd::run(cfg, args)))
        }
        Command::Verify(args) => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(verify_cmd::run(cfg, args)))
        }
        Command::Index { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(index_cmd::run(cfg, command)))
        }
        Command::Listings { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(listings_cmd::run(cfg, command)))
        }
        Command::Evaluate { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(evaluate_cmd::run(cfg, command)))
        }
        Command::Lottery { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(lottery_cmd::run(cfg, command)))
        }
        Command::Jobs { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(jobs_cmd::run(cfg, command)))
        }
        Command::Backup(args) => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(backup_cmd::backup(cfg, args)))
        }
        Command::Restore(args) => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(backup_cmd::restore(cfg, args)))
        }
        Command::Log { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(log_cmd::run(cfg, command)))
        }
        Command::Report { command } => report_cmd::run(cli.config.as_deref(), command),
        Command::Migrate { database } => with_config(cli.config.as_deref(), |cfg| {
            runtime::block_on(async move {
                let url = database.unwrap_or(cfg.database.url.clone());
                runtime::open_configured_store(&cfg, &url).await?;
                println!("数据库已是最新结构：{}", xinyong_storage::postgres::redact(&url));
                Ok(())
            })
        }),
        Command::Bench { command } => {
            with_config(cli.config.as_deref(), |cfg| runtime::block_on(bench::run(cfg, command)))
        }
    };
    exit_code(result)
}

/// A usage error exits 2 with one line, any other failure 1 with its chain.
fn exit_code(result: CmdResult) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(line)) => {
            eprintln!("xinyong: {line}");
            ExitCode::from(2)
        }
        Err(Failure::Other(e)) => {
            eprintln!("xinyong: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn with_config(file: Option<&std::path::Path>, run: impl FnOnce(config::Config) -> CmdResult) -> CmdResult {
    let cfg = config::load(file).map_err(Failure::Usage)?;
    run(cfg)
}
