'use strict';
// Latency samples and their summary. Kept as plain arrays: a 60 s run holds at most a few hundred
// thousand numbers, and exact percentiles beat histogram buckets for a report.

function summary(samples) {
  const n = samples.length;
  if (n === 0) return { n: 0 };
  const s = Float64Array.from(samples).sort();
  const at = (q) => s[Math.min(n - 1, Math.floor(q * n))];
  const r = (x) => Math.round(x * 100) / 100;
  return { n, p50: r(at(0.5)), p90: r(at(0.9)), p99: r(at(0.99)), p999: r(at(0.999)), max: r(s[n - 1]) };
}

async function pool(items, concurrency, fn) {
  let next = 0;
  const workers = [];
  for (let w = 0; w < Math.min(concurrency, items.length); w++) {
    workers.push((async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    })());
  }
  await Promise.all(workers);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

module.exports = { summary, pool, sleep };
