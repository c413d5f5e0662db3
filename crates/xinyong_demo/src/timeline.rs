//! The demo city's simulated time. A real city's log records each act when
//! it happens: a 2024 listing's decision and its pushes in 2024, the
//! executing departments' acknowledgements hours later, their feedback days
//! later. The demo writes its history the same way — every act through a
//! core whose clock stands at the act's own date and office hour, in date
//! order — so the log's times, the closed loop's response times and its
//! overdue pushes mean what they would in a city that ran the platform
//! since 2019.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use xinyong_core::{Core, ManualClock};

/// When the demo city's platform went live: the subjects, departments and
/// console accounts are registered then, before the first upload.
pub(crate) fn city_start() -> DateTime<Utc> {
    office_time(NaiveDate::from_ymd_opt(2019, 1, 2).unwrap_or_default(), 0)
}

/// `minutes` after 08:30 on `day`, China Standard Time.
pub(crate) fn office_time(day: NaiveDate, minutes: u32) -> DateTime<Utc> {
    let opening = NaiveTime::from_hms_opt(8, 30, 0).unwrap_or_default();
    day.and_time(opening)
        .and_local_timezone(xinyong_core::clock::china_offset())
        .single()
        .map(|t| t.with_timezone(&Utc) + chrono::Duration::minutes(i64::from(minutes)))
        .unwrap_or_default()
}

/// A core whose clock the demo moves act by act, never past the real now.
pub(crate) struct Timeline {
    clock: ManualClock,
    core: Core,
    now: DateTime<Utc>,
}

impl Timeline {
    /// Starts at `core`'s now (the real time of the run, or a test's clock).
    pub(crate) fn new(core: &Core) -> Timeline {
        let now = core.now();
        let clock = ManualClock::new(now);
        Timeline { core: core.with_clock(Arc::new(clock.clone())), clock, now }
    }

    /// The real now the demo runs at.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The core with its clock at `at` (or now, for an act not yet due).
    pub(crate) fn at(&self, at: DateTime<Utc>) -> &Core {
        self.clock.set(at.min(self.now));
        &self.core
    }
}

/// Acts waiting for their time, played earliest first; acts at the same
/// instant in the order they were scheduled.
pub(crate) struct Schedule<A> {
    acts: BTreeMap<(DateTime<Utc>, u64), A>,
    scheduled: u64,
}

impl<A> Schedule<A> {
    pub(crate) fn new() -> Schedule<A> {
        Schedule { acts: BTreeMap::new(), scheduled: 0 }
    }

    pub(crate) fn add(&mut self, at: DateTime<Utc>, act: A) {
        self.acts.insert((at, self.scheduled), act);
        self.scheduled += 1;
    }

    /// The earliest act and its time.
    pub(crate) fn next(&mut self) -> Option<(DateTime<Utc>, A)> {
        self.acts.pop_first().map(|((at, _), act)| (at, act))
    }

    /// Acts scheduled so far, played or not.
    pub(crate) fn scheduled(&self) -> u64 {
        self.scheduled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_time_is_china_time() {
        let t = office_time(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(), 90);
        assert_eq!(t.to_rfc3339(), "2024-03-05T02:00:00+00:00");
    }

    #[test]
    fn the_schedule_plays_earliest_first_and_ties_in_order() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 5).unwrap();
        let mut s = Schedule::new();
        s.add(office_time(day, 60), "b");
        s.add(office_time(day, 0), "a");
        s.add(office_time(day, 60), "c");
        let order: Vec<&str> = std::iter::from_fn(|| s.next().map(|(_, a)| a)).collect();
        assert_eq!(order, ["a", "b", "c"]);
        assert_eq!(s.scheduled(), 3);
    }
}
