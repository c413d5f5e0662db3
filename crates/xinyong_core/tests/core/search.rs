//! Company-name search through the real log: subjects are appended with
//! `Core::append`, the index reads them the way `serve`'s follower does, and
//! the answers are checked against a brute-force scan of the same names.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use std::sync::Arc;
use std::time::{Duration, Instant};
use xinyong_domain::subjects::SubjectsEvent;

use xinyong_core::log::follower::Follower;
use xinyong_core::portal::search::{MatchKind, SearchHit, SearchIndex, normalize, strip_legal_forms};
use xinyong_demo::city::DemoCity;
use xinyong_domain::codes::id_number::IdNumber;
use xinyong_domain::codes::uscc::Uscc;
use xinyong_domain::event::{Actor, EventBody, NewEvent};
use xinyong_domain::subjects::{LegalPerson, NaturalPerson, SubjectName, SubjectStatus};
use xinyong_test_support::TestApp;

fn actor() -> Actor {
    Actor::parse("demo").unwrap()
}

/// Appends `n` demo subjects and syncs the app's index; returns their bodies.
async fn city(app: &TestApp, seed: u64, n: usize) -> Vec<EventBody> {
    let bodies: Vec<EventBody> = DemoCity::new(seed).take(n).collect();
    for chunk in bodies.chunks(5_000) {
        app.core.append(chunk.iter().map(|b| NewEvent::new(actor(), b.clone())).collect()).await.unwrap();
    }
    app.sync_search().await;
    bodies
}

fn subjects(bodies: &[EventBody]) -> Vec<&LegalPerson> {
    bodies
        .iter()
        .filter_map(|b| match b {
            EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { subject, .. }) => Some(subject),
            _ => None,
        })
        .collect()
}

fn organisation(body: &str, name: &str) -> LegalPerson {
    LegalPerson {
        uscc: Uscc::from_parts('9', '1', "370102", body).unwrap(),
        name: SubjectName::parse(name).unwrap(),
        status: SubjectStatus::Active,
    }
}

async fn register(app: &TestApp, people: &[LegalPerson]) {
    let events = people
        .iter()
        .map(|p| NewEvent::new(actor(), SubjectsEvent::LegalPersonRegistered { subject: p.clone(), people: vec![] }))
        .collect();
    app.core.append(events).await.unwrap();
}

fn ranks(hits: &[SearchHit]) -> Vec<(&str, MatchKind)> {
    hits.iter().map(|h| (h.name.as_str(), h.rank)).collect()
}

/// The name without bracketed parts, as the index also searches it.
fn without_brackets(name: &str) -> String {
    let mut depth = 0i32;
    name.chars()
        .filter(|&c| match c {
            '(' | '（' => {
                depth += 1;
                false
            }
            ')' | '）' => {
                depth -= 1;
                false
            }
            _ => depth == 0,
        })
        .collect()
}

/// A name's normalized forms, for the brute-force answer.
fn forms(name: &str) -> [String; 2] {
    [normalize(name), normalize(&without_brackets(name))]
}

/// The brute-force answer: does this name contain the fragment?
fn contains(forms: &[String; 2], fragment: &str) -> bool {
    forms.iter().any(|f| f.contains(fragment))
}

/// A tiny deterministic generator (SplitMix64), so the sample is the same on
/// every run.
struct Pick(u64);

impl Pick {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    }
}

