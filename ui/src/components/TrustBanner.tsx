// Workspace trust in the project window: a banner on opening a folder the person has not
// trusted (what stays off, why, and one click to trust it), and a shield in the title bar that
// keeps the state visible after the banner is closed for the session.

import { store, useStore } from "../store";

/** A shield drawn inline: the system font may have no glyph for one (it showed as a box). */
function Shield() {
  return (
    <svg class="trust-shield" width="12" height="14" viewBox="0 0 12 14" aria-hidden="true">
      <path d="M6 0.8 L11 2.8 V6.6 C11 9.9 8.9 12.2 6 13.2 C3.1 12.2 1 9.9 1 6.6 V2.8 Z" fill="none" stroke="currentColor" stroke-width="1.4" />
    </svg>
  );
}

/** The banner for an untrusted folder; gone once trusted or closed for this session. */
export function TrustBanner() {
  const project = useStore((s) => s.project);
  const dismissed = useStore((s) => s.trustBannerDismissed);
  if (!project || project.trusted || dismissed) return null;
  return (
    <div class="banner warning trust-banner" data-testid="trust-banner" role="region" aria-label="Folder trust">
      <Shield />
      <span class="trust-text">
        <strong>This folder is not trusted.</strong> {project.untrustedReason}
      </span>
      <button class="primary" data-testid="trust-folder" onClick={() => void store.trustProject()}>
        Trust this folder
      </button>
      <button class="ghost" data-testid="trust-dismiss" title="Hide until the folder is opened again" onClick={() => store.dismissTrustBanner()}>
        Not now
      </button>
    </div>
  );
}

/** Always shows whether the folder is trusted; for an untrusted one, clicking brings the banner back. */
export function TrustShield() {
  const project = useStore((s) => s.project);
  if (!project) return null;
  if (project.trusted) {
    return (
      <span class="trust-state trusted small muted" data-testid="trust-state" data-trusted="true" title="You trust this folder: its own tools, MCP servers and test command may run. Revoke in Settings.">
        <Shield /> Trusted
      </span>
    );
  }
  return (
    <button class="ghost trust-state small" data-testid="trust-state" data-trusted="false" title="Nothing from this folder runs until you trust it" onClick={() => store.set({ trustBannerDismissed: false })}>
      <Shield /> Not trusted
    </button>
  );
}
