//! `xinyong bench search`: the company-name index over demo names, built in
//! memory through the follower's own path (`LogSubscriber::apply` on stored
//! events), queried with random name fragments and whole names, next to
//! SQLite FTS5 trigram on the same names and queries; plus misspelt
//! fragments, which only our fuzzy fallback answers.

use std::time::{Duration, Instant};
use xinyong_domain::subjects::SubjectsEvent;

use xinyong_core::log::follower::{FollowedEvent, LogSubscriber as _};
use xinyong_core::portal::search::{MatchKind, SearchIndex, normalize, strip_legal_forms};
use xinyong_demo::city::DemoCity;
use xinyong_domain::event::EventBody;
use xinyong_storage::{Fts5Method, StoredEvent};

use super::{Baseline, Figure, Report, print_report};
use crate::{CmdResult, Failure};

/// Hits per query, as the portal's search box asks for.
const TOP: usize = 10;

/// Events handed to `apply` at once: the follower's batch size.
const APPLY_BATCH: usize = 5_000;

/// SplitMix64: a fixed, documented sequence, so a seed always names the same
/// queries (rand's range helpers may change between releases).
struct Pick(u64);

impl Pick {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// One query and the subject (index into the names) it was taken from.
struct Query {
    text: String,
    subject: usize,
}

/// What one set of queries measured on one system.
#[derive(Default)]
struct Run {
    latencies: Vec<Duration>,
    found: Vec<bool>,
}

impl Run {
    fn push(&mut self, took: Duration, found: bool) {
        self.latencies.push(took);
        self.found.push(found);
    }

    /// Nearest-rank percentile in microseconds.
    fn percentile_us(&self, p: usize, pick: impl Fn(usize) -> bool) -> f64 {
        let mut v: Vec<Duration> =
            self.latencies.iter().enumerate().filter(|(i, _)| pick(*i)).map(|(_, d)| *d).collect();
        if v.is_empty() {
            return 0.0;
        }
        v.sort_unstable();
        let rank = (p * v.len()).div_ceil(100).clamp(1, v.len());
        (v[rank - 1].as_secs_f64() * 1e6 * 10.0).round() / 10.0
    }

    /// Share of queries (among those `pick` selects) whose subject was found, in %.
    fn recall(&self, pick: impl Fn(usize) -> bool) -> f64 {
        let (mut n, mut hit) = (0usize, 0usize);
        for (i, found) in self.found.iter().enumerate() {
            if pick(i) {
                n += 1;
                hit += usize::from(*found);
            }
        }
        if n == 0 { 0.0 } else { (hit as f64 * 1000.0 / n as f64).round() / 10.0 }
    }
}

pub async fn run(subjects: u64, seed: u64, queries: usize, json: bool) -> CmdResult {
    if subjects == 0 || queries == 0 {
        return Err(Failure::Usage("--subjects 与 --queries 应大于 0".to_owned()));
    }
    let built = build_index(subjects, seed);
    let (fragments, exact, typos) = pick_queries(&built.names, seed, queries);
    let ours = measure_ours(&built, &fragments, &exact, &typos);
    let fts = measure_fts5(&built.names, &fragments, &exact).await?;
    let report = Report { bench: "search", backend: "memory", figures: figures(&built, &fragments, &ours, &fts) };
    let title = format!(
        "bench search ({} subjects, seed {seed}; {} fragments of 2–4 characters, {} whole names; top {TOP})",
        built.names.len(),
        fragments.len(),
        exact.len()
    );
    print_report(&report, json, &title)?;
    if !json {
        println!(
            "recall_all_hits: the subject among all hits (no limit); selective: fragments at most {TOP} names contain;"
        );
        println!("ceiling: mean of min(1, {TOP}/names containing the fragment), the best any ranking can expect");
        println!("FTS5: MATCH ORDER BY rank for 3+ characters; LIKE '%xx%' (full scan, unranked) for 2 characters;");
        println!("typo: 4 characters of a name with a middle one replaced (fuzzy fallback; FTS5 has none)");
    }
    Ok(())
}

/// The index built through the follower's path (stored events, applied in
/// batches), with the names and codes of the organisations in it.
struct Built {
    index: SearchIndex,
    names: Vec<String>,
    codes: Vec<String>,
    build: Duration,
}

fn build_index(subjects: u64, seed: u64) -> Built {
    let index = SearchIndex::new();
    let mut names = Vec::with_capacity(subjects as usize);
    let mut codes = Vec::with_capacity(subjects as usize);
    let mut city = DemoCity::new(seed);
    let mut build = Duration::ZERO;
    let bar = indicatif::ProgressBar::new(subjects);
    let mut seq = 0i64;
    while (seq as u64) < subjects {
        let n = (subjects - seq as u64).min(APPLY_BATCH as u64) as usize;
        let mut events = Vec::with_capacity(n);
        for body in city.by_ref().take(n) {
            if let EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, .. }) = &body {
                names.push(subject.name.as_str().to_owned());
                codes.push(subject.uscc.as_str().to_owned());
            }
            events.push(stored(seq, &body));
            seq += 1;
        }
        let t = Instant::now();
        let followed = xinyong_core::log::follower::parse_wanted(&events, |kind| index.wants(kind));
        let refs: Vec<&FollowedEvent> = followed.iter().collect();
        index.apply(&refs, u64::try_from(seq).unwrap_or_default());
        build += t.elapsed();
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    Built { index, names, codes, build }
}

