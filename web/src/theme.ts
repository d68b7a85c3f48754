/**
 * Light and dark themes: the system's choice (prefers-color-scheme) until the user picks one with the
 * toggle button, which is remembered in localStorage.
 */
type Theme = 'light' | 'dark';

function systemTheme(): Theme {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function storedTheme(): Theme | undefined {
  const value = localStorage.getItem('enhance-theme');
  return value === 'light' || value === 'dark' ? value : undefined;
}

function apply(theme: Theme, button: HTMLButtonElement | null): void {
  document.documentElement.dataset.theme = theme;
  if (button) {
    button.textContent = theme === 'dark' ? 'Light theme' : 'Dark theme';
    button.setAttribute('aria-pressed', String(theme === 'dark'));
  }
}

/** Apply the theme now and wire the header's toggle button (id 'theme-toggle'). */
export function setUpTheme(): void {
  const button = document.querySelector<HTMLButtonElement>('#theme-toggle');
  apply(storedTheme() ?? systemTheme(), button);
  button?.addEventListener('click', () => {
    const next: Theme = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
    localStorage.setItem('enhance-theme', next);
    apply(next, button);
  });
}
