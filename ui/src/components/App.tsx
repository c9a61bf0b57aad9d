import { useStore } from "../store";
import { Palette } from "./Palette";
import { ProjectView } from "./ProjectView";
import { Settings } from "./Settings";
import { Welcome } from "./Welcome";

export function App() {
  const screen = useStore((s) => s.screen);
  const paletteOpen = useStore((s) => s.paletteOpen);
  const settingsOpen = useStore((s) => s.chat.settingsOpen);
  return (
    <>
      {screen === "welcome" ? <Welcome /> : <ProjectView />}
      {paletteOpen && <Palette />}
      {settingsOpen && <Settings />}
    </>
  );
}
