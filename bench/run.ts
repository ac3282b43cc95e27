/**
 * `npm run bench`: runs every benchmark and writes its section of docs/benchmarks.md.
 * Each benchmark owns the section between its own markers, so they can be run one at a time.
 */
const selected = process.argv.slice(2);

const benches: Array<{ name: string; run: () => Promise<void> }> = [
  { name: "parse", run: async () => (await import("./parse.js")).runParseBench() },
  { name: "pickup", run: async () => (await import("./pickup.js")).runPickupBench() },
];

for (const bench of benches) {
  if (selected.length > 0 && !selected.includes(bench.name)) continue;
  console.log(`\n## ${bench.name}`);
  await bench.run();
}
