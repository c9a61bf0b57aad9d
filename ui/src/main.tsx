import { render } from "preact";
import { api, errorMessage, onFolderDropped, onProgress, onProjectChanged } from "./api";
import { dispatchShortcut } from "./actions";
import { App } from "./components/App";
import { installLinkGuard } from "./links";
import { store } from "./store";

/** Links never navigate the window: the backend opens the ones it allows in the system browser. */
function openLink(href: string) {
  api.openLink(href).then(
    () => store.notify(`Opened in your browser: ${href}`),
    (e) => store.notify(errorMessage(e)),
  );
}

async function boot() {
  installLinkGuard(document, openLink);
  render(<App />, document.getElementById("app")!);
  void api.highlightCss().then((css) => {
    const style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
  });
  await onProjectChanged((event) => void store.onProjectChanged(event));
  await onProgress((p) => store.onProgress(p.task, p.message, p.done));
  await onFolderDropped((paths) => void store.openProject(paths[0]));
  window.addEventListener("keydown", (e) => {
    if (!store.state.paletteOpen) dispatchShortcut(store, e);
  });
  await store.start();
}

/** Last resort: an error nobody caught is shown, not swallowed into a blank window. */
function showFatal(error: unknown) {
  const box = document.createElement("pre");
  box.className = "fatal";
  box.textContent = `Redline hit an unexpected error. Please report it.\n\n${
    error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : JSON.stringify(error)
  }`;
  document.body.appendChild(box);
}

window.addEventListener("error", (e) => showFatal(e.error ?? e.message));
window.addEventListener("unhandledrejection", (e) => showFatal(e.reason));
boot().catch(showFatal);
