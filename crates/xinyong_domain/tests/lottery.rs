//! The verifiable lottery (`docs/LOTTERY.md`) checked against its
//! specification: every test vector of the document is read from the
//! document and recomputed twice, once by following the document's procedure
//! here step by step on the stream's bounded integers, once through the
//! public API, so neither the text nor the code can drift. Then: exact
//! counts, a chi-square test of the selection frequencies over 10,000 draws,
//! `verify` catching a changed pool entry, seed source or result, and
//! recusal with at least two inspectors per target.

use std::num::NonZeroU32;
use std::time::Instant;

use xinyong_domain::Uscc;
use xinyong_domain::lottery::{
    Assignment, Beacon, CheckpointRoot, Conflict, Difference, Discrepancies, DrawId, Hash256, InspectorId,
    LotteryError, NO_MAX, Outcome, Pool, Quota, Roster, SeedSource, Stratum, StratumName, Stream, derive_seed, draw,
    seed_preimage, verify, verify_assignments,
};

const DOC: &str = include_str!("../../../docs/LOTTERY.md");

/// The vectors the document must keep; one removed from the text fails here.
const VECTORS_EXPECTED: usize = 5;

// ---------------------------------------------------------------------------
// Reading the document
// ---------------------------------------------------------------------------

/// The contents of every fenced block with the given info string.
fn blocks(info: &str) -> Vec<Vec<&'static str>> {
    let mut out = Vec::new();
    let mut current: Option<Vec<&'static str>> = None;
    for line in DOC.lines() {
        match current.as_mut() {
            None if line.trim_end() == format!("```{info}") => current = Some(Vec::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => out.extend(current.take()),
            Some(lines) => lines.push(line),
        }
    }
    assert!(current.is_none(), "unterminated ```{info} block in docs/LOTTERY.md");
    out
}

/// A line without its `#` comment, split into words.
fn words(line: &str) -> Vec<&str> {
    line.split('#').next().unwrap_or("").split_whitespace().collect()
}

fn hex(raw: &str) -> Vec<u8> {
    assert!(raw.len().is_multiple_of(2) && raw.is_ascii(), "odd hex {raw:?}");
    (0..raw.len()).step_by(2).map(|i| u8::from_str_radix(&raw[i..i + 2], 16).expect("hex digits")).collect()
}

