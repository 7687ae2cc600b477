/**
 * Gives the keyboard's focus back to a button that was disabled while its work ran.
 *
 * A loading Mantine button is `disabled`, and the browser drops the focus of a disabled element
 * to the page's body: a keyboard user who pressed Save or Test would start again from the top of
 * the page. One observer for the whole app: the button last activated while focused takes the
 * focus back when it is enabled again, unless the focus went somewhere else meanwhile (a field
 * the form revealed, a dialog, a click elsewhere).
 */
export function keepFocusAcrossLoading(root: HTMLElement): () => void {
  let activated: HTMLButtonElement | null = null;

  const onClick = (event: MouseEvent) => {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    activated = button !== null && button === document.activeElement ? button : null;
  };
  const onFocusIn = (event: FocusEvent) => {
    if (event.target !== activated) activated = null;
  };
  const focusDropped = () =>
    document.activeElement === null || document.activeElement === document.body;

  const observer = new MutationObserver((mutations) => {
    const button = activated;
    if (button === null || button.disabled || !button.isConnected) return;
    if (!mutations.some((m) => m.target === button)) return;
    activated = null;
    if (focusDropped()) button.focus();
  });
  observer.observe(root, { subtree: true, attributes: true, attributeFilter: ["disabled"] });
  document.addEventListener("click", onClick, true);
  document.addEventListener("focusin", onFocusIn, true);
  return () => {
    observer.disconnect();
    document.removeEventListener("click", onClick, true);
    document.removeEventListener("focusin", onFocusIn, true);
  };
}
