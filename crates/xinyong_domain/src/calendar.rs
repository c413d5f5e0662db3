//! Working-day calendar built on the State Council's yearly holiday notices
//! (国务院办公厅关于 YYYY 年部分节假日安排的通知), DOMAIN §8.
//!
//! Every day is one of four kinds:
//!
//! - [`DayKind::Holiday`]: listed in a notice's `days_off`, including the
//!   weekend days inside a holiday block;
//! - [`DayKind::MakeupWorkday`]: a weekend day the notice orders people to work
//!   (调休上班日); it **counts as a working day**;
//! - [`DayKind::Weekend`]: any other Saturday or Sunday;
//! - [`DayKind::Workday`]: any other Monday–Friday.
//!
//! A year without a loaded notice is an error ([`CalendarError::YearNotPublished`]),
//! never a Monday–Friday guess: a deadline computed on a guessed calendar is
//! wrong exactly when it matters, over the long holidays.
//!
//! The shipped schedules (2004–2026) live in `data/calendar/YYYY.toml`, one file
//! per notice, and are compiled in with `include_str!` because this crate does
//! no IO. Later years (and corrections) are rule sets like the catalog: a file
//! `calendar/YYYY.toml` of a rules directory, published to the log
//! (`xinyong rules publish`, `xinyong calendar import`) and laid over the
//! shipped years with [`Calendar::replace_years_toml`]; reading the files and
//! the log is the binary's and core's job. A file may carry a `version`
//! (default `"1"`), raised on every change like the other rule files.
//!
//! A notice for year Y may reach back into late December of Y-1 when the New
//! Year block crosses the year boundary (the 2019 notice makes 2018-12-29 a
//! working Saturday and 2018-12-30/31 holidays). Days of year Y-1 are answered
//! once notice Y-1 is loaded; loading notice Y later refines those last days.
//! [`Calendar::may_change_with_next_notice`] tells a caller when that can still
//! happen.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The schedules shipped with the binary, one per notice year.
const SHIPPED: [&str; 23] = [
    include_str!("../data/calendar/2004.toml"),
    include_str!("../data/calendar/2005.toml"),
    include_str!("../data/calendar/2006.toml"),
    include_str!("../data/calendar/2007.toml"),
    include_str!("../data/calendar/2008.toml"),
    include_str!("../data/calendar/2009.toml"),
    include_str!("../data/calendar/2010.toml"),
    include_str!("../data/calendar/2011.toml"),
    include_str!("../data/calendar/2012.toml"),
    include_str!("../data/calendar/2013.toml"),
    include_str!("../data/calendar/2014.toml"),
    include_str!("../data/calendar/2015.toml"),
    include_str!("../data/calendar/2016.toml"),
    include_str!("../data/calendar/2017.toml"),
    include_str!("../data/calendar/2018.toml"),
    include_str!("../data/calendar/2019.toml"),
    include_str!("../data/calendar/2020.toml"),
    include_str!("../data/calendar/2021.toml"),
    include_str!("../data/calendar/2022.toml"),
    include_str!("../data/calendar/2023.toml"),
    include_str!("../data/calendar/2024.toml"),
    include_str!("../data/calendar/2025.toml"),
    include_str!("../data/calendar/2026.toml"),
];

/// Accepted notice years. The current system of yearly notices dates from
/// 1999; the upper bound only exists to catch typos such as `20267`.
const MIN_YEAR: u16 = 2000;
const MAX_YEAR: u16 = 2100;

/// From this day of December on, a date may still be claimed by next year's
/// New Year block. The earliest such day in 2004–2026 is 12-29 (2007 and
/// 2018); the margin matches the cut-off `chinese_holiday` uses (12-25).
const NEXT_NOTICE_REACH_FROM_DECEMBER: u32 = 25;

/// What kind of day a date is under the loaded schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Monday–Friday that no notice touches.
    Workday,
    /// Saturday or Sunday that no notice touches.
    Weekend,
    /// A day off listed in a notice (法定节假日 and the rest days of its block).
    Holiday,
    /// A weekend day on which people work by State Council order (调休上班日).
    MakeupWorkday,
}

impl DayKind {
    /// Stable machine name, the same as the serde form.
    pub fn as_str(&self) -> &'static str {
        match self {
            DayKind::Workday => "workday",
            DayKind::Weekend => "weekend",
            DayKind::Holiday => "holiday",
            DayKind::MakeupWorkday => "makeup_workday",
        }
    }

    /// Label for people, as used on the public pages.
    pub fn label_zh(&self) -> &'static str {
        match self {
            DayKind::Workday => "工作日",
            DayKind::Weekend => "休息日",
            DayKind::Holiday => "法定节假日",
            DayKind::MakeupWorkday => "调休上班日",
        }
    }

    /// Working days are counted by 行政许可法 Art. 82 and 行政处罚法 Art. 85;
    /// make-up Saturdays and Sundays count, weekdays inside a holiday block don't.
    pub fn is_working_day(&self) -> bool {
        matches!(self, DayKind::Workday | DayKind::MakeupWorkday)
    }
}

/// One calendar day with its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// The holiday a [`DayKind::Holiday`] or [`DayKind::MakeupWorkday`] belongs
    /// to (`"春节"`, `"国庆节、中秋节"`, …); `None` for ordinary days.
    pub name: Option<String>,
}

/// Where a schedule comes from: the notice, or a later notice amending it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    title: String,
    document_number: Option<String>,
    published: Option<NaiveDate>,
    url: Option<String>,
    summary: Option<String>,
}

impl Notice {
    pub fn title(&self) -> &str {
        &self.title
    }

    /// 发文字号, e.g. `国办发明电〔2024〕12号`, when known.
    pub fn document_number(&self) -> Option<&str> {
        self.document_number.as_deref()
    }

    /// The date printed on the notice (成文日期), when known.
    pub fn published(&self) -> Option<NaiveDate> {
        self.published
    }

    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// For an amending notice: what it changed.
    pub fn summary(&self) -> Option<&str> {
        self.summary.as_deref()
    }
}

/// One holiday of a notice: its days off and its make-up working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolidayBlock {
    name: String,
    days_off: Vec<NaiveDate>,
    makeup_workdays: Vec<NaiveDate>,
}

impl HolidayBlock {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn days_off(&self) -> &[NaiveDate] {
        &self.days_off
    }

    pub fn makeup_workdays(&self) -> &[NaiveDate] {
        &self.makeup_workdays
    }
}

/// The arrangement one notice makes for one year, as validated on import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YearSchedule {
    year: u16,
    version: String,
    notice: Notice,
    amendments: Vec<Notice>,
    holidays: Vec<HolidayBlock>,
}

impl YearSchedule {
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The file's `version` (`"1"` when it has none): the rule-set version
    /// of `calendar/YYYY` in the log.
    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn notice(&self) -> &Notice {
        &self.notice
    }

    /// Later notices already folded into [`YearSchedule::holidays`]
    /// (e.g. the 2020 Spring Festival extension); kept for provenance.
    pub fn amendments(&self) -> &[Notice] {
        &self.amendments
    }

