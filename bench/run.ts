/**
 * `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those named), one after another, prints
 * their lines and writes the figures to bench/results/latest.json. Targets are ratios against a baseline
 * measured in the same run, never absolute times.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from './stats.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const here = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(f.replace('.bench.ts', '')))
  .sort();

const reports: BenchReport[] = [];
for (const file of files) {
  const module = (await import(new URL(file, import.meta.url).href)) as { run(): Promise<BenchReport> };
  process.stdout.write(`\n== ${file.replace('.bench.ts', '')}\n`);
  const report = await module.run();
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  reports.push(report);
}
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(
  new URL('results/latest.json', import.meta.url),
  `${JSON.stringify({ node: process.version, reports }, null, 2)}\n`,
);
process.stdout.write(`\n${reports.length} benchmark(s); figures in bench/results/latest.json\n`);
