//! The specification of the credit evaluation arithmetic (`docs/EVALUATION.md`)
//! checked against the code: every test vector, `format_points` example,
//! grade spelling, period and event body printed in the document is read
//! from the document itself and recomputed through the public API, so the
//! text cannot drift from what the platform computes. Also: each stable
//! error code of `ScorecardModel::parse_toml` with a minimal model that
//! triggers it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use xinyong_domain::Uscc;
use xinyong_domain::evaluation::{
    EvaluationEvent, ExternalGrade, ExternalScheme, Fact, FactKeys, FactSource, GradeGiven, Reason,
    SHIPPED_LOCAL_MODEL_TOML, ScorecardModel, Scored, Scratch, day_number, format_points, valid_period,
};

const DOC: &str = include_str!("../../../docs/EVALUATION.md");

/// The vectors the document must keep (by number); a vector removed from the
/// text fails here rather than silently leaving the arithmetic unchecked.
const VECTORS_EXPECTED: usize = 19;

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
    assert!(current.is_none(), "unterminated ```{info} block in docs/EVALUATION.md");
    out
}

/// A line without its `#` comment, split into words.
fn words(line: &str) -> Vec<&str> {
    line.split('#').next().unwrap_or("").split_whitespace().collect()
}

/// The `# age N` comment of a fact line, if any.
fn age_comment(line: &str) -> Option<i64> {
    let comment = line.split_once('#')?.1;
    let mut w = comment.split_whitespace();
    (w.next()? == "age").then_some(())?;
    w.next()?.parse().ok()
}

fn date(raw: &str) -> NaiveDate {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad date {raw:?}: {e}"))
}

fn source(raw: &str) -> FactSource {
    serde_json::from_value(serde_json::Value::String(raw.to_owned()))
        .unwrap_or_else(|e| panic!("unknown fact source {raw:?}: {e}"))
}

#[derive(Debug)]
struct DocFact {
    source: FactSource,
    class: String,
    code: String,
    date: NaiveDate,
    times: usize,
    age: Option<i64>,
}

#[derive(Debug)]
struct Vector {
    title: String,
    model: String,
    day: NaiveDate,
    facts: Vec<DocFact>,
    score_centi: i64,
    points: String,
    grade: String,
    class: Option<String>,
    reasons: Vec<Reason>,
    reasons_none: bool,
}

fn parse_vector(lines: &[&str]) -> Vector {
    let title = lines[0].trim().to_owned();
    let mut v = Vector {
        title: title.clone(),
        model: String::new(),
        day: NaiveDate::MIN,
        facts: Vec::new(),
        score_centi: i64::MIN,
        points: String::new(),
        grade: String::new(),
        class: None,
        reasons: Vec::new(),
        reasons_none: false,
    };
    let mut seen_class = false;
    for line in &lines[1..] {
        let w = words(line);
        let bad = || -> ! { panic!("{title}: cannot read line {line:?}") };
        match w.as_slice() {
            [] => {}
            ["model", name] => v.model = (*name).to_owned(),
            ["day", d] => v.day = date(d),
            ["fact", src, class, code, d, rest @ ..] => {
                let times = match rest {
                    [] => 1,
                    [n] => n.strip_prefix('*').and_then(|n| n.parse().ok()).unwrap_or_else(|| bad()),
                    _ => bad(),
                };
                v.facts.push(DocFact {
                    source: source(src),
                    class: (*class).to_owned(),
                    code: (*code).to_owned(),
                    date: date(d),
                    times,
                    age: age_comment(line),
                });
            }
            ["score", s] => v.score_centi = s.parse().unwrap_or_else(|_| bad()),
            ["points", p] => v.points = (*p).to_owned(),
            ["grade", g] => v.grade = (*g).to_owned(),
            ["class", c] => {
                seen_class = true;
                v.class = (*c != "-").then(|| (*c).to_owned());
            }
            ["reasons", "none"] => v.reasons_none = true,
            ["reason", indicator, count, centi] => v.reasons.push(Reason {
                indicator: (*indicator).to_owned(),
                count: count.parse().unwrap_or_else(|_| bad()),
                points_centi: centi.parse().unwrap_or_else(|_| bad()),
            }),
            _ => bad(),
        }
    }
    assert!(!v.model.is_empty(), "{title}: no `model` line");
    assert_ne!(v.day, NaiveDate::MIN, "{title}: no `day` line");
    assert_ne!(v.score_centi, i64::MIN, "{title}: no `score` line");
    assert!(!v.points.is_empty(), "{title}: no `points` line");
    assert!(!v.grade.is_empty(), "{title}: no `grade` line");
    assert!(seen_class, "{title}: no `class` line");
    assert!(v.reasons_none == v.reasons.is_empty(), "{title}: give either `reasons none` or `reason` lines");
    v
}

