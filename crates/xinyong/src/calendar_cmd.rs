//! `xinyong calendar show YEAR` / `add DATE N` / `import FILE`

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use xinyong_domain::Calendar;

use crate::config::Config;
use crate::{CmdResult, Failure};

#[derive(Debug, clap::Subcommand)]
pub enum CalendarCommand {
    /// Every day of YEAR: `YYYY-MM-DD <kind> [name]`.
    Show { year: i32 },
    /// The date N working days after DATE (counting starts the next day).
    Add { date: String, n: u32 },
    /// Add a year's official schedule (a TOML file like the shipped ones).
    Import { file: PathBuf },
}

/// The shipped schedules plus the operator's files in `calendar.dir`.
pub fn load(dir: &Path) -> Result<Calendar, Failure> {
    let mut calendar = Calendar::official();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(calendar);
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::Usage(format!("无法读取节假日文件 {}:{e}", path.display())))?;
        calendar
            .add_year_toml(&text)
            .map_err(|e| Failure::Usage(format!("节假日文件 {} 无效：{e}", path.display())))?;
    }
    Ok(calendar)
}

pub fn run(cfg: &Config, cmd: CalendarCommand) -> CmdResult {
    match cmd {
        CalendarCommand::Show { year } => {
            let calendar = load(&cfg.calendar.dir)?;
            let days = calendar.year_days(year).map_err(|e| Failure::Usage(e.to_string()))?;
            let mut out = String::new();
            for day in days {
                out.push_str(&day.date.format("%Y-%m-%d").to_string());
                out.push(' ');
                out.push_str(day.kind.as_str());
                if let Some(name) = &day.name {
                    out.push(' ');
                    out.push_str(name);
                }
                out.push('\n');
            }
            print!("{out}");
            Ok(())
        }
        CalendarCommand::Add { date, n } => {
            let calendar = load(&cfg.calendar.dir)?;
            let start = NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| Failure::Usage(format!("日期 {date:?} 格式应为 YYYY-MM-DD")))?;
            let end = calendar.add_working_days(start, n).map_err(|e| Failure::Usage(e.to_string()))?;
            println!("{}", end.format("%Y-%m-%d"));
            Ok(())
        }
        CalendarCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::Usage(format!("无法读取 {}:{e}", file.display())))?;
            let mut probe = load(&cfg.calendar.dir)?;
            let year = probe.add_year_toml(&text).map_err(|e| Failure::Usage(format!("{}:{e}", file.display())))?;
            std::fs::create_dir_all(&cfg.calendar.dir)
                .map_err(|e| Failure::Usage(format!("无法创建目录 {}:{e}", cfg.calendar.dir.display())))?;
            let target = cfg.calendar.dir.join(format!("{year}.toml"));
            std::fs::write(&target, text).map_err(|e| Failure::Usage(format!("无法写入 {}:{e}", target.display())))?;
            println!("已导入 {year} 年节假日安排：{}", target.display());
            Ok(())
        }
    }
}