#[tokio::test]
async fn fragments_from_the_middle_of_names_find_the_subject() {
    let app = TestApp::new().await;
    let bodies = city(&app, 2019, 20_000).await;
    let people = subjects(&bodies);
    assert_eq!(app.state.search.len(), 20_000);
    let names: Vec<[String; 2]> = people.iter().map(|p| forms(p.name.as_str())).collect();
    let mut pick = Pick(7);
    let mut checked = [0usize; 5];
    let mut distinctive = [0usize; 5];
    let mut random_selective = [0usize; 5];
    for _ in 0..150 {
        let i = pick.below(people.len());
        let subject = people[i];
        let key: Vec<char> = strip_legal_forms(&normalize(subject.name.as_str()), false).chars().collect();
        for len in 2..=4 {
            // Strictly inside: neither the first nor the last character.
            if key.len() < len + 2 {
                continue;
            }
            let fragments: Vec<String> = (1..key.len() - len).map(|s| key[s..s + len].iter().collect()).collect();
            let counts: Vec<usize> =
                fragments.iter().map(|f| names.iter().filter(|n| contains(n, f)).count()).collect();

            // A random middle fragment: every name containing it is found,
            // nothing else is, and the subject is in the top 10 whenever at
            // most 10 names contain the fragment.
            let r = pick.below(fragments.len());
            let (fragment, count) = (&fragments[r], counts[r]);
            if strip_legal_forms(fragment, true).chars().count() < 2 {
                continue; // e.g. 公司: documented to return nothing
            }
            let all = app.state.search.search(fragment, usize::MAX);
            assert_eq!(all.len(), count, "{fragment}: index and brute force disagree");
            assert!(all.iter().all(|h| contains(&forms(&h.name), fragment)), "{fragment}");
            assert!(all.windows(2).all(|w| w[0].rank <= w[1].rank), "{fragment}: not in rank order");
            let top = app.state.search.search(fragment, 10);
            assert_eq!(top.as_slice(), &all[..all.len().min(10)], "{fragment}: the top 10 are the head of all hits");
            if count <= 10 {
                random_selective[len] += 1;
                assert!(top.iter().any(|h| h.uscc == subject.uscc.as_str()), "{fragment} lost {}", subject.name);
            }

            // The fragment a person would type: the most distinctive one.
            let best = (0..fragments.len()).min_by_key(|&j| (counts[j], j)).unwrap();
            if counts[best] <= 10 {
                distinctive[len] += 1;
                let top = app.state.search.search(&fragments[best], 10);
                assert!(
                    top.iter().any(|h| h.uscc == subject.uscc.as_str()),
                    "{} lost {}",
                    fragments[best],
                    subject.name
                );
            }
            checked[len] += 1;
        }
    }
    eprintln!("checked {checked:?}, distinctive {distinctive:?}, random and selective {random_selective:?}");
    for len in 2..=4 {
        assert!(checked[len] >= 100, "too few names long enough for {len}-character fragments: {checked:?}");
        // Nearly every name has a distinctive middle fragment of each length.
        assert!(distinctive[len] * 10 >= checked[len] * 9, "{len}: {distinctive:?} of {checked:?}");
    }
}

#[tokio::test]
async fn exact_beats_prefix_beats_contains() {
    let app = TestApp::new().await;
    register(
        &app,
        &[
            organisation("MA3C0001", "山东宏泉润商贸有限公司"),
            organisation("MA3C0002", "泉润商贸物流有限公司"),
            organisation("MA3C0003", "济南泉润商贸有限公司"),
            organisation("MA3C0004", "济南市历下区泉润商贸有限责任公司"),
            organisation("MA3C0005", "泉润(济南)商贸有限公司"),
        ],
    )
    .await;
    app.sync_search().await;
    let hits = app.state.search.search("泉润商贸", 10);
    assert_eq!(
        ranks(&hits),
        [
            // The name without brackets and legal form is 泉润商贸 …
            ("泉润(济南)商贸有限公司", MatchKind::Exact),
            // … these are 泉润商贸 only once place names are dropped.
            ("济南泉润商贸有限公司", MatchKind::Exact),
            ("济南市历下区泉润商贸有限责任公司", MatchKind::Exact),
            ("泉润商贸物流有限公司", MatchKind::Prefix),
            ("山东宏泉润商贸有限公司", MatchKind::Contains),
        ]
    );
    // With its legal form, the query is the same query; the registered
    // name itself comes first among the exact hits.
    let hits = app.state.search.search("济南泉润商贸有限公司", 10);
    assert_eq!(hits[0].name, "济南泉润商贸有限公司");
    assert_eq!(hits[0].rank, MatchKind::Exact);
    let hits = app.state.search.search("泉润商贸有限公司", 10);
    assert_eq!(hits.len(), 5);
    // Legal forms alone are not a search.
    assert!(app.state.search.search("有限公司", 10).is_empty());
    assert!(app.state.search.search("有限责任公司", 10).is_empty());
    // A typo finds the company only when nothing matches literally.
    let hits = app.state.search.search("泉润商茂", 10);
    assert!(!hits.is_empty() && hits.iter().all(|h| h.rank == MatchKind::Fuzzy), "{hits:?}");
}

#[tokio::test]
async fn codes_are_found_whatever_their_spacing_and_case() {
    let app = TestApp::new().await;
    let bodies = city(&app, 5, 50).await;
    for subject in subjects(&bodies).into_iter().take(10) {
        let code = subject.uscc.as_str();
        let spaced: String = code
            .to_ascii_lowercase()
            .chars()
            .enumerate()
            .flat_map(|(i, c)| if i % 4 == 3 { vec![c, ' '] } else { vec![c] })
            .collect();
        let full_width: String = code.chars().map(|c| char::from_u32(u32::from(c) + 0xFEE0).unwrap()).collect();
        for q in [code.to_owned(), format!("  {spaced} "), full_width] {
            let hits = app.state.search.search(&q, 10);
            assert_eq!(hits.len(), 1, "{q}");
            assert_eq!(hits[0].uscc, code);
            assert_eq!(hits[0].rank, MatchKind::Code);
            assert_eq!(hits[0].name, subject.name.as_str());
            assert_eq!(hits[0].division, subject.uscc.division_code());
            assert_eq!(hits[0].status, subject.status.as_str());
        }
    }
}