fn vectors() -> Vec<Vector> {
    blocks("text")
        .iter()
        .filter(|b| b.first().is_some_and(|l| l.starts_with("vector ")))
        .map(|b| parse_vector(b))
        .collect()
}

/// The models vectors name: `local` (shipped) and every ```toml block of the
/// document whose first line is `# vector model: <name>`.
fn models() -> BTreeMap<String, ScorecardModel> {
    let mut models = BTreeMap::new();
    let local = ScorecardModel::parse_toml(SHIPPED_LOCAL_MODEL_TOML).expect("the shipped local model parses");
    models.insert("local".to_owned(), local);
    for block in blocks("toml") {
        let Some(name) = block.first().and_then(|l| l.strip_prefix("# vector model: ")) else { continue };
        let model = ScorecardModel::parse_toml(&block.join("\n"))
            .unwrap_or_else(|e| panic!("vector model {name}: {} {e}", e.code));
        assert_eq!(model.name.as_str(), name.trim(), "vector model name");
        models.insert(name.trim().to_owned(), model);
    }
    models
}

/// Scores a vector's facts through the public API, as the platform does.
fn run(model: &ScorecardModel, v: &Vector) -> Scored {
    let mut keys = FactKeys::default();
    let mut facts = Vec::new();
    for f in &v.facts {
        let key = keys.intern(f.source, &f.class, &f.code);
        facts.extend(std::iter::repeat_n(Fact { key, day: day_number(f.date) }, f.times));
    }
    model.compile(&keys).score(&facts, day_number(v.day), &mut Scratch::default())
}

// ---------------------------------------------------------------------------
// The vectors
// ---------------------------------------------------------------------------

#[test]
fn every_vector_in_the_document_holds() {
    let models = models();
    let vectors = vectors();
    assert_eq!(vectors.len(), VECTORS_EXPECTED, "number of test vectors in docs/EVALUATION.md");
    assert!(vectors.iter().filter(|v| v.model == "local").count() >= 6, "at least 6 vectors on the shipped model");
    let mut failures = Vec::new();
    for v in &vectors {
        let model = models.get(&v.model).unwrap_or_else(|| panic!("{}: unknown model {}", v.title, v.model));
        for f in &v.facts {
            let age = i64::from(day_number(v.day)) - i64::from(day_number(f.date));
            if f.age.is_some_and(|a| a != age) {
                failures
                    .push(format!("{}: fact dated {} is {age} days old, the text says {:?}", v.title, f.date, f.age));
            }
        }
        let got = run(model, v);
        let (got_grade, got_reasons) = (got.grade(model), got.reasons(model));
        assert!(got.same_reasons(model, &got_reasons), "{}: same_reasons agrees with reasons", v.title);
        let class = model.class_of(got_grade).map(|c| c.class.clone());
        let points = format_points(got.score_centi);
        if got.score_centi != v.score_centi
            || points != v.points
            || got_grade != v.grade
            || class != v.class
            || got_reasons != v.reasons
        {
            failures.push(format!(
                "{}\n  text: score {} points {} grade {} class {:?} reasons {:?}\n  code: score {} points {points} grade {} class {class:?} reasons {:?}",
                v.title, v.score_centi, v.points, v.grade, v.class, v.reasons, got.score_centi, got_grade, got_reasons
            ));
        }
    }
    assert!(failures.is_empty(), "docs/EVALUATION.md disagrees with the code:\n{}", failures.join("\n"));
}

/// The vector titles are numbered 1, 2, … in order, so the text can refer to them.
#[test]
fn vectors_are_numbered_in_order() {
    for (n, v) in vectors().iter().enumerate() {
        let number = v.title.split_whitespace().nth(1).unwrap_or("");
        assert_eq!(number, (n + 1).to_string(), "vector title {:?}", v.title);
    }
}

