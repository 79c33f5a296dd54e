// leakscope's file reader: a small worker that the analysis worker starts, so that the
// browser reads a heap snapshot's slices on a thread of its own while the analysis worker
// decodes the previous ones (a worker busy decoding cannot also serve its own reads). A
// gzipped snapshot is also inflated here (the browser's DecompressionStream), so inflating
// runs beside parsing instead of before it.
//
// Reading a big file costs the browser about as much CPU as decoding it, on the same two
// cores, so it is done the cheapest way the browser offers: the file's byte stream read
// into buffers the analysis worker hands back (`getReader({mode: 'byob'})`), which allocates
// nothing per slice. Measured on a 396 MB file in Chromium, a file from disk took 1.0 to
// 1.4 s of CPU this way against 1.5 to 1.9 s with a FileReaderSync call per 4 MiB slice, and
// a Blob in memory 0.35 against 1.2 s. Where byte streams are missing, FileReaderSync reads.
// Protocol, one job at a time:
//   in:  {job, blob, slice, ahead, gunzip}
//                                   read `blob` in slices of `slice` bytes (with `gunzip`:
//                                   inflate it and send slices of about `slice` inflated
//                                   bytes), at most `ahead` sent and not yet acknowledged
//   in:  {job, ack: true, buffer?}  the analysis worker is done with one slice: send one
//                                   more; `buffer`, that slice's buffer handed back
//                                   (transferred) to be filled again
//   in:  {stop: true}               forget the job
//   out: {job, offset, buffer, length?}
//                                   the next slice (its ArrayBuffer is transferred, not
//                                   copied): the first `length` bytes of `buffer` (all of
//                                   them when absent); `offset`: file bytes read so far when
//                                   inflating, else the slice's own offset in the file
//   out: {job, done: true, offset}  inflating: the last slice was sent
//   out: {job, error, inflate}      reading failed (the file changed or vanished), or with
//                                   `inflate` the browser could not inflate it (the analysis
//                                   worker then inflates it itself, and names the fault)
const reader = new FileReaderSync();
let current = null;

onmessage = (event) => {
  const m = event.data;
  if (m.stop || m.blob) {
    // An inflating job waiting for credit wakes up to see it is no longer current.
    const old = current;
    current = null;
    if (old && old.wake) old.wake();
  }
  if (m.blob) {
    current = { job: m.job, blob: m.blob, slice: m.slice, credit: m.ahead, offset: 0, wake: null, pool: [] };
    if (m.gunzip) inflate(current);
    else if (!stream(current)) pump(current);
  } else if (m.ack && current && current.job === m.job) {
    current.credit += 1;
    if (m.buffer instanceof ArrayBuffer && m.buffer.byteLength === current.slice) current.pool.push(m.buffer);
    if (current.wake) {
      const wake = current.wake;
      current.wake = null;
      wake();
    } else if (!current.inflating && !current.streaming) {
      pump(current);
    }
  }
};

/** Waits until job `j` may send a slice; false when it is no longer current. */
async function credit(j) {
  while (current === j && j.credit <= 0) await new Promise((resolve) => { j.wake = resolve; });
  return current === j;
}

/**
 * Reads job `j` through the blob's byte stream into pooled buffers; false (and nothing
 * started) when this browser's blob streams cannot read into given buffers.
 */
function stream(j) {
  let bytes;
  try {
    bytes = j.blob.stream().getReader({ mode: 'byob' });
  } catch (e) {
    return false;
  }
  j.streaming = true;
  (async () => {
    try {
      while (j.offset < j.blob.size) {
        if (!(await credit(j))) break;
        let buffer = j.pool.pop() || new ArrayBuffer(j.slice);
        let filled = 0;
        const want = Math.min(j.slice, j.blob.size - j.offset);
        while (filled < want) {
          const { done, value } = await bytes.read(new Uint8Array(buffer, filled, want - filled));
          if (done) break;
          buffer = value.buffer;
          filled += value.byteLength;
        }
        if (current !== j) break;
        if (filled < want) throw new Error(`the file ended at byte ${j.offset + filled} while reading`);
        postMessage({ job: j.job, offset: j.offset, buffer, length: filled }, [buffer]);
        j.offset += filled;
        j.credit -= 1;
      }
    } catch (e) {
      if (current === j) {
        postMessage({ job: j.job, error: String((e && e.message) || e) });
        current = null;
      }
    }
    bytes.cancel().catch(() => {});
  })();
  return true;
}

function pump(j) {
  while (current === j && j.credit > 0 && j.offset < j.blob.size) {
    const end = Math.min(j.offset + j.slice, j.blob.size);
    let buffer;
    try {
      buffer = reader.readAsArrayBuffer(j.blob.slice(j.offset, end));
    } catch (e) {
      postMessage({ job: j.job, error: String((e && e.message) || e) });
      current = null;
      return;
    }
    postMessage({ job: j.job, offset: j.offset, buffer }, [buffer]);
    j.offset = end;
    j.credit -= 1;
  }
}

/** Inflates job `j` through DecompressionStream, in slices of about `j.slice` bytes. */
async function inflate(j) {
  j.inflating = true;
  let stream;
  try {
    // Counts the file bytes the inflater has taken, for the progress bar.
    const count = new TransformStream({
      transform(chunk, out) {
        j.offset += chunk.byteLength;
        out.enqueue(chunk);
      },
    });
    stream = j.blob.stream().pipeThrough(count).pipeThrough(new DecompressionStream('gzip')).getReader();
  } catch (e) {
    postMessage({ job: j.job, error: String((e && e.message) || e), inflate: true });
    if (current === j) current = null;
    return;
  }
  let parts = [];
  let held = 0;
  const send = async () => {
    if (!(await credit(j))) return;
    const buffer = new Uint8Array(held);
    let at = 0;
    for (const p of parts) {
      buffer.set(p, at);
      at += p.byteLength;
    }
    parts = [];
    held = 0;
    j.credit -= 1;
    postMessage({ job: j.job, offset: j.offset, buffer: buffer.buffer }, [buffer.buffer]);
  };
  try {
    for (;;) {
      const { done, value } = await stream.read();
      if (current !== j) {
        stream.cancel().catch(() => {});
        return;
      }
      if (done) break;
      parts.push(value);
      held += value.byteLength;
      if (held >= j.slice) await send();
    }
    if (held > 0) await send();
    if (current === j) postMessage({ job: j.job, done: true, offset: j.offset });
  } catch (e) {
    if (current === j) postMessage({ job: j.job, error: String((e && e.message) || e), inflate: true });
  }
  if (current === j) current = null;
}
