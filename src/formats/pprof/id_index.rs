//! `IdIndex`: producer ids (mapping, location, function) to row numbers. Dense `Vec` when ids
//! are small, `HashMap` otherwise, as pprof's `postDecode` does (`profile/encode.go`); ids are
//! never assumed dense. Duplicate ids are errors as in pprof's `CheckValid`, except that a table
//! whose ids are ALL missing (0) is numbered by position, 1 first (the .NET profiler omits them).

use std::collections::HashMap;

use super::super::DecodeError;

const NONE: u32 = u32::MAX;

/// Maps ids to rows.
#[derive(Debug)]
pub enum IdIndex {
    /// `rows[id]` is the row, `NONE` if absent.
    Dense(Vec<u32>),
    /// Sparse or huge ids.
    Sparse(HashMap<u64, u32>),
}

impl IdIndex {
    /// Indexes `ids` (row `i` has `ids[i]`). `what` names the table in errors (`location`).
    /// When every id is 0 (and there are several rows), row `i` gets id `i + 1`.
    pub fn build(ids: &[u64], what: &str) -> Result<IdIndex, DecodeError> {
        let n = ids.len();
        if n >= NONE as usize {
            return Err(DecodeError::new(format!("too many {what}s: {n}")));
        }
        if n > 1 && ids.iter().all(|&id| id == 0) {
            return Ok(IdIndex::Dense(
                std::iter::once(NONE).chain(0..n as u32).collect(),
            ));
        }
        let max = ids.iter().copied().max().unwrap_or(0);
        let duplicate =
            |id: u64| DecodeError::new(format!("the profile defines {what} {id} twice"));
        if max <= (4 * n as u64).saturating_add(16) {
            let mut rows = vec![NONE; max as usize + 1];
            for (row, &id) in ids.iter().enumerate() {
                let slot = &mut rows[id as usize];
                if *slot != NONE {
                    return Err(duplicate(id));
                }
                *slot = row as u32;
            }
            Ok(IdIndex::Dense(rows))
        } else {
            let mut rows = HashMap::with_capacity(n);
            for (row, &id) in ids.iter().enumerate() {
                if rows.insert(id, row as u32).is_some() {
                    return Err(duplicate(id));
                }
            }
            Ok(IdIndex::Sparse(rows))
        }
    }

    /// The row of `id`, if defined.
    #[inline]
    pub fn get(&self, id: u64) -> Option<usize> {
        let row = match self {
            IdIndex::Dense(rows) => *usize::try_from(id).ok().and_then(|i| rows.get(i))?,
            IdIndex::Sparse(rows) => *rows.get(&id)?,
        };
        (row != NONE).then_some(row as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_agree() {
        let dense = IdIndex::build(&[3, 1, 2], "location").unwrap();
        assert!(matches!(dense, IdIndex::Dense(_)));
        assert_eq!(dense.get(1), Some(1));
        assert_eq!(dense.get(4), None);
        assert_eq!(dense.get(0), None);
        let sparse = IdIndex::build(&[1 << 40, 7], "location").unwrap();
        assert!(matches!(sparse, IdIndex::Sparse(_)));
        assert_eq!(sparse.get(1 << 40), Some(0));
        assert_eq!(sparse.get(8), None);
        assert!(IdIndex::build(&[1, 1], "function")
            .unwrap_err()
            .message
            .contains("twice"));
        assert_eq!(IdIndex::build(&[0, 1], "function").unwrap().get(0), Some(0));
        let positional = IdIndex::build(&[0, 0, 0], "function").unwrap();
        assert_eq!(
            (positional.get(0), positional.get(1), positional.get(3)),
            (None, Some(0), Some(2))
        );
    }
}
