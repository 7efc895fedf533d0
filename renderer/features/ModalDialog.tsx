import type { ReactNode } from 'react';
import { useFocusReturn } from './use-focus-return';

/**
 * A modal panel over the inbox: a click on the backdrop or Esc closes it (Esc stops there, so it
 * does not also cancel what is behind), a click inside does not. Closed, it gives the focus back.
 */
export function ModalDialog({ label, className, backdropClassName, onClose, children }: { label: string; className: string; backdropClassName?: string; onClose: () => void; children: ReactNode }) {
  useFocusReturn();
  return (
    <div className={backdropClassName ? `palette-backdrop ${backdropClassName}` : 'palette-backdrop'} onClick={onClose}>
      <section
        className={className}
        role="dialog"
        aria-modal="true"
        aria-label={label}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.stopPropagation();
            onClose();
          }
        }}
      >
        {children}
      </section>
    </div>
  );
}

/** A row of buttons that switch what a panel shows: the shown one pressed. */
export function PanelTabs<T extends string>({ tabs, shown, onShow }: { tabs: readonly (readonly [T, ReactNode])[]; shown: T; onShow: (tab: T) => void }) {
  return (
    <div className="inspector-tabs" role="group" aria-label="Show">
      {tabs.map(([tab, label]) => (
        <button key={tab} type="button" aria-pressed={shown === tab} onClick={() => onShow(tab)}>
          {label}
        </button>
      ))}
    </div>
  );
}