/// The order of facts does not matter: the vectors score the same reversed.
#[test]
fn fact_order_does_not_matter() {
    let models = models();
    for mut v in vectors() {
        let model = &models[&v.model];
        let forward = run(model, &v);
        v.facts.reverse();
        assert_eq!(run(model, &v), forward, "{}", v.title);
    }
}

// ---------------------------------------------------------------------------
// Display, grades, periods, event bodies
// ---------------------------------------------------------------------------

#[test]
fn format_points_examples_hold() {
    let lines: Vec<&str> = blocks("text").into_iter().flatten().filter(|l| l.starts_with("format_points ")).collect();
    assert!(lines.len() >= 6, "format_points examples in docs/EVALUATION.md");
    for line in lines {
        let [_, centi, shown] = words(line)[..] else { panic!("cannot read {line:?}") };
        let centi: i64 = centi.parse().unwrap_or_else(|_| panic!("cannot read {line:?}"));
        assert_eq!(format_points(centi), shown, "{line}");
    }
}

#[test]
fn grade_spellings_hold() {
    let lines: Vec<&str> = blocks("text").into_iter().flatten().filter(|l| l.starts_with("grade_as_typed ")).collect();
    assert!(lines.len() >= 6, "grade spelling examples in docs/EVALUATION.md");
    for line in lines {
        // `grade_as_typed <scheme> «raw» <result or ->`: the raw text between « and ».
        let (Some(open), Some(close)) = (line.find('«'), line.find('»')) else { panic!("cannot read {line:?}") };
        let raw = &line[open + '«'.len_utf8()..close];
        let head = words(&line[..open]);
        let tail = words(&line[close + '»'.len_utf8()..]);
        let (Some(scheme), Some(expected)) = (head.get(1), tail.first()) else { panic!("cannot read {line:?}") };
        let scheme = ExternalScheme::parse(scheme).unwrap_or_else(|| panic!("unknown scheme in {line:?}"));
        let expected = (*expected != "-").then_some(*expected);
        assert_eq!(scheme.normalise_grade(raw), expected, "{line}");
    }
}

#[test]
fn scheme_grades_are_as_documented() {
    let lines: Vec<&str> = blocks("text").into_iter().flatten().filter(|l| l.starts_with("scheme ")).collect();
    assert_eq!(lines.len(), ExternalScheme::ALL.len(), "one `scheme` line per scheme");
    for (line, scheme) in lines.iter().zip(ExternalScheme::ALL) {
        let w = words(line);
        assert_eq!(w.get(1).copied(), Some(scheme.as_str()), "{line}");
        assert_eq!(&w[2..], scheme.grades(), "{line}");
    }
}

#[test]
fn period_examples_hold() {
    let lines: Vec<&str> = blocks("text").into_iter().flatten().filter(|l| l.starts_with("period ")).collect();
    assert!(lines.len() >= 8, "period examples in docs/EVALUATION.md");
    for line in lines {
        let [_, period, verdict] = words(line)[..] else { panic!("cannot read {line:?}") };
        let expected = match verdict {
            "valid" => true,
            "invalid" => false,
            _ => panic!("cannot read {line:?}"),
        };
        assert_eq!(valid_period(period), expected, "{line}");
    }
}

/// The JSON block of the document that starts with `{"kind":"<kind>"`.
fn json_block(kind: &str) -> String {
    let prefix = format!("{{\"kind\":\"{kind}\"");
    let found: Vec<String> =
        blocks("json").into_iter().map(|b| b.join("\n")).filter(|b| b.starts_with(&prefix)).collect();
    assert_eq!(found.len(), 1, "one ```json block of kind {kind} in docs/EVALUATION.md");
    found.into_iter().next().unwrap_or_default()
}

fn uscc(raw: &str) -> Uscc {
    Uscc::parse(raw).unwrap_or_else(|e| panic!("{raw}: {e}"))
}

