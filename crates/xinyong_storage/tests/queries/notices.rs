//! Notices and policy documents: a kind's published notices newest first
//! and paged, their count, the console's list with withdrawn ones, and a
//! notice's attachments in order.

use xinyong_domain::notices::{NoticeAttachmentRow, NoticeKind, NoticeRow, NoticeStatus};
use xinyong_storage::notices;

use crate::{backends, date, put, rows};

fn notice(id: &str, kind: NoticeKind, on: &str) -> NoticeRow {
    NoticeRow {
        notice_id: id.to_owned(),
        kind,
        title: format!("标题 {id}"),
        published_on: date(on),
        body: "第一段\n\n第二段".to_owned(),
        issuer: String::new(),
        doc_number: String::new(),
        attachments: 0,
        status: NoticeStatus::Published,
        published_by: "user:admin".to_owned(),
        withdrawn_on: None,
        withdrawn_by: None,
        withdraw_reason: None,
        seq: 1,
    }
}

fn attachment(id: &str, no: u64) -> NoticeAttachmentRow {
    NoticeAttachmentRow {
        notice_id: id.to_owned(),
        file_no: no,
        name: format!("附件{no}.pdf"),
        media_type: "application/pdf".to_owned(),
        size: 8,
        sha256: "11".repeat(32),
        content_base64: "JVBERi0xLjc=".to_owned(),
        seq: 1,
    }
}

#[tokio::test]
async fn notices_are_paged_by_kind_newest_first_and_attachments_read_in_order_on_every_backend() {
    use NoticeKind::{Announcement, Policy};
    for db in backends().await {
        let store = db.store.as_ref();
        let backend = store.backend().as_str();
        let mut withdrawn = notice("TZ4", Announcement, "2026-11-30");
        withdrawn.status = NoticeStatus::Withdrawn;
        withdrawn.withdrawn_on = Some(date("2026-12-01"));
        withdrawn.withdraw_reason = Some("内容有误".to_owned());
        put(
            store,
            rows(&[
                notice("TZ1", Announcement, "2026-10-01"),
                notice("TZ2", Announcement, "2026-11-15"),
                notice("TZ3", Announcement, "2026-11-15"),
                withdrawn,
                notice("ZC1", Policy, "2020-07-24"),
            ]),
        )
        .await;
        let ids = |r: Vec<NoticeRow>| r.into_iter().map(|n| n.notice_id).collect::<Vec<_>>();
        let first = notices::published(store, Some(Announcement), 0, 2).await.unwrap();
        assert_eq!(ids(first), ["TZ3", "TZ2"], "{backend}: newest first, ties by id, withdrawn left out");
        let second = notices::published(store, Some(Announcement), 2, 2).await.unwrap();
        assert_eq!(ids(second), ["TZ1"], "{backend}: the next page");
        assert_eq!(notices::count_published(store, Some(Announcement)).await.unwrap(), 3, "{backend}");
        assert_eq!(notices::count_published(store, Some(Policy)).await.unwrap(), 1, "{backend}");
        assert_eq!(notices::count_published(store, None).await.unwrap(), 4, "{backend}");
        let latest = notices::published(store, None, 0, 10).await.unwrap();
        assert_eq!(ids(latest), ["TZ3", "TZ2", "TZ1", "ZC1"], "{backend}: every kind");
        let console = notices::all(store, 10).await.unwrap();
        assert_eq!(ids(console.clone()), ["TZ4", "TZ3", "TZ2", "TZ1", "ZC1"], "{backend}: withdrawn ones too");
        assert_eq!(console[0].withdraw_reason.as_deref(), Some("内容有误"), "{backend}: read back");
        assert_eq!(console[4].published_on, date("2020-07-24"), "{backend}");
        assert_eq!(notices::all(store, 2).await.unwrap().len(), 2, "{backend}: bounded");

        put(store, rows(&[attachment("ZC1", 2), attachment("ZC1", 1), attachment("TZ1", 1)])).await;
        let files = notices::attachments(store, "ZC1", 10).await.unwrap();
        assert_eq!(files.iter().map(|f| f.file_no).collect::<Vec<_>>(), [1, 2], "{backend}: in order");
        assert_eq!(files[0].content_base64, "JVBERi0xLjc=", "{backend}");
        assert_eq!(notices::attachments(store, "ZC1", 1).await.unwrap().len(), 1, "{backend}: bounded");
    }
}
