#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

// Shared kernel: value types, the calendar, masking, the projection machinery
// and the composition of the contexts' events.
pub mod calendar;
pub mod codes;
pub mod event;
pub mod mask;
pub mod personal_text;
pub mod projection;

// Bounded contexts, one folder each (model, events, tables).
pub mod agencies;
pub mod auth;
pub mod campaigns;
pub mod checks;
pub mod closed_loop;
pub mod collection;
pub mod commitments;
pub mod evaluation;
pub mod inspections;
pub mod lists;
pub mod log;
pub mod lottery;
pub mod notices;
pub mod objections;
pub mod registrations;
pub mod repair;
pub mod reports;
pub mod rules;
pub mod subjects;
pub mod subscriptions;

pub use calendar::{Calendar, CalendarError, DayKind};
pub use codes::division::DivisionCode;
pub use codes::id_number::{IdNumber, IdNumberError, Sex};
pub use codes::uscc::{Uscc, UsccError, UsccWarning};
pub use mask::MaskConfig;
