import { act, cleanup, render } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ModalDialog } from '../../../renderer/features/ModalDialog';

afterEach(cleanup);

/** A button that opens a dialog. */
function Page() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Settings
      </button>
      {open && (
        <ModalDialog label="Settings" className="panel" onClose={() => setOpen(false)}>
          <input aria-label="Name" autoFocus />
        </ModalDialog>
      )}
    </>
  );
}

describe('a dialog closing', () => {
  it('gives the focus back to what had it when it opened', () => {
    const view = render(<Page />);
    const opener = view.getByRole('button', { name: 'Settings' });
    opener.focus();
    act(() => opener.click());
    expect(document.activeElement).toBe(view.getByLabelText('Name'));
    act(() => view.getByLabelText('Name').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
    expect(view.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });
});
