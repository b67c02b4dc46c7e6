import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GENERATED_MODULE, generatedModuleText } from '../../scripts/generate-userdata-templates.ts';

describe('templates.generated.ts', () => {
  it('embeds templates/userdata exactly as it is (run `npm run generate` after editing a template)', async () => {
    expect(await readFile(GENERATED_MODULE, 'utf8')).toBe(await generatedModuleText());
  });
});
