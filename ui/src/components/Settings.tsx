import { useEffect, useState } from "preact/hooks";
import { errorMessage, isApiError } from "../api";
import type { AgentLimitsView, KeyState, LocalModelsView, PresetView, ProviderView, TrustedProject } from "../bindings";
import { store, useStore } from "../store";

const KEY_TEXT: Record<KeyState, string> = {
  none: "no key",
  keyring: "key in the system keyring",
  session: "key kept for this run only",
  unavailable: "keyring unavailable",
};

/** Providers, keys and the default model. Keys go in and never come back out. */
export function Settings() {
  const [presets, setPresets] = useState<PresetView[]>([]);
  const [providers, setProviders] = useState<ProviderView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const models = useStore((s) => s.chat.models);

  const reload = async () => {
    try {
      setProviders(await store.api.providers());
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    void store.api.presets().then(setPresets);
    void reload();
  }, []);

  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && store.chat.openSettings(false)}>
      <div class="modal settings" role="dialog" aria-label="Settings" data-testid="settings">
        <header class="modal-header">
          <strong>Models and providers</strong>
          <span class="spacer" />
          <button class="ghost" data-testid="settings-close" onClick={() => store.chat.openSettings(false)}>
            Close
          </button>
        </header>
        {error && (
          <div class="banner error" role="alert">
            {error}
          </div>
        )}
        <section>
          <h3>Default model</h3>
          <select
            data-testid="default-model"
            value={models?.defaultModel ?? ""}
            onChange={(e) => void store.api.setDefaultModel(e.currentTarget.value).then(() => store.chat.loadModels(false))}
          >
            <option value="">(first available)</option>
            {models?.models.map((m) => (
              <option key={m.id} value={m.id}>
                {m.id}
              </option>
            ))}
          </select>
          {models?.problems.map((p) => (
            <p key={p} class="warn small">
              {p}
            </p>
          ))}
        </section>
        <BuiltinModels defaultModel={models?.defaultModel ?? null} />
        <section>
          <h3>Providers</h3>
          {providers.length === 0 && <p class="muted">None yet. Local servers (Ollama, llama.cpp, LM Studio) are found without setup.</p>}
          {providers.map((p) => (
            <ProviderCard key={p.id} p={p} onChange={reload} />
          ))}
        </section>
        <AddProvider presets={presets} onAdded={reload} />
        <AgentSettings />
        <TrustedFolders />
      </div>
    </div>
  );
}

function ProviderCard({ p, onChange }: { p: ProviderView; onChange: () => Promise<void> }) {
  const [key, setKey] = useState("");
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [offerSession, setOfferSession] = useState(false);
  const [testing, setTesting] = useState(false);

  const saveKey = async (sessionOnly: boolean) => {
    try {
      await store.api.setKey(p.id, key, sessionOnly);
      setKey("");
      setOfferSession(false);
      setMessage({ text: sessionOnly ? "Key kept in memory until Redline closes." : "Key saved in the system keyring.", error: false });
      await onChange();
    } catch (e) {
      setOfferSession(isApiError(e) && e.code === "keyringUnavailable");
      setMessage({ text: errorMessage(e), error: true });
    }
  };

  const test = async () => {
    setTesting(true);
    try {
      const models = await store.api.testProvider(p.id);
      setMessage({ text: `Connected: ${models.length} models (${models.slice(0, 5).join(", ")}${models.length > 5 ? ", …" : ""})`, error: false });
    } catch (e) {
      setMessage({ text: errorMessage(e), error: true });
    }
    setTesting(false);
  };

  return (
    <div class="provider" data-testid={`provider-${p.id}`}>
      <div class="row">
        <strong>{p.name}</strong>
        <span class="muted small">{p.baseUrl}</span>
        <span class="spacer" />
        {p.needsKey && (
          <span class={`tag key-${p.key}`} data-testid={`key-state-${p.id}`}>
            {KEY_TEXT[p.key]}
          </span>
        )}
      </div>
      {p.warning && (
        <div class="banner warning small" role="alert" data-testid={`provider-warning-${p.id}`}>
          {p.warning}
        </div>
      )}
      {p.needsKey && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void saveKey(false);
          }}
        >
          <input
            type="password"
            autocomplete="off"
            spellcheck={false}
            placeholder={p.key === "none" ? "API key" : "Replace the key"}
            aria-label={`API key for ${p.name}`}
            data-testid={`key-input-${p.id}`}
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
          />
          <button type="submit" disabled={!key.trim()} data-testid={`key-save-${p.id}`}>
            Save key
          </button>
          {offerSession && (
            <button type="button" data-testid={`key-session-${p.id}`} onClick={() => void saveKey(true)}>
              Keep for this run only
            </button>
          )}
          {p.key !== "none" && p.key !== "unavailable" && (
            <button type="button" class="ghost" onClick={() => void store.api.removeKey(p.id).then(onChange)}>
              Remove key
            </button>
          )}
        </form>
      )}
      <FimModels p={p} onChange={onChange} />
      <div class="row">
        <button data-testid={`test-provider-${p.id}`} disabled={testing} onClick={() => void test()}>
          {testing ? "Testing…" : "Test connection"}
        </button>
        <button class="ghost danger-text" onClick={() => void store.api.removeProvider(p.id).then(onChange)}>
          Remove provider
        </button>
      </div>
      {message && (
        <p class={message.error ? "warn small" : "muted small"} data-testid={`provider-message-${p.id}`} role="status">
          {message.text}
        </p>
      )}
    </div>
  );
}