#[tokio::test]
async fn a_renamed_subject_is_found_by_its_new_name_and_not_its_old() {
    let app = TestApp::new().await;
    let old = organisation("MA3C0007", "济南舜耕旧名科技有限公司");
    register(&app, &[old.clone(), organisation("MA3C0008", "济南鲁泉物流有限公司")]).await;
    app.sync_search().await;
    assert_eq!(app.state.search.search("旧名", 10).len(), 1);
    let renamed = LegalPerson { name: SubjectName::parse("济南舜耕新名科技有限公司").unwrap(), ..old };
    app.core
        .append(vec![NewEvent::new(actor(), SubjectsEvent::LegalPersonUpdated { subject: renamed })])
        .await
        .unwrap();
    app.sync_search().await;
    assert!(app.state.search.search("旧名", 10).is_empty());
    // The old name is one character from the new one: only a fuzzy hit.
    let hits = app.state.search.search("舜耕旧名科技", 10);
    assert_eq!(ranks(&hits), [("济南舜耕新名科技有限公司", MatchKind::Fuzzy)]);
    let hits = app.state.search.search("新名", 10);
    assert_eq!(ranks(&hits), [("济南舜耕新名科技有限公司", MatchKind::Contains)]);
    assert_eq!(app.state.search.search("舜耕", 10).len(), 1);
    assert_eq!(app.state.search.len(), 2);
    // A status change keeps the name searchable and shows the new status.
    let revoked = LegalPerson {
        uscc: Uscc::from_parts('9', '1', "370102", "MA3C0007").unwrap(),
        name: SubjectName::parse("济南舜耕新名科技有限公司").unwrap(),
        status: SubjectStatus::Revoked,
    };
    app.core
        .append(vec![NewEvent::new(actor(), SubjectsEvent::LegalPersonUpdated { subject: revoked })])
        .await
        .unwrap();
    app.sync_search().await;
    assert_eq!(app.state.search.search("新名", 10)[0].status, "revoked");
}

#[tokio::test]
async fn natural_persons_never_appear() {
    let app = TestApp::new().await;
    let bodies = city(&app, 11, 300).await;
    let birth = chrono::NaiveDate::from_ymd_opt(1990, 3, 7).unwrap();
    let loner = NaturalPerson {
        id_number: IdNumber::from_parts("370102", birth, 777).unwrap(),
        name: SubjectName::parse("欧阳独行侠").unwrap(),
    };
    app.core
        .append(vec![NewEvent::new(actor(), SubjectsEvent::NaturalPersonRegistered { person: loner })])
        .await
        .unwrap();
    app.sync_search().await;
    assert!(app.state.search.search("欧阳独行侠", 10).is_empty());
    assert!(app.state.search.search("独行", 10).is_empty());
    let counts = app.core.counts().await.unwrap();
    assert_eq!(app.state.search.len() as u64, counts.subjects);
    for body in &bodies {
        let EventBody::Subjects(SubjectsEvent::LegalPersonRegistered { people, .. }) = body else { continue };
        for holder in people {
            let id = holder.person.id_number.as_str();
            assert!(app.state.search.search(id, 10).is_empty(), "an ID number found something");
            // A representative's name may be part of a shop's registered name
            // (张伟便利店); every hit is still an organisation.
            for hit in app.state.search.search(holder.person.name.as_str(), 50) {
                assert!(Uscc::parse(&hit.uscc).is_ok());
                assert_ne!(hit.name, holder.person.name.as_str());
            }
        }
    }
}

#[tokio::test]
async fn an_index_rebuilt_from_the_database_answers_like_the_followed_one() {
    let app = TestApp::new().await;
    let bodies = city(&app, 3, 2_000).await;
    // Renames and status changes reorder entries; the rebuild must agree.
    let people = subjects(&bodies);
    let updates: Vec<NewEvent> = people
        .iter()
        .step_by(97)
        .enumerate()
        .map(|(i, p)| {
            let mut subject = (*p).clone();
            if i % 2 == 0 {
                subject.name = SubjectName::parse(&format!("{}第{i}分部", p.name)).unwrap();
            } else {
                subject.status = SubjectStatus::Cancelled;
            }
            NewEvent::new(actor(), SubjectsEvent::LegalPersonUpdated { subject })
        })
        .collect();
    app.core.append(updates).await.unwrap();
    app.sync_search().await;
    let rebuilt = SearchIndex::rebuild(&app.core).await.unwrap();
    assert_eq!(rebuilt.applied(), app.state.search.applied());
    assert_eq!(rebuilt.len(), app.state.search.len());
    assert_eq!(rebuilt.digest(), app.state.search.digest());
    for q in ["济南", "科技", "便利店", "第0分部", "历下区", people[5].name.as_str()] {
        assert_eq!(rebuilt.search(q, 20), app.state.search.search(q, 20), "{q}");
    }
    // Following on from a rebuilt index applies only what is new.
    assert_eq!(rebuilt.catch_up(&app.core).await.unwrap(), 0);
    register(&app, &[organisation("MA3C0009", "济南后来居上商贸有限公司")]).await;
    assert_eq!(rebuilt.catch_up(&app.core).await.unwrap(), 1);
    assert_eq!(rebuilt.search("后来居上", 10).len(), 1);
}

