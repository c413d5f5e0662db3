//! `xinyong import FILE`: the clerk's spreadsheet through the same path as
//! uploads and the API.

use std::path::PathBuf;

use serde::Serialize;
use xinyong_core::collection::intake::{IngestOutcome, IngestRequest, InputTable, Source, ingest_batch};
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::collection::catalog::FieldRole;
use xinyong_domain::event::Actor;
use xinyong_tabular::{Encoding, ReadOptions, read_table};

use crate::config::Config;
use crate::{CmdResult, Failure, runtime};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The CSV (UTF-8 or GBK) or XLSX file.
    file: PathBuf,
    /// Department code; inferred from the 数据来源单位统一社会信用代码 column when omitted.
    #[arg(long)]
    department: Option<String>,
    /// Catalog item code (XK, CF, …); inferred from the columns when omitted.
    #[arg(long)]
    item: Option<String>,
    /// Validate and report, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// One JSON object per row, then a summary line.
    #[arg(long)]
    json: bool,
    /// Codes issued by other authorities: a wrong check character is a warning.
    #[arg(long)]
    lenient: bool,
    /// CSV encoding: auto, utf8 or gbk.
    #[arg(long, default_value = "auto")]
    encoding: String,
    /// Migrating historical data only: the date the rows were originally received (YYYY-MM-DD).
    #[arg(long)]
    received_date: Option<String>,
    /// Database URL (overrides configuration).
    #[arg(long)]
    database: Option<String>,
}

#[derive(Serialize)]
struct Summary<'a> {
    summary: bool,
    batch: &'a str,
    department: &'a str,
    item: &'a str,
    rows: u64,
    accepted: u64,
    corrected: u64,
    duplicates: u64,
    rejected: u64,
    warnings: u64,
    dry_run: bool,
    already_received: bool,
    unknown_columns: &'a [String],
}

pub async fn run(cfg: Config, args: ImportArgs) -> CmdResult {
    let (input, received_date) = read_input(&args)?;
    let url = args.database.clone().unwrap_or_else(|| cfg.database.url.clone());
    let core = runtime::build_core(&cfg, &url).await?;
    xinyong_core::auth::seed_departments(
        &core,
        &xinyong_core::auth::shipped_departments().map_err(|e| Failure::Other(e.into()))?,
    )
    .await
    .map_err(|e| Failure::Other(e.into()))?;
    xinyong_core::rules::publish_rules(&core).await.map_err(|e| Failure::Other(e.into()))?;

    let catalog = &core.rules().catalog;
    let item_code = match &args.item {
        Some(code) => code.clone(),
        None => {
            let item = catalog.infer_item(&input.headers).map_err(|e| Failure::Usage(e.to_string()))?;
            eprintln!("xinyong: 按列名推断事项为 {}（{}）", item.code(), item.name());
            item.code().to_owned()
        }
    };
    let department = match &args.department {
        Some(code) => DepartmentCode::parse(code).map_err(|e| Failure::Usage(e.to_string()))?,
        None => {
            let code = infer_department(&core, &item_code, &input).await?;
            eprintln!("xinyong: 按“数据来源单位统一社会信用代码”列推断部门为 {code}");
            code
        }
    };
    let actor = Actor::parse(&format!("department:{department}")).map_err(|e| Failure::Usage(e.to_string()))?;
    let outcome = ingest_batch(
        &core,
        IngestRequest {
            actor,
            department: department.clone(),
            item: Some(item_code),
            source: Source::Cli,
            file_name: args.file.file_name().map(|n| n.to_string_lossy().into_owned()),
            idempotency_key: None,
            table: input,
            lenient_codes: args.lenient,
            received_date,
            dry_run: args.dry_run,
        },
    )
    .await
    .map_err(|e| Failure::Usage(format!("{}：{e}", e.code())))?;
    print_outcome(&outcome, args.json)
}

