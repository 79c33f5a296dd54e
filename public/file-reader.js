// leakscope's file reader: a small worker that the analysis worker starts, so that the
// browser reads a heap snapshot's slices on a thread of its own while the analysis worker
// decodes the previous ones (a worker busy decoding cannot also serve its own reads). A
// gzipped snapshot is also inflated here (the browser's DecompressionStream), so inflating
// runs beside parsing instead of before it.
// Protocol, one job at a time:
//   in:  {job, blob, slice, ahead, gunzip}
//                                   read `blob` in slices of `slice` bytes (with `gunzip`:
//                                   inflate it and send slices of about `slice` inflated
//                                   bytes), at most `ahead` sent and not yet acknowledged
//   in:  {job, ack: true}           the analysis worker took one slice: send one more
//   in:  {stop: true}               forget the job
//   out: {job, offset, buffer}      the next slice (its ArrayBuffer is transferred, not
//                                   copied); `offset`: file bytes read so far when inflating,
//                                   else the slice's own offset in the file
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
    current = { job: m.job, blob: m.blob, slice: m.slice, credit: m.ahead, offset: 0, wake: null };
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
