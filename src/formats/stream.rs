//! `Decoder`: the way in for a file read in chunks (the CLI reading from disk, the page's worker
//! reading a File slice by slice). It sniffs the first bytes as `decode` does and routes: a V8
//! heap snapshot streams into `heapsnapshot`'s decoder (gzip inflated as it arrives), so its
//! text is never held whole; any other format decodes from one buffer, so its bytes are
//! gathered and handed to `decode` at the end. It decodes nothing itself.

use super::heapsnapshot::{DecodeProgress, HeapSnapshotDecoder, Split};
use super::{decode, is_heap_snapshot, Content, DecodeError, Decoded};

/// Bytes gathered before the format is decided: what `is_heap_snapshot` reads of a head, also
/// through two gzip layers.
const SNIFF_BYTES: usize = 4096;

/// Where the pushed bytes go.
enum Route {
    /// Fewer than `SNIFF_BYTES` seen: the format is not known yet.
    Sniffing(Vec<u8>),
    /// A heap snapshot, decoded as it arrives.
    Heap(HeapSnapshotDecoder),
    /// Anything else, decoded whole by `finish`.
    Whole(Vec<u8>),
}

/// A streaming decoder for any supported file: `push` chunks of any size, then `finish`,
/// which returns what `decode` of the whole file returns.
pub struct Decoder {
    route: Route,
    /// The file's size in bytes, when known.
    file_bytes: Option<u64>,
    /// The pushed bytes are a gzip file's, inflated by the caller.
    inflated: bool,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Decoder {
    /// A decoder for a file of unknown size.
    pub fn new() -> Self {
        Decoder {
            route: Route::Sniffing(Vec::new()),
            file_bytes: None,
            inflated: false,
        }
    }

    /// A decoder told the file's size: a heap snapshot whose header lies about its counts
    /// cannot make it reserve more memory than the file could fill, and the buffer of another
    /// format is reserved once.
    pub fn with_size_hint(file_bytes: u64) -> Self {
        Decoder {
            file_bytes: Some(file_bytes),
            ..Self::new()
        }
    }

    /// A decoder for the inflated bytes of a gzip file of `gzip_bytes` bytes, which the caller
    /// inflates itself (on a thread of its own, or in the browser's `DecompressionStream`).
    pub fn inflated(gzip_bytes: u64) -> Self {
        Decoder {
            file_bytes: Some(gzip_bytes),
            inflated: true,
            ..Self::new()
        }
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        match &mut self.route {
            Route::Heap(heap) => heap.push(chunk),
            Route::Whole(bytes) => {
                bytes.extend_from_slice(chunk);
                Ok(())
            }
            Route::Sniffing(head) if head.is_empty() && chunk.len() >= SNIFF_BYTES => {
                self.route(chunk);
                self.push(chunk)
            }
            Route::Sniffing(head) => {
                head.extend_from_slice(chunk);
                if head.len() < SNIFF_BYTES {
                    return Ok(());
                }
                let head = std::mem::take(head);
                self.route(&head);
                self.push(&head)
            }
        }
    }

    /// True while a heap snapshot's decoder is inside a number array: the next slice may come
    /// parsed ahead (`push_split`).
    pub fn takes_numbers(&self) -> bool {
        matches!(&self.route, Route::Heap(heap) if heap.takes_numbers())
    }

    /// Feeds the next slice, its numbers parsed ahead (after `takes_numbers` said yes).
    pub fn push_split(&mut self, split: &Split) -> Result<(), DecodeError> {
        match &mut self.route {
            Route::Heap(heap) => heap.push_split(split),
            _ => Err(DecodeError::new(
                "numbers parsed ahead arrived before the file was known to be a heap snapshot (a leakscope bug)",
            )),
        }
    }

    /// Picks the route for a file that starts with `head`.
    fn route(&mut self, head: &[u8]) {
        self.route = if is_heap_snapshot(head) {
            let heap = match (self.file_bytes, self.inflated) {
                (None, _) => HeapSnapshotDecoder::new(),
                (Some(n), false) => HeapSnapshotDecoder::with_size_hint(n),
                (Some(n), true) => HeapSnapshotDecoder::with_size_hint(
                    n.saturating_mul(HeapSnapshotDecoder::GZIP_RATIO_BOUND),
                ),
            };
            Route::Heap(heap)
        } else {
            let mut bytes = Vec::new();
            let reserve = self.file_bytes.filter(|_| !self.inflated).unwrap_or(0);
            // Only a hint: a failed reservation grows the buffer as the bytes come.
            let _ = bytes.try_reserve_exact(usize::try_from(reserve).unwrap_or(0));
            Route::Whole(bytes)
        };
    }

    /// How far a heap snapshot's decoding has got (with the node and edge counts of its
    /// header once read); `None` until the bytes are known to be one, and for other formats,
    /// which are decoded by `finish`.
    pub fn progress(&self) -> Option<DecodeProgress> {
        match &self.route {
            Route::Heap(heap) => Some(heap.progress()),
            Route::Sniffing(_) | Route::Whole(_) => None,
        }
    }

    /// Ends the input: decodes what was gathered, or checks the streamed heap snapshot was
    /// complete and consistent.
    pub fn finish(self) -> Result<Decoded, DecodeError> {
        match self.route {
            Route::Sniffing(bytes) | Route::Whole(bytes) => decode(&bytes),
            Route::Heap(heap) => {
                let (graph, warnings) = heap.finish()?;
                Ok(Decoded {
                    content: Content::Heap(graph),
                    warnings,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_the_head_whatever_the_chunk_sizes() {
        let snapshot = br#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["synthetic"]],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["element"]]},"node_count":1,"edge_count":0},"nodes":[0,0,1,0,0],"edges":[],"strings":[""]}"#;
        let mut padded = vec![b' '; SNIFF_BYTES];
        padded.extend_from_slice(snapshot);
        for bytes in [&snapshot[..], &padded[..]] {
            for chunk in [1, 100, SNIFF_BYTES, 1 << 20] {
                let mut d = Decoder::with_size_hint(bytes.len() as u64);
                for c in bytes.chunks(chunk) {
                    d.push(c).unwrap();
                }
                let heap = d.finish().unwrap().content.into_heap().unwrap();
                assert_eq!(heap.node_count(), 1, "chunk {chunk}");
            }
        }
        let mut d = Decoder::new();
        d.push(b"goroutine 1 [running]:\nmain.main()\n\t/x.go:3 +0x1\n")
            .unwrap();
        assert!(d.progress().is_none());
        assert!(d.finish().unwrap().content.into_profile().is_ok());
        assert_eq!(
            Decoder::new().finish().unwrap_err().message,
            "the file is empty"
        );
    }
}