fn hash(raw: &str) -> Hash256 {
    Hash256::parse_hex(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

fn uscc(raw: &str) -> Uscc {
    Uscc::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

fn num<T: std::str::FromStr>(raw: &str) -> T {
    raw.parse().unwrap_or_else(|_| panic!("not a number: {raw:?}"))
}

#[derive(Debug, Default)]
struct Vector {
    title: String,
    /// name, ratio_bp, min, max, members as listed (unsorted, repeats kept).
    strata: Vec<(String, u32, u32, u32, Vec<String>)>,
    draw_id: String,
    plan_digest: String,
    roster_digest: String,
    checkpoint: (u64, String),
    beacon: Option<String>,
    salt: Option<[u8; 32]>,
    per_target: u32,
    inspectors: Vec<String>,
    conflicts: Vec<(String, String)>,
    pool_bytes: Vec<u8>,
    pool_digest: String,
    roster_bytes: Vec<u8>,
    seed_bytes: Vec<u8>,
    seed: String,
    stream: Vec<u64>,
    below: Vec<(u32, u32)>,
    size: Vec<(String, u32)>,
    count: Vec<(String, u32)>,
    targets: Vec<(String, String)>,
    used: Option<u64>,
    /// `assign` and `shortfall` lines in order: inspectors or the eligible count.
    outcomes: Vec<(String, Result<Vec<String>, u32>)>,
}

fn parse_line(v: &mut Vector, line: &str) {
    if let Some(rest) = line.strip_prefix("beacon ") {
        v.beacon = match rest.trim() {
            "none" => None,
            quoted => Some(
                quoted
                    .strip_prefix('«')
                    .and_then(|q| q.strip_suffix('»'))
                    .unwrap_or_else(|| panic!("{}: beacon {quoted:?}", v.title))
                    .to_owned(),
            ),
        };
        return;
    }
    let w = words(line);
    let s = |i: usize| w[i].to_owned();
    match w.as_slice() {
        [] => {}
        ["stratum", _, _, _, _] => v.strata.push((s(1), num(w[2]), num(w[3]), num(w[4]), Vec::new())),
        ["member", name, code] => {
            let stratum = v.strata.iter_mut().find(|st| st.0 == *name).expect("member of a stratum listed before");
            stratum.4.push((*code).to_owned());
        }
        ["draw_id", _] => v.draw_id = s(1),
        ["plan_digest", _] => v.plan_digest = s(1),
        ["roster_digest", _] => v.roster_digest = s(1),
        ["checkpoint", size, root] => v.checkpoint = (num(size), (*root).to_owned()),
        ["salt", salt] => v.salt = Some(hex(salt).try_into().expect("32-byte salt")),
        ["per_target", n] => v.per_target = num(n),
        ["inspector", id] => v.inspectors.push((*id).to_owned()),
        ["inspector_range", prefix, first, last] => {
            let width = first.len();
            for n in num::<u32>(first)..=num(last) {
                v.inspectors.push(format!("{prefix}{n:0width$}"));
            }
        }
        ["conflict", who, subject] => v.conflicts.push(((*who).to_owned(), (*subject).to_owned())),
        ["pool_bytes", parts @ ..] => parts.iter().for_each(|p| v.pool_bytes.extend(hex(p))),
        ["roster_bytes", parts @ ..] => parts.iter().for_each(|p| v.roster_bytes.extend(hex(p))),
        ["seed_bytes", parts @ ..] => parts.iter().for_each(|p| v.seed_bytes.extend(hex(p))),
        ["pool_digest", _] => v.pool_digest = s(1),
        ["seed", _] => v.seed = s(1),
        ["stream", i, value] => {
            assert_eq!(num::<usize>(i), v.stream.len(), "{}: stream lines in order", v.title);
            v.stream.push(num(value));
        }
        ["below", bound, value] => v.below.push((num(bound), num(value))),
        ["size", name, n] => v.size.push(((*name).to_owned(), num(n))),
        ["count", name, n] => v.count.push(((*name).to_owned(), num(n))),
        ["target", name, code] => v.targets.push(((*name).to_owned(), (*code).to_owned())),
        ["used", n] => v.used = Some(num(n)),
        ["assign", subject, who @ ..] => {
            v.outcomes.push(((*subject).to_owned(), Ok(who.iter().map(|w| (*w).to_owned()).collect())));
        }
        ["shortfall", subject, eligible] => v.outcomes.push(((*subject).to_owned(), Err(num(eligible)))),
        _ => panic!("{}: cannot read line {line:?}", v.title),
    }
}

fn parse_vector(lines: &[&str]) -> Vector {
    let mut v = Vector { title: lines[0].trim().to_owned(), ..Vector::default() };
    for line in &lines[1..] {
        parse_line(&mut v, line);
    }
    for (what, missing) in [
        ("draw_id", v.draw_id.is_empty()),
        ("plan_digest", v.plan_digest.is_empty()),
        ("roster_digest", v.roster_digest.is_empty()),
        ("checkpoint", v.checkpoint.1.is_empty()),
        ("pool_digest", v.pool_digest.is_empty()),
        ("seed", v.seed.is_empty()),
        ("size", v.size.is_empty()),
        ("used", v.used.is_none()),
    ] {
        assert!(!missing, "{}: no `{what}` line", v.title);
    }
    v
}

fn vectors() -> Vec<Vector> {
    blocks("text")
        .iter()
        .filter(|b| b.first().is_some_and(|l| l.starts_with("vector ")))
        .map(|b| parse_vector(b))
        .collect()
}

// ---------------------------------------------------------------------------
// Building the inputs through the public API
// ---------------------------------------------------------------------------

fn pool_of(v: &Vector) -> Pool {
    let strata = v
        .strata
        .iter()
        .map(|(name, bp, min, max, members)| {
            let quota = Quota::new(*bp, *min, *max).expect("quota");
            let name = StratumName::parse(name).expect("stratum name");
            Stratum::new(name, quota, members.iter().map(|m| uscc(m)).collect()).expect("stratum")
        })
        .collect();
    Pool::new(strata).expect("pool")
}

fn roster_of(v: &Vector) -> Option<Roster> {
    let salt = v.salt?;
    let inspectors = v.inspectors.iter().map(|i| InspectorId::parse(i).expect("inspector id")).collect();
    let conflicts = v
        .conflicts
        .iter()
        .map(|(i, s)| Conflict { inspector: InspectorId::parse(i).expect("inspector id"), subject: uscc(s) })
        .collect();
    Some(Roster::new(salt, v.per_target, inspectors, conflicts).expect("roster"))
}

fn source_of(v: &Vector) -> SeedSource {
    SeedSource {
        draw_id: DrawId::parse(&v.draw_id).expect("draw id"),
        plan_digest: hash(&v.plan_digest),
        roster_digest: hash(&v.roster_digest),
        checkpoint: CheckpointRoot { tree_size: v.checkpoint.0, root: hash(&v.checkpoint.1) },
        beacon: v.beacon.as_deref().map(|b| Beacon::parse(b).expect("beacon")),
    }
}

// ---------------------------------------------------------------------------
// The document's procedure, followed here on the vector's bounded integers
// ---------------------------------------------------------------------------

/// Partial Fisher–Yates as §6 states it, taking each `below` result from
/// the vector's list (after checking its bound).
fn fisher_yates(n: u32, k: u32, below: &mut impl Iterator<Item = (u32, u32)>, title: &str) -> Vec<usize> {
    let mut a: Vec<usize> = (0..n as usize).collect();
    for i in 0..k {
        let (bound, value) = below.next().unwrap_or_else(|| panic!("{title}: too few `below` lines"));
        assert_eq!(bound, n - i, "{title}: bound of a `below` line");
        a.swap(i as usize, (i + value) as usize);
    }
    a.truncate(k as usize);
    a
}

type Outcomes = Vec<(String, Result<Vec<String>, u32>)>;

/// Targets per stratum (canonical order) and inspector outcomes, by §6–7.
fn by_the_document(v: &Vector) -> (Vec<(String, String)>, Outcomes) {
    let mut below = v.below.iter().copied();
    let mut strata: Vec<_> = v.strata.iter().collect();
    strata.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut targets = Vec::new();
    for (name, bp, min, max, members) in strata {
        let mut members: Vec<&str> = members.iter().map(String::as_str).collect();
        members.sort_unstable();
        members.dedup();
        let size = u32::try_from(members.len()).expect("small");
        let by_ratio = (u64::from(size) * u64::from(*bp)).div_ceil(10_000);
        let k = u32::try_from(by_ratio.max(u64::from(*min)).min(u64::from(*max)).min(u64::from(size)))
            .expect("at most size");
        for i in fisher_yates(size, k, &mut below, &v.title) {
            targets.push((name.clone(), members[i].to_owned()));
        }
    }
    let mut outcomes = Vec::new();
    if v.salt.is_some() {
        let mut inspectors: Vec<&str> = v.inspectors.iter().map(String::as_str).collect();
        inspectors.sort_unstable();
        inspectors.dedup();
        for (_, t) in &targets {
            let eligible: Vec<&str> =
                inspectors.iter().copied().filter(|i| !v.conflicts.contains(&((*i).to_owned(), t.clone()))).collect();
            let size = u32::try_from(eligible.len()).expect("small");
            let outcome = if size < v.per_target {
                Err(size)
            } else {
                let picks = fisher_yates(size, v.per_target, &mut below, &v.title);
                Ok(picks.into_iter().map(|p| eligible[p].to_owned()).collect())
            };
            outcomes.push((t.clone(), outcome));
        }
    }
    assert!(below.next().is_none(), "{}: more `below` lines than the draw reads", v.title);
    (targets, outcomes)
}

fn outcome_of(a: &Assignment) -> (String, Result<Vec<String>, u32>) {
    let outcome = match &a.outcome {
        Outcome::Inspectors(who) => Ok(who.iter().map(|i| i.as_str().to_owned()).collect()),
        Outcome::TooFewEligible { eligible } => Err(*eligible),
    };
    (a.subject.as_str().to_owned(), outcome)
}

// ---------------------------------------------------------------------------
// (a) The vectors
// ---------------------------------------------------------------------------

/// Checks one vector's intermediate values; returns what disagrees.
fn check_intermediates(v: &Vector, pool: &Pool, roster: Option<&Roster>, source: &SeedSource) -> Vec<String> {
    let mut failures = Vec::new();
    let mut check = |what: &str, ok: bool| {
        if !ok {
            failures.push(format!("{}: {what}", v.title));
        }
    };
    check("pool bytes", v.pool_bytes.is_empty() || pool.canonical_bytes() == v.pool_bytes);
    check("pool digest", pool.digest().to_string() == v.pool_digest);
    if let Some(roster) = roster {
        check("roster bytes", v.roster_bytes.is_empty() || roster.canonical_bytes() == v.roster_bytes);
        check("roster digest", roster.digest().to_string() == v.roster_digest);
    }
    check("seed bytes", v.seed_bytes.is_empty() || seed_preimage(source, &pool.digest()) == v.seed_bytes);
    let seed = derive_seed(source, &pool.digest());
    check("seed", seed.to_hash().to_string() == v.seed);
    let mut stream = Stream::new(&seed);
    check("first u64 values", v.stream.iter().all(|&x| stream.next_u64() == x));
    let mut stream = Stream::new(&seed);
    let bounded =
        v.below.iter().all(|&(bound, value)| NonZeroU32::new(bound).is_some_and(|b| stream.below(b) == value));
    check("bounded integers", bounded);
    failures
}

#[test]
fn every_vector_in_the_document_holds() {
    let vectors = vectors();
    assert_eq!(vectors.len(), VECTORS_EXPECTED, "number of test vectors in docs/LOTTERY.md");
    let mut failures = Vec::new();
    for v in &vectors {
        let pool = pool_of(v);
        let roster = roster_of(v);
        let source = source_of(v);
        failures.extend(check_intermediates(v, &pool, roster.as_ref(), &source));

        // The document's own procedure on its own bounded integers.
        let (doc_targets, doc_outcomes) = by_the_document(v);
        if doc_targets != v.targets || doc_outcomes != v.outcomes {
            failures.push(format!("{}: the vector's `below` values do not give its targets/assignments", v.title));
        }

        // The public API.
        let drawn = draw(&pool, source.clone());
        let published = drawn.published().clone();
        let sizes: Vec<(String, u32)> = published.strata.iter().map(|s| (s.name.as_str().to_owned(), s.size)).collect();
        let counts: Vec<(String, u32)> =
            published.strata.iter().map(|s| (s.name.as_str().to_owned(), s.count)).collect();
        let targets: Vec<(String, String)> = published
            .strata
            .iter()
            .flat_map(|s| s.targets.iter().map(|t| (s.name.as_str().to_owned(), t.as_str().to_owned())))
            .collect();
        if sizes != v.size || counts != v.count || targets != v.targets || Some(drawn.stream_used()) != v.used {
            failures.push(format!(
                "{}\n  text: sizes {:?} counts {:?} targets {:?} used {:?}\n  code: sizes {sizes:?} counts {counts:?} targets {targets:?} used {}",
                v.title, v.size, v.count, v.targets, v.used, drawn.stream_used()
            ));
        }
        if let Some(roster) = &roster {
            let assigned = drawn.assign(roster).expect("the committed roster");
            let outcomes: Outcomes = assigned.assignments.iter().map(outcome_of).collect();
            if outcomes != v.outcomes {
                failures.push(format!("{}\n  text: {:?}\n  code: {outcomes:?}", v.title, v.outcomes));
            }
            assert_eq!(verify_assignments(&pool, &source, roster, &assigned.assignments), Ok(()), "{}", v.title);
        }
        assert_eq!(verify(&pool, &source, &published), Ok(()), "{}", v.title);
    }
    assert!(failures.is_empty(), "docs/LOTTERY.md disagrees with the code:\n{}", failures.join("\n"));
}

/// The vector titles are numbered 1, 2, … in order, so the text can refer to them.
#[test]
fn vectors_are_numbered_in_order() {
    for (n, v) in vectors().iter().enumerate() {
        let number = v.title.split_whitespace().nth(1).unwrap_or("");
        assert_eq!(number, (n + 1).to_string(), "vector title {:?}", v.title);
    }
}

/// The first vector shows every intermediate value, as §10 promises.
#[test]
fn the_first_vector_is_complete() {
    let v = &vectors()[0];
    assert!(v.strata.len() >= 2, "two strata");
    assert!(!v.pool_bytes.is_empty() && !v.seed_bytes.is_empty(), "encodings");
    assert_eq!(v.stream.len(), 8, "the first 8 u64 of the stream");
    assert!(!v.below.is_empty() && !v.targets.is_empty(), "bounded integers and targets");
}

/// The published record of vector 1 is exactly the JSON the document shows.
#[test]
fn published_json_is_as_documented() {
    let v = &vectors()[0];
    let published = draw(&pool_of(v), source_of(v)).into_published();
    let json = serde_json::to_string_pretty(&published).expect("serialises");
    let documented: Vec<String> = blocks("json").into_iter().map(|b| b.join("\n")).collect();
    assert_eq!(documented.len(), 1, "one ```json block in docs/LOTTERY.md");
    assert_eq!(json, documented[0]);
    let back: xinyong_domain::lottery::PublishedDraw = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, published);
}

/// Giving the strata and members in another order, or a member twice,
/// changes nothing: the encoding is of the canonical form.
#[test]
fn input_order_and_repeats_do_not_change_the_digest() {
    for v in vectors() {
        let pool = pool_of(&v);
        let mut shuffled = v;
        shuffled.strata.reverse();
        for s in &mut shuffled.strata {
            s.4.reverse();
            if let Some(first) = s.4.first().cloned() {
                s.4.push(first);
            }
        }
        assert_eq!(pool_of(&shuffled).digest(), pool.digest(), "{}", shuffled.title);
    }
}

// ---------------------------------------------------------------------------
// Helpers for generated pools
// ---------------------------------------------------------------------------

/// The `n`-th of a family of valid codes in division `division`.
fn code(division: u32, n: u32) -> Uscc {
    Uscc::from_parts('9', '1', &format!("{division:06}"), &format!("MA{n:06}")).expect("valid parts")
}

fn stratum(name: &str, quota: Quota, division: u32, size: u32) -> Stratum {
    let members = (0..size).map(|n| code(division, n)).collect();
    Stratum::new(StratumName::parse(name).expect("name"), quota, members).expect("stratum")
}

fn ratio(bp: u32) -> Quota {
    Quota::ratio(bp).expect("ratio")
}

fn source(n: u64, roster_digest: Hash256) -> SeedSource {
    SeedSource {
        draw_id: DrawId::parse("test-draw").expect("id"),
        plan_digest: Hash256::of(b"plan"),
        roster_digest,
        checkpoint: CheckpointRoot { tree_size: 1000 + n, root: Hash256::of(&n.to_be_bytes()) },
        beacon: None,
    }
}

// ---------------------------------------------------------------------------
// (b) Exact counts
// ---------------------------------------------------------------------------

#[test]
fn every_stratum_gets_exactly_its_count() {
    let quotas = [
        ratio(0),
        ratio(1),
        ratio(500),
        ratio(3333),
        ratio(10_000),
        Quota::new(500, 3, NO_MAX).expect("quota"),
        Quota::new(9000, 0, 2).expect("quota"),
        Quota::exactly(4),
    ];
    let mut n = 0;
    for size in [0, 1, 2, 3, 7, 19, 20, 21, 64, 100, 129, 1000] {
        let strata = quotas.iter().enumerate().map(|(i, q)| stratum(&format!("s{i}"), *q, 350_100 + i as u32, size));
        let pool = Pool::new(strata.collect()).expect("pool");
        n += 1;
        let published = draw(&pool, source(n, Hash256::of(b"r"))).into_published();
        for (s, r) in pool.strata().iter().zip(&published.strata) {
            let q = s.quota();
            let by_ratio = (u64::from(size) * u64::from(q.ratio_bp())).div_ceil(10_000);
            let expected = by_ratio.clamp(u64::from(q.min()), u64::from(q.max())).min(u64::from(size));
            assert_eq!(u64::from(r.count), expected, "size {size}, {q:?}");
            assert_eq!(r.targets.len(), r.count as usize, "size {size}, {q:?}");
            let mut distinct = r.targets.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), r.targets.len(), "distinct targets");
            assert!(r.targets.iter().all(|t| s.members().binary_search(t).is_ok()), "targets from the stratum");
        }
    }
}

