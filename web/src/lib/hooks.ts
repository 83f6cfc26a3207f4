import { useCallback, useEffect, useRef, useState } from "react";

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * useLoad runs load when deps change, and again every pollMs while poll(data) says so
 * (short polling of deployments in progress).
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs = 0, poll?: (d: T) => boolean): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () =>
      loadRef.current().then(
        (data) => {
          if (!live) return;
          setState({ data, loading: false });
          if (pollMs > 0 && poll?.(data)) timer = setTimeout(run, pollMs);
        },
        (error) => live && setState((s) => ({ data: s.data, error, loading: false })),
      );
    setState((s) => ({ data: s.data, loading: true }));
    run();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

export const inProgress = (status?: string) => !!status && /IN_PROGRESS|CANCELLING|PENDING/.test(status);