    pub fn holidays(&self) -> &[HolidayBlock] {
        &self.holidays
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "{year} 年的节假日安排尚未发布（或未导入），无法计算工作日；请在国务院发布通知后用 xinyong calendar import 导入该年的安排文件"
    )]
    YearNotPublished { year: i32 },
    #[error("节假日安排文件无法解析：{message}")]
    Parse { message: String },
    #[error("节假日安排文件内容有误：{reason}")]
    Invalid { reason: String },
    #[error("{year} 年的节假日安排已经导入；如需更正，请用替换方式导入")]
    YearAlreadyLoaded { year: u16 },
}

impl CalendarError {
    /// Stable code for the error envelope.
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::YearNotPublished { .. } => "calendar_year_not_published",
            CalendarError::Parse { .. } => "calendar_parse",
            CalendarError::Invalid { .. } => "calendar_invalid",
            CalendarError::YearAlreadyLoaded { .. } => "calendar_year_already_loaded",
        }
    }
}

/// A day a notice marks, with the notice year that marks it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mark {
    kind: DayKind,
    name: String,
    notice_year: u16,
}

#[derive(Debug, Clone, Default)]
struct Inner {
    schedules: BTreeMap<u16, YearSchedule>,
    marks: BTreeMap<NaiveDate, Mark>,
    /// Per loaded year, working days from 1 January up to and including each
    /// day (by 0-based ordinal): intake counts working days for every record,
    /// so a count is two lookups instead of a walk over the days.
    cumulative: BTreeMap<u16, Vec<u16>>,
}

/// The working-day calendar. Cheap to clone: the data is shared and copied
/// only when a clone imports a year.
#[derive(Debug, Clone)]
pub struct Calendar {
    inner: Arc<Inner>,
}

static OFFICIAL: LazyLock<Calendar> = LazyLock::new(|| {
    let mut calendar = Calendar::empty();
    for text in SHIPPED {
        // Every shipped file loads; the test `shipped_files_all_load` guards
        // that. Were one ever broken, its year would be missing and every
        // computation touching it would fail with YearNotPublished, which is
        // loud and correct, instead of panicking at start-up.
        let _ = calendar.add_year_toml(text);
    }
    calendar
});

impl Calendar {
    /// The shipped schedules, 2004–2026.
    pub fn official() -> Calendar {
        OFFICIAL.clone()
    }

    /// A calendar that knows no year; every computation fails until a year is
    /// imported.
    pub fn empty() -> Calendar {
        Calendar { inner: Arc::new(Inner::default()) }
    }

    /// Imports one year's schedule from the text of a `YYYY.toml` file and
    /// returns its year. Fails if the year is already loaded (see
    /// [`Calendar::replace_year_toml`]) or the file is malformed; on failure
    /// the calendar is unchanged.
    pub fn add_year_toml(&mut self, text: &str) -> Result<u16, CalendarError> {
        let schedule = parse_schedule(text)?;
        if self.inner.schedules.contains_key(&schedule.year) {
            return Err(CalendarError::YearAlreadyLoaded { year: schedule.year });
        }
        self.install(schedule)
    }

    /// Like [`Calendar::add_year_toml`] but replaces a loaded year, for a
    /// corrected file or an amending notice.
    pub fn replace_year_toml(&mut self, text: &str) -> Result<u16, CalendarError> {
        let schedule = parse_schedule(text)?;
        self.install(schedule)
    }

    /// Lays several years' files over the loaded ones (each replaces its
    /// year), checked together and indexed once: the published calendar
    /// years over the shipped ones. On error nothing changes; two files for
    /// one year are an error, not a silent pick.
    pub fn replace_years_toml<'a>(
        &mut self,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Result<Vec<u16>, CalendarError> {
        let mut schedules = self.inner.schedules.clone();
        let mut years = Vec::new();
        for text in texts {
            let schedule = parse_schedule(text)?;
            if years.contains(&schedule.year) {
                return Err(invalid(format!("{} 年的安排出现了两次", schedule.year)));
            }
            years.push(schedule.year);
            schedules.insert(schedule.year, schedule);
        }
        if years.is_empty() {
            return Ok(years);
        }
        let marks = index(&schedules)?;
        let cumulative = cumulative_counts(&schedules, &marks);
        self.inner = Arc::new(Inner { schedules, marks, cumulative });
        Ok(years)
    }

    /// Rebuilds the day index with `schedule` in place, so a conflict with any
    /// other loaded notice is caught and nothing changes on error.
    fn install(&mut self, schedule: YearSchedule) -> Result<u16, CalendarError> {
        let year = schedule.year;
        let mut schedules = self.inner.schedules.clone();
        schedules.insert(year, schedule);
        let marks = index(&schedules)?;
        let cumulative = cumulative_counts(&schedules, &marks);
        self.inner = Arc::new(Inner { schedules, marks, cumulative });
        Ok(year)
    }

    /// Loaded notice years, ascending.
    pub fn years(&self) -> Vec<u16> {
        self.inner.schedules.keys().copied().collect()
    }

    /// The loaded schedule of a notice year.
    pub fn schedule(&self, year: i32) -> Option<&YearSchedule> {
        let year = u16::try_from(year).ok()?;
        self.inner.schedules.get(&year)
    }

    pub fn day(&self, date: NaiveDate) -> Result<Day, CalendarError> {
        self.ensure_published(date)?;
        Ok(match self.inner.marks.get(&date) {
            Some(mark) => Day { date, kind: mark.kind, name: Some(mark.name.clone()) },
            None => Day { date, kind: plain_kind(date), name: None },
        })
    }