/// The `subjects_graded` example is the exact canonical JSON of vectors 2 and 7
/// given to two subjects.
#[test]
fn subjects_graded_body_is_as_documented() {
    let models = models();
    let model = &models["local"];
    let vectors = vectors();
    let grade = |n: usize, who: &str| {
        let s = run(model, &vectors[n - 1]);
        GradeGiven {
            uscc: uscc(who),
            score_centi: s.score_centi,
            class: model.class_of(s.grade(model)).map(|c| c.class.clone()),
            grade: s.grade(model).to_owned(),
            reasons: s.reasons(model),
        }
    };
    let event = EvaluationEvent::SubjectsGraded {
        model: model.name.to_string(),
        model_version: model.version.clone(),
        inputs_size: 4821,
        evaluated_on: date("2026-11-26"),
        grades: vec![grade(2, "91350100M000100Y43"), grade(7, "914403001922038216")],
    };
    let json = serde_json::to_string(&event).expect("serialises");
    assert_eq!(json, json_block("subjects_graded"));
    let back: EvaluationEvent = serde_json::from_str(&json).expect("deserialises");
    assert_eq!(back, event);
}

#[test]
fn external_grades_received_body_is_as_documented() {
    let event = EvaluationEvent::ExternalGradesReceived {
        import_id: "eg-20260315-1773540000000".to_owned(),
        scheme: ExternalScheme::National,
        period: "2025".to_owned(),
        source: "2025年度全国公共信用综合评价结果.xlsx".to_owned(),
        received_on: date("2026-03-15"),
        received_by: "user:zhangsan".to_owned(),
        grades: vec![
            ExternalGrade { uscc: uscc("91350100M000100Y43"), grade: "良".to_owned() },
            ExternalGrade { uscc: uscc("914403001922038216"), grade: "优".to_owned() },
        ],
    };
    let json = serde_json::to_string(&event).expect("serialises");
    assert_eq!(json, json_block("external_grades_received"));
}

// ---------------------------------------------------------------------------
// Model errors
// ---------------------------------------------------------------------------

/// The smallest model that parses: a header and one band open at both ends.
const MINIMAL: &str = r#"
[model]
name = "m"
title = "t"
version = "1"
owner = "credit_office"
base = 0

[[band]]
grade = "A"
category = "诚信守法"
"#;

/// A valid header followed by `rest`.
fn with_header(rest: &str) -> String {
    format!("[model]\nname = \"m\"\ntitle = \"t\"\nversion = \"1\"\nowner = \"credit_office\"\nbase = 0\n{rest}")
}

/// The minimal model with `rest` appended (indicators, supervision).
fn minimal_plus(rest: &str) -> String {
    format!("{MINIMAL}\n{rest}")
}

fn code_of(text: &str) -> &'static str {
    match ScorecardModel::parse_toml(text) {
        Ok(_) => "ok",
        Err(e) => {
            assert!(!e.message.is_empty(), "{}: a message", e.code);
            e.code
        }
    }
}

const TWO_BANDS: &str = r#"
[[band]]
grade = "A"
category = "c"
min = 10

[[band]]
grade = "B"
category = "c"
max = 9
"#;

#[test]
fn the_minimal_model_parses() {
    assert_eq!(code_of(MINIMAL), "ok");
    assert_eq!(code_of(&with_header(TWO_BANDS)), "ok");
}

#[test]
fn model_syntax() {
    // Not TOML; no [model]; a key the format does not have; a wrong type; a
    // negative window (window_days is unsigned).
    assert_eq!(code_of("[model"), "model_syntax");
    assert_eq!(code_of("[[band]]\ngrade = \"A\"\ncategory = \"c\"\n"), "model_syntax");
    assert_eq!(code_of(&MINIMAL.replace("base = 0", "base = 0\ncolour = 1")), "model_syntax");
    assert_eq!(code_of(&MINIMAL.replace("base = 0", "base = \"1000\"")), "model_syntax");
    assert_eq!(code_of(&MINIMAL.replace("base = 0", "base = 1000.0")), "model_syntax");
    let negative_window =
        "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"record\"\npoints = -1\nwindow_days = -1\n";
    assert_eq!(code_of(&minimal_plus(negative_window)), "model_syntax");
    let unknown_decay_key = "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"record\"\npoints = -1\ndecay = [{ days = 1, percent = 1 }]\n";
    assert_eq!(code_of(&minimal_plus(unknown_decay_key)), "model_syntax");
}

#[test]
fn model_name_invalid() {
    for bad in ["Local", "1local", "", "local model", "a234567890123456789012345678901x"] {
        assert_eq!(
            code_of(&MINIMAL.replace("name = \"m\"", &format!("name = \"{bad}\""))),
            "model_name_invalid",
            "{bad:?}"
        );
    }
    assert_eq!(code_of(&MINIMAL.replace("name = \"m\"", "name = \"a23456789012345678901234567890x\"")), "ok");
}