// ---------------------------------------------------------------------------
// (c) Selection frequencies: chi-square goodness of fit
// ---------------------------------------------------------------------------

/// Upper or lower quantile of χ²(df) by the Wilson–Hilferty approximation,
/// accurate to well under 1 % for df ≥ 30.
fn chi_square_quantile(df: f64, z: f64) -> f64 {
    let a = 2.0 / (9.0 * df);
    df * (1.0 - a + z * a.sqrt()).powi(3)
}

/// z of the standard normal at 1 − 0.001: each tail of each stratum's test
/// is at significance 0.001, so a correct implementation fails one of the
/// eight tails for a given seed set with probability below 1 %.
const Z_0_999: f64 = 3.090_232;

#[test]
fn selection_frequencies_match_the_ratios() {
    const DRAWS: u32 = 10_000;
    // 200 members; count / size is the exact selection probability.
    let pool = Pool::new(vec![
        stratum("A", ratio(1000), 350_101, 50), // 5 of 50
        stratum("B", ratio(2000), 350_102, 50), // 10 of 50
        stratum("C", ratio(5000), 350_103, 60), // 30 of 60
        stratum("D", ratio(2500), 350_104, 40), // 10 of 40
    ])
    .expect("pool");
    let mut hits: Vec<Vec<u32>> = pool.strata().iter().map(|s| vec![0; s.members().len()]).collect();
    for n in 0..DRAWS {
        let published = draw(&pool, source(u64::from(n), Hash256::of(b"r"))).into_published();
        for ((s, r), h) in pool.strata().iter().zip(&published.strata).zip(&mut hits) {
            for t in &r.targets {
                h[s.members().binary_search(t).expect("member")] += 1;
            }
        }
    }
    for (s, h) in pool.strata().iter().zip(&hits) {
        let (n, k, t) = (f64::from(s.size()), f64::from(s.count()), f64::from(DRAWS));
        let p = k / n;
        assert!((p - f64::from(s.quota().ratio_bp()) / 10_000.0).abs() < 1e-12, "the ratio is exact here");
        let expected = t * p;
        let variance = t * p * (1.0 - p);
        // Each draw picks exactly k of n, so the counts are negatively
        // correlated; scaled by (n − 1)/n the statistic is χ²(n − 1).
        let statistic: f64 =
            h.iter().map(|&o| (f64::from(o) - expected).powi(2) / variance).sum::<f64>() * (n - 1.0) / n;
        let (low, high) = (chi_square_quantile(n - 1.0, -Z_0_999), chi_square_quantile(n - 1.0, Z_0_999));
        assert!(
            (low..=high).contains(&statistic),
            "stratum {}: χ² = {statistic:.1}, acceptance region [{low:.1}, {high:.1}] at df {}",
            s.name().as_str(),
            n - 1.0
        );
        // And no single member strays more than 5 standard deviations.
        for (member, &o) in s.members().iter().zip(h) {
            let z = (f64::from(o) - expected) / variance.sqrt();
            assert!(z.abs() < 5.0, "{member} drawn {o} times, expected {expected:.0} (z = {z:.2})");
        }
    }
}

