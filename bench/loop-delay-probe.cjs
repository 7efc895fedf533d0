// Loaded with `node --require` into the gateway under test: samples its main thread's event-loop
// delay and, when the process exits, writes the histogram to BENCH_LOOP_DELAY_FILE.
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');

const histogram = monitorEventLoopDelay({ resolution: 5 });
histogram.enable();
const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
process.on('SIGUSR2', () => histogram.reset());
process.on('exit', () => {
  if (!process.env.BENCH_LOOP_DELAY_FILE) return;
  writeFileSync(process.env.BENCH_LOOP_DELAY_FILE, JSON.stringify({ p50_ms: ms(histogram.percentile(50)), p99_ms: ms(histogram.percentile(99)), max_ms: ms(histogram.max), samples: histogram.count }));
});