#[test]
fn model_version_missing() {
    assert_eq!(code_of(&MINIMAL.replace("version = \"1\"", "version = \" \"")), "model_version_missing");
}

#[test]
fn model_indicator_unknown() {
    let source = "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"tweet\"\npoints = -1\n";
    assert_eq!(code_of(&minimal_plus(source)), "model_indicator_unknown");
    let class = "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"record\"\nclasses = [\"red\"]\npoints = -1\n";
    assert_eq!(code_of(&minimal_plus(class)), "model_indicator_unknown");
}

#[test]
fn model_indicator_duplicate() {
    let one = "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"record\"\npoints = -1\n";
    assert_eq!(code_of(&minimal_plus(&format!("{one}{one}"))), "model_indicator_duplicate");
}

#[test]
fn model_cap_invalid() {
    let with = |points: i64, cap: i64| {
        minimal_plus(&format!(
            "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"record\"\npoints = {points}\ncap = {cap}\n"
        ))
    };
    assert_eq!(code_of(&with(-5, 10)), "model_cap_invalid");
    assert_eq!(code_of(&with(5, -10)), "model_cap_invalid");
    assert_eq!(code_of(&with(-5, 0)), "model_cap_invalid");
    assert_eq!(code_of(&with(0, 0)), "model_cap_invalid");
    // With points = 0 (points_by_code decides) any non-zero cap is accepted.
    assert_eq!(code_of(&with(0, -10)), "ok");
    assert_eq!(code_of(&with(0, 10)), "ok");
    // A cap smaller than one fact's points is allowed.
    assert_eq!(code_of(&with(-50, -10)), "ok");
}

#[test]
fn model_decay_invalid() {
    let with = |decay: &str| {
        minimal_plus(&format!(
            "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"record\"\npoints = -1\ndecay = {decay}\n"
        ))
    };
    let equal = "[{ up_to_days = 30, percent = 100 }, { up_to_days = 30, percent = 50 }]";
    assert_eq!(code_of(&with(equal)), "model_decay_invalid");
    let falling = "[{ up_to_days = 60, percent = 100 }, { up_to_days = 30, percent = 50 }]";
    assert_eq!(code_of(&with(falling)), "model_decay_invalid");
    assert_eq!(code_of(&with("[{ up_to_days = 30, percent = 101 }]")), "model_decay_invalid");
    // Rising percentages and a 0 % step are allowed.
    let rising = "[{ up_to_days = 30, percent = 0 }, { up_to_days = 60, percent = 100 }]";
    assert_eq!(code_of(&with(rising)), "ok");
}

#[test]
fn model_bands_missing() {
    assert_eq!(code_of(&with_header("")), "model_bands_missing");
}

#[test]
fn model_band_duplicate() {
    assert_eq!(code_of(&with_header(&TWO_BANDS.replace("\"B\"", "\"A\""))), "model_band_duplicate");
}

#[test]
fn model_band_invalid() {
    // min above max.
    let upside_down = "[[band]]\ngrade = \"A\"\ncategory = \"c\"\nmin = 10\nmax = 9\n";
    assert_eq!(code_of(&with_header(upside_down)), "model_band_invalid");
    // Only the first band may be open above.
    assert_eq!(code_of(&with_header(&TWO_BANDS.replace("max = 9", "min = 0"))), "model_band_invalid");
    // Only the last band may be open below.
    let first_open_below =
        "[[band]]\ngrade = \"A\"\ncategory = \"c\"\nmax = 20\n\n[[band]]\ngrade = \"B\"\ncategory = \"c\"\nmax = 9\n";
    assert_eq!(code_of(&with_header(first_open_below)), "model_band_invalid");
}

#[test]
fn model_bands_overlap() {
    assert_eq!(code_of(&with_header(&TWO_BANDS.replace("max = 9", "max = 10"))), "model_bands_overlap");
    // Listed lowest first: every pair overlaps.
    let ascending = "[[band]]\ngrade = \"B\"\ncategory = \"c\"\nmin = 0\nmax = 9\n\n[[band]]\ngrade = \"A\"\ncategory = \"c\"\nmin = 10\nmax = 20\n";
    assert_eq!(code_of(&with_header(ascending)), "model_bands_overlap");
}

