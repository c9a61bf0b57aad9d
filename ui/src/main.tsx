import { render } from "preact";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { api, onProgress, onProjectChanged } from "./api";
import { dispatchShortcut } from "./actions";
import { App } from "./components/App";
import { store } from "./store";

async function boot() {
  render(<App />, document.getElementById("app")!);
  void api.highlightCss().then((css) => {
    const style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
  });
  await onProjectChanged((event) => void store.onProjectChanged(event));
  await onProgress((p) => store.onProgress(p.task, p.message, p.done));
  await getCurrentWebview().onDragDropEvent((event) => {
    if (event.payload.type === "drop" && event.payload.paths.length > 0) {
      void store.openProject(event.payload.paths[0]);
    }
  });
  window.addEventListener("keydown", (e) => {
    if (!store.state.paletteOpen) dispatchShortcut(store, e);
  });
  await store.start();
}

void boot();
