//! What every list page shares: reading `page`, `sort` and `dir` from the query string into typed values
//! (a Vietnamese message when they are wrong), and the links of the pager and of the sortable column
//! headers, which keep the list's filters so that a filtered, sorted page can be bookmarked.

use crate::auth::urlencode;
use chiso_core::list::{PageRequest, Paged, Sort, SortColumn, SortDir};
use serde::Deserialize;

/// `sort`, `dir` and `page` of a list page's query string, as typed: flattened into each page's own query
/// (`#[serde(flatten)] list: ListQuery`), which then declares only its filters (see [`ListFilters`]).
#[derive(Deserialize, Default, Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    #[serde(default)]
    pub page: String,
}

impl ListQuery {
    /// The page and the sort asked for; what is wrong in them is pushed to `errors` (and the default used).
    pub fn parse<C: SortColumn>(&self, default: Sort<C>, errors: &mut Vec<String>) -> (PageRequest, Sort<C>) {
        page_and_sort(&self.page, &self.sort, &self.dir, default, errors)
    }
}

/// A list page's query declares its own filters: as typed, kept in every link of the list (empty ones are
/// left out); its paging and sort are the [`ListQuery`] flattened into it.
pub trait ListFilters {
    /// `(name in the query string, value as typed)`, in the order links write them.
    fn filters(&self) -> Vec<(&'static str, String)>;
}

/// `page`, `sort` and `dir` of a list's query string, parsed. Errors are Vietnamese sentences.
pub fn page_and_sort<C: SortColumn>(
    page: &str,
    sort: &str,
    dir: &str,
    default: Sort<C>,
    errors: &mut Vec<String>,
) -> (PageRequest, Sort<C>) {
    let page = PageRequest::parse(page).unwrap_or_else(|e| {
        errors.push(e);
        PageRequest::default()
    });
    let sort = Sort::parse(sort, dir, default).unwrap_or_else(|e| {
        errors.push(e);
        default
    });
    (page, sort)
}

/// The links of a list page: its path, the filters as typed (kept in every link), its sort and its page.
pub struct ListNav {
    path: &'static str,
    filters: Vec<(&'static str, String)>,
    sort_key: &'static str,
    dir: SortDir,
    default_key: &'static str,
    default_dir: SortDir,
    /// Which column's first click sorts descending.
    desc_first: Vec<&'static str>,
    pub page: u32,
    pub pages: u32,
    pub total: i64,
}

impl ListNav {
    /// `filters` are the query's filter fields as typed (empty ones are left out of links).
    pub fn new<C: SortColumn, T>(
        path: &'static str,
        filters: Vec<(&'static str, String)>,
        sort: Sort<C>,
        default: Sort<C>,
        paged: &Paged<T>,
    ) -> ListNav {
        ListNav {
            path,
            filters: filters.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect(),
            sort_key: sort.column.key(),
            dir: sort.dir,
            default_key: default.column.key(),
            default_dir: default.dir,
            desc_first: C::ALL.iter().filter(|c| c.default_dir() == SortDir::Desc).map(|c| c.key()).collect(),
            page: paged.page,
            pages: paged.pages(),
            total: paged.total,
        }
    }

    fn href(&self, sort_key: &str, dir: SortDir, page: u32, extra: &str) -> String {
        let mut parts: Vec<String> = self.filters.iter().map(|(k, v)| format!("{k}={}", urlencode(v.trim()))).collect();
        if sort_key != self.default_key || dir != self.default_dir {
            parts.push(format!("sort={sort_key}"));
            parts.push(format!("dir={}", dir.as_str()));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        let path = if extra.is_empty() { self.path.to_string() } else { format!("{}{extra}", self.path) };
        if parts.is_empty() { path } else { format!("{path}?{}", parts.join("&")) }
    }

    /// The links of the list that `q` asks for (its filters kept in every link).
    pub fn of<C: SortColumn, T>(path: &'static str, q: &impl ListFilters, sort: Sort<C>, default: Sort<C>, paged: &Paged<T>) -> ListNav {
        ListNav::new(path, q.filters(), sort, default, paged)
    }

    /// Page `n` of the list, same filters and sort.
    pub fn page_href(&self, n: &u32) -> String {
        self.href(self.sort_key, self.dir, *n, "")
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages
    }

    pub fn prev_href(&self) -> String {
        self.page_href(&self.page.saturating_sub(1).max(1))
    }

    pub fn next_href(&self) -> String {
        self.page_href(&(self.page + 1).min(self.pages))
    }

    /// The list sorted by `key` (the other direction if it is already sorted by it), from page 1.
    pub fn sort_href(&self, key: &str) -> String {
        let dir = if key == self.sort_key {
            self.dir.flip()
        } else if self.desc_first.contains(&key) {
            SortDir::Desc
        } else {
            SortDir::Asc
        };
        self.href(key, dir, 1, "")
    }

    /// " ▲" / " ▼" after the header of the column the list is sorted by.
    pub fn arrow(&self, key: &str) -> &'static str {
        match (key == self.sort_key, self.dir) {
            (false, _) => "",
            (true, SortDir::Asc) => " ▲",
            (true, SortDir::Desc) => " ▼",
        }
    }

    /// `aria-sort` of a column header.
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (key == self.sort_key, self.dir) {
            (false, _) => "none",
            (true, SortDir::Asc) => "ascending",
            (true, SortDir::Desc) => "descending",
        }
    }

