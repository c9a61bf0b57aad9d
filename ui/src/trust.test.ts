import { describe, expect, it, vi } from "vitest";
import type { Api } from "./api";
import type { ProjectInfo } from "./bindings";
import { Store } from "./store";

const untrusted: ProjectInfo = {
  root: "/p",
  name: "p",
  isRepo: false,
  identity: "folder:1:2:/p",
  trusted: false,
  untrustedReason: "Redline runs nothing from this folder until you trust it.",
};

function fakeApi(overrides: Partial<Api> = {}): Api {
  return {
    openProject: vi.fn(async () => untrusted),
    listDir: vi.fn(async () => []),
    trustProject: vi.fn(async () => ({ ...untrusted, trusted: true, untrustedReason: null })),
    revokeTrust: vi.fn(async () => undefined),
    ...overrides,
  } as Api;
}

describe("workspace trust", () => {
  it("trusting the open folder marks it trusted", async () => {
    const api = fakeApi();
    const store = new Store(api);
    await store.openProject("/p");
    expect(store.state.project?.trusted).toBe(false);
    await store.trustProject();
    expect(api.trustProject).toHaveBeenCalledOnce();
    expect(store.state.project?.trusted).toBe(true);
  });

  it("revoking the open folder brings the banner back even after it was dismissed", async () => {
    const api = fakeApi({ openProject: vi.fn(async () => ({ ...untrusted, trusted: true, untrustedReason: null })) });
    const store = new Store(api);
    await store.openProject("/p");
    store.dismissTrustBanner();
    await store.revokeTrust("folder:1:2:/p");
    expect(api.revokeTrust).toHaveBeenCalledWith("folder:1:2:/p");
    expect(store.state.project?.trusted).toBe(false);
    expect(store.state.project?.untrustedReason).toBeTruthy();
    expect(store.state.trustBannerDismissed).toBe(false);
  });

  it("revoking another folder leaves the open one as it is", async () => {
    const api = fakeApi({ openProject: vi.fn(async () => ({ ...untrusted, trusted: true, untrustedReason: null })) });
    const store = new Store(api);
    await store.openProject("/p");
    await store.revokeTrust("repo:abc:/elsewhere");
    expect(store.state.project?.trusted).toBe(true);
  });
});
