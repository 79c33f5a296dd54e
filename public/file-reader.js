// leakscope's file reader: a small worker that the analysis worker starts, so that the
// browser reads a heap snapshot's slices on a thread of its own while the analysis worker
// decodes the previous ones (a worker busy decoding cannot also serve its own reads).
// Protocol, one job at a time:
//   in:  {job, blob, slice, ahead}  read `blob` in slices of `slice` bytes, at most `ahead`
//                                   sent and not yet acknowledged
//   in:  {job, ack: true}           the analysis worker took one slice: send one more
//   in:  {stop: true}               forget the job
//   out: {job, offset, buffer}      the next slice (its ArrayBuffer is transferred, not copied)
//   out: {job, error}               reading failed (the file changed or vanished)
const reader = new FileReaderSync();
let current = null;

onmessage = (event) => {
  const m = event.data;
  if (m.stop) {
    current = null;
  } else if (m.blob) {
    current = { job: m.job, blob: m.blob, slice: m.slice, credit: m.ahead, offset: 0 };
    pump(current);
  } else if (m.ack && current && current.job === m.job) {
    current.credit += 1;
    pump(current);
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
