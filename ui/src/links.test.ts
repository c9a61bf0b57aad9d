import { afterEach, describe, expect, it, vi } from "vitest";
import { installLinkGuard } from "./links";

let uninstall: () => void = () => undefined;

function setup(html: string) {
  document.body.innerHTML = html;
  const open = vi.fn();
  uninstall = installLinkGuard(document, open);
  return open;
}

afterEach(() => {
  uninstall();
  document.body.innerHTML = "";
});

const $ = (selector: string) => document.querySelector(selector) as HTMLElement;

function mouse(target: Element, type: string, init: MouseEventInit = {}) {
  const event = new MouseEvent(type, { bubbles: true, cancelable: true, ...init });
  target.dispatchEvent(event);
  return event;
}

function key(target: Element, k: string) {
  const event = new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
}

function plain(target: Element, type: string) {
  const event = new Event(type, { bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  return event;
}

const REPLY = `<div class="markdown"><p>See <a href="https://example.com/docs"><code>the docs</code></a>
  or <a href="javascript:alert(1)">this</a>.</p></div>`;

describe("link guard", () => {
  it("stops a click on a link and hands its raw address to the opener", () => {
    const open = setup(REPLY);
    const event = mouse($("code"), "click");
    expect(event.defaultPrevented).toBe(true);
    expect(open).toHaveBeenCalledWith("https://example.com/docs");
  });

  it("leaves deciding to the backend: a javascript: link is passed on, never followed", () => {
    const open = setup(REPLY);
    const event = mouse($('a[href^="javascript"]'), "click");
    expect(event.defaultPrevented).toBe(true);
    expect(open).toHaveBeenCalledWith("javascript:alert(1)");
  });

  it("stops ctrl-, shift- and meta-clicks (new tab, new window) the same way", () => {
    const open = setup(REPLY);
    for (const modifier of [{ ctrlKey: true }, { shiftKey: true }, { metaKey: true }, { altKey: true }]) {
      expect(mouse($("a"), "click", modifier).defaultPrevented).toBe(true);
    }
    expect(open).toHaveBeenCalledTimes(4);
  });

  it("stops a middle click and opens the link once", () => {
    const open = setup(REPLY);
    expect(mouse($("a"), "auxclick", { button: 1 }).defaultPrevented).toBe(true);
    expect(open).toHaveBeenCalledTimes(1);
  });

  it("stops a right click's menu on a link without opening it", () => {
    const open = setup(REPLY);
    expect(mouse($("a"), "auxclick", { button: 2 }).defaultPrevented).toBe(true);
    expect(mouse($("a"), "contextmenu", { button: 2 }).defaultPrevented).toBe(true);
    expect(open).not.toHaveBeenCalled();
    expect(mouse($("p"), "contextmenu", { button: 2 }).defaultPrevented).toBe(false);
  });

  it("stops Enter on a focused link and opens it; other keys pass", () => {
    const open = setup(REPLY);
    expect(key($("a"), "Enter").defaultPrevented).toBe(true);
    expect(open).toHaveBeenCalledWith("https://example.com/docs");
    expect(key($("a"), "Tab").defaultPrevented).toBe(false);
    expect(key($("p"), "Enter").defaultPrevented).toBe(false);
    expect(open).toHaveBeenCalledTimes(1);
  });

  it("stops dragging a link, and dropping anything onto the window outside an input", () => {
    setup(`${REPLY}<textarea></textarea>`);
    expect(plain($("code"), "dragstart").defaultPrevented).toBe(true);
    expect(plain($("p"), "dragover").defaultPrevented).toBe(true);
    expect(plain($("p"), "drop").defaultPrevented).toBe(true);
    expect(plain($("textarea"), "drop").defaultPrevented).toBe(false);
  });

  it("stops every form submission while the form's own handler still runs", () => {
    setup(`<form action="https://evil.example/steal"><input name="q"><button>Go</button></form>`);
    const own = vi.fn();
    $("form").addEventListener("submit", own);
    expect(plain($("form"), "submit").defaultPrevented).toBe(true);
    expect(own).toHaveBeenCalledTimes(1);
  });

  it("stops in-page links without opening them and lets the app's handler run", () => {
    const open = setup(`<a href="#settings">Settings</a>`);
    const own = vi.fn();
    $("a").addEventListener("click", own);
    expect(mouse($("a"), "click").defaultPrevented).toBe(true);
    expect(own).toHaveBeenCalledTimes(1);
    expect(open).not.toHaveBeenCalled();
  });

  it("ignores clicks that are not on a link", () => {
    const open = setup(REPLY);
    expect(mouse($("p"), "click").defaultPrevented).toBe(false);
    expect(open).not.toHaveBeenCalled();
  });

  it("is installed once however often it is asked to be", () => {
    const open = setup(REPLY);
    installLinkGuard(document, open)();
    mouse($("a"), "click");
    expect(open).toHaveBeenCalledTimes(1);
  });
});