// ---------------------------------------------------------------------------
// (d) verify catches changes
// ---------------------------------------------------------------------------

fn small_pool(replace: Option<(u32, Uscc)>) -> Pool {
    let mut a: Vec<Uscc> = (0..20).map(|n| code(350_201, n)).collect();
    if let Some((at, with)) = replace {
        a[at as usize] = with;
    }
    let a = Stratum::new(StratumName::parse("A").expect("name"), ratio(2500), a).expect("stratum");
    Pool::new(vec![a, stratum("B", ratio(5000), 350_202, 10)]).expect("pool")
}

#[test]
fn verify_accepts_the_draw_and_names_each_change() {
    let pool = small_pool(None);
    let src = source(7, Hash256::of(b"r"));
    let published = draw(&pool, src.clone()).into_published();
    assert_eq!(verify(&pool, &src, &published), Ok(()));

    // One pool entry changed: the digest, the seed and so the targets differ.
    let changed = small_pool(Some((13, code(350_299, 1))));
    let Err(Discrepancies(d)) = verify(&changed, &src, &published) else { panic!("a changed pool verified") };
    assert!(
        matches!(d[0], Difference::PoolDigest { published: p, computed: c } if p == pool.digest() && c == changed.digest())
    );
    assert!(matches!(d[1], Difference::Seed { .. }), "{d:?}");
    assert!(d[2..].iter().all(|x| matches!(x, Difference::Targets { .. })), "{d:?}");

    // Another checkpoint root: the source and the seed differ.
    let mut other = src.clone();
    other.checkpoint.root = Hash256::of(b"another checkpoint");
    let Err(Discrepancies(d)) = verify(&pool, &other, &published) else { panic!("another seed verified") };
    assert!(matches!(&d[0], Difference::Source { field: "checkpoint.root", .. }), "{d:?}");
    assert!(matches!(d[1], Difference::Seed { .. }), "{d:?}");

    // A beacon added after the fact.
    let mut beacon = src.clone();
    beacon.beacon = Some(Beacon::parse("3187.42").expect("beacon"));
    let Err(Discrepancies(d)) = verify(&pool, &beacon, &published) else { panic!("a beacon changed nothing") };
    assert!(matches!(&d[0], Difference::Source { field: "beacon", .. }), "{d:?}");
}

