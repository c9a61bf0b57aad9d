import { defineConfig } from "vitest/config";

// No framework plugin: esbuild compiles Preact's JSX directly.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  clearScreen: false,
  build: { target: "safari15", outDir: "dist", emptyOutDir: true, sourcemap: false },
  test: { environment: "happy-dom", globals: true },
});