    pub fn kind(&self, date: NaiveDate) -> Result<DayKind, CalendarError> {
        self.ensure_published(date)?;
        Ok(self.inner.marks.get(&date).map_or_else(|| plain_kind(date), |mark| mark.kind))
    }

    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        Ok(self.kind(date)?.is_working_day())
    }

    /// Every day of a calendar year, for `xinyong calendar show YEAR`.
    pub fn year_days(&self, year: i32) -> Result<Vec<Day>, CalendarError> {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(CalendarError::YearNotPublished { year })?;
        self.ensure_published(first)?;
        let mut days = Vec::with_capacity(366);
        let mut date = first;
        while date.year() == year {
            days.push(self.day(date)?);
            date = next_day(date)?;
        }
        Ok(days)
    }

    /// The `n`-th working day after `start`; counting starts the day after
    /// (民法典 Art. 201), so `n = 0` gives `start` itself.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.ensure_published(start)?;
        let mut date = start;
        let mut counted = 0u32;
        while counted < n {
            date = next_day(date)?;
            if self.is_working_day(date)? {
                counted += 1;
            }
        }
        Ok(date)
    }

    /// Number of working days in `(start, end]`: how many working days have
    /// passed between an event and a later one. Negative (the mirror value)
    /// when `end` is before `start`; 0 when equal.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> Result<i64, CalendarError> {
        if end < start {
            return Ok(-self.working_days_between(end, start)?);
        }
        Ok(self.working_days_through(end)? - self.working_days_through(start)?)
    }

    /// Working days from 1 January of `date`'s year through `date`, plus those
    /// of every loaded year before it back to the first one: a running total
    /// whose differences are counts. Every year in between must be loaded.
    fn working_days_through(&self, date: NaiveDate) -> Result<i64, CalendarError> {
        let year = u16::try_from(date.year()).map_err(|_| CalendarError::YearNotPublished { year: date.year() })?;
        let first = self.inner.cumulative.keys().next().copied().unwrap_or(year);
        let mut total = 0i64;
        for y in first..year {
            let counts = self.inner.cumulative.get(&y).ok_or(CalendarError::YearNotPublished { year: i32::from(y) })?;
            total += i64::from(counts.last().copied().unwrap_or_default());
        }
        let counts = self.inner.cumulative.get(&year).ok_or(CalendarError::YearNotPublished { year: date.year() })?;
        let day = counts.get(date.ordinal0() as usize).copied().unwrap_or_default();
        Ok(total + i64::from(day))
    }

    /// The day-by-day count [`Calendar::working_days_between`] must agree with.
    #[cfg(test)]
    fn working_days_between_by_walking(&self, start: NaiveDate, end: NaiveDate) -> Result<i64, CalendarError> {
        if end < start {
            return Ok(-self.working_days_between_by_walking(end, start)?);
        }
        self.ensure_published(start)?;
        let mut count = 0i64;
        let mut date = start;
        while date < end {
            date = next_day(date)?;
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// End of a period counted in natural days: `start + calendar_days`, moved
    /// to the next working day when that falls on a rest day (民法典 Arts. 201
    /// and 203).
    pub fn deadline_after_days(&self, start: NaiveDate, calendar_days: u32) -> Result<NaiveDate, CalendarError> {
        self.ensure_published(start)?;
        let last = start.checked_add_days(Days::new(u64::from(calendar_days))).ok_or_else(|| beyond(start))?;
        self.next_working_day_on_or_after(last)
    }

    pub fn next_working_day_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut date = date;
        while !self.is_working_day(date)? {
            date = next_day(date)?;
        }
        Ok(date)
    }

    /// True when next year's notice is not loaded yet and could still reach
    /// back to `date` with its New Year block, so `date`'s kind may change
    /// when it is imported. Callers show this as a caveat on deadlines.
    pub fn may_change_with_next_notice(&self, date: NaiveDate) -> bool {
        if date.month() != 12 || date.day() < NEXT_NOTICE_REACH_FROM_DECEMBER {
            return false;
        }
        self.schedule(date.year().saturating_add(1)).is_none()
    }

    fn ensure_published(&self, date: NaiveDate) -> Result<(), CalendarError> {
        let year = date.year();
        let loaded = u16::try_from(year).is_ok_and(|y| self.inner.schedules.contains_key(&y));
        if loaded { Ok(()) } else { Err(CalendarError::YearNotPublished { year }) }
    }
}

/// Running working-day counts per loaded year (see `Inner::cumulative`).
fn cumulative_counts(
    schedules: &BTreeMap<u16, YearSchedule>,
    marks: &BTreeMap<NaiveDate, Mark>,
) -> BTreeMap<u16, Vec<u16>> {
    let mut out = BTreeMap::new();
    for &year in schedules.keys() {
        let mut counts = Vec::with_capacity(366);
        let mut running = 0u16;
        let mut date = NaiveDate::from_ymd_opt(i32::from(year), 1, 1);
        while let Some(d) = date.filter(|d| d.year() == i32::from(year)) {
            let kind = marks.get(&d).map_or_else(|| plain_kind(d), |m| m.kind);
            if kind.is_working_day() {
                running += 1;
            }
            counts.push(running);
            date = d.succ_opt();
        }
        out.insert(year, counts);
    }
    out
}

fn plain_kind(date: NaiveDate) -> DayKind {
    match date.weekday() {
        Weekday::Sat | Weekday::Sun => DayKind::Weekend,
        _ => DayKind::Workday,
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    plain_kind(date) == DayKind::Weekend
}

fn next_day(date: NaiveDate) -> Result<NaiveDate, CalendarError> {
    date.succ_opt().ok_or_else(|| beyond(date))
}

/// Only reachable at chrono's last representable date, a year no notice covers.
fn beyond(date: NaiveDate) -> CalendarError {
    CalendarError::YearNotPublished { year: date.year().saturating_add(1) }
}

/// Builds the date index over all schedules, rejecting a date claimed by two
/// notices (e.g. a New Year block entered in both the old and the new year).
fn index(schedules: &BTreeMap<u16, YearSchedule>) -> Result<BTreeMap<NaiveDate, Mark>, CalendarError> {
    let mut marks = BTreeMap::new();
    for schedule in schedules.values() {
        for block in &schedule.holidays {
            let days = block
                .days_off
                .iter()
                .map(|d| (*d, DayKind::Holiday))
                .chain(block.makeup_workdays.iter().map(|d| (*d, DayKind::MakeupWorkday)));
            for (date, kind) in days {
                let mark = Mark { kind, name: block.name.clone(), notice_year: schedule.year };
                if let Some(other) = marks.insert(date, mark) {
                    return Err(invalid(format!(
                        "{date} 同时出现在 {} 年和 {} 年的通知中",
                        other.notice_year, schedule.year
                    )));
                }
            }
        }
    }
    Ok(marks)
}

// ---------------------------------------------------------------------------
// File format

/// `YYYY.toml` as written by people. Unknown keys are rejected so that a typo
/// such as `makeup_workday` fails instead of silently dropping working days.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    // Wider than u16 so an out-of-range year gets a clear message, not a
    // type error from the TOML parser.
    year: i64,
    /// Rule-set version; the shipped files have none.
    version: Option<String>,
    notice: String,
    document_number: Option<String>,
    published: Option<String>,
    url: Option<String>,
    holidays: Vec<RawHoliday>,
    #[serde(default)]
    amendments: Vec<RawAmendment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    days_off: Vec<String>,
    #[serde(default)]
    makeup_workdays: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmendment {
    notice: String,
    document_number: Option<String>,
    published: Option<String>,
    url: Option<String>,
    summary: Option<String>,
}

fn invalid(reason: String) -> CalendarError {
    CalendarError::Invalid { reason }
}

/// Parses and checks one year's file on its own (its year, version, notice
/// and blocks), e.g. to name the rule set a file is before publishing it.
/// Conflicts with neighbouring years are found when it is laid over a
/// calendar ([`Calendar::replace_years_toml`]).
pub fn parse_year_toml(text: &str) -> Result<YearSchedule, CalendarError> {
    parse_schedule(text)
}

fn parse_schedule(text: &str) -> Result<YearSchedule, CalendarError> {
    let raw: RawSchedule = toml::from_str(text).map_err(|e| CalendarError::Parse { message: e.to_string() })?;
    let year = u16::try_from(raw.year)
        .ok()
        .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
        .ok_or_else(|| invalid(format!("年份 {} 不在 {MIN_YEAR}–{MAX_YEAR} 之间", raw.year)))?;
    let ctx = |reason: String| invalid(format!("{year} 年安排：{reason}"));
    let version = match raw.version.map(|v| v.trim().to_owned()) {
        None => "1".to_owned(),
        Some(v) if v.is_empty() => return Err(ctx("version 不能为空".to_owned())),
        Some(v) => v,
    };

    let notice =
        parse_notice(year, raw.notice, raw.document_number, raw.published.as_deref(), raw.url, None).map_err(ctx)?;
    let amendments = raw
        .amendments
        .into_iter()
        .map(|a| parse_notice(year, a.notice, a.document_number, a.published.as_deref(), a.url, a.summary))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ctx)?;

    if raw.holidays.is_empty() {
        return Err(ctx("没有任何假日安排（[[holidays]]）".to_owned()));
    }
    let mut seen: BTreeMap<NaiveDate, DayKind> = BTreeMap::new();
    let mut holidays = Vec::with_capacity(raw.holidays.len());
    for raw_block in raw.holidays {
        let block = parse_block(year, raw_block, &mut seen).map_err(ctx)?;
        holidays.push(block);
    }
    Ok(YearSchedule { year, version, notice, amendments, holidays })
}

