import { useEffect, useState } from "preact/hooks";
import type { ConversationView } from "../bindings";
import { store, useStore } from "../store";

/** The project's conversations: search, open, rename, delete. */
export function Conversations() {
  const chat = useStore((s) => s.chat);
  const [query, setQuery] = useState(chat.query);
  useEffect(() => {
    const t = setTimeout(() => void store.chat.loadConversations(query), 150);
    return () => clearTimeout(t);
  }, [query]);
  return (
    <div class="panel" data-testid="conversations">
      <div class="panel-header">
        <input
          class="search"
          type="search"
          placeholder="Search conversations"
          aria-label="Search conversations"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <button class="ghost" onClick={() => store.chat.newConversation()} title="New conversation">
          New
        </button>
      </div>
      <ul class="list" role="listbox">
        {chat.conversations.map((c) => (
          <Row key={c.id} c={c} selected={chat.current?.conversation.id === c.id} />
        ))}
        {chat.conversations.length === 0 && <li class="pad muted">{query ? "No conversation matches." : "No conversations yet."}</li>}
      </ul>
    </div>
  );
}

function Row({ c, selected }: { c: ConversationView; selected: boolean }) {
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [title, setTitle] = useState(c.title);
  if (renaming) {
    return (
      <li class="change-row">
        <input
          autoFocus
          aria-label="Conversation title"
          value={title}
          onInput={(e) => setTitle(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              setRenaming(false);
              void store.chat.rename(c.id, title);
            }
            if (e.key === "Escape") setRenaming(false);
          }}
          onBlur={() => setRenaming(false)}
        />
      </li>
    );
  }
  return (
    <li
      class="change-row conversation-row"
      role="option"
      aria-selected={selected}
      data-testid="conversation-row"
      onClick={() => void store.chat.open(c.id)}
      onDblClick={() => setRenaming(true)}
      title={`${c.title}\n${new Date(c.updatedAt).toLocaleString()}`}
    >
      <span class="name">{c.title}</span>
      <span class="spacer" />
      <button class="ghost row-action" aria-label="Rename" onClick={(e) => (e.stopPropagation(), setRenaming(true))}>
        ✎
      </button>
      <button
        class={`ghost row-action${confirming ? " danger-text" : ""}`}
        aria-label="Delete"
        data-testid="delete-conversation"
        title={confirming ? "Click again to delete this conversation and its messages" : "Delete"}
        onBlur={() => setConfirming(false)}
        onClick={(e) => {
          e.stopPropagation();
          if (confirming) void store.chat.remove(c.id);
          else setConfirming(true);
        }}
      >
        {confirming ? "Delete?" : "×"}
      </button>
    </li>
  );
}