#[test]
fn model_bands_gap() {
    assert_eq!(code_of(&with_header(&TWO_BANDS.replace("max = 9", "max = 8"))), "model_bands_gap");
}

const SUPERVISION_A: &str = "[[supervision]]\nclass = \"A\"\nlabel = \"l\"\ngrades = [\"A\"]\nratio_min_percent = 0\nratio_max_percent = 5\nfrequency = \"f\"\nmeasures = \"m\"\n";

#[test]
fn model_supervision_invalid() {
    assert_eq!(code_of(&minimal_plus(SUPERVISION_A)), "ok");
    // Ratios: min above max, max above 100.
    assert_eq!(
        code_of(&minimal_plus(&SUPERVISION_A.replace("ratio_min_percent = 0", "ratio_min_percent = 6"))),
        "model_supervision_invalid"
    );
    assert_eq!(
        code_of(&minimal_plus(&SUPERVISION_A.replace("ratio_max_percent = 5", "ratio_max_percent = 101"))),
        "model_supervision_invalid"
    );
    // A grade in two classes.
    let twice = format!("{SUPERVISION_A}{}", SUPERVISION_A.replace("class = \"A\"", "class = \"B\""));
    assert_eq!(code_of(&minimal_plus(&twice)), "model_supervision_invalid");
    // A grade in no class (once there is a table at all).
    let b_missing = with_header(&format!("{TWO_BANDS}\n{SUPERVISION_A}"));
    assert_eq!(code_of(&b_missing), "model_supervision_invalid");
}

#[test]
fn model_grade_unknown() {
    let supervision = SUPERVISION_A.replace("grades = [\"A\"]", "grades = [\"A\", \"Z\"]");
    assert_eq!(code_of(&minimal_plus(&supervision)), "model_grade_unknown");
    let red = MINIMAL.replace("base = 0", "base = 0\nred_list_min_grade = \"A+\"");
    assert_eq!(code_of(&red), "model_grade_unknown");
    assert_eq!(code_of(&MINIMAL.replace("base = 0", "base = 0\nred_list_min_grade = \"A\"")), "ok");
}

/// The checks run in the documented order; the first failing one is reported.
#[test]
fn first_failing_check_wins() {
    // Bad name and no bands: the name is checked first.
    let text = with_header("").replace("name = \"m\"", "name = \"M\"");
    assert_eq!(code_of(&text), "model_name_invalid");
    // An indicator's own checks come before the duplicate check.
    let ok = "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"record\"\npoints = -1\n";
    let bad = "[[indicator]]\ncode = \"x\"\nname = \"x\"\nsource = \"record\"\npoints = -1\ncap = 1\n";
    assert_eq!(code_of(&minimal_plus(&format!("{ok}{bad}"))), "model_cap_invalid");
    // Indicators before bands.
    assert_eq!(code_of(&with_header(bad)), "model_cap_invalid");
    // Supervision before red_list_min_grade.
    let both = minimal_plus(&SUPERVISION_A.replace("ratio_max_percent = 5", "ratio_max_percent = 101"))
        .replace("base = 0", "base = 0\nred_list_min_grade = \"Z\"");
    assert_eq!(code_of(&both), "model_supervision_invalid");
}

/// Every error code the document's table lists is one this file triggers,
/// and the other way round.
#[test]
fn documented_error_codes_are_tested() {
    let tested = [
        "model_syntax",
        "model_name_invalid",
        "model_version_missing",
        "model_indicator_unknown",
        "model_indicator_duplicate",
        "model_cap_invalid",
        "model_decay_invalid",
        "model_bands_missing",
        "model_band_duplicate",
        "model_band_invalid",
        "model_bands_overlap",
        "model_bands_gap",
        "model_supervision_invalid",
        "model_grade_unknown",
    ];
    let section = DOC.split("### Errors").nth(1).and_then(|s| s.split("\n## ").next()).expect("an Errors section");
    let mut documented: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .filter(|c| c.starts_with("model_") && *c != "model_name_mismatch")
        .collect();
    documented.dedup();
    let mut sorted_doc = documented.clone();
    sorted_doc.sort_unstable();
    sorted_doc.dedup();
    let mut sorted_tested = tested.to_vec();
    sorted_tested.sort_unstable();
    assert_eq!(sorted_doc, sorted_tested);
}