fn parse_notice(
    year: u16,
    title: String,
    document_number: Option<String>,
    published: Option<&str>,
    url: Option<String>,
    summary: Option<String>,
) -> Result<Notice, String> {
    let title = title.trim().to_owned();
    if title.is_empty() {
        return Err("notice(通知标题)不能为空".to_owned());
    }
    let published = published.map(parse_date).transpose()?;
    if let Some(date) = published {
        // A notice for year Y is issued in Y-1 or, when it amends, during Y.
        let y = i32::from(year);
        if date.year() != y && date.year() != y - 1 {
            return Err(format!("通知日期 {date} 不在 {} 年或 {y} 年内", y - 1));
        }
    }
    let non_empty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Notice {
        title,
        document_number: non_empty(document_number),
        published,
        url: non_empty(url),
        summary: non_empty(summary),
    })
}

fn parse_block(year: u16, raw: RawHoliday, seen: &mut BTreeMap<NaiveDate, DayKind>) -> Result<HolidayBlock, String> {
    let name = raw.name.trim().to_owned();
    if name.is_empty() {
        return Err("假日名称（name）不能为空".to_owned());
    }
    if raw.days_off.is_empty() {
        return Err(format!("{name}:days_off 为空"));
    }
    let days_off =
        raw.days_off.iter().map(|s| parse_date(s)).collect::<Result<Vec<_>, _>>().map_err(|e| format!("{name}:{e}"))?;
    let makeup_workdays = raw
        .makeup_workdays
        .iter()
        .map(|s| parse_date(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{name}:{e}"))?;

    let y = i32::from(year);
    // Only a New Year block may reach into December of the previous year
    // (2008: 2007-12-30 to 2008-01-01 off, 2007-12-29 worked).
    let crosses_new_year = days_off.iter().any(|d| d.year() == y && d.month() == 1 && d.day() == 1);
    let in_scope = |d: &NaiveDate| d.year() == y || (crosses_new_year && d.year() == y - 1 && d.month() == 12);

    for (dates, kind) in [(&days_off, DayKind::Holiday), (&makeup_workdays, DayKind::MakeupWorkday)] {
        for &date in dates {
            if !in_scope(&date) {
                return Err(format!(
                    "{name}:{date} 不在 {y} 年内（只有包含 1 月 1 日的元旦假期可以延伸到上一年 12 月）"
                ));
            }
            if kind == DayKind::MakeupWorkday && !is_weekend(date) {
                return Err(format!("{name}:调休上班日 {date} 是{}，不是周六或周日", weekday_zh(date.weekday())));
            }
            if let Some(previous) = seen.insert(date, kind) {
                return Err(if previous == kind {
                    format!("{name}:{date} 重复出现")
                } else {
                    format!("{name}:{date} 同时被列为放假日和调休上班日")
                });
            }
        }
    }
    Ok(HolidayBlock { name, days_off, makeup_workdays })
}

/// Accepts exactly `YYYY-MM-DD`; chrono alone would also take `2026-1-1`,
/// which hides typos in hand-written files.
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == s)
        .ok_or_else(|| format!("日期 \"{s}\" 格式有误，应为 YYYY-MM-DD"))
}

