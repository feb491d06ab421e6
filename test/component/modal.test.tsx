// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render } from '@testing-library/preact';
import { Modal } from '../../renderer/src/components/Modal';

afterEach(() => cleanup());

describe('Modal', () => {
  it('closes on Escape inside the dialog, and on Escape when focus fell out to the page', () => {
    const onClose = vi.fn();
    const { getByRole } = render(
      <Modal title="Settings" onClose={onClose}>
        <button type="button">Save</button>
      </Modal>,
    );
    const dialog = getByRole('dialog');
    fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(1);
    // The focused button was disabled while saving: focus is on the page now.
    (document.activeElement as HTMLElement | null)?.blur();
    expect(document.activeElement === document.body || document.activeElement === null).toBe(true);
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(onClose).toHaveBeenCalledTimes(2);
  });

  it('leaves Escape on the page alone when another dialog is on top', () => {
    const below = vi.fn();
    const top = vi.fn();
    render(
      <div>
        <Modal title="Settings" onClose={below}>
          <p>x</p>
        </Modal>
        <Modal title="Remove source?" onClose={top} role="alertdialog">
          <p>y</p>
        </Modal>
      </div>,
    );
    (document.activeElement as HTMLElement | null)?.blur();
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(top).toHaveBeenCalledTimes(1);
    expect(below).not.toHaveBeenCalled();
  });
});
