#![forbid(unsafe_code)]
#![doc = include_str!("../README.md")]

pub mod calendar;
pub mod catalog;
pub mod check;
pub mod codes;
pub mod division;
pub mod event;
pub mod id_number;
pub mod intake;
pub mod listing;
pub mod mask;
pub mod org;
pub mod projection;
pub mod publicity;
pub mod record;
pub mod sanction;
pub mod subject;
pub mod uscc;

pub use calendar::{Calendar, CalendarError, DayKind};
pub use division::DivisionCode;
pub use id_number::{IdNumber, IdNumberError, Sex};
pub use mask::MaskConfig;
pub use uscc::{Uscc, UsccError, UsccWarning};
