//! Scoring: facts in, a score with its grade and reasons out. The facts of
//! many subjects are kept columnar (an interned key and a day per fact) so a
//! million subjects are scored in one pass over flat arrays; the model is
//! compiled against the keys once, so scoring a fact is a table lookup.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::evaluation::{FactSource, ScorecardModel};

/// One fact about a subject, as an indicator sees it (see [`FactSource`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactKey {
    pub source: FactSource,
    pub class: String,
    pub code: String,
}

/// Interned fact keys: the few thousand distinct (source, class, code)
/// triples a city's facts use, each with a small number.
#[derive(Debug, Clone, Default)]
pub struct FactKeys {
    ids: HashMap<FactKey, u32>,
    keys: Vec<FactKey>,
}

impl FactKeys {
    pub fn intern(&mut self, source: FactSource, class: &str, code: &str) -> u32 {
        let key = FactKey { source, class: class.to_owned(), code: code.to_owned() };
        if let Some(id) = self.ids.get(&key) {
            return *id;
        }
        let id = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        self.keys.push(key.clone());
        self.ids.insert(key, id);
        id
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn get(&self, id: u32) -> Option<&FactKey> {
        self.keys.get(usize::try_from(id).ok()?)
    }
}

/// A fact of one subject: its interned key and its date as days since
/// 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fact {
    pub key: u32,
    pub day: i32,
}

/// Days since 1970-01-01 of a date (how facts carry dates).
pub fn day_number(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN);
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MIN)
}

/// A model compiled against a set of fact keys: for each key, the
/// indicators it counts toward and its points there.
#[derive(Debug, Clone)]
pub struct Compiled<'m> {
    pub model: &'m ScorecardModel,
    per_key: Vec<Vec<(u16, i64)>>,
}

impl ScorecardModel {
    /// Compiles the model against `keys` (call again when keys were added).
    pub fn compile(&self, keys: &FactKeys) -> Compiled<'_> {
        let per_key = keys
            .keys
            .iter()
            .map(|key| {
                self.indicators
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| {
                        i.source == key.source
                            && (i.classes.is_empty() || i.classes.contains(&key.class))
                            && (i.codes.is_empty() || i.codes.contains(&key.code))
                    })
                    .map(|(n, i)| (u16::try_from(n).unwrap_or(u16::MAX), i.points_for(&key.code)))
                    .collect()
            })
            .collect();
        Compiled { model: self, per_key }
    }
}

/// What an indicator did to one subject's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The indicator's code in the model.
    pub indicator: String,
    /// Facts that counted.
    pub count: u32,
    /// Points after decay and cap, in hundredths.
    pub points_centi: i64,
}

/// A subject's score under one model: plain numbers, no allocation, so a
/// million of them cost one vector. Names come from the model
/// ([`Scored::grade`], [`Scored::reasons`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    /// Hundredths of a point.
    pub score_centi: i64,
    /// Index of the grade band in the model (`None`: no band fits).
    pub band: Option<u16>,
    /// The indicators that moved the score most, largest first; the first
    /// `reasons_len` slots are used.
    slots: [Slot; REASONS_KEPT],
    reasons_len: u8,
}

/// One kept reason: indicator index, facts counted, points in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Slot {
    indicator: u16,
    count: u32,
    points_centi: i64,
}

impl Scored {
    /// The grade (`""` when no band fits).
    pub fn grade<'m>(&self, model: &'m ScorecardModel) -> &'m str {
        self.band.and_then(|b| model.bands.get(usize::from(b))).map_or("", |b| b.grade.as_str())
    }

    /// The reasons with the indicators' codes, largest first.
    pub fn reasons(&self, model: &ScorecardModel) -> Vec<Reason> {
        self.slots[..usize::from(self.reasons_len)]
            .iter()
            .map(|s| Reason {
                indicator: model.indicators.get(usize::from(s.indicator)).map(|i| i.code.clone()).unwrap_or_default(),
                count: s.count,
                points_centi: s.points_centi,
            })
            .collect()
    }

    /// Whether `other` are these reasons (without building them).
    pub fn same_reasons(&self, model: &ScorecardModel, other: &[Reason]) -> bool {
        let mine = &self.slots[..usize::from(self.reasons_len)];
        mine.len() == other.len()
            && mine.iter().zip(other).all(|(s, r)| {
                s.count == r.count
                    && s.points_centi == r.points_centi
                    && model.indicators.get(usize::from(s.indicator)).is_some_and(|i| i.code == r.indicator)
            })
    }
}

