/**
 * Golden files: the stacks and node configs of each example, as `kaws render stack` writes them.
 * A change to any rendered byte fails here; review the diff, then regenerate deliberately with
 *   UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderCluster } from '../../lib/render/index.ts';
import { EXAMPLES, exampleInput } from './fixtures.ts';

const GOLDEN_ROOT = fileURLToPath(new URL('../golden/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function renderedFiles(name: (typeof EXAMPLES)[number]): Record<string, string> {
  const rendered = renderCluster(exampleInput(name));
  return Object.fromEntries([
    ...rendered.stacks.map((s) => [`stack-templates/${s.name}.json`, s.template]),
    ...rendered.nodeConfigs.map((c) => [`userdata/${c.name}`, c.text]),
  ]);
}

function goldenFiles(folder: string): Record<string, string> {
  if (!existsSync(folder)) return {};
  return Object.fromEntries(
    ['stack-templates', 'userdata'].flatMap((sub) =>
      existsSync(`${folder}/${sub}`)
        ? readdirSync(`${folder}/${sub}`).map((file) => [
            `${sub}/${file}`,
            readFileSync(`${folder}/${sub}/${file}`, 'utf8'),
          ])
        : [],
    ),
  );
}

describe('golden files', () => {
  it.each(EXAMPLES)('%s renders exactly its golden files', (name) => {
    const folder = `${GOLDEN_ROOT}${name}`;
    const files = renderedFiles(name);
    if (update) {
      rmSync(folder, { recursive: true, force: true });
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(`${folder}/${path.slice(0, path.lastIndexOf('/'))}`, { recursive: true });
        writeFileSync(`${folder}/${path}`, text);
      }
    }
    const golden = goldenFiles(folder);
    expect(Object.keys(files).sort(), `files of ${name} (UPDATE_GOLDEN=1 to regenerate)`).toEqual(
      Object.keys(golden).sort(),
    );
    for (const [path, text] of Object.entries(files)) {
      expect(text, `${name}/${path} differs from its golden file (UPDATE_GOLDEN=1 to regenerate)`).toBe(
        golden[path],
      );
    }
  });
});
