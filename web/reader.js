// Reads a File in slices for the analysis worker (worker.js), on a thread of its own, so that
// copying the file's bytes overlaps the analysis. Each slice's buffer is transferred, not
// copied. At most `ahead` slices are read before the analysis asks for more (one "more" per
// slice it took), so memory stays bounded whatever the file's size.
//
// In: { file, chunk, ahead } starts; { more: true } allows one more slice.
// Out: { bytes } (an ArrayBuffer, transferred) for each slice in order, then { end: true }.

let allowed = 0;
let wake = null;

self.onmessage = async (event) => {
  if (event.data.more) {
    allowed += 1;
    if (wake) wake();
    return;
  }
  const { file, chunk, ahead } = event.data;
  allowed = ahead;
  const reads = [];
  let next = 0;
  for (;;) {
    while (reads.length < allowed && next < file.size) {
      reads.push(file.slice(next, Math.min(next + chunk, file.size)).arrayBuffer());
      next += chunk;
    }
    if (!reads.length) {
      if (next >= file.size) break;
      await new Promise((resolve) => (wake = resolve));
      wake = null;
      continue;
    }
    const bytes = await reads.shift();
    allowed -= 1;
    self.postMessage({ bytes }, [bytes]);
  }
  self.postMessage({ end: true });
};
