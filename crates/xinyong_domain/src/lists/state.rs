//! Which step of the listing life cycle may follow which: one pure rule,
//! judged on the step's own date.

use chrono::NaiveDate;

use crate::lists::{ExitReason, ListingStatus};

// ---------------------------------------------------------------- life cycle

/// A step someone wants to take on a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    ServeNotice,
    FileObjection,
    AnswerObjection,
    Decide,
    Withdraw,
    Exit(ExitReason),
}

/// Why a step is not allowed now; `code()` is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("当前状态为「{0}」，不能执行此操作")]
    WrongStatus(&'static str),
    #[error("异议期至 {0} 届满；期内不能作出列入决定")]
    ObjectionWindowOpen(NaiveDate),
    #[error("异议期已于 {0} 届满，不能再受理异议")]
    ObjectionWindowClosed(NaiveDate),
    #[error("该名单须先告知当事人并给予异议期，才能作出列入决定")]
    NoticeRequired,
    #[error("尚未满足提前移出条件：列入满 {months} 个月后({earliest} 起)方可申请信用修复移出")]
    RepairTooEarly { months: u32, earliest: NaiveDate },
    #[error("该名单不适用信用修复提前移出")]
    NotRepairable,
    #[error("有效期至 {0}，尚未届满")]
    NotExpired(NaiveDate),
}

impl StepError {
    pub fn code(&self) -> &'static str {
        match self {
            StepError::WrongStatus(_) => "listing_wrong_status",
            StepError::ObjectionWindowOpen(_) => "objection_window_open",
            StepError::ObjectionWindowClosed(_) => "objection_window_closed",
            StepError::NoticeRequired => "notice_required",
            StepError::RepairTooEarly { .. } => "repair_too_early",
            StepError::NotRepairable => "not_repairable",
            StepError::NotExpired(_) => "not_expired",
        }
    }
}

/// What the life-cycle rule needs to know about a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingState {
    pub status: ListingStatus,
    pub notice_required: bool,
    pub objection_deadline: Option<NaiveDate>,
    /// An objection was answered (rejected): the subject has been heard, so
    /// the decision need not wait for the rest of the window.
    pub objection_answered: bool,
    /// The subject waived its objection in writing.
    pub objection_waived: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub repairable: bool,
    pub early_exit_after_months: Option<u32>,
}

impl ListingState {
    /// Whether `step` may be taken on `today`.
    pub fn check(&self, step: Step, today: NaiveDate) -> Result<(), StepError> {
        use ListingStatus as S;
        let wrong = || Err(StepError::WrongStatus(self.status.name_zh()));
        match step {
            Step::ServeNotice => match self.status {
                S::Proposed => Ok(()),
                _ => wrong(),
            },
            Step::FileObjection => match (self.status, self.objection_deadline) {
                (S::Noticed, Some(deadline)) if today <= deadline => Ok(()),
                (S::Noticed, Some(deadline)) => Err(StepError::ObjectionWindowClosed(deadline)),
                _ => wrong(),
            },
            Step::AnswerObjection => match self.status {
                S::UnderObjection => Ok(()),
                _ => wrong(),
            },
            Step::Decide => match (self.status, self.objection_deadline) {
                (S::Proposed, _) if !self.notice_required => Ok(()),
                (S::Proposed, _) => Err(StepError::NoticeRequired),
                (S::Noticed, Some(deadline))
                    if today > deadline || self.objection_answered || self.objection_waived =>
                {
                    Ok(())
                }
                (S::Noticed, Some(deadline)) => Err(StepError::ObjectionWindowOpen(deadline)),
                (S::Noticed, None) => Ok(()),
                _ => wrong(),
            },
            Step::Withdraw => match self.status {
                S::Proposed | S::Noticed => Ok(()),
                _ => wrong(),
            },
            Step::Exit(reason) => {
                if self.status != S::Listed {
                    return wrong();
                }
                match reason {
                    ExitReason::Revoked | ExitReason::CourtDecision | ExitReason::Dishonesty => Ok(()),
                    ExitReason::Expired => match self.valid_until {
                        Some(until) if today > until => Ok(()),
                        Some(until) => Err(StepError::NotExpired(until)),
                        None => Err(StepError::WrongStatus("长期有效")),
                    },
                    ExitReason::Repaired => {
                        let Some(months) = self.early_exit_after_months.filter(|_| self.repairable) else {
                            return Err(StepError::NotRepairable);
                        };
                        let from = self.valid_from.unwrap_or(today);
                        let earliest = from.checked_add_months(chrono::Months::new(months)).unwrap_or(from);
                        if today >= earliest { Ok(()) } else { Err(StepError::RepairTooEarly { months, earliest }) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn state(status: ListingStatus) -> ListingState {
        ListingState {
            status,
            notice_required: true,
            objection_deadline: Some(d("2026-12-04")),
            objection_answered: false,
            objection_waived: false,
            valid_from: Some(d("2026-01-10")),
            valid_until: Some(d("2029-01-09")),
            repairable: true,
            early_exit_after_months: Some(12),
        }
    }

    #[test]
    fn a_decision_waits_for_the_objection_window() {
        let s = state(ListingStatus::Noticed);
        assert_eq!(s.check(Step::Decide, d("2026-12-04")).unwrap_err().code(), "objection_window_open");
        assert!(s.check(Step::Decide, d("2026-12-05")).is_ok());
        let heard = ListingState { objection_answered: true, ..s.clone() };
        assert!(heard.check(Step::Decide, d("2026-12-01")).is_ok());
        // A written waiver of the objection: the decision need not wait.
        let waived = ListingState { objection_waived: true, ..s };
        assert!(waived.check(Step::Decide, d("2026-12-01")).is_ok());
    }

    #[test]
    fn objections_only_inside_the_window() {
        let s = state(ListingStatus::Noticed);
        assert!(s.check(Step::FileObjection, d("2026-12-04")).is_ok());
        assert_eq!(s.check(Step::FileObjection, d("2026-12-05")).unwrap_err().code(), "objection_window_closed");
        assert_eq!(
            state(ListingStatus::UnderObjection).check(Step::Decide, d("2027-01-01")).unwrap_err().code(),
            "listing_wrong_status"
        );
    }

    #[test]
    fn notice_is_required_unless_the_list_waives_it() {
        let s = state(ListingStatus::Proposed);
        assert_eq!(s.check(Step::Decide, d("2026-12-01")).unwrap_err().code(), "notice_required");
        let red = ListingState { notice_required: false, ..s };
        assert!(red.check(Step::Decide, d("2026-12-01")).is_ok());
    }

    #[test]
    fn exits_follow_their_conditions() {
        let s = state(ListingStatus::Listed);
        assert_eq!(s.check(Step::Exit(ExitReason::Expired), d("2029-01-09")).unwrap_err().code(), "not_expired");
        assert!(s.check(Step::Exit(ExitReason::Expired), d("2029-01-10")).is_ok());
        assert_eq!(s.check(Step::Exit(ExitReason::Repaired), d("2027-01-09")).unwrap_err().code(), "repair_too_early");
        assert!(s.check(Step::Exit(ExitReason::Repaired), d("2027-01-10")).is_ok());
        assert!(s.check(Step::Exit(ExitReason::Revoked), d("2026-02-01")).is_ok());
        let court = ListingState { repairable: false, early_exit_after_months: None, ..s };
        assert_eq!(
            court.check(Step::Exit(ExitReason::Repaired), d("2028-01-01")).unwrap_err().code(),
            "not_repairable"
        );
    }
}