#[test]
fn verify_reports_a_changed_result_exactly() {
    let pool = small_pool(None);
    let src = source(8, Hash256::of(b"r"));
    let published = draw(&pool, src.clone()).into_published();

    // A target swapped for a member that was not drawn.
    let mut swapped = published.clone();
    let not_drawn = pool.strata()[0].members().iter().find(|m| !published.strata[0].targets.contains(m)).cloned();
    swapped.strata[0].targets[2] = not_drawn.clone().expect("a member not drawn");
    let expected = Difference::Targets {
        stratum: StratumName::parse("A").expect("name"),
        first_position: 2,
        published: not_drawn,
        computed: Some(published.strata[0].targets[2].clone()),
        positions: 1,
    };
    assert_eq!(verify(&pool, &src, &swapped), Err(Discrepancies(vec![expected])));

    // A count lowered and the last target dropped.
    let mut fewer = published.clone();
    fewer.strata[1].count -= 1;
    let dropped = fewer.strata[1].targets.pop();
    let Err(Discrepancies(d)) = verify(&pool, &src, &fewer) else { panic!("a dropped target verified") };
    assert!(matches!(&d[0], Difference::StratumCount { published: 4, computed: 5, .. }), "{d:?}");
    assert!(
        matches!(&d[1], Difference::Targets { first_position: 4, published: None, computed, positions: 1, .. } if *computed == dropped),
        "{d:?}"
    );
    assert_eq!(d.len(), 2);

    // A published seed other than the derived one; the message names both.
    let mut seeded = published.clone();
    seeded.seed = Hash256::of(b"chosen");
    let err = verify(&pool, &src, &seeded).expect_err("a chosen seed");
    assert!(err.to_string().starts_with(&format!("seed: published {}, derived {}", seeded.seed, published.seed)));
}

