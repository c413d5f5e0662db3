//! Numbered pages for the portal's result lists (search, 双公示, 信用名单):
//! previous/next, a window of page numbers around the current one, the
//! first and last page, and a "jump to page" form that keeps the filters.

/// One entry of the page-number row.
pub(crate) struct PageLink {
    /// Page number; 0 marks a gap (…).
    pub(crate) number: usize,
    /// Link to the page; `None` for the current page and gaps.
    pub(crate) href: Option<String>,
}

/// What `portal/pager.html` draws.
pub(crate) struct Pager {
    pub(crate) page: usize,
    pub(crate) pages: usize,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) links: Vec<PageLink>,
    /// The path the jump form submits to.
    pub(crate) action: String,
    /// The filters the jump form carries as hidden fields.
    pub(crate) hidden: Vec<(String, String)>,
}

/// Pages shown on each side of the current one.
const WINDOW: usize = 2;

impl Pager {
    /// A pager for `page` of `pages` at `path`, with `filters` (empty values
    /// are left out of links).
    pub(crate) fn new(path: &str, filters: &[(&str, &str)], page: usize, pages: usize) -> Pager {
        let pages = pages.max(1);
        let page = page.clamp(1, pages);
        let href = |p: usize| {
            let number = p.to_string();
            let mut pairs = filters.to_vec();
            if p > 1 {
                pairs.push(("page", &number));
            }
            format!("{path}{}", super::pages::query_string(&pairs))
        };
        let mut links = Vec::new();
        for p in 1..=pages {
            let near = p.abs_diff(page) <= WINDOW;
            if p == 1 || p == pages || near {
                links.push(PageLink { number: p, href: (p != page).then(|| href(p)) });
            } else if links.last().is_some_and(|l| l.number != 0) {
                links.push(PageLink { number: 0, href: None });
            }
        }
        Pager {
            page,
            pages,
            prev: (page > 1).then(|| href(page - 1)),
            next: (page < pages).then(|| href(page + 1)),
            links,
            action: path.to_owned(),
            hidden: filters
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_show_a_window_with_first_last_and_gaps() {
        let p = Pager::new("/search", &[("q", "泉润"), ("x", "")], 6, 20);
        let numbers: Vec<usize> = p.links.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 0, 4, 5, 6, 7, 8, 0, 20]);
        assert!(p.links.iter().find(|l| l.number == 6).is_some_and(|l| l.href.is_none()));
        assert_eq!(p.prev.as_deref(), Some("/search?q=%E6%B3%89%E6%B6%A6&page=5"));
        assert_eq!(p.hidden, [("q".to_owned(), "泉润".to_owned())]);
        let first = Pager::new("/lists", &[], 2, 3);
        assert_eq!(first.prev.as_deref(), Some("/lists"));
        assert_eq!(first.next.as_deref(), Some("/lists?page=3"));
        let only = Pager::new("/lists", &[], 9, 0);
        assert_eq!((only.page, only.pages, only.links.len()), (1, 1, 1));
    }
}
