/**
 * Render benchmark: every stack and node config of examples/ha-cluster.yaml (network, etcd, control
 * plane, three node pools; five Ignition configs), rendered in-process, many times; median and p95.
 * Target: median < 50 ms. The baseline, measured in the same run, is parsing and validating the same
 * spec (lib/spec), which every request pays anyway: the ratio says what rendering adds to it.
 * Also: the first render of the process (reads templates/userdata from disk), checkRenderLimits
 * (what `kaws validate` pays), and the size of every template, config and bootstrap against AWS's limits.
 */
import { readFile } from 'node:fs/promises';
import {
  checkRenderLimits,
  renderCluster,
  roleAssets,
  TEMPLATE_BODY_MAX_BYTES,
} from '../lib/render/index.ts';
import { loadClusterSpec } from '../lib/spec/index.ts';
import { type BenchReport, fmt, median, percentile, timeRuns } from './stats.ts';

const RUNS = 200;
const WARMUP = 20;
const USERDATA_MAX_BYTES = 16_384;
const TARGET_MS = 50;

export async function run(): Promise<BenchReport> {
  const text = await readFile(new URL('../examples/ha-cluster.yaml', import.meta.url), 'utf8');
  const spec = loadClusterSpec(text);
  const assets = Object.fromEntries(
    [...new Set(Object.values(roleAssets).flat())].map((name) => [name, { fingerprint: 'f'.repeat(64) }]),
  );
  const input = { spec, assets, artifacts: { bucket: 'kaws-artifacts-bench', rootPrefix: '' } };

  const coldStart = performance.now();
  const rendered = renderCluster(input);
  const cold = performance.now() - coldStart;

  await timeRuns(WARMUP, () => renderCluster(input));
  await timeRuns(WARMUP, () => loadClusterSpec(text));
  // Alternate the two so drift (other load on the machine) hits both.
  const renderTimes: number[] = [];
  const specTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    renderTimes.push(...(await timeRuns(1, () => renderCluster(input))));
    specTimes.push(...(await timeRuns(1, () => loadClusterSpec(text))));
  }
  const limitTimes = await timeRuns(RUNS, () => checkRenderLimits(spec));

  const renderMedian = median(renderTimes);
  const specMedian = median(specTimes);
  const figures: Record<string, number> = {
    render_median_ms: renderMedian,
    render_p95_ms: percentile(renderTimes, 95),
    render_first_ms: cold,
    spec_validation_median_ms: specMedian,
    render_to_spec_validation_ratio: renderMedian / specMedian,
    check_render_limits_median_ms: median(limitTimes),
    target_ms: TARGET_MS,
    render_median_to_target_ratio: renderMedian / TARGET_MS,
  };
  const lines = [
    `examples/ha-cluster.yaml: ${rendered.stacks.length} stacks, ${rendered.nodeConfigs.length} node configs, ${RUNS} runs`,
    `render           median ${fmt(renderMedian)}, p95 ${fmt(percentile(renderTimes, 95))}, first ${fmt(cold)} (target < ${TARGET_MS} ms: ${renderMedian < TARGET_MS ? 'met' : 'MISSED'})`,
    `spec validation  median ${fmt(specMedian)} (baseline, same run); render = ${(renderMedian / specMedian).toFixed(2)}x`,
    `checkRenderLimits median ${fmt(median(limitTimes))} (kaws validate)`,
  ];
  for (const stack of rendered.stacks) {
    figures[`template_bytes.${stack.kind === 'nodepool' ? `nodepool-${stack.nodePool}` : stack.kind}`] =
      stack.bytes;
    lines.push(
      `  ${stack.name.padEnd(28)} ${String(stack.bytes).padStart(6)} bytes (${((100 * stack.bytes) / TEMPLATE_BODY_MAX_BYTES).toFixed(0)}% of the inline limit), ${stack.resourceCount} resources`,
    );
  }
  for (const config of rendered.nodeConfigs) {
    const bytes = Buffer.byteLength(config.text);
    const bootstrap = Buffer.byteLength(config.bootstrap);
    figures[`config_bytes.${config.name}`] = bytes;
    figures[`bootstrap_bytes.${config.name}`] = bootstrap;
    lines.push(
      `  userdata/${config.name.padEnd(18)} ${String(bytes).padStart(6)} bytes in S3; bootstrap ${bootstrap} bytes (${((100 * bootstrap) / USERDATA_MAX_BYTES).toFixed(1)}% of EC2's 16 KB)`,
    );
  }
  return { name: 'render', lines, figures };
}