// ---------------------------------------------------------------------------
// (e) Recusal and at least two inspectors
// ---------------------------------------------------------------------------

fn inspector(n: u32) -> InspectorId {
    InspectorId::parse(&format!("insp-{n:03}")).expect("id")
}

#[test]
fn conflicts_are_honoured_and_shortfalls_reported() {
    let pool = Pool::new(vec![stratum("A", ratio(10_000), 350_301, 30), stratum("B", ratio(5000), 350_302, 40)])
        .expect("pool");
    let inspectors: Vec<InspectorId> = (0..6).map(inspector).collect();
    // Subject n of A conflicts with inspectors 0..(n mod 7): from none to all six.
    let conflicts: Vec<Conflict> = (0..30)
        .flat_map(|n| (0..n % 7).map(move |i| Conflict { inspector: inspector(i), subject: code(350_301, n) }))
        .collect();
    for per_target in [2, 3] {
        let roster = Roster::new([9; 32], per_target, inspectors.clone(), conflicts.clone()).expect("roster");
        let mut shortfalls = 0;
        for n in 0..50 {
            let assigned = draw(&pool, source(n, roster.digest())).assign(&roster).expect("committed roster");
            let targets: Vec<&Uscc> = assigned.published.strata.iter().flat_map(|s| &s.targets).collect();
            assert_eq!(assigned.assignments.len(), targets.len(), "one assignment per target");
            for (a, t) in assigned.assignments.iter().zip(targets) {
                assert_eq!(&a.subject, t, "target order");
                let blocked: Vec<&InspectorId> =
                    roster.conflicts().iter().filter(|c| c.subject == a.subject).map(|c| &c.inspector).collect();
                let eligible = u32::try_from(inspectors.len() - blocked.len()).expect("small");
                match &a.outcome {
                    Outcome::Inspectors(who) => {
                        assert_eq!(who.len(), per_target as usize, "{}", a.subject);
                        assert!(who.iter().all(|w| !blocked.contains(&w)), "{} got a recused inspector", a.subject);
                        let mut distinct = who.clone();
                        distinct.sort();
                        distinct.dedup();
                        assert_eq!(distinct.len(), who.len(), "distinct inspectors");
                    }
                    Outcome::TooFewEligible { eligible: e } => {
                        assert_eq!(*e, eligible);
                        assert!(eligible < per_target, "{} reported although {eligible} are eligible", a.subject);
                        shortfalls += 1;
                    }
                }
            }
        }
        assert!(shortfalls > 0, "the table makes some targets unassignable");
    }
}

