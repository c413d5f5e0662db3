//! 双随机、一公开: the pure core of the verifiable lottery (seed clause 七.2,
//! DOMAIN §7, `docs/LOTTERY.md`). This is the part an outsider re-implements
//! to check a draw: the pool commitment, the seed derivation, the ChaCha20
//! stream with its bounded integers, the stratified partial Fisher–Yates, the
//! inspector assignment with recusal, and the comparison of a published
//! result with the recomputed one.
//!
//! What stays outside: committing the pool, plan and roster digests to the
//! log, waiting for the first checkpoint signed far enough after that
//! commitment, publishing, and reading it all back for `lottery verify`.
//! Those parts hand this module the values; nothing here reads a clock or
//! draws randomness.

mod draw;
mod encoding;
mod error;
mod pool;
mod roster;
mod seed;
mod stream;
mod verify;

pub use draw::{AssignedDraw, Assignment, Draw, Outcome, PublishedDraw, StratumResult, draw};
pub use encoding::Hash256;
pub use error::LotteryError;
pub use pool::{NO_MAX, POOL_TAG, Pool, Quota, Stratum, StratumName};
pub use roster::{Conflict, InspectorId, MIN_INSPECTORS_PER_TARGET, ROSTER_TAG, Roster};
pub use seed::{Beacon, CheckpointRoot, DrawId, SEED_TAG, Seed, SeedSource, derive_seed, seed_preimage};
pub use stream::Stream;
pub use verify::{Difference, Discrepancies, verify, verify_assignments};
