/**
 * The static userdata files in templates/userdata/ (scripts, systemd units, manifests), embedded at
 * build time (`npm run generate` writes templates.generated.ts), so rendering reads no file. Files hold
 * values only: `{{name}}` placeholders, filled from a typed record; every decision (which files a role
 * gets, which values) is made in code.
 */
import { USERDATA_TEMPLATES } from './templates.generated.ts';

/** The text of templates/userdata/<relativePath>. */
export function templateText(relativePath: string): string {
  const text = USERDATA_TEMPLATES[relativePath];
  if (text === undefined)
    throw new Error(`templates/userdata/${relativePath} does not exist (npm run generate?)`);
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
