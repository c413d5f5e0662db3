//! The demo city's credit evaluation: every organisation graded under the
//! local model, then the 2025 national comprehensive evaluation
//! (全国公共信用综合评价) received for them and imported as the credit office
//! would, which grades the subjects it names again. The national grade the
//! demo invents follows the local one (a subject with a serious penalty is
//! not 优 nationally), with some spread from the seed.

use xinyong_core::Core;
use xinyong_core::auth::policy::Principal;
use xinyong_core::evaluation::external::{IncomingGrade, import_grades};
use xinyong_core::evaluation::{Scope, evaluate};
use xinyong_domain::evaluation::{ExternalScheme, GradeRow, ModelName};

use crate::{Result, fail};

/// Grades read per page while choosing the national grades.
const PAGE: u32 = 5_000;
/// The national evaluation the demo receives: the last full year.
const NATIONAL_PERIOD: &str = "2025";

pub(crate) async fn play(core: &Core, seed: u64) -> Result<()> {
    evaluate(core, &Scope::All).await.map_err(fail("demo: grading the city"))?;
    let local = ModelName::local();
    let max_rows = core.settings().evaluation.import_max_rows;
    let mut rows = Vec::new();
    let mut scan = core.store().scan::<GradeRow>(PAGE);
    while let Some(page) = scan.next_page().await.map_err(|e| fail("demo: reading the grades")(e.into()))? {
        for g in page.into_iter().filter(|g| g.model == local.as_str()) {
            if rows.len() < max_rows {
                let spread = (fnv(g.uscc.as_str()) ^ seed) % 100;
                rows.push(IncomingGrade {
                    row: rows.len() + 1,
                    uscc: g.uscc.as_str().to_owned(),
                    grade: national_for(&g.grade, spread).to_owned(),
                });
            }
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    let source = "国家公共信用信息中心 2025 年度全国公共信用综合评价结果（演示数据）";
    import_grades(core, &Principal::system(), ExternalScheme::National, NATIONAL_PERIOD, source, rows)
        .await
        .map_err(fail("demo: importing the national evaluation"))?;
    Ok(())
}

/// The national grade of a subject with local grade `grade`; `spread`
/// (0–99) moves some subjects one step.
fn national_for(grade: &str, spread: u64) -> &'static str {
    match grade {
        "A+" => "优",
        "A" if spread < 12 => "优",
        "A" => "良",
        "B" if spread < 40 => "良",
        "B" | "C" | "C-" => "中",
        _ => "差",
    }
}

/// FNV-1a: a stable hash of the code, the same on every machine.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
