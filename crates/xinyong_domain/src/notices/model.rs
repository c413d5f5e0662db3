//! The kinds of notice and where a notice stands.

use serde::{Deserialize, Serialize};

/// What a notice is (信用济南's two columns).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum NoticeKind {
    /// 通知公告: the credit office's announcements.
    Announcement,
    /// 政策法规: laws, regulations and policy documents, usually with the
    /// issuing body and its document number (文号).
    Policy,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 2] = [NoticeKind::Announcement, NoticeKind::Policy];

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<NoticeKind> {
        raw.trim().parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            NoticeKind::Announcement => "通知公告",
            NoticeKind::Policy => "政策法规",
        }
    }
}

crate::projection::text_column!(NoticeKind, |s| NoticeKind::parse(s));

/// Where a notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum NoticeStatus {
    /// 已发布: on the portal.
    Published,
    /// 已撤回: gone from the portal, kept in the log and the console.
    Withdrawn,
}

impl NoticeStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Option<NoticeStatus> {
        raw.trim().parse().ok()
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            NoticeStatus::Published => "已发布",
            NoticeStatus::Withdrawn => "已撤回",
        }
    }
}

crate::projection::text_column!(NoticeStatus, |s| NoticeStatus::parse(s));

/// The paragraphs of a notice's body: blocks separated by blank lines, each
/// trimmed, line breaks inside a paragraph kept as they were typed.
pub fn paragraphs(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in body.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_states_round_trip() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NoticeKind::Policy.name_zh(), "政策法规");
        for s in [NoticeStatus::Published, NoticeStatus::Withdrawn] {
            assert_eq!(NoticeStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(NoticeKind::parse("notice"), None);
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        let body = "第一段第一行\n第一段第二行\n\n  \n第二段\r\n\r\n\n第三段\n";
        assert_eq!(paragraphs(body), ["第一段第一行\n第一段第二行", "第二段", "第三段"]);
        assert!(paragraphs("\n \n").is_empty());
    }
}
