import type { InboxStores } from './inbox-stores';

/**
 * Starts a session: learn the gateway's newest seq first, then load state, then stream every
 * event after that seq. Events that raced the load are replayed and applied idempotently, so
 * nothing between the load and the stream is lost.
 */
export async function startSession(stores: InboxStores): Promise<() => void> {
  const { bridge, conversations, messages, connection, team } = stores;
  const info = await bridge.getInfo({});
  if (!info.ok) {
    connection.setState({ state: 'offline', error: info.error.message, unauthorized: info.error.code === 'unauthorized' });
    return () => undefined;
  }
  connection.setState({ info: info.value, error: null });
  await conversations.getState().load();
  const snapshot = await bridge.getTeam({});
  if (snapshot.ok) team.getState().load(info.value.user, snapshot.value);
  return bridge.stream(info.value.head_seq, {
    onEvent(event) {
      conversations.getState().apply(event);
      messages.getState().apply(event);
      team.getState().apply(event);
      const selected = conversations.getState().selectedId;
      if (event.type === 'new_message' && event.message.direction === 'in' && event.conversation_id === selected) {
        void bridge.markRead({ conversation_id: selected });
      }
    },
    onResync() {
      void conversations.getState().load();
      void messages.getState().reloadAll();
      void bridge.getTeam({}).then((result) => {
        if (result.ok) team.getState().load(info.value.user, result.value);
      });
    },
    onConnection(state) {
      connection.setState({ state });
    },
    onUnauthorized() {
      connection.setState({ state: 'offline', unauthorized: true, error: 'the gateway refused the token' });
    },
  });
}