#[tokio::test]
async fn a_running_follower_makes_a_new_subject_searchable_within_a_second() {
    let app = TestApp::new().await;
    city(&app, 4, 100).await;
    let index = Arc::clone(&app.state.search);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let follower = {
        let (core, index) = (app.core.clone(), Arc::clone(&index));
        tokio::spawn(async move {
            let subscribers: Vec<Box<dyn xinyong_core::log::follower::LogSubscriber>> = vec![Box::new(index.clone())];
            Follower::starting_at(index.applied()).run(core, subscribers, Duration::from_millis(200), stop_rx).await;
        })
    };
    register(&app, &[organisation("MA3C0010", "济南刚刚注册科技有限公司")]).await;
    let appended = Instant::now();
    while index.search("刚刚注册", 10).is_empty() {
        assert!(appended.elapsed() < Duration::from_secs(1), "not searchable within a second");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop_tx.send(true).unwrap();
    follower.await.unwrap();
}

/// A snapshot file is the index it was written from: loaded, it answers
/// like the followed index, follows on from the log size it reflects, and
/// is refused when it does not belong to this log or is damaged.
#[tokio::test]
async fn a_snapshot_loads_back_into_the_same_index_and_only_for_its_own_log() {
    use xinyong_core::portal::search::snapshot::{self, Loaded};
    let app = TestApp::new().await;
    let bodies = city(&app, 5, 1_500).await;
    let people = subjects(&bodies);
    let renamed = {
        let mut subject = people[7].clone();
        subject.name = SubjectName::parse(&format!("{}第二分部", subject.name)).unwrap();
        subject
    };
    app.core
        .append(vec![NewEvent::new(actor(), SubjectsEvent::LegalPersonUpdated { subject: renamed })])
        .await
        .unwrap();
    app.sync_search().await;
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(snapshot::load(&app.core, dir.path()).await.unwrap(), Loaded::Missing));

    let saved = snapshot::save(&app.core, &app.state.search, dir.path()).await.unwrap();
    assert_eq!(saved.log_size, app.state.search.applied());
    let Loaded::Index(loaded) = snapshot::load(&app.core, dir.path()).await.unwrap() else { panic!("not loaded") };
    assert_eq!(loaded.applied(), saved.log_size);
    assert_eq!(loaded.len(), app.state.search.len());
    let (a, b) = (loaded.stats(), app.state.search.stats());
    assert_eq!((a.subjects, a.stale, a.grams, a.postings), (b.subjects, b.stale, b.grams, b.postings));
    assert_eq!(loaded.digest(), app.state.search.digest());
    for q in ["济南", "科技", "第二分部", "历下区", people[3].name.as_str(), people[3].uscc.as_str(), "济南泉闰商贸"]
    {
        assert_eq!(loaded.answer(q, 20), app.state.search.answer(q, 20), "{q}");
    }

    // Written later, the log still starts with what the snapshot reflects.
    register(&app, &[organisation("MA3C0010", "济南快照之后商贸有限公司")]).await;
    let Loaded::Index(loaded) = snapshot::load(&app.core, dir.path()).await.unwrap() else { panic!("not loaded") };
    assert_eq!(loaded.catch_up(&app.core).await.unwrap(), 1);
    assert_eq!(loaded.search("快照之后", 10).len(), 1);

    // Another database (same size or not) is told apart by its root hash.
    let other = TestApp::new().await;
    city(&other, 6, 1_600).await;
    let Loaded::Unusable(why) = snapshot::load(&other.core, dir.path()).await.unwrap() else { panic!("used") };
    assert!(why.contains("root hash"), "{why}");
    let empty = TestApp::new().await;
    let Loaded::Unusable(why) = snapshot::load(&empty.core, dir.path()).await.unwrap() else { panic!("used") };
    assert!(why.contains("log has"), "{why}");

    // A damaged byte anywhere in the payload is caught by its checksum.
    let path = snapshot::path_in(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let Loaded::Unusable(why) = snapshot::load(&app.core, dir.path()).await.unwrap() else { panic!("used") };
    assert!(why.contains("CRC-32"), "{why}");
    std::fs::write(&path, b"XYSRCHIX").unwrap();
    assert!(matches!(snapshot::load(&app.core, dir.path()).await.unwrap(), Loaded::Unusable(_)));
}
