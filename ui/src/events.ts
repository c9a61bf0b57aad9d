// What a change on disk means for what is on screen.

import type { ProjectChanged } from "./bindings";
import type { Tab } from "./store";

/** Tabs whose content must be fetched again after this event. */
export function tabsToReload(tabs: Tab[], event: ProjectChanged): Tab[] {
  if (event.rescan) return tabs;
  const changed = new Set(event.paths);
  return tabs.filter((tab) => {
    if (changed.has(tab.path)) return true;
    // A diff also changes when the index or HEAD moves.
    return tab.kind === "diff" && event.git !== null;
  });
}
