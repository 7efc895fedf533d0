import { createStore } from 'zustand/vanilla';
import type { AppError, MessageTemplate } from '../../shared/contract';
import type { BridgeApi } from '../bridge/bridge-api';

/** The business account's approved templates, as the gateway last listed them. */
export type TemplatesState = {
  templates: MessageTemplate[];
  loaded: boolean;
  loading: boolean;
  error: AppError | null;
  /** Lists them once per session; `refresh` asks Meta again. */
  load(refresh?: boolean): Promise<void>;
};

export function createTemplatesStore(bridge: BridgeApi) {
  return createStore<TemplatesState>()((set, get) => ({
    templates: [],
    loaded: false,
    loading: false,
    error: null,
    async load(refresh = false) {
      if (get().loading || (get().loaded && !refresh)) return;
      set({ loading: true });
      const result = await bridge.listTemplates(refresh ? { refresh: true } : {});
      set(result.ok ? { templates: result.value.templates, loaded: true, loading: false, error: null } : { loading: false, error: result.error });
    },
  }));
}
