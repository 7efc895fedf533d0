import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

describe('architecture boundaries in lint', () => {
  it('fails a file in main/gateway that imports electron', async () => {
    expect(await ruleIds('main/gateway/bad.ts', "import { app } from 'electron';\nexport const x = app;\n")).toContain('no-restricted-imports');
  });

  it('fails electron in store, services and whatsapp too, but allows it in main/app', async () => {
    for (const folder of ['store', 'services', 'whatsapp']) {
      expect(await ruleIds(`main/${folder}/bad.ts`, "import { app } from 'electron';\nexport const x = app;\n")).toContain('no-restricted-imports');
    }
    expect(await ruleIds('main/app/ok.ts', "import { app } from 'electron';\nexport const x = app;\n")).toEqual([]);
  });

  it('fails Node built-ins and main/ imports in shared/', async () => {
    expect(await ruleIds('shared/bad.ts', "import fs from 'node:fs';\nexport const x = fs;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('shared/bad.ts', "import { Inbox } from '../main/services/inbox';\nexport const x = Inbox;\n")).toContain('no-restricted-imports');
  });

  it('fails raw ipcMain use outside the IPC registry', async () => {
    expect(await ruleIds('main/app/window.ts', "import { ipcMain } from 'electron';\nipcMain.on('x', () => undefined);\n")).toContain('no-restricted-syntax');
  });

  it('fails window access in renderer components', async () => {
    expect(await ruleIds('renderer/components/Bad.tsx', 'export const x = window.location;\n')).toContain('no-restricted-globals');
  });
});
