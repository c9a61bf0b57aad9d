interface Props {
  /** Current width of the panel being resized. */
  width: number;
  min: number;
  max: number;
  /** +1 when dragging right grows the panel (left panel), -1 when it shrinks it (right panel). */
  direction: 1 | -1;
  onResize: (width: number) => void;
  label: string;
}

/** A drag handle between panels; arrow keys resize it too. */
export function Resizer({ width, min, max, direction, onResize, label }: Props) {
  const clamp = (w: number) => Math.max(min, Math.min(max, Math.round(w)));
  const onPointerDown = (e: PointerEvent) => {
    e.preventDefault();
    const startX = e.clientX;
    const startWidth = width;
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    const move = (ev: PointerEvent) => onResize(clamp(startWidth + (ev.clientX - startX) * direction));
    const up = () => {
      target.removeEventListener("pointermove", move);
      target.removeEventListener("pointerup", up);
    };
    target.addEventListener("pointermove", move);
    target.addEventListener("pointerup", up);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "ArrowLeft") onResize(clamp(width - 16 * direction));
    else if (e.key === "ArrowRight") onResize(clamp(width + 16 * direction));
    else return;
    e.preventDefault();
  };
  return (
    <div
      class="resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={width}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
