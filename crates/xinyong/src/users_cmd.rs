//! `xinyong users`: console users. Passwords are read from standard input,
//! never from the command line, where `ps` and shell history would show them.

use std::io::BufRead as _;

use xinyong_core::auth::{self, NewUser};
use xinyong_domain::auth::{DepartmentCode, Role};
use xinyong_domain::event::Actor;

use crate::config::Config;
use crate::departments_cmd::{core_failure, open};
use crate::{CmdResult, Failure};

#[derive(Debug, clap::Subcommand)]
pub enum UsersCommand {
    /// Create a console user; the password is one line on standard input.
    Add {
        /// Login name: 2–32 of a-z 0-9 _ . -
        #[arg(long)]
        login: String,
        /// Display name (姓名).
        #[arg(long)]
        name: String,
        /// Department code; omit for credit-office administrators.
        #[arg(long)]
        department: Option<String>,
        /// operator, reviewer or admin; repeat for several.
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// Read the password from standard input (required).
        #[arg(long)]
        password_stdin: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// List console users.
    List {
        #[arg(long)]
        json: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Set a new password (one line on standard input); ends the user's sessions.
    SetPassword {
        login: String,
        /// Read the password from standard input (required).
        #[arg(long)]
        password_stdin: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Disable a user and end their sessions.
    Disable {
        login: String,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).ok_or_else(|| format!("unknown role {raw:?} (operator, reviewer, admin)"))
}

pub async fn run(cfg: Config, command: UsersCommand) -> CmdResult {
    match command {
        UsersCommand::Add { login, name, department, roles, password_stdin, database } => {
            let department = department
                .as_deref()
                .map(DepartmentCode::parse)
                .transpose()
                .map_err(|e| Failure::Usage(e.to_string()))?;
            let password = read_password(password_stdin)?;
            let core = open(&cfg, database).await?;
            let user = NewUser { login: login.clone(), display_name: name, department, roles };
            auth::create_user(&core, &Actor::system(), user, &password).await.map_err(core_failure)?;
            println!("已创建用户 {login}");
        }
        UsersCommand::List { json, database } => {
            let core = open(&cfg, database).await?;
            let users = auth::users(&core).await.map_err(core_failure)?;
            if json {
                println!("{}", serde_json::to_string(&users).map_err(|e| Failure::Other(e.into()))?);
            } else {
                for u in &users {
                    let department = u.department.as_ref().map_or("-", |d| d.as_str());
                    let roles: Vec<&str> = u.roles.iter().map(Role::as_str).collect();
                    let state = if u.active { "active" } else { "disabled" };
                    println!("{}\t{}\t{}\t{}\t{}", u.login, u.display_name, department, roles.join(","), state);
                }
            }
        }
        UsersCommand::SetPassword { login, password_stdin, database } => {
            let password = read_password(password_stdin)?;
            let core = open(&cfg, database).await?;
            auth::set_password(&core, &Actor::system(), &login, &password).await.map_err(core_failure)?;
            println!("已为 {login} 设置新密码");
        }
        UsersCommand::Disable { login, database } => {
            let core = open(&cfg, database).await?;
            auth::disable_user(&core, &Actor::system(), &login).await.map_err(core_failure)?;
            println!("已停用用户 {login}");
        }
    }
    Ok(())
}

/// One line from standard input, without its line ending.
fn read_password(password_stdin: bool) -> Result<String, Failure> {
    if !password_stdin {
        return Err(Failure::Usage("请加 --password-stdin 并从标准输入提供密码（一行）".to_owned()));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::Other(anyhow::Error::new(e).context("reading the password from standard input")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(Failure::Usage("标准输入中没有密码".to_owned()));
    }
    Ok(password)
}