/// Our index on the three query sets.
struct Ours {
    fragments: Run,
    exact: Run,
    typos: Run,
    /// Per fragment: at most [`TOP`] names contain it.
    selective: Vec<bool>,
    found_anywhere: usize,
    /// The best recall@10 any ranking could expect without knowing which
    /// subject the fragment came from: a fragment in m names puts a given one
    /// of them in the top 10 with chance 10/m at best.
    ceiling: f64,
    fuzzy_answers: usize,
}

/// Top 10 timed; all hits (untimed) for completeness and selectivity.
fn measure_ours(built: &Built, fragments: &[Query], exact: &[Query], typos: &[Query]) -> Ours {
    let (index, codes) = (&built.index, &built.codes);
    let mut ours = Ours {
        fragments: Run::default(),
        exact: Run::default(),
        typos: Run::default(),
        selective: Vec::with_capacity(fragments.len()),
        found_anywhere: 0,
        ceiling: 0.0,
        fuzzy_answers: 0,
    };
    for q in fragments {
        let t = Instant::now();
        let hits = index.search(&q.text, TOP);
        let took = t.elapsed();
        ours.fragments.push(took, hits.iter().any(|h| h.uscc == codes[q.subject]));
        let all = index.search(&q.text, usize::MAX);
        ours.found_anywhere += usize::from(all.iter().any(|h| h.uscc == codes[q.subject]));
        ours.selective.push(all.len() <= TOP);
        ours.ceiling += (TOP as f64 / all.len().max(1) as f64).min(1.0);
    }
    for q in exact {
        let t = Instant::now();
        let hits = index.search(&q.text, TOP);
        let took = t.elapsed();
        ours.exact.push(took, hits.iter().any(|h| h.uscc == codes[q.subject]));
    }
    for q in typos {
        let t = Instant::now();
        let hits = index.search(&q.text, TOP);
        let took = t.elapsed();
        ours.typos.push(took, hits.iter().any(|h| h.uscc == codes[q.subject]));
        ours.fuzzy_answers += usize::from(hits.first().is_some_and(|h| h.rank == MatchKind::Fuzzy));
    }
    ours
}

/// The baseline: the same names and queries in SQLite FTS5 trigram.
struct Fts {
    build: Duration,
    fragments: Run,
    exact: Run,
    like_queries: usize,
}

async fn measure_fts5(names: &[String], fragments: &[Query], exact: &[Query]) -> Result<Fts, Failure> {
    let other = |e: xinyong_storage::StorageError| Failure::Other(e.into());
    let t = Instant::now();
    let fts = xinyong_storage::fts5_baseline(names).await.map_err(other)?;
    let mut out = Fts { build: t.elapsed(), fragments: Run::default(), exact: Run::default(), like_queries: 0 };
    for q in fragments {
        let t = Instant::now();
        let (rows, method) = fts.query(&q.text, TOP as u32).await.map_err(other)?;
        let took = t.elapsed();
        out.like_queries += usize::from(method == Fts5Method::Like);
        out.fragments.push(took, rows.contains(&(q.subject as i64 + 1)));
    }
    for q in exact {
        let t = Instant::now();
        let (rows, _) = fts.query(&q.text, TOP as u32).await.map_err(other)?;
        let took = t.elapsed();
        out.exact.push(took, rows.contains(&(q.subject as i64 + 1)));
    }
    Ok(out)
}

fn us(name: &'static str, ours: f64, base_name: &'static str, base: f64) -> Figure {
    Figure { name, value: ours, unit: "µs", baseline: Some(Baseline { name: base_name, value: base, unit: "µs" }) }
}

fn pct(name: &'static str, ours: f64, base_name: &'static str, base: f64) -> Figure {
    Figure { name, value: ours, unit: "%", baseline: Some(Baseline { name: base_name, value: base, unit: "%" }) }
}

fn plain(name: &'static str, value: f64, unit: &'static str) -> Figure {
    Figure { name, value, unit, baseline: None }
}

