import { useStore } from "../store";
import { Palette } from "./Palette";
import { ProjectView } from "./ProjectView";
import { Welcome } from "./Welcome";

export function App() {
  const screen = useStore((s) => s.screen);
  const paletteOpen = useStore((s) => s.paletteOpen);
  return (
    <>
      {screen === "welcome" ? <Welcome /> : <ProjectView />}
      {paletteOpen && <Palette />}
    </>
  );
}