/** Model names from a comma (or space) separated list. */
function modelList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** The provider's models that complete in the middle ("Complete here" in the file view). */
function FimModels({ p, onChange }: { p: ProviderView; onChange: () => Promise<void> }) {
  const saved = p.fimModels.join(", ");
  const [text, setText] = useState(saved);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  useEffect(() => setText(saved), [saved]);
  const save = async () => {
    try {
      const fimModels = modelList(text);
      await store.api.saveProvider({ id: p.id, name: p.name, wire: p.wire, baseUrl: p.baseUrl, needsKey: p.needsKey, models: p.models, fimModels });
      setMessage({ text: fimModels.length ? `Saved: ${fimModels.join(", ")} complete in the middle.` : "Saved: no model of this provider completes in the middle.", error: false });
      await onChange();
    } catch (e) {
      setMessage({ text: errorMessage(e), error: true });
    }
  };
  return (
    <form
      class="row fim-row"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label class="fim-label" title="Models that fill in the middle (code before and after the cursor), used by “Complete here” in the file view">
        Completes in the middle (FIM)
        <input
          data-testid={`fim-models-${p.id}`}
          placeholder="model names, comma separated"
          spellcheck={false}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </label>
      <button type="submit" data-testid={`fim-save-${p.id}`} disabled={modelList(text).join(",") === p.fimModels.join(",")}>
        Save
      </button>
      {message && (
        <span class={message.error ? "warn small" : "muted small"} role="status" data-testid={`fim-message-${p.id}`}>
          {message.text}
        </span>
      )}
    </form>
  );
}

