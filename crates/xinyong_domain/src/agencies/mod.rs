//! Credit service agencies (信用服务机构, seed clause 十八.2): the credit
//! office's filing (备案) of each agency with its status, staff and the
//! records of supervising it; the agencies' accounts; a company's consent
//! (授权) to an agency to download its full credit report, and every such
//! download (the company's "谁查询了我的信用"). The public list shows the
//! filed agencies, never the natural persons behind them.

mod events;
mod model;
mod tables;

pub use events::*;
pub use model::*;
pub use tables::*;
