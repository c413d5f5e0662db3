//! `xinyong catalog list [--json]`: the catalog items in force, for scripts
//! and for clerks preparing templates.

use serde::Serialize;

use crate::config::Config;
use crate::{CmdResult, Failure};

#[derive(Debug, clap::Subcommand)]
pub enum CatalogCommand {
    /// Every catalog item with its fields (the version in force today).
    List {
        #[arg(long)]
        json: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Serialize)]
struct ItemView<'a> {
    code: &'a str,
    name: &'a str,
    category: &'static str,
    disclosure: &'static str,
    departments: Vec<String>,
    deadline_working_days: Option<u32>,
    publicity: &'static str,
    fields: Vec<FieldView<'a>>,
}

#[derive(Serialize)]
struct FieldView<'a> {
    code: &'a str,
    name: &'a str,
    r#type: &'static str,
    required: String,
    public: bool,
}

pub async fn run(cfg: Config, cmd: CatalogCommand) -> CmdResult {
    let CatalogCommand::List { json, database } = cmd;
    // The version published and in force in the database (the configured
    // rule files where nothing is published yet).
    let rules = crate::rules_cmd::rules_today(&cfg, database).await?;
    let catalog = &rules.catalog;
    let items: Vec<ItemView<'_>> = catalog
        .items()
        .iter()
        .map(|item| ItemView {
            code: item.code(),
            name: item.name(),
            category: item.category().as_str(),
            disclosure: item.disclosure().as_str(),
            departments: match item.departments() {
                xinyong_domain::collection::catalog::Departments::All => vec!["*".to_owned()],
                xinyong_domain::collection::catalog::Departments::Only(list) => {
                    list.iter().map(ToString::to_string).collect()
                }
            },
            deadline_working_days: item.deadline_working_days(),
            publicity: item.publicity().as_str(),
            fields: item
                .fields()
                .iter()
                .map(|f| FieldView {
                    code: f.code(),
                    name: f.name(),
                    r#type: f.field_type().as_str(),
                    required: f.required().describe_zh(),
                    public: f.is_public(),
                })
                .collect(),
        })
        .collect();
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            version: &'a str,
            items: Vec<ItemView<'a>>,
        }
        let out = Out { version: catalog.version(), items };
        println!("{}", serde_json::to_string(&out).map_err(|e| Failure::Other(e.into()))?);
    } else {
        println!("公共信用信息目录 {}", catalog.version());
        for item in items {
            println!(
                "{:<8} {}（{}，{} 个字段，报送部门：{}）",
                item.code,
                item.name,
                item.category,
                item.fields.len(),
                item.departments.join("、")
            );
        }
    }
    Ok(())
}