function AddProvider({ presets, onAdded }: { presets: PresetView[]; onAdded: () => Promise<void> }) {
  const [form, setForm] = useState({ name: "", wire: "openai", baseUrl: "", needsKey: true, models: "", fimModels: "" });
  const [error, setError] = useState<string | null>(null);
  const choose = (id: string) => {
    const p = presets.find((x) => x.id === id);
    if (p) setForm({ name: p.name, wire: p.wire, baseUrl: p.baseUrl, needsKey: p.needsKey, models: "", fimModels: "" });
    else setForm({ name: "", wire: "openai", baseUrl: "", needsKey: true, models: "", fimModels: "" });
  };
  const save = async () => {
    try {
      const models = modelList(form.models);
      const fimModels = modelList(form.fimModels);
      await store.api.saveProvider({ id: null, name: form.name, wire: form.wire, baseUrl: form.baseUrl, needsKey: form.needsKey, models, fimModels });
      setForm({ name: "", wire: "openai", baseUrl: "", needsKey: true, models: "", fimModels: "" });
      setError(null);
      await onAdded();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section class="add-provider">
      <h3>Add a provider</h3>
      <div class="grid-form">
        <label>
          Start from
          <select data-testid="provider-preset" onChange={(e) => choose(e.currentTarget.value)}>
            <option value="">Any OpenAI-compatible server</option>
            {presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name
          <input data-testid="provider-name" value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        </label>
        <label>
          Server address
          <input
            data-testid="provider-url"
            placeholder="https://api.example.com/v1"
            value={form.baseUrl}
            onInput={(e) => setForm({ ...form, baseUrl: e.currentTarget.value })}
          />
        </label>
        <label>
          API format
          <select data-testid="provider-wire" value={form.wire} onChange={(e) => setForm({ ...form, wire: e.currentTarget.value })}>
            <option value="openai">OpenAI-compatible</option>
            <option value="anthropic">Anthropic</option>
            <option value="gemini">Gemini</option>
          </select>
        </label>
        <label>
          Models (optional, comma separated)
          <input
            data-testid="provider-models"
            placeholder="asked from the server when empty"
            value={form.models}
            onInput={(e) => setForm({ ...form, models: e.currentTarget.value })}
          />
        </label>
        <label>
          Completes in the middle (FIM)
          <input
            data-testid="provider-fim"
            placeholder="models that fill in the middle, comma separated"
            value={form.fimModels}
            onInput={(e) => setForm({ ...form, fimModels: e.currentTarget.value })}
          />
        </label>
        <label class="toggle">
          <input type="checkbox" checked={form.needsKey} onChange={() => setForm({ ...form, needsKey: !form.needsKey })} /> Needs an
          API key
        </label>
      </div>
      {error && (
        <p class="warn small" role="alert">
          {error}
        </p>
      )}
      <button class="primary" data-testid="provider-save" onClick={() => void save()}>
        Add provider
      </button>
    </section>
  );
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  return `${Math.round(n / 1e3)} kB`;
}

function formatParameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1).replace(/\.0$/, "")}B parameters`;
  if (n >= 1e6) return `${Math.round(n / 1e6)}M parameters`;
  return `${n} parameters`;
}

/** GGUF models run by the built-in engine: no key, no server, nothing to install. */
function BuiltinModels({ defaultModel }: { defaultModel: string | null }) {
  const [view, setView] = useState<LocalModelsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = async () => {
    try {
      setView(await store.api.localModels());
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  useEffect(() => {
    void reload();
  }, [defaultModel]);
  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(null);
      await reload();
      await store.chat.loadModels(false);
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const add = () =>
    act(async () => {
      const path = await store.api.pickGgufFile();
      if (path) await store.api.addLocalModel(path);
    });
  if (view && !view.engineAvailable) return null;
  return (
    <section data-testid="builtin-models">
      <h3>Built-in models</h3>
      <p class="muted small">
        These run inside Redline, offline, on {view?.threads === 1 ? "1 CPU thread" : `${view?.threads ?? "the"} CPU threads`}. A small model such as the 135M one Redline starts
        with writes small snippets and answers short questions, but it cannot reliably produce edits to your files: connect Ollama
        or a provider for real work. Small local models are asked for whole files rather than edit blocks.
      </p>
      {view?.models.length === 0 && (
        <p class="muted small">
          None yet. Put a .gguf file in <code>{view.modelsFolder}</code> or add one below.
        </p>
      )}
      {view?.models.map((m) => (
        <div class="provider" key={m.id} data-testid={`builtin-model-${m.id}`}>
          <div class="row">
            <strong>{m.name}</strong>
            <span class="muted small">{m.id}</span>
            <span class="spacer" />
            {(m.isDefault || defaultModel === m.id) && <span class="tag">default</span>}
          </div>
          {m.problem ? (
            <p class="warn small">{m.problem}</p>
          ) : (
            <p class="muted small" data-testid="builtin-model-facts">
              {formatBytes(m.sizeBytes)} · {formatParameters(m.parameters)} · {m.quantization} ·{" "}
              {m.contextLength > 0 ? `${m.contextLength.toLocaleString()}-token context` : "context length not stated"}
            </p>
          )}
          <p class="muted small" title={m.path}>
            {m.path}
          </p>
          <div class="row">
            {!m.problem && defaultModel !== m.id && (
              <button data-testid={`builtin-default-${m.id}`} onClick={() => void act(() => store.api.setDefaultModel(m.id))}>
                Use as default
              </button>
            )}
            {!m.inModelsFolder && (
              <button class="ghost danger-text" onClick={() => void act(() => store.api.removeLocalModel(m.id))}>
                Forget
              </button>
            )}
          </div>
        </div>
      ))}
      {error && (
        <p class="warn small" role="alert">
          {error}
        </p>
      )}
      <button data-testid="builtin-add" onClick={() => void add()}>
        Add a GGUF file…
      </button>
    </section>
  );
}

interface LimitsForm {
  maxSteps: string;
  maxTokens: string;
  maxCost: string;
  commandTimeoutSecs: string;
  testCommand: string;
}

function toForm(l: AgentLimitsView): LimitsForm {
  return {
    maxSteps: String(l.maxSteps),
    maxTokens: String(l.maxTokens),
    maxCost: l.maxCost === null ? "" : String(l.maxCost),
    commandTimeoutSecs: String(l.commandTimeoutSecs),
    testCommand: l.testCommand ?? "",
  };
}

/** The form read back as limits, or the first thing wrong with it. */
export function parseLimits(f: LimitsForm): AgentLimitsView | string {
  const whole = (text: string, what: string): number | string => {
    const n = Number(text.trim());
    return text.trim() !== "" && Number.isInteger(n) && n > 0 ? n : `${what} must be a whole number above 0.`;
  };
  const maxSteps = whole(f.maxSteps, "Max steps");
  if (typeof maxSteps === "string") return maxSteps;
  const maxTokens = whole(f.maxTokens, "Max tokens");
  if (typeof maxTokens === "string") return maxTokens;
  const commandTimeoutSecs = whole(f.commandTimeoutSecs, "Command timeout");
  if (typeof commandTimeoutSecs === "string") return commandTimeoutSecs;
  let maxCost: number | null = null;
  if (f.maxCost.trim() !== "") {
    maxCost = Number(f.maxCost.trim().replace(/^\$/, ""));
    if (!Number.isFinite(maxCost) || maxCost <= 0) return "Max cost must be an amount in US dollars above 0, or empty for no limit.";
  }
  return { maxSteps, maxTokens, maxCost, commandTimeoutSecs, testCommand: f.testCommand.trim() || null };
}

/** How far an agent turn may go, and the project's test command. */
function AgentSettings() {
  const [form, setForm] = useState<LimitsForm | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    store.api
      .agentLimits()
      .then((l) => setForm(toForm(l)))
      .catch((e) => setMessage({ text: errorMessage(e), error: true }));
  }, []);
  const save = async () => {
    if (!form) return;
    const limits = parseLimits(form);
    if (typeof limits === "string") return setMessage({ text: limits, error: true });
    setSaving(true);
    try {
      await store.api.setAgentLimits(limits);
      setForm(toForm(limits));
      setMessage({ text: "Saved.", error: false });
      void store.chat.loadLimits();
    } catch (e) {
      setMessage({ text: errorMessage(e), error: true });
    }
    setSaving(false);
  };
  const field = (key: keyof LimitsForm, label: string, testid: string, extra: Record<string, string> = {}) => (
    <label>
      {label}
      <input
        data-testid={testid}
        value={form?.[key] ?? ""}
        disabled={!form}
        onInput={(e) => {
          const value = e.currentTarget.value;
          setForm((f) => f && { ...f, [key]: value });
        }}
        {...extra}
      />
    </label>
  );
  return (
    <section data-testid="agent-settings">
      <h3>Agent</h3>
      <p class="muted small">Limits of one agent turn: it stops when it reaches any of them.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div class="grid-form">
          {field("maxSteps", "Max steps", "agent-max-steps", { inputMode: "numeric" })}
          {field("maxTokens", "Max tokens", "agent-max-tokens", { inputMode: "numeric" })}
          {field("maxCost", "Max cost (USD, empty = none)", "agent-max-cost", { inputMode: "decimal", placeholder: "no limit" })}
          {field("commandTimeoutSecs", "Command timeout (s)", "agent-timeout", { inputMode: "numeric" })}
        </div>
        <div class="grid-form agent-test-command">
          {field("testCommand", "The project's test command", "agent-test-command", { placeholder: "e.g. cargo test, npm test, pytest", spellcheck: "false" })}
        </div>
        <p class="muted small">
          “Fix until tests pass” runs this command; naming it here lets it run without asking each time.
        </p>
        {message && (
          <p class={message.error ? "warn small" : "muted small"} role={message.error ? "alert" : "status"} data-testid="agent-message">
            {message.text}
          </p>
        )}
        <button type="submit" class="primary" data-testid="agent-save" disabled={!form || saving}>
          {saving ? "Saving…" : "Save agent settings"}
        </button>
      </form>
    </section>
  );
}

/** Folders the person trusts (by repository, not path), each with Revoke. */
function TrustedFolders() {
  const [folders, setFolders] = useState<TrustedProject[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = () =>
    store.api.trustedProjects().then(setFolders, (e: unknown) => setError(errorMessage(e)));
  useEffect(() => void reload(), []);
  const revoke = async (identity: string) => {
    try {
      await store.revokeTrust(identity);
      await reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <section data-testid="trusted-folders">
      <h3>Trusted folders</h3>
      <p class="muted small">Their own formatters and linters, MCP servers and test command may run. Another repository cloned at the same path is not trusted.</p>
      {error && (
        <p class="warn small" role="alert">
          {error}
        </p>
      )}
      {folders?.length === 0 && <p class="muted small">None yet.</p>}
      <ul class="trusted-list">
        {folders?.map((f) => (
          <li key={f.identity} data-testid="trusted-folder" class="small">
            <span title={f.identity}>{f.path}</span>
            {!f.exists && <span class="muted"> (missing)</span>}{" "}
            <button class="ghost" data-testid="revoke-trust" onClick={() => void revoke(f.identity)}>
              Revoke
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
