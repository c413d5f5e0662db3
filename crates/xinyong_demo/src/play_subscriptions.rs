//! The demo city's subscriber: a bank's Jinan branch, registered by the
//! credit office and approved by a second person, watching the companies it
//! lends to (some of them on lists) before the city is graded, so its feed
//! holds their grades as the platform gave them. It reads by pull (no
//! webhook: a demo has nowhere to POST to).

use xinyong_core::Core;
use xinyong_core::auth::policy::{Principal, SubscriberPrincipal};
use xinyong_core::subscriptions::{self, NewSubscriber};
use xinyong_domain::event::Actor;
use xinyong_domain::lists::ListingRow;
use xinyong_domain::subjects::{SubjectRow, SubjectStatus};

use crate::{Result, fail, invalid};

/// Companies the bank watches at most.
const WATCHED: usize = 300;

/// Registers and approves the bank and sets its watchlist; returns nothing
/// when the city is too small to lend to.
pub(crate) async fn play(core: &Core, seed: u64) -> Result<()> {
    let mut usccs: Vec<String> = Vec::new();
    let mut scan = core.store().scan::<ListingRow>(1_000);
    while let Some(page) = scan.next_page().await.map_err(|e| fail("demo: reading listings")(e.into()))? {
        usccs.extend(page.into_iter().filter(|l| !l.is_natural_person()).map(|l| l.subject_key));
    }
    usccs.truncate(WATCHED / 3);
    let mut scan = core.store().scan::<SubjectRow>(1_000);
    let stride = usize::try_from(seed % 7 + 3).unwrap_or(3);
    'subjects: while let Some(page) = scan.next_page().await.map_err(|e| fail("demo: reading subjects")(e.into()))? {
        for (i, s) in page.into_iter().enumerate() {
            if usccs.len() >= WATCHED {
                break 'subjects;
            }
            if i % stride == 0 && s.status == SubjectStatus::Active && s.uscc.as_str().starts_with("91") {
                usccs.push(s.uscc.as_str().to_owned());
            }
        }
    }
    if usccs.is_empty() {
        return Ok(());
    }
    let office = |login: &str| Actor::parse(&format!("user:{login}")).map(Principal::System).map_err(invalid);
    let bank = NewSubscriber {
        name: "济南农村商业银行股份有限公司".to_owned(),
        uscc: xinyong_domain::Uscc::from_parts('9', '1', "370100", "16305870").map_err(invalid)?.as_str().to_owned(),
        kind: "financial_institution".to_owned(),
        contact: "授信审批部 王经理 0531-86000000".to_owned(),
    };
    let secret = seed.to_le_bytes().repeat(4).try_into().map_err(|_| invalid("secret"))?;
    let registered = subscriptions::register(core, &office("admin")?, bank, secret)
        .await
        .map_err(fail("demo: registering the subscriber"))?;
    let id = registered.subscriber.subscriber_id;
    subscriptions::approve(core, &office("xyb")?, &id).await.map_err(fail("demo: approving the subscriber"))?;
    let as_bank = Principal::Subscriber(SubscriberPrincipal { subscriber_id: id });
    subscriptions::set_watchlist(core, &as_bank, &usccs).await.map_err(fail("demo: setting the watchlist"))?;
    Ok(())
}
