import { useEffect, useRef, useState } from "preact/hooks";
import { available } from "../actions";
import { rank } from "../palette";
import { store } from "../store";

export function Palette() {
  const [query, setQuery] = useState("");
  const [cursor, setCursor] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const actions = rank(
    available(store).filter((a) => a.id !== "palette"),
    query,
    (a) => a.title,
  );
  useEffect(() => input.current?.focus(), []);
  const close = () => store.set({ paletteOpen: false });
  const run = (index: number) => {
    const action = actions[index];
    close();
    if (action) void action.run(store);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown") setCursor((c) => Math.min(actions.length - 1, c + 1));
    else if (e.key === "ArrowUp") setCursor((c) => Math.max(0, c - 1));
    else if (e.key === "Enter") run(cursor);
    else if (e.key === "Escape") close();
    else return;
    e.preventDefault();
  };
  return (
    <div class="overlay" onClick={close}>
      <div class="palette" data-testid="palette" role="dialog" aria-label="Command palette" onClick={(e) => e.stopPropagation()}>
        <input
          ref={input}
          data-testid="palette-input"
          placeholder="Type a command"
          value={query}
          onInput={(e) => {
            setQuery((e.target as HTMLInputElement).value);
            setCursor(0);
          }}
          onKeyDown={onKeyDown}
        />
        <ul role="listbox">
          {actions.map((a, i) => (
            <li
              key={a.id}
              role="option"
              aria-selected={i === cursor}
              data-testid="palette-item"
              data-action={a.id}
              onMouseEnter={() => setCursor(i)}
              onClick={() => run(i)}
            >
              <span>{a.title}</span>
              {a.shortcut && <kbd>{a.shortcut}</kbd>}
            </li>
          ))}
          {actions.length === 0 && <li class="muted">No matching command</li>}
        </ul>
      </div>
    </div>
  );
}
