/**
 * The static userdata files in templates/userdata/ (scripts, systemd units, manifests), read once
 * and cached. Files hold values only: `{{name}}` placeholders, filled from a typed record; every
 * decision (which files a role gets, which values) is made in code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TEMPLATE_ROOT = fileURLToPath(new URL('../../../templates/userdata/', import.meta.url));
const cache = new Map<string, string>();

/** The text of templates/userdata/<relativePath>. */
export function templateText(relativePath: string): string {
  let text = cache.get(relativePath);
  if (text === undefined) {
    text = readFileSync(`${TEMPLATE_ROOT}${relativePath}`, 'utf8');
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
