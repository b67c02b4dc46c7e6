/**
 * Spec benchmark. In-process: validateClusterSpec on examples/ha-cluster.yaml against the baseline of
 * only parsing the same text with the yaml package (what any reader of cluster.yaml pays), so the
 * ratio is what kaws's checks cost on top. End to end: `node bin/kaws validate -f ha-cluster.yaml`
 * against `node bin/kaws --help` (same process start and tsx load, no validation); the difference is
 * the validation as the CLI user sees it. Target: that difference well under one second.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { validateClusterSpec } from '../lib/spec/index.ts';
import { type BenchReport, fmt, median, timeRuns } from './stats.ts';

const execFileAsync = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../examples/ha-cluster.yaml', import.meta.url));
const KAWS = fileURLToPath(new URL('../bin/kaws', import.meta.url));
const IN_PROCESS_RUNS = 500;
const CLI_RUNS = 7;

export async function run(): Promise<BenchReport> {
  const text = readFileSync(EXAMPLE, 'utf8');
  const firstStart = performance.now();
  if (!validateClusterSpec(text).valid) throw new Error('ha-cluster.yaml should be valid');
  const firstCall = performance.now() - firstStart;

  // Alternate the two in blocks so machine noise hits both.
  const validateTimes: number[] = [];
  const parseTimes: number[] = [];
  for (let block = 0; block < 5; block++) {
    validateTimes.push(...(await timeRuns(IN_PROCESS_RUNS / 5, () => validateClusterSpec(text))));
    parseTimes.push(...(await timeRuns(IN_PROCESS_RUNS / 5, () => parse(text))));
  }
  const validateMs = median(validateTimes);
  const parseMs = median(parseTimes);

  const cliValidate: number[] = [];
  const cliHelp: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    cliValidate.push(
      ...(await timeRuns(1, () => execFileAsync(process.execPath, [KAWS, 'validate', '-f', EXAMPLE]))),
    );
    cliHelp.push(...(await timeRuns(1, () => execFileAsync(process.execPath, [KAWS, '--help']))));
  }
  const cliValidateMs = median(cliValidate);
  const cliHelpMs = median(cliHelp);

  return {
    name: 'spec',
    lines: [
      `validateClusterSpec(ha-cluster.yaml): first call ${fmt(firstCall)}, median ${fmt(validateMs)} over ${IN_PROCESS_RUNS}`,
      `baseline yaml.parse of the same text: median ${fmt(parseMs)}; validate/parse = ${(validateMs / parseMs).toFixed(2)}x`,
      `CLI: kaws validate ${fmt(cliValidateMs)} vs kaws --help ${fmt(cliHelpMs)} (medians of ${CLI_RUNS}); validation adds ${fmt(cliValidateMs - cliHelpMs)}`,
    ],
    figures: {
      validateFirstCallMs: firstCall,
      validateMedianMs: validateMs,
      yamlParseMedianMs: parseMs,
      validateOverParseRatio: validateMs / parseMs,
      cliValidateMedianMs: cliValidateMs,
      cliHelpMedianMs: cliHelpMs,
      cliValidationCostMs: cliValidateMs - cliHelpMs,
    },
  };
}