/// Every figure next to its FTS5 baseline, in print order.
fn figures(built: &Built, fragments: &[Query], ours: &Ours, fts: &Fts) -> Vec<Figure> {
    let stats = built.index.stats();
    let chars = |i: usize| fragments[i].text.chars().count();
    let all = |_: usize| true;
    let only_selective = |i: usize| ours.selective[i];
    let secs = |d: Duration| (d.as_secs_f64() * 100.0).round() / 100.0;
    let mut figures = vec![
        plain("subjects", built.names.len() as f64, "subjects"),
        Figure {
            name: "build_time",
            value: secs(built.build),
            unit: "s",
            baseline: Some(Baseline { name: "fts5_build_time", value: secs(fts.build), unit: "s" }),
        },
        plain("index_memory", (stats.approx_bytes as f64 / 1e6).round(), "MB"),
        plain("postings", stats.postings as f64, "ids"),
        us(
            "fragment_p50",
            ours.fragments.percentile_us(50, all),
            "fts5_trigram_p50",
            fts.fragments.percentile_us(50, all),
        ),
        us(
            "fragment_p99",
            ours.fragments.percentile_us(99, all),
            "fts5_trigram_p99",
            fts.fragments.percentile_us(99, all),
        ),
    ];
    for (len, name, base) in [
        (2, "fragment2_p99", "fts5_like_p99"),
        (3, "fragment3_p99", "fts5_trigram_p99"),
        (4, "fragment4_p99", "fts5_trigram_p99"),
    ] {
        let of_len = |i: usize| chars(i) == len;
        figures.push(us(name, ours.fragments.percentile_us(99, of_len), base, fts.fragments.percentile_us(99, of_len)));
    }
    let share = |n: usize| (n as f64 * 1000.0 / fragments.len() as f64).round() / 10.0;
    figures.extend([
        pct("fragment_recall_at_10", ours.fragments.recall(all), "fts5_recall_at_10", fts.fragments.recall(all)),
        plain("fragment_recall_at_10_ceiling", (ours.ceiling * 1000.0 / fragments.len() as f64).round() / 10.0, "%"),
        plain("fragment_recall_all_hits", share(ours.found_anywhere), "%"),
        plain("selective_fragments", ours.selective.iter().filter(|s| **s).count() as f64, "queries"),
        pct(
            "selective_recall_at_10",
            ours.fragments.recall(only_selective),
            "fts5_recall_at_10",
            fts.fragments.recall(only_selective),
        ),
        plain("fts5_like_queries", fts.like_queries as f64, "queries"),
        us("exact_p50", ours.exact.percentile_us(50, all), "fts5_trigram_p50", fts.exact.percentile_us(50, all)),
        us("exact_p99", ours.exact.percentile_us(99, all), "fts5_trigram_p99", fts.exact.percentile_us(99, all)),
        pct("exact_recall_at_10", ours.exact.recall(all), "fts5_recall_at_10", fts.exact.recall(all)),
        plain("typo_p50", ours.typos.percentile_us(50, all), "µs"),
        plain("typo_p99", ours.typos.percentile_us(99, all), "µs"),
        plain("typo_recall_at_10", ours.typos.recall(all), "%"),
        plain("typo_fuzzy_answers", ours.fuzzy_answers as f64, "queries"),
    ]);
    figures
}

/// A stored event as the follower reads it from the log.
fn stored(seq: i64, body: &EventBody) -> StoredEvent {
    StoredEvent {
        seq,
        time_ms: 0,
        actor: "bench".to_owned(),
        kind: body.kind_name().to_owned(),
        subject: body.public_subject().map(str::to_owned),
        rules: "{}".to_owned(),
        body: body.canonical_json().ok().map(|json| String::from_utf8_lossy(&json).into_owned()),
        salt: None,
        stored_entry: Vec::new(),
        leaf_hash: Vec::new(),
    }
}

/// `count` random fragments (2–4 characters of a random name without its
/// legal form, also a substring of the registered name so that FTS5 can
/// find it) and `count` random whole names.
fn pick_queries(names: &[String], seed: u64, count: usize) -> (Vec<Query>, Vec<Query>, Vec<Query>) {
    let mut pick = Pick(seed ^ 0x005E_A4C4);
    let mut fragments = Vec::with_capacity(count);
    while fragments.len() < count {
        let subject = pick.below(names.len());
        let key: Vec<char> = strip_legal_forms(&normalize(&names[subject]), false).chars().collect();
        let len = 2 + pick.below(3);
        if key.len() < len {
            continue;
        }
        let start = pick.below(key.len() - len + 1);
        let text: String = key[start..start + len].iter().collect();
        // Fragments that are legal-form words (有限公司 inside a branch
        // name) return nothing by design; they are not name searches.
        if !names[subject].contains(&text) || strip_legal_forms(&text, true).chars().count() < 2 {
            continue;
        }
        fragments.push(Query { text, subject });
    }
    let exact = (0..count)
        .map(|_| {
            let subject = pick.below(names.len());
            Query { text: names[subject].clone(), subject }
        })
        .collect();
    // Typos: four characters of a name with a middle one replaced, which
    // only the fuzzy fallback can answer.
    const WRONG: [char; 10] = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];
    let mut typos = Vec::with_capacity(count);
    while typos.len() < count {
        let subject = pick.below(names.len());
        let mut key: Vec<char> = strip_legal_forms(&normalize(&names[subject]), false).chars().collect();
        if key.len() < 4 {
            continue;
        }
        let start = pick.below(key.len() - 3);
        key[start + 1 + pick.below(2)] = WRONG[pick.below(WRONG.len())];
        typos.push(Query { text: key[start..start + 4].iter().collect(), subject });
    }
    (fragments, exact, typos)
}
