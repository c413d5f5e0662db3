//! Rectification campaigns (专项治理): the console's list of campaigns and
//! the form to open one, a campaign's subjects, each subject's page with its
//! progress, evidence, outcome and the interview an overdue subject is due,
//! and the campaign's dashboard with server-rendered SVG charts.

mod charts;
pub(crate) mod dashboard;
pub(crate) mod pages;
