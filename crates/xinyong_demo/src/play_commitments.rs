//! The demo city's 告知承诺: four companies commit this week, one online and
//! three at the counters of the approval bureau and the market regulator —
//! a construction permit with two materials deferred (one already supplied),
//! a public-health licence verified as kept, a food-business licence still
//! waiting for its deferred rules text, and a public-health licence found to
//! be a false commitment, which becomes a published CNSX dishonesty record
//! and whose licence is revoked (the approval system finds it in its feed).
//! Running the demo again finds the same commitments and verifies nothing twice.

use xinyong_core::Core;
use xinyong_core::auth::policy::{Principal, SubjectPrincipal};
use xinyong_core::commitments::{self, MakeCommitment, Verification};
use xinyong_domain::auth::SubjectAccountRole;
use xinyong_domain::commitments::VerificationOutcome;
use xinyong_domain::event::Actor;
use xinyong_domain::subjects::{SubjectRow, SubjectStatus};

use crate::{Result, fail, invalid};

/// One commitment of the story: who commits how, and what the department finds.
struct Story {
    item: &'static str,
    case: &'static str,
    deferred: &'static [&'static str],
    online: bool,
    supplied: Option<&'static str>,
    finding: Option<(VerificationOutcome, &'static str)>,
}

const STORIES: [Story; 4] = [
    Story {
        item: "SPJ_JZSG",
        case: "SPJ-JZSG",
        deferred: &["SGTSC", "ZJLS"],
        online: true,
        supplied: Some("SGTSC"),
        finding: None,
    },
    Story {
        item: "SPJ_GGWS",
        case: "SPJ-GGWS",
        deferred: &[],
        online: false,
        supplied: None,
        finding: Some((VerificationOutcome::Kept, "现场核查：经营场所布局、设施设备和卫生管理制度与承诺一致")),
    },
    Story { item: "SCJ_SPJY", case: "SCJ-SPJY", deferred: &["AQZD"], online: false, supplied: None, finding: None },
    Story {
        item: "SPJ_GGWS",
        case: "SPJ-GGWS",
        deferred: &[],
        online: false,
        supplied: None,
        finding: Some((
            VerificationOutcome::False,
            "现场核查：未建立卫生管理制度，三名从业人员无有效健康合格证明，与承诺不符",
        )),
    },
];

/// Four active companies, chosen by the seed.
async fn applicants(core: &Core, seed: u64) -> Result<Vec<SubjectRow>> {
    let mut scan = core.store().scan::<SubjectRow>(1_000);
    let stride = usize::try_from(seed % 5 + 7).unwrap_or(7);
    let mut out = Vec::new();
    while let Some(page) = scan.next_page().await.map_err(|e| fail("demo: reading subjects")(e.into()))? {
        for (i, s) in page.into_iter().enumerate() {
            if i % stride == 1 && s.status == SubjectStatus::Active && s.uscc.as_str().starts_with("91") {
                out.push(s);
            }
            if out.len() == STORIES.len() {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// Writes the four commitments of the story (the leak walk runs it too).
///
/// # Errors
/// A use case refused what the demo asked.
pub async fn play(core: &Core, seed: u64) -> Result<()> {
    let today = xinyong_core::collection::intake::china_today(core);
    let counter = |department: &str| Actor::parse(&format!("department:{department}")).map(Principal::System);
    for (n, (story, company)) in STORIES.iter().zip(applicants(core, seed).await?).enumerate() {
        let item = commitments::item(core, story.item).map_err(fail("demo: a commitment item"))?;
        let who = if story.online {
            Principal::Subject(SubjectPrincipal {
                uscc: company.uscc.clone(),
                username: "admin".to_owned(),
                role: SubjectAccountRole::LegalRepresentative,
            })
        } else {
            counter(item.department.as_str()).map_err(invalid)?
        };
        let input = MakeCommitment {
            uscc: company.uscc.as_str().to_owned(),
            item_code: story.item.to_owned(),
            case_ref: format!("{}-{}-{:03}", story.case, today.format("%Y%m%d"), 101 + n),
            deferred: story.deferred.iter().map(|c| (*c).to_owned()).collect(),
        };
        let id = match commitments::make(core, &who, input).await {
            Ok(id) => id,
            // A company a previous run found false is barred now: the story goes on.
            Err(e) if e.code() == "commitment_not_available" => continue,
            Err(e) => return Err(fail("demo: a commitment")(e)),
        };
        let department = counter(item.department.as_str()).map_err(invalid)?;
        if let Some(material) = story.supplied {
            commitments::supply_material(core, &department, &id, material)
                .await
                .map_err(fail("demo: a supplied material"))?;
        }
        let row = commitments::commitment(core, &id).await.map_err(fail("demo: reading a commitment"))?;
        if let (Some((outcome, note)), None) = (story.finding, row.outcome) {
            let finding = Verification { outcome, note: note.to_owned() };
            commitments::verify(core, &department, &id, finding).await.map_err(fail("demo: a verification"))?;
        }
        // The false commitment's approval is revoked; the approval system
        // finds the revocation in its feed.
        if matches!(story.finding, Some((VerificationOutcome::False, _))) {
            let decision = format!("济审撤〔{}〕{}号", today.format("%Y"), 17 + n);
            let reason = "以虚假承诺取得公共场所卫生许可，依法撤销该许可决定";
            commitments::revoke_approval(core, &department, &id, &decision, reason)
                .await
                .map_err(fail("demo: revoking an approval"))?;
        }
    }
    Ok(())
}
