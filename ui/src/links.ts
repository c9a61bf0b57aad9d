// The window never follows a link. Model output is untrusted, and a page the window navigated to
// would get Redline's commands, so every way of activating a link — a click with any button or
// modifier, a middle click, Enter on a focused link, the context menu's "Open link", dragging it,
// dropping one onto the window, submitting a form — is stopped here, on the document in the
// capture phase, before any other handler sees it. A link to somewhere else is handed to `open`,
// which asks Rust: only Rust decides whether it opens (http, https, mailto) in the system browser.
// In-page links (`#settings`) are stopped too; the app's own handlers on them still run.

/** Opens the raw `href` a link carries, through the backend's check. */
export type OpenLink = (href: string) => void;

const guarded = new WeakSet<Document>();

/** The link an event happened on (or inside), if any. */
function linkOf(target: EventTarget | null): Element | null {
  if (!target || typeof (target as Element).closest !== "function") return null;
  return (target as Element).closest("a[href], area[href]");
}

/** An address outside the page: anything but an in-page `#fragment`. */
function outsideHref(link: Element): string | null {
  const href = (link.getAttribute("href") ?? "").trim();
  return href === "" || href.startsWith("#") ? null : href;
}

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.isContentEditable === true);
}

/**
 * Installs the guard on `doc`, once: a second call does nothing. Returns a function that removes
 * it (for tests).
 */
export function installLinkGuard(doc: Document, open: OpenLink): () => void {
  if (guarded.has(doc)) return () => undefined;
  guarded.add(doc);

  const activate = (e: Event) => {
    const link = linkOf(e.target);
    if (!link) return;
    e.preventDefault();
    const href = outsideHref(link);
    if (href) open(href);
  };
  const handlers: [string, (e: Event) => void][] = [
    ["click", activate],
    // Middle click; a right click (button 2) only opens the context menu, stopped below.
    ["auxclick", (e) => ((e as MouseEvent).button === 1 ? activate(e) : linkOf(e.target) && e.preventDefault())],
    ["keydown", (e) => (e as KeyboardEvent).key === "Enter" && activate(e)],
    ["contextmenu", (e) => linkOf(e.target) && e.preventDefault()],
    ["dragstart", (e) => linkOf(e.target) && e.preventDefault()],
    // A link or file dropped onto the window would be loaded in it; text dropped into an input
    // is fine. Folders dropped on the window reach the app through Tauri, not through this event.
    ["dragover", (e) => !isEditable(e.target) && e.preventDefault()],
    ["drop", (e) => !isEditable(e.target) && e.preventDefault()],
    // The app's forms handle their own submit; none may load a page.
    ["submit", (e) => e.preventDefault()],
  ];
  for (const [type, handler] of handlers) doc.addEventListener(type, handler, { capture: true });
  return () => {
    for (const [type, handler] of handlers) doc.removeEventListener(type, handler, { capture: true });
    guarded.delete(doc);
  };
}