/// The file as a table, and the received date given on the command line.
fn read_input(args: &ImportArgs) -> Result<(InputTable, Option<chrono::NaiveDate>), Failure> {
    let bytes =
        std::fs::read(&args.file).map_err(|e| Failure::Usage(format!("无法读取 {}：{e}", args.file.display())))?;
    let encoding = match args.encoding.as_str() {
        "auto" => Encoding::Auto,
        "utf8" | "utf-8" => Encoding::Utf8,
        "gbk" | "gb18030" => Encoding::Gbk,
        other => return Err(Failure::Usage(format!("--encoding {other:?} 应为 auto、utf8 或 gbk"))),
    };
    let received_date = args
        .received_date
        .as_deref()
        .map(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d"))
        .transpose()
        .map_err(|_| Failure::Usage("--received-date 格式应为 YYYY-MM-DD".to_owned()))?;
    let opts = ReadOptions { encoding, ..ReadOptions::default() };
    let table = read_table(&bytes, &opts).map_err(|e| Failure::Usage(format!("{}：{e}", args.file.display())))?;
    let input = InputTable {
        headers: table.headers.clone(),
        rows: table.rows.iter().map(|r| (r.number as u64, r.cells.clone())).collect(),
    };
    Ok((input, received_date))
}

/// The outcome for a clerk (problem rows, then the batch's counts) or, with
/// `--json`, one JSON line per row and a summary line.
fn print_outcome(outcome: &IngestOutcome, json: bool) -> CmdResult {
    let b = &outcome.batch;
    if json {
        for row in &outcome.rows {
            println!("{}", serde_json::to_string(row).map_err(|e| Failure::Other(e.into()))?);
        }
        let summary = Summary {
            summary: true,
            batch: &b.id,
            department: b.department.as_str(),
            item: &b.item,
            rows: b.rows_total,
            accepted: b.accepted,
            corrected: b.corrected,
            duplicates: b.duplicates,
            rejected: b.rejected,
            warnings: b.warnings,
            dry_run: outcome.dry_run,
            already_received: outcome.already_received,
            unknown_columns: &outcome.unknown_columns,
        };
        println!("{}", serde_json::to_string(&summary).map_err(|e| Failure::Other(e.into()))?);
    } else {
        for row in outcome.rows.iter().filter(|r| !r.errors.is_empty() || !r.warnings.is_empty()) {
            for e in &row.errors {
                println!("第 {} 行 错误 {}：{}", row.row, e.code, e.message);
            }
            for w in &row.warnings {
                println!("第 {} 行 提示 {}：{}", row.row, w.code, w.message);
            }
        }
        if !outcome.unknown_columns.is_empty() {
            println!("未识别的列（已忽略）：{}", outcome.unknown_columns.join("、"));
        }
        let mode = if outcome.dry_run {
            "（试运行，未写入）"
        } else if outcome.already_received {
            "（此批次此前已接收，未重复写入）"
        } else {
            ""
        };
        println!(
            "批次 {}{mode}：共 {} 行，新增 {}，更正 {}，重复 {}，退回 {}，带提示 {}",
            b.id, b.rows_total, b.accepted, b.corrected, b.duplicates, b.rejected, b.warnings
        );
    }
    Ok(())
}

/// The department whose USCC every row names as 数据来源单位, if exactly one.
async fn infer_department(
    core: &xinyong_core::Core,
    item_code: &str,
    table: &InputTable,
) -> Result<DepartmentCode, Failure> {
    let catalog = &core.rules().catalog;
    let item = catalog.item(item_code).ok_or_else(|| Failure::Usage(format!("目录中没有事项“{item_code}”")))?;
    let matched = catalog.match_headers(item, &table.headers);
    let field = item.field_by_role(FieldRole::SourceDepartmentUscc).map(|f| f.code().to_owned()).ok_or_else(|| {
        Failure::Usage("该事项没有“数据来源单位统一社会信用代码”字段，请用 --department 指定部门".to_owned())
    })?;
    let column = matched.columns.iter().position(|c| c.as_deref() == Some(field.as_str())).ok_or_else(|| {
        Failure::Usage("文件中没有“数据来源单位统一社会信用代码”列，请用 --department 指定部门".to_owned())
    })?;
    let mut codes: Vec<String> = table
        .rows
        .iter()
        .filter_map(|(_, cells)| cells.get(column).map(|c| c.trim().to_uppercase()))
        .filter(|c| !c.is_empty())
        .collect();
    codes.sort();
    codes.dedup();
    let [uscc] = codes.as_slice() else {
        return Err(Failure::Usage(format!(
            "“数据来源单位统一社会信用代码”列有 {} 个不同的值，无法推断部门，请用 --department 指定",
            codes.len()
        )));
    };
    let departments = xinyong_core::auth::departments(core).await.map_err(|e| Failure::Other(e.into()))?;
    departments
        .into_iter()
        .find(|d| d.uscc.as_ref().is_some_and(|u| u.as_str() == uscc))
        .map(|d| d.code)
        .ok_or_else(|| Failure::Usage(format!("没有统一社会信用代码为 {uscc} 的部门，请用 --department 指定")))
}
