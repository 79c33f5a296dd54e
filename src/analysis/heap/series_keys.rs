//! `SeriesKeys`: the Summary's class keys of several snapshots lined up as one list of rows,
//! every snapshot named with the last one's interface definitions (as DevTools' Comparison
//! names its base with the compared snapshot's), so `{url, method}` means the same in each.
//! It maps keys to rows by their text once per key, never per node; it computes no numbers.

use std::collections::HashMap;

use super::class_keys::ClassKeys;
use super::heap_summary::HeapAnalysis;
use crate::model::HeapGraph;

/// One snapshot's keys and the row each key is.
pub(crate) struct SnapshotKeys {
    /// Each node's key.
    pub keys: ClassKeys,
    /// The row of each key id.
    pub row_of: Vec<u32>,
}

impl SnapshotKeys {
    /// The row of node `o`.
    #[inline]
    pub fn row(&self, o: usize) -> usize {
        self.row_of[self.keys.key_of[o] as usize] as usize
    }
}

/// The rows of a series of snapshots (oldest first).
pub(crate) struct SeriesKeys {
    /// Per snapshot, in the order given.
    pub snapshots: Vec<SnapshotKeys>,
    /// Each row's key text (`,Name` or `script,line,column,Name`).
    pub texts: Vec<String>,
    /// Each row's class name, from the latest snapshot that has it.
    pub names: Vec<String>,
}

impl SeriesKeys {
    /// Keys of `series` (graph, analysis; oldest first), each snapshot's plain objects named
    /// after the last snapshot's interfaces.
    pub fn of(series: &[(&HeapGraph, &HeapAnalysis)]) -> Self {
        let Some(&(_, last_a)) = series.last() else {
            return SeriesKeys {
                snapshots: Vec::new(),
                texts: Vec::new(),
                names: Vec::new(),
            };
        };
        let definitions = &last_a.class_names.interfaces;
        let mut by_text: HashMap<String, u32> = HashMap::new();
        let mut texts = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut snapshots: Vec<Option<SnapshotKeys>> = (0..series.len()).map(|_| None).collect();
        // Newest first, so a row's name is the newest snapshot's.
        for (s, &(g, a)) in series.iter().enumerate().rev() {
            let renamed;
            let class_names = if s + 1 == series.len() {
                &a.class_names
            } else {
                renamed = a.class_names.with_interfaces(g, definitions);
                &renamed
            };
            let keys = ClassKeys::of_names(g, class_names);
            let row_of = (0..keys.len() as u32)
                .map(|id| {
                    let text = keys.text_in(g, class_names, id);
                    *by_text.entry(text).or_insert_with_key(|text| {
                        texts.push(text.clone());
                        names.push(keys.name_in(g, class_names, id).to_owned());
                        texts.len() as u32 - 1
                    })
                })
                .collect();
            snapshots[s] = Some(SnapshotKeys { keys, row_of });
        }
        SeriesKeys {
            snapshots: snapshots.into_iter().flatten().collect(),
            texts,
            names,
        }
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.texts.len()
    }
}
