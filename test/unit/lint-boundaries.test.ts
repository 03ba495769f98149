// The boundary lint can fail: code that crosses a context boundary, written into each context's
// folder, is reported by eslint with the project's own config (issue #15).
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const BOUNDARY_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);

// Type information is not needed for import rules, and a file that is not on disk has none.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId),
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('boundary lint', () => {
  it.each([
    ['src/popup/fixture.tsx', "import { Services } from '../background/services';"],
    ['src/popup/fixture.tsx', "import '../content/index';"],
    ['src/approval/fixture.tsx', "export { x } from '../popup/popup';"],
    ['src/content/fixture.ts', "import type { ApprovalQueue } from '../background/approvals/approval-queue';"],
    ['src/background/fixture.ts', "import { ApprovalForm } from '../approval/approval-form';"],
    ['src/shared/protocol/fixture.ts', "import { x } from '../../background/index';"],
    ['src/shared/core/fixture.ts', "import browser from 'webextension-polyfill';"],
    ['src/shared/core/fixture.ts', "import { createClient } from 'matrix-js-sdk';"],
    ['src/shared/core/fixture.ts', "import { openDB } from 'idb';"],
    ['src/shared/core/fixture.ts', "import { t } from '../ui/i18n';"],
    ['src/popup/fixture.tsx', "const later = import('../background/services');"],
  ])('reports %s: %s', async (file, code) => {
    expect(await problems(file, code)).not.toEqual([]);
  });

  it.each([
    ['src/popup/fixture.tsx', "import { t } from '../shared/ui/i18n';"],
    ['src/background/fixture.ts', "import { ApprovalQueue } from './approvals/approval-queue';"],
    ['src/background/fixture.ts', "import { x } from '../shared/protocol/background-to-content';"],
    ['src/shared/core/fixture.ts', "import { parseCapability } from './capability';"],
  ])('allows %s: %s', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