    /// The same list (every row, same filters and sort) at `path + suffix`, e.g. a CSV export.
    pub fn export_href(&self, suffix: &str) -> String {
        self.href(self.sort_key, self.dir, 1, suffix)
    }

    /// "Trang 2/15".
    pub fn label(&self) -> String {
        format!("Trang {}/{}", self.page, self.pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chiso_store::plans::PlanColumn;

    fn nav(sort: Sort<PlanColumn>, page: u32, total: i64) -> ListNav {
        let paged: Paged<()> = Paged { items: Vec::new(), total, page, size: 50 };
        ListNav::new("/plans", vec![("q", "426/KH".into()), ("unit", String::new())], sort, PlanColumn::NEWEST, &paged)
    }

    #[test]
    fn links_keep_the_filters_and_the_sort() {
        let n = nav(Sort { column: PlanColumn::Title, dir: SortDir::Asc }, 2, 120);
        assert_eq!(n.label(), "Trang 2/3");
        assert_eq!(n.next_href(), "/plans?q=426/KH&sort=title&dir=asc&page=3");
        assert_eq!(n.prev_href(), "/plans?q=426/KH&sort=title&dir=asc");
        assert_eq!(n.sort_href("title"), "/plans?q=426/KH&sort=title&dir=desc", "a second click reverses");
        assert_eq!(n.sort_href("tasks"), "/plans?q=426/KH&sort=tasks&dir=desc", "counts start with the largest");
        assert_eq!(n.arrow("title"), " ▲");
        let first = nav(PlanColumn::NEWEST, 1, 10);
        assert_eq!(first.page_href(&1), "/plans?q=426/KH");
        assert!(!first.has_prev() && !first.has_next());
    }

    #[derive(serde::Deserialize, Default)]
    struct Q {
        #[serde(default)]
        q: String,
        #[serde(flatten)]
        list: ListQuery,
    }

    impl ListFilters for Q {
        fn filters(&self) -> Vec<(&'static str, String)> {
            vec![("q", self.q.clone())]
        }
    }

    #[test]
    fn a_page_query_declares_its_filters_and_gets_sort_and_page_flattened() {
        let uri: axum::http::Uri = "/plans?q=%C4%91%E1%BB%93ng&sort=title&dir=desc&page=2".parse().expect("uri");
        let axum::extract::Query(q) = axum::extract::Query::<Q>::try_from_uri(&uri).expect("query");
        assert_eq!(q.q, "đồng");
        assert_eq!(q.list, ListQuery { sort: "title".into(), dir: "desc".into(), page: "2".into() });
        let mut errors = Vec::new();
        let (page, sort) = q.list.parse(PlanColumn::NEWEST, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let paged: Paged<()> = Paged { items: Vec::new(), total: 120, page: page.page, size: page.size };
        let n = ListNav::of("/plans", &q, sort, PlanColumn::NEWEST, &paged);
        assert_eq!(n.next_href(), "/plans?q=%C4%91%E1%BB%93ng&sort=title&dir=desc&page=3");
        let axum::extract::Query(empty) = axum::extract::Query::<Q>::try_from_uri(&"/plans".parse().expect("uri")).expect("none");
        assert_eq!(empty.list, ListQuery::default());
    }

    #[test]
    fn bad_paging_and_sorting_are_told_in_vietnamese() {
        let mut errors = Vec::new();
        let (p, s) = page_and_sort("abc", "title; DROP", "", PlanColumn::NEWEST, &mut errors);
        assert_eq!((p.page, s), (1, PlanColumn::NEWEST));
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("Số trang 'abc'") && errors[1].contains("Không sắp xếp được"), "{errors:?}");
    }
}
