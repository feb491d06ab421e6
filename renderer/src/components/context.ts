import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Store } from '../state/store';

export const StoreContext = createContext<Store | null>(null);

export function useStore(): Store {
  const store = useContext(StoreContext);
  if (!store) throw new Error('The queue window was rendered without its store.');
  return store;
}
