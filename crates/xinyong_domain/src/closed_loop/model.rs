//! The closed loop's vocabulary (发起—响应—推送—执行反馈, 54号 clause 十.2).

use serde::{Deserialize, Serialize};

use crate::auth::DepartmentCode;

/// One measure pushed to one executing department.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MeasurePush {
    pub measure: String,
    pub department: DepartmentCode,
}
