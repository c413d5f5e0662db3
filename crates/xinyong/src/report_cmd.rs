//! `xinyong report …`: issue a credit report from the database, and check
//! one offline (docs/REPORTS.md) with nothing but the file and a trust policy.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use xinyong_core::reports::verify::{TrustPolicy, verify_report};
use xinyong_core::reports::{self, Channel, ReportVersion};
use xinyong_tlog::NoteVerifier;

use crate::{CmdResult, Failure, runtime, with_config};

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// Issue the public credit report of a legal person as signed JSON
    /// (logged as `report_issued`).
    Issue {
        /// The subject's unified social credit code.
        #[arg(long)]
        uscc: String,
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write the PDF (the signed JSON attached) instead of the JSON; needs --out.
        #[arg(long, requires = "out")]
        pdf: bool,
        /// The full version (完整版): also the records whose publicity ended
        /// (docs/REPORTS.md).
        #[arg(long)]
        full: bool,
        /// Database URL (overrides configuration).
        #[arg(long)]
        database: Option<String>,
    },
    /// Check a report offline: signature, checkpoint, every inclusion proof
    /// and every field disclosure. Names the first part that fails (exit 1).
    Verify {
        /// The report (.json as downloaded).
        file: PathBuf,
        /// A trust policy: `logs = ["<verifier key>", …]` (docs/REPORTS.md).
        #[arg(long, required_unless_present = "key")]
        trust: Option<PathBuf>,
        /// A trusted log key (C2SP verifier key, as served at /log/key); repeatable.
        #[arg(long)]
        key: Vec<String>,
    },
}

pub fn run(config: Option<&Path>, command: ReportCommand) -> CmdResult {
    match command {
        ReportCommand::Issue { uscc, out, pdf, full, database } => {
            let version = if full { ReportVersion::Full } else { ReportVersion::Public };
            with_config(config, |cfg| runtime::block_on(issue(cfg, &uscc, out.as_deref(), (pdf, version), database)))
        }
        ReportCommand::Verify { file, trust, key } => verify(&file, trust.as_deref(), &key),
    }
}

async fn issue(
    cfg: crate::config::Config,
    raw: &str,
    out: Option<&Path>,
    (pdf, version): (bool, ReportVersion),
    database: Option<String>,
) -> CmdResult {
    let uscc = xinyong_core::portal::normalize_uscc(raw)
        .ok_or_else(|| Failure::Usage(format!("--uscc：“{raw}”不是有效的统一社会信用代码")))?;
    let url = database.unwrap_or_else(|| cfg.database.url.clone());
    let core = runtime::build_core_with(&cfg, &url, runtime::KeyUse::MustExist).await?;
    let issued = reports::issue(&core, &uscc, version, Channel::Cli)
        .await
        .map_err(|e| Failure::Usage(format!("{}：{e}", e.code())))?;
    if let (true, Some(path)) = (pdf, out) {
        return write_pdf(&cfg, &issued, core.now(), path);
    }
    let json = serde_json::to_string_pretty(&issued.signed).map_err(|e| Failure::Other(e.into()))?;
    match out {
        Some(path) => {
            std::fs::write(path, json + "\n").map_err(|e| Failure::Other(e.into()))?;
            eprintln!("已出具信用报告：{}", path.display());
        }
        None => println!("{json}"),
    }
    Ok(())
}

fn write_pdf(
    cfg: &crate::config::Config,
    issued: &reports::Issued,
    now: chrono::DateTime<chrono::Utc>,
    path: &Path,
) -> CmdResult {
    let site = xinyong_server::SiteSettings {
        site_name: cfg.site.name.clone(),
        public_url: cfg.site.public_url.trim_end_matches('/').to_owned(),
        ..xinyong_server::SiteSettings::default()
    };
    let document = xinyong_server::portal::reports::credit_report_document(&site, issued, now)
        .map_err(|e| Failure::Other(e.into()))?;
    let documents = xinyong_documents::Documents::new(cfg.documents.fonts.clone());
    let created = now.with_timezone(&xinyong_core::clock::china_offset());
    let bytes =
        documents.credit_report(&document, created).map_err(|e| Failure::Usage(format!("{}：{e}", e.code())))?;
    std::fs::write(path, bytes).map_err(|e| Failure::Other(e.into()))?;
    eprintln!("已出具信用报告（PDF）：{}", path.display());
    Ok(())
}

/// The trust policy file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustFile {
    /// Verifier keys of the logs whose reports are accepted.
    logs: Vec<String>,
    /// Witnesses' cosignature keys (C2SP tlog-cosignature, type 0x04).
    #[serde(default)]
    witnesses: Vec<String>,
    /// How many of `witnesses` must have cosigned (default: 1 when any are listed).
    quorum: Option<usize>,
}

fn verify(file: &Path, trust: Option<&Path>, keys: &[String]) -> CmdResult {
    let mut all: Vec<String> = keys.to_vec();
    let (mut witnesses, mut quorum) = (Vec::new(), 0);
    if let Some(path) = trust {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("无法读取信任策略 {}：{e}", path.display())))?;
        let parsed: TrustFile = toml::from_str(&text)
            .map_err(|e| Failure::Usage(format!("信任策略 {} 格式不正确：{e}", path.display())))?;
        all.extend(parsed.logs);
        for w in &parsed.witnesses {
            witnesses.push(
                xinyong_tlog::CosignatureVerifier::parse(w)
                    .ok_or_else(|| Failure::Usage(format!("见证者公钥“{w}”无效（应为类型 0x04 的 C2SP 公钥）")))?,
            );
        }
        quorum = parsed.quorum.unwrap_or(usize::from(!witnesses.is_empty()));
        if quorum > witnesses.len() {
            return Err(Failure::Usage(format!("quorum = {quorum} 大于列出的见证者数 {}", witnesses.len())));
        }
    }
    let logs = all
        .iter()
        .map(|k| NoteVerifier::parse(k).map_err(|e| Failure::Usage(format!("公钥“{k}”无效：{e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let mut bytes = std::fs::read(file).map_err(|e| Failure::Usage(format!("无法读取 {}：{e}", file.display())))?;
    if bytes.starts_with(b"%PDF-") {
        bytes = xinyong_core::reports::verify::attached_json(&bytes)
            .ok_or_else(|| Failure::Other(anyhow::anyhow!("报告核验失败：file：PDF 中没有附带签名的报告（JSON）")))?;
    }
    match verify_report(&bytes, &TrustPolicy { logs, witnesses, quorum }) {
        Ok(ok) => {
            let r = &ok.report;
            println!("核验通过：信用报告 {}（{}，{}）", r.report_id, r.subject.name, r.subject.uscc);
            println!("  签名：{}", r.issuer.verifier_key);
            println!(
                "  检查点：前 {} 条日志，{} 签名，{} 个受信任的见证者联署",
                ok.checkpoint_size, r.issuer.origin, ok.cosigned_by
            );
            println!(
                "  记录：{} 条均在日志中；逐字段证明 {} 个字段；{} 条为 v1 条目（只证明存在，不逐字段）",
                r.records.len(),
                ok.disclosed_fields,
                ok.v1_records
            );
            println!("  名单：{} 项；状态图谱证明：{}", r.lists.len(), r.status_statement());
            Ok(())
        }
        Err(f) => Err(Failure::Other(anyhow::anyhow!("报告核验失败：{}：{}", f.part, f.problem))),
    }
}
