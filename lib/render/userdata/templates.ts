/**
 * The static userdata files in templates/userdata/ (scripts, systemd units, manifests), read once
 * and cached. Files hold values only: `{{name}}` placeholders, filled from a typed record; every
 * decision (which files a role gets, which values) is made in code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where templates/userdata is: next to the sources (a clone, `npx kaws`), else under the working
 * directory, which is where a bundled function finds it (Lambda runs in its package root, and the
 * package must include templates/userdata/**).
 */
const CANDIDATE_ROOTS = [
  fileURLToPath(new URL('../../../templates/userdata/', import.meta.url)),
  join(process.cwd(), 'templates', 'userdata'),
];
let root: string | undefined;
const cache = new Map<string, string>();

function templateRoot(): string {
  root ??= CANDIDATE_ROOTS.find((candidate) => existsSync(join(candidate, 'common')));
  if (!root) throw new Error(`templates/userdata not found (looked in ${CANDIDATE_ROOTS.join(', ')})`);
  return root;
}

/** The text of templates/userdata/<relativePath>. */
export function templateText(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = readFileSync(join(templateRoot(), relativePath), 'utf8');
    cache.set(relativePath, text);
  }
  return text;
}

const PLACEHOLDER = /\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g;

/** Replaces every `{{name}}`; a placeholder without a value is a bug in kaws, not in the spec: it throws. */
export function fillTemplate(relativePath: string, values: Record<string, string>): string {
  return templateText(relativePath).replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`templates/userdata/${relativePath}: no value for {{${name}}}`);
    return value;
  });
}
