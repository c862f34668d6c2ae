//! Figures computed from rows, kept while the rows they were computed from stay the same.
//!
//! A province's dashboard counts the tasks of every commune below it: reading those rows costs tenths of a
//! second at national scale, and the same figures are asked for again and again between two writes. Each
//! computation is stored with the [`Revision`] of the subtree it read (read *before* computing, so a write
//! during the computation makes the stored figures look old, never new); a request whose subtree revision
//! is the same gets them back for the price of one indexed query. The revision changes in the same
//! transaction as any write below the subtree (database triggers, `chiso_store::revision`), so the figures
//! are never stale, in this process or any other on the same database.
//!
//! One computation at a time per key: requests that arrive while it runs wait and share its result (32
//! requests for a cold province page compute it once, not 32 times).

use crate::ServiceResult;
use chiso_store::Store;
use chiso_store::revision::Revision;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

/// What figures are about: their kind, the unit (0 for the whole country), and whatever else they depend on
/// (period, day, depth, the schedule's due dates) as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FigureKey {
    pub kind: &'static str,
    pub unit_id: i64,
    pub detail: String,
}

type Value = Arc<dyn Any + Send + Sync>;
type Slot = Arc<tokio::sync::Mutex<Option<(Revision, Value)>>>;

/// Keys kept at most; when a new key would go beyond, every idle entry is dropped (figures are cheap to
/// compute again once). A province's report page is the largest value (≈ 0.2 MB for Hà Nội's 126 communes),
/// a commune's dashboard ≈ 50 KB: this bounds the cache to tens of megabytes.
const CAPACITY: usize = 1024;

/// Figures by key, each with the revision it was computed at. Shared by the clones of an `App`.
#[derive(Default)]
pub struct FiguresCache {
    entries: Mutex<HashMap<FigureKey, Slot>>,
    computations: std::sync::atomic::AtomicU64,
}

impl FiguresCache {
    /// The figures of `key` computed at `revision`, or computed now by `compute` (once, whoever else asks
    /// meanwhile) and kept.
    pub async fn get_or_compute<T, F, Fut>(&self, key: FigureKey, revision: Revision, compute: F) -> ServiceResult<Arc<T>>
    where
        T: Any + Send + Sync,
        F: FnOnce() -> Fut,
        Fut: Future<Output = ServiceResult<T>>,
    {
        let slot = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            if entries.len() >= CAPACITY && !entries.contains_key(&key) {
                entries.retain(|_, s| Arc::strong_count(s) > 1);
            }
            entries.entry(key).or_default().clone()
        };
        let mut held = slot.lock().await;
        if let Some((r, v)) = held.as_ref()
            && *r == revision
            && let Ok(v) = v.clone().downcast::<T>()
        {
            return Ok(v);
        }
        self.computations.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let v = Arc::new(compute().await?);
        *held = Some((revision, v.clone() as Value));
        Ok(v)
    }

    /// [`FiguresCache::get_or_compute`] for figures worth sharing between processes (seconds to compute):
    /// on a miss here, the figures another process stored at the same revision are read from the database;
    /// figures computed here are stored there for the others. A body that does not read back is computed
    /// again (figures are derived data).
    pub async fn get_or_compute_shared<T, F, Fut>(
        &self,
        store: &Store,
        key: FigureKey,
        revision: Revision,
        compute: F,
    ) -> ServiceResult<Arc<T>>
    where
        T: Any + Send + Sync + Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = ServiceResult<T>>,
    {
        let (kind, key_id, detail) = (key.kind, key.unit_id, key.detail.clone());
        self.get_or_compute(key, revision, || async move {
            if let Some((rev, body)) = store.shared_figure(kind, key_id, &detail).await?
                && rev == revision.as_text()
                && let Ok(v) = serde_json::from_str::<T>(&body)
            {
                return Ok(v);
            }
            let v = compute().await?;
            let body = serde_json::to_string(&v).map_err(|e| crate::ServiceError::Internal(e.to_string()))?;
            store.put_shared_figure(kind, key_id, &detail, &revision, &body, chiso_store::now_ms()).await?;
            Ok(v)
        })
        .await
    }

    /// Figures not found in this process's cache so far (computed, or read from another process's).
    pub fn computations(&self) -> u64 {
        self.computations.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key(unit_id: i64) -> FigureKey {
        FigureKey { kind: "test", unit_id, detail: String::new() }
    }

    #[tokio::test]
    async fn same_revision_same_figures_new_revision_computes_again() {
        let cache = FiguresCache::default();
        let calls = AtomicUsize::new(0);
        let r1 = Revision { units: 1, sum: 1, ids: 1, chain: 0, tree: 0 };
        let r2 = Revision { units: 1, sum: 2, ids: 1, chain: 0, tree: 0 };
        let compute = |n: u32| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok::<u32, crate::ServiceError>(n) }
        };
        assert_eq!(*cache.get_or_compute(key(1), r1, || compute(10)).await.expect("a"), 10);
        assert_eq!(*cache.get_or_compute(key(1), r1, || compute(11)).await.expect("b"), 10, "same revision: kept");
        assert_eq!(*cache.get_or_compute(key(1), r2, || compute(12)).await.expect("c"), 12, "new revision: computed");
        assert_eq!(*cache.get_or_compute(key(2), r2, || compute(13)).await.expect("d"), 13, "another key");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn concurrent_requests_compute_once() {
        let cache = Arc::new(FiguresCache::default());
        let calls = Arc::new(AtomicUsize::new(0));
        let r = Revision::default();
        let mut handles = Vec::new();
        for _ in 0..16 {
            let (cache, calls) = (cache.clone(), calls.clone());
            handles.push(tokio::spawn(async move {
                *cache
                    .get_or_compute(key(7), r, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<u32, crate::ServiceError>(42)
                    })
                    .await
                    .expect("figures")
            }));
        }
        for h in handles {
            assert_eq!(h.await.expect("join"), 42);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_failed_computation_is_not_kept() {
        let cache = FiguresCache::default();
        let r = Revision::default();
        let err = cache.get_or_compute(key(3), r, || async { Err::<u32, _>(crate::ServiceError::Invalid("x".into())) }).await;
        assert!(err.is_err());
        assert_eq!(*cache.get_or_compute(key(3), r, || async { Ok::<u32, crate::ServiceError>(5) }).await.expect("ok"), 5);
    }
}
