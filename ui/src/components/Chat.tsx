/** The chat panel. Conversations arrive with model providers; the panel holds its place now. */
export function Chat() {
  return (
    <aside class="chat" data-testid="chat-panel">
      <div class="panel-header">
        <span>Chat</span>
      </div>
      <div class="chat-body">
        <p class="muted pad">Chat arrives with model providers.</p>
      </div>
      <div class="chat-input">
        <textarea disabled placeholder="Ask about this project…" aria-label="Message" />
        <button class="primary" disabled>
          Send
        </button>
      </div>
    </aside>
  );
}
