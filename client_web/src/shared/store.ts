import { useEffect, useState } from "preact/hooks";

/** A tiny observable state holder: controllers own the socket and update state here; components read
 * it with `useStore`. */
export class Store<S> {
  private listeners = new Set<(state: S) => void>();

  constructor(private current: S) {}

  get state(): S {
    return this.current;
  }

  set(patch: Partial<S> | ((state: S) => Partial<S>)): void {
    const change = typeof patch === "function" ? patch(this.current) : patch;
    this.current = { ...this.current, ...change };
    for (const listener of this.listeners) listener(this.current);
  }

  subscribe(listener: (state: S) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export function useStore<S>(store: Store<S>): S {
  const [state, setState] = useState(store.state);
  useEffect(() => {
    setState(store.state);
    return store.subscribe(setState);
  }, [store]);
  return state;
}