#[test]
fn a_roster_other_than_the_committed_one_is_refused() {
    let pool = small_pool(None);
    let committed = Roster::new([1; 32], 2, (0..5).map(inspector).collect(), Vec::new()).expect("roster");
    let other = Roster::new([2; 32], 2, (0..5).map(inspector).collect(), Vec::new()).expect("roster");
    let src = source(3, committed.digest());
    let err = draw(&pool, src.clone()).assign(&other).expect_err("another roster");
    assert_eq!(err.code(), "lottery_roster_mismatch");
    let assigned = draw(&pool, src.clone()).assign(&committed).expect("committed roster");
    assert_eq!(
        verify_assignments(&pool, &src, &other, &assigned.assignments),
        Err(Discrepancies(vec![Difference::RosterDigest { committed: committed.digest(), given: other.digest() }]))
    );
    // A recorded assignment changed after the draw.
    let mut edited = assigned.assignments.clone();
    edited[1].outcome = Outcome::Inspectors(vec![inspector(0), inspector(1)]);
    let changed = edited[1] != assigned.assignments[1];
    let result = verify_assignments(&pool, &src, &committed, &edited);
    assert_eq!(result.is_err(), changed);
}

#[test]
fn rosters_and_pools_refuse_bad_input() {
    let who = || (0..3).map(inspector).collect::<Vec<_>>();
    let err = |r: Result<Roster, LotteryError>| r.expect_err("refused").code();
    assert_eq!(err(Roster::new([0; 32], 1, who(), Vec::new())), "lottery_per_target_invalid");
    let stranger = Conflict { inspector: inspector(99), subject: code(350_000, 1) };
    assert_eq!(err(Roster::new([0; 32], 2, who(), vec![stranger])), "lottery_inspector_unknown");
    assert!(InspectorId::parse("张三").is_err(), "a name is not an id");
    let twice = Pool::new(vec![stratum("A", ratio(1), 350_000, 3), stratum("B", ratio(1), 350_000, 2)]);
    assert_eq!(twice.expect_err("refused").code(), "lottery_subject_in_two_strata");
    let same = Pool::new(vec![stratum("A", ratio(1), 350_000, 3), stratum("A", ratio(1), 350_001, 2)]);
    assert_eq!(same.expect_err("refused").code(), "lottery_stratum_duplicate");
}