fn weekday_zh(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cal() -> Calendar {
        Calendar::official()
    }

    /// Every date from `a` to `b` inclusive.
    fn span(a: NaiveDate, b: NaiveDate) -> Vec<NaiveDate> {
        a.iter_days().take_while(|x| *x <= b).collect()
    }

    fn weekday_holidays(c: &Calendar, year: i32) -> Vec<NaiveDate> {
        c.year_days(year)
            .unwrap()
            .into_iter()
            .filter(|x| x.kind == DayKind::Holiday && !is_weekend(x.date))
            .map(|x| x.date)
            .collect()
    }

    fn makeup_days(c: &Calendar, year: i32) -> Vec<NaiveDate> {
        c.year_days(year).unwrap().into_iter().filter(|x| x.kind == DayKind::MakeupWorkday).map(|x| x.date).collect()
    }

    fn assert_block(c: &Calendar, from: NaiveDate, to: NaiveDate, name: &str) {
        for date in span(from, to) {
            let day = c.day(date).unwrap();
            assert_eq!(day.kind, DayKind::Holiday, "{date}");
            assert_eq!(day.name.as_deref(), Some(name), "{date}");
        }
        // The blocks of DOMAIN §8 are whole: the days around them are not off.
        for edge in [from.pred_opt().unwrap(), to.succ_opt().unwrap()] {
            assert_ne!(c.kind(edge).unwrap(), DayKind::Holiday, "{edge}");
        }
    }

    fn assert_makeup(c: &Calendar, date: NaiveDate, name: &str) {
        let day = c.day(date).unwrap();
        assert_eq!(day.kind, DayKind::MakeupWorkday, "{date}");
        assert_eq!(day.name.as_deref(), Some(name), "{date}");
    }

    #[test]
    fn shipped_files_all_load() {
        let mut c = Calendar::empty();
        for (i, text) in SHIPPED.iter().enumerate() {
            let year = c.add_year_toml(text).unwrap();
            assert_eq!(usize::from(year), 2004 + i);
        }
        assert_eq!(c.years(), (2004..=2026).collect::<Vec<u16>>());
        assert_eq!(cal().years(), c.years());
    }

    #[test]
    fn every_notice_records_its_source() {
        let c = cal();
        for year in 2004..=2026 {
            let s = c.schedule(year).unwrap();
            assert_eq!(s.notice().title(), format!("国务院办公厅关于{year}年部分节假日安排的通知"));
        }
        let n2026 = c.schedule(2026).unwrap().notice();
        assert_eq!(n2026.published(), Some(d(2025, 11, 4)));
        let n2025 = c.schedule(2025).unwrap().notice();
        assert_eq!(n2025.document_number(), Some("国办发明电〔2024〕12号"));
        assert_eq!(n2025.published(), Some(d(2024, 11, 12)));
        for year in [2015, 2019, 2020] {
            assert_eq!(c.schedule(year).unwrap().amendments().len(), 1, "{year}");
        }
    }

    #[test]
    fn domain_2026_table() {
        let c = cal();
        assert_block(&c, d(2026, 1, 1), d(2026, 1, 3), "元旦");
        assert_makeup(&c, d(2026, 1, 4), "元旦");
        assert_block(&c, d(2026, 2, 15), d(2026, 2, 23), "春节");
        assert_makeup(&c, d(2026, 2, 14), "春节");
        assert_makeup(&c, d(2026, 2, 28), "春节");
        assert_block(&c, d(2026, 4, 4), d(2026, 4, 6), "清明节");
        assert_block(&c, d(2026, 5, 1), d(2026, 5, 5), "劳动节");
        assert_makeup(&c, d(2026, 5, 9), "劳动节");
        assert_block(&c, d(2026, 6, 19), d(2026, 6, 21), "端午节");
        assert_block(&c, d(2026, 9, 25), d(2026, 9, 27), "中秋节");
        assert_block(&c, d(2026, 10, 1), d(2026, 10, 7), "国庆节");
        assert_makeup(&c, d(2026, 9, 20), "国庆节");
        assert_makeup(&c, d(2026, 10, 10), "国庆节");

        let expected_weekday_holidays = [
            (1, 1),
            (1, 2),
            (2, 16),
            (2, 17),
            (2, 18),
            (2, 19),
            (2, 20),
            (2, 23),
            (4, 6),
            (5, 1),
            (5, 4),
            (5, 5),
            (6, 19),
            (9, 25),
            (10, 1),
            (10, 2),
            (10, 5),
            (10, 6),
            (10, 7),
        ]
        .map(|(m, day)| d(2026, m, day));
        assert_eq!(weekday_holidays(&c, 2026), expected_weekday_holidays);
        let expected_makeup = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)].map(|(m, day)| d(2026, m, day));
        assert_eq!(makeup_days(&c, 2026), expected_makeup);
    }

    #[test]
    fn domain_2025_table() {
        let c = cal();
        assert_block(&c, d(2025, 1, 1), d(2025, 1, 1), "元旦");
        assert_block(&c, d(2025, 1, 28), d(2025, 2, 4), "春节");
        assert_makeup(&c, d(2025, 1, 26), "春节");
        assert_makeup(&c, d(2025, 2, 8), "春节");
        assert_block(&c, d(2025, 4, 4), d(2025, 4, 6), "清明节");
        assert_block(&c, d(2025, 5, 1), d(2025, 5, 5), "劳动节");
        assert_makeup(&c, d(2025, 4, 27), "劳动节");
        assert_block(&c, d(2025, 5, 31), d(2025, 6, 2), "端午节");
        assert_block(&c, d(2025, 10, 1), d(2025, 10, 8), "国庆节、中秋节");
        assert_makeup(&c, d(2025, 9, 28), "国庆节、中秋节");
        assert_makeup(&c, d(2025, 10, 11), "国庆节、中秋节");

        let expected_weekday_holidays = [
            (1, 1),
            (1, 28),
            (1, 29),
            (1, 30),
            (1, 31),
            (2, 3),
            (2, 4),
            (4, 4),
            (5, 1),
            (5, 2),
            (5, 5),
            (6, 2),
            (10, 1),
            (10, 2),
            (10, 3),
            (10, 6),
            (10, 7),
            (10, 8),
        ]
        .map(|(m, day)| d(2025, m, day));
        assert_eq!(weekday_holidays(&c, 2025), expected_weekday_holidays);
        let expected_makeup = [(1, 26), (2, 8), (4, 27), (9, 28), (10, 11)].map(|(m, day)| d(2025, m, day));
        assert_eq!(makeup_days(&c, 2025), expected_makeup);
    }

    #[test]
    fn licence_decided_before_mid_autumn_and_national_day() {
        // 9-25 中秋 (Fri), 9-26/27 holiday weekend, 9-28..30 worked (3),
        // 10-01..07 国庆, 10-08 Thu, 10-09 Fri (2), 10-10 Sat make-up (1),
        // 10-11 Sun off, 10-12 Mon (1): 7.
        let c = cal();
        assert_eq!(c.working_days_between(d(2026, 9, 25), d(2026, 10, 12)), Ok(7));
        assert_eq!(c.working_days_between(d(2026, 10, 12), d(2026, 9, 25)), Ok(-7));
        assert_eq!(c.working_days_between(d(2026, 10, 12), d(2026, 10, 12)), Ok(0));
        assert_eq!(c.add_working_days(d(2026, 9, 25), 7), Ok(d(2026, 10, 12)));
    }

    #[test]
    fn add_working_days_skips_the_golden_week() {
        let c = cal();
        assert_eq!(c.add_working_days(d(2026, 9, 30), 1), Ok(d(2026, 10, 8)));
        assert_eq!(c.add_working_days(d(2026, 9, 30), 0), Ok(d(2026, 9, 30)));
        // Starting on a holiday: n = 0 is still the start.
        assert_eq!(c.add_working_days(d(2026, 10, 3), 0), Ok(d(2026, 10, 3)));
        // The make-up Saturday counts.
        assert_eq!(c.add_working_days(d(2026, 10, 9), 1), Ok(d(2026, 10, 10)));
        assert_eq!(c.add_working_days(d(2026, 10, 10), 1), Ok(d(2026, 10, 12)));
        // 20 working days over Spring Festival 2026.
        assert_eq!(c.add_working_days(d(2026, 2, 9), 20), Ok(d(2026, 3, 13)));
    }

    fn not_published<T>(year: i32) -> Result<T, CalendarError> {
        Err(CalendarError::YearNotPublished { year })
    }

    #[test]
    fn unpublished_years_are_errors_not_guesses() {
        let c = cal();
        assert_eq!(c.kind(d(2027, 3, 3)), not_published(2027));
        assert_eq!(c.kind(d(2003, 6, 2)), not_published(2003));
        assert_eq!(c.day(d(2027, 1, 1)), not_published(2027));
        assert_eq!(c.is_working_day(d(2003, 12, 31)), not_published(2003));
        assert_eq!(c.year_days(2027), not_published(2027));
        assert_eq!(c.year_days(2003), not_published(2003));
        assert_eq!(c.add_working_days(d(2026, 12, 28), 10), not_published(2027));
        assert_eq!(c.add_working_days(d(2026, 12, 30), 1), Ok(d(2026, 12, 31)));
        assert_eq!(c.add_working_days(d(2026, 12, 31), 1), not_published(2027));
        assert_eq!(c.working_days_between(d(2026, 12, 1), d(2027, 1, 5)), not_published(2027));
        assert_eq!(c.working_days_between(d(2004, 1, 5), d(2003, 12, 30)), not_published(2003));
        assert_eq!(c.deadline_after_days(d(2026, 12, 20), 15), not_published(2027));
        assert_eq!(c.deadline_after_days(d(2003, 12, 20), 15), not_published(2003));
        assert_eq!(c.next_working_day_on_or_after(d(2026, 12, 31)), Ok(d(2026, 12, 31)));
        assert_eq!(c.next_working_day_on_or_after(d(2027, 1, 4)), not_published(2027));
        assert_eq!(Calendar::empty().add_working_days(d(2026, 5, 6), 0), not_published(2026));
        assert_eq!(Calendar::empty().working_days_between(d(2026, 5, 6), d(2026, 5, 6)), not_published(2026));
    }

    #[test]
    fn year_not_published_message_and_code() {
        let err = CalendarError::YearNotPublished { year: 2027 };
        assert_eq!(
            err.to_string(),
            "2027 年的节假日安排尚未发布（或未导入），无法计算工作日；请在国务院发布通知后用 xinyong calendar import 导入该年的安排文件"
        );
        assert_eq!(err.code(), "calendar_year_not_published");
        assert_eq!(CalendarError::Parse { message: String::new() }.code(), "calendar_parse");
        assert_eq!(CalendarError::Invalid { reason: String::new() }.code(), "calendar_invalid");
        assert_eq!(CalendarError::YearAlreadyLoaded { year: 2026 }.code(), "calendar_year_already_loaded");
    }

    #[test]
    fn deadline_rolls_forward_over_national_day() {
        let c = cal();
        // 2026-09-21 + 10 = 10-01, inside 国庆; next working day 10-08.
        assert_eq!(c.deadline_after_days(d(2026, 9, 21), 10), Ok(d(2026, 10, 8)));
        // Landing on the make-up Saturday is fine: people work that day.
        assert_eq!(c.deadline_after_days(d(2026, 9, 30), 10), Ok(d(2026, 10, 10)));
        // Landing on an ordinary Sunday moves to Monday.
        assert_eq!(c.deadline_after_days(d(2026, 9, 30), 11), Ok(d(2026, 10, 12)));
        // A working day stays.
        assert_eq!(c.deadline_after_days(d(2026, 3, 2), 3), Ok(d(2026, 3, 5)));
        assert_eq!(c.deadline_after_days(d(2026, 3, 2), 0), Ok(d(2026, 3, 2)));
    }

    #[test]
    fn next_working_day_on_or_after() {
        let c = cal();
        assert_eq!(c.next_working_day_on_or_after(d(2026, 10, 1)), Ok(d(2026, 10, 8)));
        assert_eq!(c.next_working_day_on_or_after(d(2026, 10, 10)), Ok(d(2026, 10, 10)));
        assert_eq!(c.next_working_day_on_or_after(d(2026, 10, 11)), Ok(d(2026, 10, 12)));
        assert_eq!(c.next_working_day_on_or_after(d(2026, 2, 14)), Ok(d(2026, 2, 14)));
    }

    #[test]
    fn day_kinds_and_names() {
        let c = cal();
        let day = |date| c.day(date).unwrap();
        assert_eq!(day(d(2026, 10, 10)).kind, DayKind::MakeupWorkday);
        assert_eq!(day(d(2026, 10, 11)), Day { date: d(2026, 10, 11), kind: DayKind::Weekend, name: None });
        assert_eq!(day(d(2026, 10, 12)), Day { date: d(2026, 10, 12), kind: DayKind::Workday, name: None });
        // A weekend day inside a block is a holiday, not a weekend.
        assert_eq!(day(d(2026, 2, 21)).kind, DayKind::Holiday);
        assert_eq!(day(d(2026, 2, 21)).name.as_deref(), Some("春节"));
        assert!(c.is_working_day(d(2026, 10, 10)).unwrap());
        assert!(!c.is_working_day(d(2026, 10, 5)).unwrap());
    }

    #[test]
    fn day_kind_strings_and_serde() {
        let all = [DayKind::Workday, DayKind::Weekend, DayKind::Holiday, DayKind::MakeupWorkday];
        let names: Vec<_> = all.iter().map(DayKind::as_str).collect();
        assert_eq!(names, ["workday", "weekend", "holiday", "makeup_workday"]);
        let working: Vec<_> = all.iter().map(DayKind::is_working_day).collect();
        assert_eq!(working, [true, false, false, true]);
        for kind in all {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
        let json = serde_json::to_value(cal().day(d(2026, 10, 10)).unwrap()).unwrap();
        assert_eq!(json, serde_json::json!({"date": "2026-10-10", "kind": "makeup_workday", "name": "国庆节"}));
    }

    #[test]
    fn new_year_blocks_cross_the_year_boundary() {
        let c = cal();
        // From the 2019 notice: 2018-12-29 worked, 12-30 to 2019-01-01 off.
        assert_makeup(&c, d(2018, 12, 29), "元旦");
        assert_block(&c, d(2018, 12, 30), d(2019, 1, 1), "元旦");
        // From the 2008 notice.
        assert_makeup(&c, d(2007, 12, 29), "元旦");
        assert_block(&c, d(2007, 12, 30), d(2008, 1, 1), "元旦");
        // From the 2023 and 2024 notices.
        assert_block(&c, d(2022, 12, 31), d(2023, 1, 2), "元旦");
        assert_block(&c, d(2023, 12, 30), d(2024, 1, 1), "元旦");
    }

    #[test]
    fn may_change_with_next_notice() {
        let c = cal();
        assert!(c.may_change_with_next_notice(d(2026, 12, 28)));
        assert!(!c.may_change_with_next_notice(d(2026, 12, 24)));
        assert!(!c.may_change_with_next_notice(d(2025, 12, 28)));
        assert!(!c.may_change_with_next_notice(d(2026, 6, 1)));
    }

    /// Days where chinese_holiday 2026.0.1 and chinese-days 1.5.7 disagree
    /// on working status; each was settled from the notice text.
    #[test]
    fn source_disagreements_settled_by_the_notices() {
        let c = cal();
        // 2006 notice: "12月31日(星期六)上班" (chinese-days omits it).
        assert_makeup(&c, d(2005, 12, 31), "元旦");
        // 2016 notice: "10月8日(星期六)、10月9日(星期日)上班" (chinese_holiday omits 10-09).
        assert_makeup(&c, d(2016, 10, 8), "国庆节");
        assert_makeup(&c, d(2016, 10, 9), "国庆节");
        // 2017 notice: "1月1日放假,1月2日(星期一)补休"; chinese_holiday has
        // 2016-12-30 (a Friday) off by mistake.
        assert_eq!(c.kind(d(2016, 12, 30)), Ok(DayKind::Workday));
        assert_block(&c, d(2016, 12, 31), d(2017, 1, 2), "元旦");
    }

    #[test]
    fn special_and_amended_arrangements() {
        let c = cal();
        // 2015: one-off holiday for the 70th anniversary of victory.
        assert_block(&c, d(2015, 9, 3), d(2015, 9, 5), "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日");
        assert_eq!(c.kind(d(2015, 9, 6)), Ok(DayKind::MakeupWorkday));
        // 2019: Labour Day extended to 4 days by a later notice.
        assert_block(&c, d(2019, 5, 1), d(2019, 5, 4), "劳动节");
        assert_eq!(c.kind(d(2019, 4, 28)), Ok(DayKind::MakeupWorkday));
        assert_eq!(c.kind(d(2019, 5, 5)), Ok(DayKind::MakeupWorkday));
        // 2020: Spring Festival extended to 2-2; the 2-1 make-up Saturday lapsed.
        assert_block(&c, d(2020, 1, 24), d(2020, 2, 2), "春节");
        assert_makeup(&c, d(2020, 1, 19), "春节");
        // Before 2008 Labour Day was a 7-day golden week.
        assert_block(&c, d(2007, 5, 1), d(2007, 5, 7), "劳动节");
    }

    #[test]
    fn every_year_has_new_year_and_spring_festival() {
        let c = cal();
        for year in 2004..=2026 {
            let names: Vec<_> = c.schedule(year).unwrap().holidays().iter().map(HolidayBlock::name).collect();
            assert!(names.contains(&"元旦"), "{year}: {names:?}");
            assert!(names.contains(&"春节"), "{year}: {names:?}");
            assert!(names.iter().any(|n| n.contains("国庆节")), "{year}: {names:?}");
            assert!(names.iter().any(|n| n.contains("劳动节")), "{year}: {names:?}");
            // 清明, 端午 and 中秋 became holidays in 2008.
            assert_eq!(names.contains(&"清明节"), year >= 2008, "{year}: {names:?}");
        }
    }

    #[test]
    fn working_days_per_year() {
        let c = cal();
        // Pinned from the data, cross-checked against both sources; 2026 may
        // still lose a day or two of late December to the 2027 notice.
        let expected = [
            252, 251, 251, 249, 251, 250, 250, 250, 249, 250, 250, 249, 250, 249, 250, 250, 249, 250, 249, 249, 251,
            248, 248,
        ];
        for (year, want) in (2004..=2026).zip(expected) {
            let days = c.year_days(year).unwrap();
            assert_eq!(days.len(), if NaiveDate::from_ymd_opt(year, 2, 29).is_some() { 366 } else { 365 });
            let working = days.iter().filter(|x| x.kind.is_working_day()).count();
            assert!((245..=252).contains(&working), "{year}: {working}");
            assert_eq!(working, want, "{year}");
            if year > 2004 {
                let dec31 = d(year - 1, 12, 31);
                let want = i64::try_from(working).unwrap();
                assert_eq!(c.working_days_between(dec31, d(year, 12, 31)), Ok(want), "{year}");
            }
        }
    }

    // --- importing -------------------------------------------------------

    const SAMPLE_2027: &str = r#"
year = 2027
notice = "国务院办公厅关于2027年部分节假日安排的通知"
published = "2026-11-10"

[[holidays]]
name = "元旦"
days_off = ["2027-01-01", "2027-01-02", "2027-01-03"]

[[holidays]]
name = "春节"
days_off = ["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13"]
makeup_workdays = ["2027-02-14", "2027-02-20"]
"#;

    #[test]
    fn operator_adds_next_year() {
        let mut c = cal();
        assert!(c.kind(d(2027, 2, 8)).is_err());
        assert_eq!(c.add_year_toml(SAMPLE_2027), Ok(2027));
        assert_eq!(c.kind(d(2027, 2, 8)), Ok(DayKind::Holiday));
        assert_eq!(c.kind(d(2027, 2, 20)), Ok(DayKind::MakeupWorkday));
        assert_eq!(c.kind(d(2027, 3, 3)), Ok(DayKind::Workday));
        // 12-29, 12-30, 12-31, then 元旦 1-1..1-3, then 1-4..1-8 and 1-11, 1-12.
        assert_eq!(c.add_working_days(d(2026, 12, 28), 10), Ok(d(2027, 1, 12)));
        assert!(!c.may_change_with_next_notice(d(2026, 12, 28)));
        // The shared official calendar is untouched.
        assert!(Calendar::official().kind(d(2027, 2, 8)).is_err());
        // A second import of the same year is refused; a replacement is not.
        assert_eq!(c.add_year_toml(SAMPLE_2027), Err(CalendarError::YearAlreadyLoaded { year: 2027 }));
        let corrected = SAMPLE_2027.replace(r#", "2027-02-20"]"#, "]");
        assert_eq!(c.replace_year_toml(&corrected), Ok(2027));
        assert_eq!(c.kind(d(2027, 2, 20)), Ok(DayKind::Weekend));
    }

    #[test]
    fn published_years_are_laid_over_the_shipped_ones_together() {
        let corrected_2026 = include_str!("../data/calendar/2026.toml")
            .replace("year = 2026", "year = 2026\nversion = \"2026.2\"")
            .replace(r#"makeup_workdays = ["2026-09-20", "2026-10-10"]"#, r#"makeup_workdays = ["2026-09-20"]"#);
        assert_eq!(parse_year_toml(&corrected_2026).map(|s| s.version().to_owned()), Ok("2026.2".to_owned()));
        assert_eq!(parse_year_toml(SAMPLE_2027).map(|s| (s.year(), s.version().to_owned())), Ok((2027, "1".into())));

        let mut c = cal();
        assert_eq!(c.replace_years_toml([SAMPLE_2027, corrected_2026.as_str()]), Ok(vec![2027, 2026]));
        assert_eq!(c.kind(d(2026, 10, 10)), Ok(DayKind::Weekend));
        assert_eq!(c.kind(d(2027, 2, 8)), Ok(DayKind::Holiday));
        // The running totals span the replaced and the new year.
        assert_eq!(c.working_days_between(d(2026, 12, 31), d(2027, 1, 4)), Ok(1));

        // Two files for one year, or one clashing with a neighbour, change nothing.
        let before = c.clone();
        assert!(c.replace_years_toml([SAMPLE_2027, SAMPLE_2027]).is_err());
        let clash = SAMPLE_2027.replace(r#"days_off = ["2027-01-01","#, r#"days_off = ["2026-12-31", "2027-01-01","#);
        let claim_2026 = include_str!("../data/calendar/2026.toml").replace(
            r#"days_off = ["2026-01-01", "2026-01-02", "2026-01-03"]"#,
            r#"days_off = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-12-31"]"#,
        );
        match c.replace_years_toml([claim_2026.as_str(), clash.as_str()]) {
            Err(CalendarError::Invalid { reason }) => assert!(reason.contains("2026-12-31"), "{reason}"),
            other => panic!("two notices claim 2026-12-31: {other:?}"),
        }
        assert_eq!(c.kind(d(2026, 12, 31)), Ok(DayKind::Workday));
        assert!(c.replace_years_toml([clash.as_str()]).is_ok(), "2026-12-31 is free in the shipped 2026");
        assert_eq!(before.kind(d(2026, 12, 31)), Ok(DayKind::Workday));
        assert_eq!(c.kind(d(2026, 12, 31)), Ok(DayKind::Holiday));
        let blank_version = SAMPLE_2027.replace("year = 2027", "year = 2027\nversion = \" \"");
        assert!(matches!(parse_year_toml(&blank_version), Err(CalendarError::Invalid { .. })));
    }

    #[test]
    fn import_reaching_into_previous_december() {
        let mut c = cal();
        let text = r#"
year = 2027
notice = "国务院办公厅关于2027年部分节假日安排的通知"
[[holidays]]
name = "元旦"
days_off = ["2026-12-31", "2027-01-01"]
makeup_workdays = ["2026-12-27"]
"#;
        assert_eq!(c.add_year_toml(text), Ok(2027));
        assert_eq!(c.kind(d(2026, 12, 31)), Ok(DayKind::Holiday));
        assert_eq!(c.kind(d(2026, 12, 27)), Ok(DayKind::MakeupWorkday));
    }

    fn invalid_reason(c: &mut Calendar, text: &str) -> String {
        match c.add_year_toml(text) {
            Err(CalendarError::Invalid { reason }) => reason,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn import_rejects_bad_schedules() {
        let mut c = cal();
        let with = |from: &str, to: &str| {
            let text = SAMPLE_2027.replace(from, to);
            assert_ne!(text, SAMPLE_2027, "replacement {from:?} did not apply");
            text
        };
        let cases = [
            (with("year = 2027", "year = 1999"), "年份 1999"),
            (with("year = 2027", "year = -5"), "年份 -5"),
            (with("\"国务院办公厅关于2027年部分节假日安排的通知\"", "\"  \""), "notice"),
            (with("2026-11-10", "2025-11-10"), "通知日期"),
            (with("\"2027-01-02\"", "\"2027-1-2\""), "格式有误"),
            (with("\"2027-01-02\"", "\"2027-02-30\""), "格式有误"),
            (with("\"2027-01-02\"", "\"2028-01-02\""), "不在 2027 年内"),
            (with("\"2027-02-06\"", "\"2026-12-31\""), "不在 2027 年内"),
            (with("\"2027-01-02\"", "\"2027-01-01\""), "重复出现"),
            (with("\"2027-02-14\"", "\"2027-02-13\""), "同时被列为放假日和调休上班日"),
            (with("\"2027-02-14\"", "\"2027-02-15\""), "星期一"),
            (with("name = \"元旦\"", "name = \"\""), "name"),
        ];
        for (text, needle) in cases {
            let reason = invalid_reason(&mut c, &text);
            assert!(reason.contains(needle), "{needle:?} not in {reason:?}");
        }
        let empty_block = "year = 2027\nnotice = \"x\"\n[[holidays]]\nname = \"元旦\"\ndays_off = []\n";
        assert!(invalid_reason(&mut c, empty_block).contains("days_off 为空"));
        let no_blocks = "year = 2027\nnotice = \"x\"\nholidays = []\n";
        assert!(invalid_reason(&mut c, no_blocks).contains("没有任何假日安排"));
        // Claiming a day another notice already arranged.
        let clash =
            "year = 2027\nnotice = \"x\"\n[[holidays]]\nname = \"元旦\"\ndays_off = [\"2026-12-31\", \"2027-01-01\"]\n";
        let mut with_2026_claim = Calendar::empty();
        let own_2026 = "year = 2026\nnotice = \"x\"\n[[holidays]]\nname = \"x\"\ndays_off = [\"2026-12-31\"]\n";
        assert_eq!(with_2026_claim.add_year_toml(own_2026), Ok(2026));
        assert!(invalid_reason(&mut with_2026_claim, clash).contains("同时出现在 2026 年和 2027 年"));
        assert_eq!(with_2026_claim.years(), vec![2026]);
        // Nothing above changed the calendar.
        assert_eq!(c.years(), (2004..=2026).collect::<Vec<u16>>());
    }

    #[test]
    fn import_rejects_malformed_toml() {
        let mut c = Calendar::empty();
        for text in [
            "",
            "not toml at all",
            "year = \"2027\"\nnotice = \"x\"\nholidays = []",
            // Typo in a key must not silently drop the make-up days.
            &SAMPLE_2027.replace("makeup_workdays", "makeup_workday"),
            &SAMPLE_2027.replace("published = \"2026-11-10\"", "published = 2026-11-10"),
        ] {
            let err = c.add_year_toml(text).unwrap_err();
            assert_eq!(err.code(), "calendar_parse", "{text:?}: {err}");
            assert!(err.to_string().starts_with("节假日安排文件无法解析"));
        }
        assert!(c.years().is_empty());
    }

    proptest! {
        #[test]
        fn the_running_count_agrees_with_walking_the_days(a in 0u64..(23 * 366), b in 0u64..(23 * 366)) {
            let cal = Calendar::official();
            let base = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
            let (x, y) = (base + chrono::Days::new(a), base + chrono::Days::new(b));
            prop_assert_eq!(cal.working_days_between(x, y), cal.working_days_between_by_walking(x, y));
        }

        #[test]
        fn working_days_between_inverts_add_working_days(
            offset in 0u64..(21 * 366),
            n in 0u32..200,
        ) {
            let c = cal();
            let start = d(2005, 1, 1).checked_add_days(Days::new(offset)).unwrap();
            prop_assume!(start.year() <= 2025);
            let end = c.add_working_days(start, n).unwrap();
            prop_assert_eq!(c.working_days_between(start, end), Ok(i64::from(n)));
            prop_assert_eq!(c.working_days_between(end, start), Ok(-i64::from(n)));
            if n > 0 {
                prop_assert!(c.is_working_day(end).unwrap());
            }
        }

        #[test]
        fn deadline_is_a_working_day_on_or_after_the_natural_end(
            offset in 0u64..(21 * 366),
            days in 0u32..400,
        ) {
            let c = cal();
            let start = d(2005, 1, 1).checked_add_days(Days::new(offset)).unwrap();
            // Up to 400 days on from 2024 stays inside the shipped data.
            prop_assume!(start.year() <= 2024);
            let deadline = c.deadline_after_days(start, days).unwrap();
            let natural = start.checked_add_days(Days::new(u64::from(days))).unwrap();
            prop_assert!(deadline >= natural);
            prop_assert!(c.is_working_day(deadline).unwrap());
            for date in span(natural, deadline.pred_opt().unwrap()) {
                prop_assert!(!c.is_working_day(date).unwrap());
            }
        }

        #[test]
        fn import_never_panics_on_arbitrary_text(text in any::<String>()) {
            let mut c = Calendar::empty();
            let _ = c.add_year_toml(&text);
        }

        #[test]
        fn import_never_panics_on_damaged_files(
            file in 0usize..SHIPPED.len(),
            cut in any::<prop::sample::Index>(),
            insert in "[0-9\\-\\[\\]\",= a-z\n]{0,12}",
        ) {
            let text = SHIPPED[file];
            let mut pos = cut.index(text.len());
            while !text.is_char_boundary(pos) {
                pos -= 1;
            }
            let damaged = format!("{}{}{}", &text[..pos], insert, &text[pos..]);
            let mut c = Calendar::empty();
            if let Ok(year) = c.add_year_toml(&damaged) {
                prop_assert_eq!(c.years(), vec![year]);
            }
        }
    }
}
