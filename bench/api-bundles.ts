/**
 * The API functions bundled as `serverless package` bundles them: esbuild with serverless.yml's
 * `custom.esbuild` options (read from the file, so a change there is measured and tested here).
 * Shared by bench/api.bench.ts (sizes, import times) and test/api/bundles.test.ts (the bundles work).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import { parseDocument } from 'yaml';

export interface FunctionBundle {
  /** functions/api/<name>.ts */
  name: string;
  file: string;
  bytes: number;
}

interface ServerlessEsbuild {
  minify?: boolean;
  target?: string;
  platform?: BuildOptions['platform'];
  format?: BuildOptions['format'];
  outputFileExtension?: string;
  mainFields?: string[];
  banner?: Record<string, string>;
  exclude?: string[];
}

/** serverless.yml's esbuild options, as esbuild options. */
export async function serverlessEsbuildOptions(): Promise<BuildOptions> {
  // CloudFormation's !Ref/!GetAtt tags are unknown to yaml: kept as plain values (a warning), not needed here.
  const config = parseDocument(await readFile('serverless.yml', 'utf8')).toJS() as {
    custom: { esbuild: ServerlessEsbuild };
  };
  const e = config.custom.esbuild;
  return {
    bundle: true,
    minify: e.minify ?? false,
    ...(e.target ? { target: e.target } : {}),
    ...(e.platform ? { platform: e.platform } : {}),
    ...(e.format ? { format: e.format } : {}),
    ...(e.mainFields ? { mainFields: e.mainFields } : {}),
    ...(e.banner ? { banner: e.banner } : {}),
    ...(e.exclude?.length ? { external: e.exclude } : {}),
    outExtension: { '.js': e.outputFileExtension ?? '.js' },
    logLevel: 'error',
  };
}

/** Bundles every functions/api/*.ts into `outdir`. */
export async function buildApiBundles(outdir: string): Promise<FunctionBundle[]> {
  const names = (await readdir('functions/api')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
  const options = await serverlessEsbuildOptions();
  await build({ ...options, entryPoints: names.map((n) => `functions/api/${n}.ts`), outdir });
  const extension = (options.outExtension as Record<string, string>)['.js'];
  return Promise.all(
    names.map(async (name) => {
      const file = join(outdir, `${name}${extension}`);
      return { name, file, bytes: (await stat(file)).size };
    }),
  );
}
