//! Subscribers: the API a bank's or an association's system calls with its
//! token (`xys_…`): its watchlist, its feed, its webhook; and the credit
//! office's console pages to register, approve and suspend subscribers and
//! see what each received.

pub mod api;
pub(crate) mod pages;
