//! Integrity education (诚信教育, seed clause 二): free law-and-credit
//! courses the credit office offers — at registration and at application,
//! never as a precondition for market entry — and who completed them. A
//! course marked as repair training is accepted as the 信用修复专题培训证明
//! a regime asks for. Natural persons' completions are theirs alone: never
//! public.

use chrono::NaiveDate;

use crate::projection::TableSpec;

crate::projection::table! {
    /// The course catalog (诚信教育课程).
    pub struct IntegrityCourseRow in INTEGRITY_COURSES = "integrity_courses" {
        key { course_id: String }
        title: String,
        provider: String,
        /// Class hours (学时).
        hours: u32,
        content: String,
        /// Where the course is taken (a public page or the venue).
        location: String,
        /// Accepted as the repair training certificate (信用修复专题培训).
        repair_training: bool,
        /// Offered now; a withdrawn course keeps its completions.
        active: bool,
        saved_on: NaiveDate,
        seq: u64,
    }
}

crate::projection::table! {
    /// Who completed which course: an organisation (USCC) or a person (ID number).
    pub struct CourseCompletionRow in COURSE_COMPLETIONS = "course_completions" {
        key { course_id: String, learner_key: String [personal] }
        /// `legal_person` or `natural_person`.
        learner_kind: String,
        learner_name: String,
        certificate_no: String,
        completed_on: NaiveDate,
        recorded_by: String,
        seq: u64,
    }
}

/// The education tables, in the order `verify` checks them.
pub fn education_tables() -> [&'static TableSpec; 2] {
    [&INTEGRITY_COURSES, &COURSE_COMPLETIONS]
}
