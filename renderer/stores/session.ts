import { createEventBatcher, PAGE_FRAMES, type FrameScheduler } from './event-batcher';
import type { InboxStores } from './inbox-stores';

/**
 * Starts a session: learn the gateway's newest seq first, then load state, then stream every
 * event after that seq. Events that raced the load are replayed and applied idempotently, so
 * nothing between the load and the stream is lost.
 */
export async function startSession(stores: InboxStores, frames: FrameScheduler = PAGE_FRAMES): Promise<() => void> {
  const { bridge, conversations, messages, connection, team, applied } = stores;
  const info = await bridge.getInfo({});
  if (!info.ok) {
    connection.setState({ state: 'offline', error: info.error.message, unauthorized: info.error.code === 'unauthorized' });
    return () => undefined;
  }
  connection.setState({ info: info.value, error: null });
  await conversations.getState().load();
  const snapshot = await bridge.getTeam({});
  if (snapshot.ok) team.getState().load(info.value.user, snapshot.value);
  // A frame's events in one update per store. Nothing is marked read here: only what the agent
  // can see is (ConversationView), never a message that arrives while the window is hidden.
  const batcher = createEventBatcher((events) => {
    conversations.getState().applyMany(events);
    messages.getState().applyMany(events);
    for (const event of events) {
      team.getState().apply(event);
      // Another agent (or this one, elsewhere) switched the connection: the badge follows.
      if (event.type === 'gateway_update') connection.getState().setInfoMode(event.mode, event.phone_number_id);
    }
    applied.publish(events);
  }, frames);
  const stop = bridge.stream(info.value.head_seq, {
    onEvent(event) {
      batcher.push(event);
    },
    onResync() {
      batcher.flush();
      void conversations.getState().load();
      void messages.getState().reloadAll();
      void bridge.getTeam({}).then((result) => {
        if (result.ok) team.getState().load(info.value.user, result.value);
      });
    },
    onConnection(state) {
      // Live again: an error from the outage no longer describes the screen.
      connection.setState(state === 'live' ? { state, error: null } : { state });
      if (state !== 'live') return;
      // A list that stopped loading at the outage loads again; the error no longer holds.
      const list = conversations.getState();
      conversations.setState({ error: null });
      if (list.error !== null && !list.complete) void list.load();
    },
    onUnauthorized() {
      connection.setState({ state: 'offline', unauthorized: true, error: 'the gateway refused the token' });
    },
  });
  return () => {
    stop();
    batcher.stop();
  };
}
