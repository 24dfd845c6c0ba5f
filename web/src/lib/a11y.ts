/**
 * Ant Design's Select renders its list box without a name of its own; a screen reader then
 * announces an unnamed list. Each list box gets the name of the combobox that controls it.
 */
export function nameListBoxes(root: Document = document): void {
  const label = () => {
    for (const box of root.querySelectorAll<HTMLElement>('[role="listbox"]:not([aria-label]):not([aria-labelledby])')) {
      const owner = box.id ? root.querySelector<HTMLElement>(`[aria-controls="${CSS.escape(box.id)}"], [aria-owns="${CSS.escape(box.id)}"]`) : null;
      const byLabel = owner?.id ? root.querySelector<HTMLLabelElement>(`label[for="${CSS.escape(owner.id)}"]`)?.textContent : null;
      const name = owner?.getAttribute('aria-label') ?? byLabel ?? owner?.getAttribute('placeholder') ?? null;
      box.setAttribute('aria-label', name || 'options');
    }
  };
  new MutationObserver(label).observe(root.body, { childList: true, subtree: true });
  label();
}

/**
 * A table that scrolls sideways (a wide table on a phone) must be reachable by keyboard to be
 * scrolled: Ant Design's scroll box gets a tab stop.
 */
export function focusableScrollBoxes(root: Document = document): void {
  const mark = () => {
    for (const box of root.querySelectorAll<HTMLElement>('.ant-table-content:not([tabindex]), .ant-table-body:not([tabindex])')) box.tabIndex = 0;
  };
  new MutationObserver(mark).observe(root.body, { childList: true, subtree: true });
  mark();
}