/// Reasons kept with a grade.
pub const REASONS_KEPT: usize = 3;

/// Per-thread scratch space, so scoring a million subjects allocates once.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    totals: Vec<i64>,
    counts: Vec<u32>,
}

impl Compiled<'_> {
    /// Scores one subject's facts on `today` (a day number).
    pub fn score(&self, facts: &[Fact], today: i32, scratch: &mut Scratch) -> Scored {
        let n = self.model.indicators.len();
        scratch.totals.clear();
        scratch.totals.resize(n, 0);
        scratch.counts.clear();
        scratch.counts.resize(n, 0);
        for fact in facts {
            let Some(hits) = usize::try_from(fact.key).ok().and_then(|k| self.per_key.get(k)) else { continue };
            let age = i64::from(today) - i64::from(fact.day);
            for &(indicator, points) in hits {
                let i = usize::from(indicator);
                let percent = self.model.indicators[i].percent_at(age);
                if percent == 0 {
                    continue;
                }
                // Saturating: a model's numbers are not bounded, and an
                // absurd one must give an absurd score, not a wrap or a panic.
                scratch.totals[i] = scratch.totals[i].saturating_add(points.saturating_mul(percent));
                scratch.counts[i] += 1;
            }
        }
        let mut score_centi = self.model.base.saturating_mul(100);
        let mut scored = Scored { score_centi: 0, band: None, slots: [Slot::default(); REASONS_KEPT], reasons_len: 0 };
        for (i, indicator) in self.model.indicators.iter().enumerate() {
            let mut total = scratch.totals[i];
            if let Some(cap) = indicator.cap {
                let cap = cap.saturating_mul(100);
                total = if cap < 0 { total.max(cap) } else { total.min(cap) };
            }
            score_centi = score_centi.saturating_add(total);
            if total != 0 {
                let slot = Slot {
                    indicator: u16::try_from(i).unwrap_or(u16::MAX),
                    count: scratch.counts[i],
                    points_centi: total,
                };
                keep_largest(&mut scored, slot);
            }
        }
        scored.score_centi = score_centi;
        scored.band = self.model.band_index(score_centi).and_then(|b| u16::try_from(b).ok());
        scored
    }
}

/// Inserts `slot` among the kept reasons: largest effect first, the
/// model's order breaking ties (slots arrive in model order, so a later
/// one goes after an equal one), at most [`REASONS_KEPT`].
fn keep_largest(scored: &mut Scored, slot: Slot) {
    let len = usize::from(scored.reasons_len);
    let effect = slot.points_centi.unsigned_abs();
    let at = scored.slots[..len].iter().position(|s| s.points_centi.unsigned_abs() < effect).unwrap_or(len);
    if at >= REASONS_KEPT {
        return;
    }
    let end = len.min(REASONS_KEPT - 1);
    scored.slots.copy_within(at..end, at + 1);
    scored.slots[at] = slot;
    scored.reasons_len = u8::try_from((len + 1).min(REASONS_KEPT)).unwrap_or(0);
}

/// A score in hundredths as people read it: `985`, `985.5`, `-12.25`.
pub fn format_points(centi: i64) -> String {
    let sign = if centi < 0 { "-" } else { "" };
    let (whole, frac) = (centi.abs() / 100, centi.abs() % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// A reason for people: `严重失信行政处罚 1 条，−120 分`.
pub fn reason_zh(model: &ScorecardModel, reason: &Reason) -> String {
    let name = model.indicator(&reason.indicator).map_or(reason.indicator.as_str(), |i| i.name.as_str());
    let points = format_points(reason.points_centi);
    let signed = if reason.points_centi > 0 { format!("+{points}") } else { points.replace('-', "−") };
    format!("{name} {} 项，{signed} 分", reason.count)
}
