//! `xinyong tokens`: API tokens for departments' systems.

use xinyong_core::auth;
use xinyong_domain::auth::DepartmentCode;
use xinyong_domain::event::Actor;

use crate::config::Config;
use crate::departments_cmd::{core_failure, open};
use crate::{CmdResult, Failure};

#[derive(Debug, clap::Subcommand)]
pub enum TokensCommand {
    /// Issue a token; it is printed once on standard output and never again.
    Create {
        #[arg(long)]
        department: String,
        /// What the token is for, e.g. "双公示报送系统（生产）".
        #[arg(long)]
        label: String,
        /// Print {token_id, department, label, token} as JSON.
        #[arg(long)]
        json: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Revoke a token by its id.
    Revoke {
        id: String,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// List tokens (never their secrets).
    List {
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        json: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
}

pub async fn run(cfg: Config, command: TokensCommand) -> CmdResult {
    match command {
        TokensCommand::Create { department, label, json, database } => {
            let department = DepartmentCode::parse(&department).map_err(|e| Failure::Usage(e.to_string()))?;
            let core = open(&cfg, database).await?;
            let issued = auth::issue_token(&core, &Actor::system(), &department, &label, os_secret()?)
                .await
                .map_err(core_failure)?;
            if json {
                let value = serde_json::json!({
                    "token_id": issued.token_id,
                    "department": department.as_str(),
                    "label": label.trim(),
                    "token": issued.token,
                });
                println!("{value}");
            } else {
                eprintln!("xinyong: 已为 {department} 签发令牌 {}；令牌只显示这一次，请妥善保存", issued.token_id);
                println!("{}", issued.token);
            }
        }
        TokensCommand::Revoke { id, database } => {
            let core = open(&cfg, database).await?;
            auth::revoke_token(&core, &Actor::system(), &id).await.map_err(core_failure)?;
            println!("已吊销令牌 {id}");
        }
        TokensCommand::List { department, json, database } => {
            let department = department
                .as_deref()
                .map(DepartmentCode::parse)
                .transpose()
                .map_err(|e| Failure::Usage(e.to_string()))?;
            let core = open(&cfg, database).await?;
            let tokens = auth::tokens(&core, department.as_ref()).await.map_err(core_failure)?;
            if json {
                println!("{}", serde_json::to_string(&tokens).map_err(|e| Failure::Other(e.into()))?);
            } else {
                for t in &tokens {
                    let state = if t.revoked { "revoked" } else { "active" };
                    println!("{}\t{}\t{}\t{}", t.token_id, t.department, t.label, state);
                }
            }
        }
    }
    Ok(())
}

/// The token secret: 32 bytes from the operating system.
fn os_secret() -> Result<[u8; 32], Failure> {
    use rand::TryRng as _;
    let mut secret = [0u8; 32];
    rand::rngs::SysRng
        .try_fill_bytes(&mut secret)
        .map_err(|e| Failure::Other(anyhow::anyhow!("the operating system refused to provide randomness: {e}")))?;
    Ok(secret)
}
