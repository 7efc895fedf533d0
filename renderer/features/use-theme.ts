import { useEffect, useState } from 'react';

/** The agent's choice: follow the OS, or always light or dark. */
export type ThemeChoice = 'system' | 'light' | 'dark';

const THEME_KEY = 'switchboard.theme';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function storedChoice(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(THEME_KEY);
    return CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

/** The theme choice, kept on this device and applied to the page (`data-theme` on the root; none follows the OS). */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(storedChoice);
  useEffect(() => {
    const root = document.documentElement;
    if (choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = choice;
    try {
      window.localStorage.setItem(THEME_KEY, choice);
    } catch {
      // Storage refused (private mode): the choice lasts this session.
    }
  }, [choice]);
  return [choice, setChoice];
}
