// leakscope's file reader: a small worker that the analysis worker starts, so that the
// browser reads a heap snapshot's slices on a thread of its own while the analysis worker
// decodes the previous ones (a worker busy decoding cannot also serve its own reads). A
// gzipped snapshot is also inflated here (the browser's DecompressionStream), so inflating
// runs beside parsing instead of before it.
// With `numbers` (a heap snapshot), the reader also parses ahead the slices that lie inside
// the snapshot's number arrays while the analysis worker has others to decode, so the two
// cores share the parsing (`splitNumbers`).
// Protocol, one job at a time:
//   in:  {job, blob, slice, ahead, gunzip, numbers}
//                                   read `blob` in slices of `slice` bytes (with `gunzip`:
//                                   inflate it and send slices of about `slice` inflated
//                                   bytes), at most `ahead` sent and not yet acknowledged
//   in:  {job, ack: true}           the analysis worker took one slice: send one more
//   in:  {stop: true}               forget the job
//   out: {job, offset, buffer, [numbers, count, first, last, ms]}
//                                   the next slice (its ArrayBuffer is transferred, not
//                                   copied); `offset`: file bytes read so far when inflating,
//                                   else the slice's own offset in the file; with `numbers`
//                                   (an ArrayBuffer of `count` u32s): the numbers between its
//                                   first and last separator, bytes `first` and `last`,
//                                   parsed in `ms`
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
    current = {
      job: m.job, blob: m.blob, slice: m.slice, ahead: m.ahead, credit: m.ahead,
      numbers: !!m.numbers, offset: 0, wake: null,
    };
    if (m.gunzip) inflate(current);
    else pump(current);
  } else if (m.ack && current && current.job === m.job) {
    current.credit += 1;
    if (current.wake) {
      const wake = current.wake;
      current.wake = null;
      wake();
    } else if (!current.inflating) {
      pump(current);
    }
  }
};

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
    postSlice(j, j.offset, buffer);
    j.offset = end;
  }
}

/** Posts one slice of job `j`, its numbers parsed ahead when that is worth it. */
function postSlice(j, offset, buffer) {
  // Parse only while the analysis worker has another slice to decode: when it waits, the
  // slice goes as it is, so parsing here never holds it up.
  const message = { job: j.job, offset, buffer };
  const transfer = [buffer];
  if (j.numbers && j.credit < j.ahead) {
    const started = performance.now();
    const split = splitNumbers(new Uint8Array(buffer));
    if (split) {
      Object.assign(message, split, { ms: performance.now() - started });
      transfer.push(split.numbers);
    }
  }
  j.credit -= 1;
  postMessage(message, transfer);
}

/**
 * The JavaScript twin of leakscope's `split_numbers` (src/formats/heapsnapshot/fast_records.rs):
 * `first` and `last`, the indexes of the slice's first and last bytes that are not digits, and
 * the numbers between them. `null` when the slice holds anything but digits, commas and JSON
 * whitespace, has no such byte, or a number of 10 digits or more (kept to 9, the sums stay in
 * 32-bit integers; the analysis worker reads such a slice as text).
 */
function splitNumbers(a) {
  const n = a.length;
  let first = 0;
  while (first < n && a[first] >= 48 && a[first] <= 57) first++;
  if (first === n) return null;
  let last = n - 1;
  while (a[last] >= 48 && a[last] <= 57) last--;
  const out = new Uint32Array(((last - first) >> 1) + 1);
  let count = 0;
  let value = 0;
  let digits = 0;
  for (let i = first; i <= last; i++) {
    const c = a[i];
    if (c >= 48) {
      if (c > 57 || digits === 9) return null;
      value = (value * 10 + (c - 48)) | 0;
      digits++;
    } else {
      if (digits !== 0) {
        out[count++] = value;
        value = 0;
        digits = 0;
      }
      if (c !== 44 && c !== 10 && c !== 32 && c !== 13 && c !== 9) return null;
    }
  }
  return { numbers: out.buffer, count, first, last };
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
    while (current === j && j.credit <= 0) await new Promise((resolve) => { j.wake = resolve; });
    if (current !== j) return;
    const buffer = new Uint8Array(held);
    let at = 0;
    for (const p of parts) {
      buffer.set(p, at);
      at += p.byteLength;
    }
    parts = [];
    held = 0;
    postSlice(j, j.offset, buffer.buffer);
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
