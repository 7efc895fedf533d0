import { describe, expect, it, vi } from 'vitest';
import { contextMenuTemplate, restorableState } from '../../../main/app/desktop-shell';

const flags = { canCut: true, canCopy: true, canPaste: true, canUndo: false, canRedo: false, canDelete: true, canSelectAll: true, canEditRichly: false };

describe('the desktop shell', () => {
  it('offers spelling suggestions for a misspelled word, then the edit actions; Add to dictionary adds it', () => {
    const contents = { replaceMisspelling: vi.fn() };
    const addWord = vi.fn();
    const items = contextMenuTemplate({ misspelledWord: 'recieve', dictionarySuggestions: ['receive', 'relieve'], editFlags: flags, isEditable: true }, contents, addWord);
    expect(items.map((item) => item.label ?? item.role ?? item.type)).toEqual(['receive', 'relieve', 'Add “recieve” to the dictionary', 'separator', 'cut', 'copy', 'paste', 'selectAll']);
    items[0]?.click?.({} as never, undefined, {} as never);
    expect(contents.replaceMisspelling).toHaveBeenCalledWith('receive');
    items[2]?.click?.({} as never, undefined, {} as never);
    expect(addWord).toHaveBeenCalledWith('recieve');
    expect(contextMenuTemplate({ misspelledWord: 'xqzt', dictionarySuggestions: [], editFlags: flags, isEditable: true }, contents, addWord)[0]).toEqual({ label: 'No spelling suggestions', enabled: false });
    expect(contextMenuTemplate({ misspelledWord: '', dictionarySuggestions: [], editFlags: { ...flags, canCopy: false }, isEditable: false }, contents, addWord)).toEqual([{ role: 'copy', enabled: false }]);
  });

  it('restores the window where it was only when that place is still on a display', () => {
    const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    expect(restorableState({ x: 100, y: 80, width: 1200, height: 800, maximized: true }, displays)).toEqual({ x: 100, y: 80, width: 1200, height: 800, maximized: true });
    expect(restorableState({ x: 2500, y: 80, width: 1200, height: 800 }, displays)).toBeNull();
    expect(restorableState({ x: 100, y: 80, width: 120, height: 80 }, displays)).toBeNull();
    expect(restorableState({ x: 'a' }, displays)).toBeNull();
    expect(restorableState(null, displays)).toBeNull();
  });
});