// ---------------------------------------------------------------------------
// Performance (run with --release -- --ignored --nocapture)
// ---------------------------------------------------------------------------

#[test]
#[ignore = "timing; run in release: cargo test --release -p xinyong_domain --test lottery -- --ignored --nocapture"]
fn a_million_member_draw_is_fast() {
    let started = Instant::now();
    let strata = vec![
        stratum("A", ratio(300), 350_401, 100_000),
        stratum("B", ratio(500), 350_402, 500_000),
        stratum("C", ratio(1000), 350_403, 300_000),
        stratum("D", ratio(3000), 350_404, 100_000),
    ];
    let built = started.elapsed();
    let started = Instant::now();
    let pool = Pool::new(strata).expect("pool");
    let committed = started.elapsed();
    let roster = Roster::new([5; 32], 2, (0..500).map(inspector).collect(), Vec::new()).expect("roster");
    let src = source(1, roster.digest());
    let started = Instant::now();
    let drawn = draw(&pool, src.clone());
    let drew = started.elapsed();
    let targets: usize = drawn.published().strata.iter().map(|s| s.targets.len()).sum();
    let published = drawn.published().clone();
    let started = Instant::now();
    let assigned = drawn.assign(&roster).expect("roster");
    let assigning = started.elapsed();
    let started = Instant::now();
    assert_eq!(verify(&pool, &src, &published), Ok(()));
    let verifying = started.elapsed();
    println!(
        "1,000,000 members in 4 strata, {targets} targets, {} assignments: generate {built:?}, pool check+digest {committed:?}, draw {drew:?}, assign {assigning:?}, verify (draw+compare) {verifying:?}",
        assigned.assignments.len()
    );
    assert!(drew.as_millis() < 100, "draw took {drew:?}");
}
