import {
  columnIn,
  lineElement,
  selectedLines,
  actionPrompt,
  findLanguage,
  languageOf,
  LANGUAGES,
  suggestedPath,
  targetLabel,
  targetSelection,
  type ActionTarget,
  type CodeAction,
} from "./codeActions";

const file: ActionTarget = { kind: "file", path: "src/util.py", lineCount: 40 };
const sel: ActionTarget = { kind: "selection", path: "src/util.py", startLine: 3, endLine: 9 };

/** The `@path` words the backend attaches (crates/redline-agent parse_mentions). */
function mentions(text: string): string[] {
  return text
    .split(/\s+/)
    .filter((w) => w.startsWith("@"))
    .map((w) => w.slice(1).replace(/[.,:;!?)'"`]+$/, ""))
    .filter(Boolean);
}

const ALL: CodeAction[] = ["explain", "refactor", "translate", "tests", "docs", "generate"];

describe("actionPrompt", () => {
  it.each(ALL)("%s on a whole file mentions it as @path", (action) => {
    const text = actionPrompt(action, file, { goal: "faster", language: "TypeScript", description: "a parser", line: 5 });
    expect(mentions(text)).toEqual(["src/util.py"]);
  });

  it.each(ALL)("%s on a selection names the lines and does not attach the whole file", (action) => {
    const text = actionPrompt(action, sel, { goal: "faster", language: "TypeScript", description: "a parser", line: 5 });
    expect(text).toContain("src/util.py");
    if (action !== "generate") expect(text).toContain("lines 3–9 of src/util.py");
    else expect(text).toContain("lines 3–9 are attached");
    expect(mentions(text)).toEqual([]);
  });

  it("explain asks for no change", () => {
    expect(actionPrompt("explain", file)).toMatch(/^Explain @src\/util\.py: .*Do not change any file\.$/);
  });

  it("refactor states the goal: a preset or the person's words", () => {
    expect(actionPrompt("refactor", sel, { goal: "more readable" })).toContain("Goal: make it more readable.");
    expect(actionPrompt("refactor", sel, { goal: "faster" })).toContain("Goal: make it faster.");
    expect(actionPrompt("refactor", sel, { goal: "use a dataclass" })).toContain("Goal: use a dataclass.");
    expect(actionPrompt("refactor", file, {})).toContain("Goal: make it more readable.");
    expect(actionPrompt("refactor", file, { goal: "faster" })).toContain("Keep its behaviour the same");
  });

  it("translate asks for a new file at the suggested path and leaves the original", () => {
    const text = actionPrompt("translate", file, { language: "TypeScript" });
    expect(text).toContain("into TypeScript");
    expect(text).toContain("NEW file at src/util.ts");
    expect(text).toContain("Do not change src/util.py");
    expect(mentions(text)).toEqual(["src/util.py"]);
    const part = actionPrompt("translate", sel, { language: "rust" });
    expect(part).toContain("Translate lines 3–9 of src/util.py (attached) into Rust");
    expect(part).toContain("NEW file at src/util.rs");
    expect(part).toContain("leave the original as it is");
  });

  it("tests and docs leave the code under test alone", () => {
    expect(actionPrompt("tests", file)).toContain("Write tests for @src/util.py.");
    expect(actionPrompt("tests", file)).toContain("Do not change the code under test.");
    expect(actionPrompt("docs", sel)).toContain("Add documentation to lines 3–9 of src/util.py (attached)");
    expect(actionPrompt("docs", sel)).toContain("Change only comments");
  });

  it("generate puts the code exactly at the cursor line", () => {
    const text = actionPrompt("generate", file, { description: "a function that parses dates.", line: 12 });
    expect(text).toContain("In @src/util.py, write: a function that parses dates. ");
    expect(text).toContain("exactly at line 12 of src/util.py");
    expect(text).toContain("change nothing else");
    // Without a cursor: the selection's first line, else the top.
    expect(actionPrompt("generate", sel, { description: "x" })).toContain("exactly at line 3 ");
    expect(actionPrompt("generate", file, { description: "x" })).toContain("exactly at line 1 ");
  });

  it("a path with spaces is attached rather than mentioned", () => {
    const spaced: ActionTarget = { kind: "file", path: "my dir/a b.py", lineCount: 7 };
    expect(mentions(actionPrompt("explain", spaced))).toEqual([]);
    expect(actionPrompt("explain", spaced)).toContain("my dir/a b.py (attached)");
    expect(targetSelection(spaced)).toEqual({ path: "my dir/a b.py", startLine: 1, endLine: 7 });
  });
});

describe("targets", () => {
  it("labels", () => {
    expect(targetLabel(file)).toBe("Whole file");
    expect(targetLabel(sel)).toBe("Selection: lines 3–9");
    expect(targetLabel({ kind: "selection", path: "a", startLine: 4, endLine: 4 })).toBe("Selection: line 4");
  });

  it("selection to attach", () => {
    expect(targetSelection(file)).toBeNull();
    expect(targetSelection(sel)).toEqual({ path: "src/util.py", startLine: 3, endLine: 9 });
  });
});

describe("suggestedPath", () => {
  it.each([
    ["src/util.py", "TypeScript", "src/util.ts"],
    ["src/util.py", "JavaScript", "src/util.js"],
    ["src/util.py", "Rust", "src/util.rs"],
    ["src/util.py", "Go", "src/util.go"],
    ["src/util.py", "Java", "src/Util.java"],
    ["src/util.py", "C", "src/util.c"],
    ["src/util.py", "C++", "src/util.cpp"],
    ["src/util.py", "C#", "src/Util.cs"],
    ["src/util.py", "Kotlin", "src/Util.kt"],
    ["src/util.py", "Swift", "src/Util.swift"],
    ["src/util.py", "Ruby", "src/util.rb"],
    ["src/util.py", "PHP", "src/util.php"],
    ["lib/string_utils.rb", "Java", "lib/StringUtils.java"],
    ["web/stringUtils.ts", "Python", "web/string_utils.py"],
    ["web/date-format.js", "Rust", "web/date_format.rs"],
    ["Main.java", "Python", "main.py"],
    ["scripts/build", "Python", "scripts/build.py"],
    ["a/b.c/x.tar.gz", "go", "a/b.c/x_tar.go"],
  ])("%s in %s → %s", (path, language, expected) => {
    expect(suggestedPath(path, language)).toBe(expected);
  });

  it("never the original path", () => {
    expect(suggestedPath("src/util.ts", "TypeScript")).toBe("src/util_translated.ts");
    expect(suggestedPath("src/Util.java", "Java")).toBe("src/UtilTranslated.java");
  });

  it("an unknown language leaves the path (the prompt then names none)", () => {
    expect(suggestedPath("src/util.py", "COBOL")).toBe("src/util.py");
  });

  it("covers the thirteen languages, found by name or extension", () => {
    expect(LANGUAGES.map((l) => l.name)).toEqual([
      "Python", "TypeScript", "JavaScript", "Rust", "Go", "Java", "C", "C++", "C#", "Kotlin", "Swift", "Ruby", "PHP",
    ]);
    expect(findLanguage("c++")?.ext).toBe("cpp");
    expect(findLanguage("tsx")?.name).toBe("TypeScript");
    expect(languageOf("src/App.tsx")).toBe("TypeScript");
    expect(languageOf("include/x.hpp")).toBe("C++");
    expect(languageOf("README.md")).toBeNull();
    expect(languageOf(".env")).toBeNull();
  });
});

describe("translate into a language outside the table", () => {
  it("asks for a new file without naming the original as its path", () => {
    const text = actionPrompt("translate", file, { language: "Elixir" });
    expect(text).toContain("into Elixir");
    expect(text).toContain("NEW file beside src/util.py, named with Elixir's file extension");
    expect(text).not.toContain("at src/util.py");
  });
});

describe("generate names what the cursor line holds", () => {
  it("quotes the line, or says it is empty", () => {
    expect(actionPrompt("generate", file, { description: "x", line: 4, lineText: "    return total  " })).toContain(
      "exactly at line 4 of src/util.py (before line 4, which now reads `return total`)",
    );
    expect(actionPrompt("generate", file, { description: "x", line: 4, lineText: "  " })).toContain("(line 4 is empty now)");
  });
});

describe("pointing in the rendered lines", () => {
  function lines(texts: string[]): HTMLElement {
    const root = document.createElement("div");
    root.innerHTML = texts
      .map((t, i) => `<div class="line" data-line="${i + 1}"><span class="gutter">${i + 1}</span><span class="code">${t}</span></div>`)
      .join("");
    document.body.append(root);
    return root;
  }

  it("finds the line of a node and counts characters before a point", () => {
    const root = lines(['<span class="hl-k">def</span> f(x):', "    return x"]);
    const first = root.querySelector('[data-line="1"]')!;
    const name = first.querySelector(".code")!.childNodes[1]; // " f(x):"
    expect(lineElement(name, root)?.dataset.line).toBe("1");
    expect(columnIn(first, name, 2)).toBe(5); // "def f|"
    expect(columnIn(first, first.querySelector(".hl-k")!.firstChild!, 1)).toBe(1);
    expect(columnIn(first, first.querySelector(".gutter")!.firstChild!, 1)).toBe(0);
    expect(columnIn(first, first, 2)).toBe("def f(x):".length);
    expect(lineElement(document.body, root)).toBeNull();
    root.remove();
  });

  it("counts characters, not UTF-16 units", () => {
    const root = lines(["s = '😀é' # x"]);
    const line = root.querySelector('[data-line="1"]')!;
    const text = line.querySelector(".code")!.firstChild!;
    expect(columnIn(line, text, "s = '😀é'".length)).toBe(8); // 9 UTF-16 units
    root.remove();
  });

  it("orders anchor and focus, and a selection ending at a line's start leaves that line out", () => {
    expect(selectedLines({ line: 9, column: 3 }, { line: 3, column: 0 })).toEqual({ start: 3, end: 9 });
    expect(selectedLines({ line: 3, column: 2 }, { line: 10, column: 0 })).toEqual({ start: 3, end: 9 });
    expect(selectedLines({ line: 5, column: 4 }, { line: 5, column: 1 })).toEqual({ start: 5, end: 5 });
  });
});
