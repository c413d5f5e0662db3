//! `xinyong codes check [FILE]`: one code per line in, one JSON object per
//! line out. Clerks use it to clean spreadsheets before uploading.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use anyhow::Context as _;

use crate::{CmdResult, Failure};

#[derive(Debug, clap::Subcommand)]
pub enum CodesCommand {
    /// Check codes from FILE (or standard input).
    Check {
        file: Option<PathBuf>,
        /// Import mode: a wrong check character is a warning, not an error
        /// (codes issued by other authorities, e.g. early Fujian pilot codes).
        #[arg(long)]
        lenient: bool,
    },
}

pub fn run(cmd: CodesCommand) -> CmdResult {
    let CodesCommand::Check { file, lenient } = cmd;
    let reader: Box<dyn BufRead> = match &file {
        Some(path) => Box::new(BufReader::new(
            std::fs::File::open(path).map_err(|e| Failure::Usage(format!("无法读取 {}:{e}", path.display())))?,
        )),
        None => Box::new(BufReader::new(std::io::stdin())),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in reader.split(b'\n') {
        let line = line.context("reading input").map_err(Failure::Other)?;
        // Spreadsheets exported on Windows end lines with CR LF and may not be UTF-8.
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        let check = xinyong_domain::codes::check::check_code(text, lenient);
        let json = serde_json::to_string(&check).context("encoding JSON").map_err(Failure::Other)?;
        writeln!(out, "{json}").context("writing output").map_err(Failure::Other)?;
    }
    out.flush().context("writing output").map_err(Failure::Other)?;
    Ok(())
}
