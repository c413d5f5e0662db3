//! "What was public about a subject on date D" (time travel), answered from
//! the log: every event whose entry names the organisation, up to the end
//! of D (China Standard Time), is replayed through the same projection
//! writes that built the tables, and the same visibility rules as today's
//! portal are applied to the records and listings as they stood, on D. A
//! bidder's status on the bid date can so be proven later, and checked
//! against the signed log entry by entry.
//!
//! What is replayed: records (accepted, corrected, publicity ended early)
//! and listings (proposed, decided, exited). The basic facts shown above
//! them (name, status, representative) are today's; the grade is the one
//! given last by the end of D (`grade_history`). Events whose body was
//! erased cannot be replayed; they are counted, never guessed.

use std::collections::{BTreeMap, HashMap};

use chrono::{Days, NaiveDate, TimeZone as _};
use xinyong_domain::Uscc;
use xinyong_domain::collection::catalog::{CatalogItem, Category};
use xinyong_domain::collection::{RECORDS, RecordRow};
use xinyong_domain::event::{EventBody, EventKind, EventMeta};
use xinyong_domain::lists::{LISTINGS, ListingRow};
use xinyong_domain::projection::{Cell, Row as _, RowState};

use super::{SubjectProfile, public_view, subject_profile};
use crate::clock::china_offset;
use crate::error::{CoreError, Result};
use crate::log::Core;

/// Events read per page, and the most one answer replays.
const PAGE: u32 = 1_000;
const MAX_EVENTS: usize = 200_000;

/// A subject's public profile as it stood at the end of `day`, with the
/// number of its events that could not be replayed (body erased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileAsOf {
    pub profile: SubjectProfile,
    pub replayed_events: u64,
    pub erased_events: u64,
}

/// The rows of `records` and `listings` written by the subject's events
/// before `until_ms`.
async fn replay(core: &Core, uscc: &Uscc, until_ms: i64) -> Result<(Vec<RecordRow>, Vec<ListingRow>, u64, u64)> {
    let mut tables: HashMap<&'static str, BTreeMap<Vec<Cell>, Vec<Cell>>> = HashMap::new();
    let (mut replayed, mut erased, mut after) = (0u64, 0u64, None);
    loop {
        let page = core.store().events_of_subject(uscc.as_str(), until_ms, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.seq as u64);
        for stored in &page {
            let wanted = matches!(EventKind::parse(&stored.kind), Some(EventKind::Collection(_) | EventKind::Lists(_)));
            if !wanted {
                continue;
            }
            let Some(body) = stored.body.as_deref() else {
                erased += 1;
                continue;
            };
            let kind = EventKind::parse(&stored.kind)
                .ok_or_else(|| CoreError::Log(format!("未知的事件类型 {}", stored.kind)))?;
            let body = EventBody::from_json(kind, body)
                .map_err(|e| CoreError::Log(format!("第 {} 条日志的内容无法解析：{e}", stored.seq)))?;
            let time = xinyong_domain::log::time_from_millis(stored.time_ms).unwrap_or_default();
            let writes = body
                .projection_writes(EventMeta { seq: stored.seq as u64, time })
                .map_err(|e| CoreError::Log(format!("第 {} 条日志无法重放：{e}", stored.seq)))?;
            for write in writes {
                let rows = tables.entry(write.table().name).or_default();
                let key = write.key().to_vec();
                let before = rows.remove(&key).map(RowState::Row);
                if let Some(RowState::Row(row)) = RowState::apply(before, &write) {
                    rows.insert(key, row);
                }
            }
            replayed += 1;
        }
        if page.len() < PAGE as usize || replayed + erased >= MAX_EVENTS as u64 {
            break;
        }
    }
    let read = |name: &str| tables.get(name).map(|t| t.values().cloned().collect::<Vec<_>>()).unwrap_or_default();
    let records =
        read(RECORDS.name).iter().map(|c| RecordRow::from_cells(c)).collect::<std::result::Result<Vec<_>, _>>();
    let listings =
        read(LISTINGS.name).iter().map(|c| ListingRow::from_cells(c)).collect::<std::result::Result<Vec<_>, _>>();
    let records = records.map_err(|e| CoreError::Log(format!("重放的信息记录无法读取：{e}")))?;
    let listings = listings.map_err(|e| CoreError::Log(format!("重放的名单记录无法读取：{e}")))?;
    Ok((records, listings, replayed, erased))
}

/// What was public about `uscc` on `day`; `None` when the organisation is
/// unknown. `day` may not be after today.
pub async fn profile_as_of(core: &Core, uscc: &Uscc, day: NaiveDate) -> Result<Option<ProfileAsOf>> {
    let today = crate::collection::intake::china_today(core);
    if day > today {
        return Err(CoreError::invalid("as_of_in_future", format!("查询日期 {day} 晚于今天（{today}）")));
    }
    let Some(mut profile) = subject_profile(core, uscc).await? else { return Ok(None) };
    let end = day.checked_add_days(Days::new(1)).unwrap_or(day).and_hms_opt(0, 0, 0).unwrap_or_default();
    let until_ms = china_offset().from_local_datetime(&end).single().map_or(i64::MAX, |t| t.timestamp_millis());
    let (records, listings, replayed_events, erased_events) = replay(core, uscc, until_ms).await?;

    let rules = core.rules();
    let catalog = &rules.catalog;
    let mask = &core.settings().mask;
    profile.as_of = day;
    profile.licences.clear();
    profile.penalties.clear();
    profile.other_acts.clear();
    profile.list_entries.clear();
    let mut shown: Vec<_> = records
        .into_iter()
        .filter_map(|row| {
            let seq = row.seq;
            public_view(&row.into_record(), seq, catalog, mask, day)
        })
        .collect();
    // Newest decision first (ties by id, descending), as today's page.
    shown.sort_by(|a, b| (b.decision_date, &b.id).cmp(&(a.decision_date, &a.id)));
    for record in shown {
        match catalog.item(&record.item).map(CatalogItem::category) {
            Some(Category::AdministrativeLicensing) => profile.licences.push(record),
            Some(Category::AdministrativePenalty) => profile.penalties.push(record),
            Some(Category::CourtDishonestDebtor) => profile.list_entries.push(record),
            _ => profile.other_acts.push(record),
        }
    }
    let departments = super::department_names(core).await?;
    profile.memberships = crate::lists::published::entries_on(listings, core, &departments, day);
    profile.grades = crate::evaluation::view::public_grades_on(core, uscc, day).await?;
    Ok(Some(ProfileAsOf { profile, replayed_events, erased_events }))
}
