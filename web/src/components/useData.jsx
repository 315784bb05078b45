import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';

// Loads a path, reloads when it changes; keeps the last answer while the next one is on its way.
export function useData(path) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api(path)
      .then((data) => live && setState({ data, error: null, loading: false }))
      .catch((error) => live && setState((s) => ({ data: s.data, error, loading: false })));
    return () => { live = false; };
  }, [path, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

export const Failure = ({ error }) => (error ? <p class="error" role="alert">{error.message}</p> : null);
