//! Subscriptions in the core: the signature test vector of
//! docs/SUBSCRIPTIONS.md, a watchlist's rules, and the fan-out queueing each
//! change once, for approved subscribers only.

#![expect(clippy::unwrap_used, reason = "test helpers fail loudly on unexpected input")]

use xinyong_core::auth::policy::{Principal, SubscriberPrincipal};
use xinyong_core::closed_loop::webhooks::signature;
use xinyong_core::evaluation::{Scope, evaluate};
use xinyong_core::subscriptions::{self, NewSubscriber, fanout::fan_out};
use xinyong_domain::Uscc;
use xinyong_domain::event::{Actor, NewEvent};
use xinyong_domain::subjects::{LegalPerson, SubjectName, SubjectStatus, SubjectsEvent};
use xinyong_test_support::{TestApp, credit_office};

#[test]
fn subscription_signature_vector() {
    let body = br#"{"subscriber":"s0123456789","items":[],"cursor":0}"#;
    let got = signature(&"0".repeat(64), 1_764_115_200, body);
    println!("{got}");
    assert_eq!(got, "sha256=0569996c1b636b3bd89f812c99cb50e85d08075f709fbfc22741af1505195429");
}

fn org(n: &str) -> Uscc {
    Uscc::from_parts('9', '1', "370102", n).unwrap()
}

async fn city() -> TestApp {
    let app = TestApp::new().await;
    xinyong_core::rules::publish_rules(&app.core).await.unwrap();
    let events = ["MA3C8N0Q", "MA3C8N0R"]
        .iter()
        .map(|n| {
            NewEvent::new(
                Actor::parse("demo").unwrap(),
                SubjectsEvent::LegalPersonRegistered {
                    subject: LegalPerson {
                        uscc: org(n),
                        name: SubjectName::parse("济南某某有限公司").unwrap(),
                        status: SubjectStatus::Active,
                    },
                    people: vec![],
                },
            )
        })
        .collect();
    app.core.append(events).await.unwrap();
    app
}

async fn subscriber(app: &TestApp, secret: u8, approve: bool) -> Principal {
    let input = NewSubscriber {
        name: "某银行济南分行".into(),
        uscc: Uscc::from_parts('9', '1', "370100", "16304129").unwrap().as_str().into(),
        kind: "financial_institution".into(),
        contact: String::new(),
    };
    let r = subscriptions::register(&app.core, &credit_office("office"), input, [secret; 32]).await.unwrap();
    if approve {
        subscriptions::approve(&app.core, &credit_office("office2"), &r.subscriber.subscriber_id).await.unwrap();
    }
    let found = subscriptions::authenticate(&app.core, &r.token).await.unwrap();
    assert_eq!(found.is_some(), approve, "only an approved subscriber's token works");
    Principal::Subscriber(SubscriberPrincipal { subscriber_id: r.subscriber.subscriber_id })
}

#[tokio::test]
async fn changes_are_queued_once_and_only_for_approved_watchers() {
    let app = city().await;
    let bank = subscriber(&app, 1, true).await;
    let pending = subscriber(&app, 2, false).await;
    let wanted = [org("MA3C8N0Q").as_str().to_owned(), " 91370102ma3c8n0q?? ".to_owned()];
    let out = subscriptions::set_watchlist(&app.core, &bank, &wanted).await.unwrap();
    assert_eq!((out.watching, out.rejected.len()), (1, 1));
    assert_eq!(out.rejected[0].row, 2);
    assert!(
        subscriptions::set_watchlist(&app.core, &pending, &wanted).await.is_ok(),
        "policy lets it; the fan-out ignores it"
    );

    evaluate(&app.core, &Scope::All).await.unwrap();
    let first = fan_out(&app.core, 0).await.unwrap();
    assert_eq!(first.queued, 1, "one watched organisation graded: {first:?}");
    let again = fan_out(&app.core, 0).await.unwrap();
    assert_eq!(again.queued, 0, "nothing twice");
    let feed = subscriptions::feed(&app.core, &bank, 0, 10).await.unwrap();
    assert_eq!(feed.items.len(), 1);
    assert_eq!((feed.items[0].change.as_str(), feed.items[0].value.as_str()), ("grade_changed", "A"));
    let later = subscriptions::feed(&app.core, &bank, feed.next_cursor, 10).await.unwrap();
    assert!(later.items.is_empty() && !later.more);
    let none = subscriptions::feed(&app.core, &pending, 0, 10).await.unwrap();
    assert!(none.items.is_empty(), "a pending subscriber is sent nothing");

    // Emptying the list: nothing more is watched.
    let cleared = subscriptions::set_watchlist(&app.core, &bank, &[]).await.unwrap();
    assert_eq!((cleared.removed, cleared.watching), (1, 0));
    let clerk = xinyong_test_support::department_user("scjgj");
    assert_eq!(subscriptions::feed(&app.core, &clerk, 0, 10).await.unwrap_err().code(), "subscribers_only");
}

#[tokio::test]
async fn a_watchlist_longer_than_the_setting_is_refused_whole() {
    let settings = xinyong_core::CoreSettings {
        subscriptions: subscriptions::SubscriptionSettings { max_watchlist: 1 },
        ..xinyong_core::CoreSettings::default()
    };
    let app = TestApp::with_settings(xinyong_test_support::TestDb::new().await, settings).await;
    let bank = subscriber(&app, 3, true).await;
    let size = app.core.store().log_size().await.unwrap();
    let two = [org("MA3C8N0Q").as_str().to_owned(), org("MA3C8N0R").as_str().to_owned()];
    let err = subscriptions::set_watchlist(&app.core, &bank, &two).await.unwrap_err();
    assert_eq!(err.code(), "watchlist_too_long");
    assert_eq!(app.core.store().log_size().await.unwrap(), size, "nothing written");
    // A page of the feed is bounded too, whatever is asked.
    assert!(
        subscriptions::feed(&app.core, &bank, 0, u32::MAX).await.unwrap().items.len()
            <= subscriptions::MAX_FEED_PAGE as usize
    );
}
