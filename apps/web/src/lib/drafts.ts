import { useEffect, useMemo, useState } from 'react';
import { useSession } from './session';

/**
 * Unsent form drafts, so a half-written report survives moving to another screen, a
 * reload or an expired session. They live in sessionStorage (this browser tab only, gone
 * when it closes), keyed by node and account so one person never sees another's draft,
 * and are wiped on sign-out and when the form is sent. Nothing is written until someone
 * types.
 */
const PREFIX = 'citylink-draft:';

interface Stored<T> {
  savedAt: string;
  value: T;
}

export function useDraft<T>(form: string, initial: T) {
  const session = useSession();
  const key = `${PREFIX}${session.node.node}:${session.user.username}:${form}`;
  const restored = useMemo(() => read<T>(key), [key]);
  const [value, setValue] = useState<T>(restored?.value ?? initial);
  const [restoredAt, setRestoredAt] = useState(restored?.savedAt ?? null);
  useEffect(() => {
    if (value === initial) return;
    try {
      sessionStorage.setItem(key, JSON.stringify({ savedAt: new Date().toISOString(), value } satisfies Stored<T>));
    } catch {
      // Storage full or disabled: the form still works, only without a draft.
    }
  }, [key, value, initial]);
  return {
    value,
    setValue,
    /** When a draft was brought back on opening the form. */
    restoredAt,
    discard: () => {
      sessionStorage.removeItem(key);
      setRestoredAt(null);
      setValue(initial);
    },
    clear: () => sessionStorage.removeItem(key),
  };
}

function read<T>(key: string): Stored<T> | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as Stored<T>) : null;
  } catch {
    return null;
  }
}

/** On sign-out: no draft outlives the session that wrote it on this tab. */
export function clearDrafts(): void {
  try {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith(PREFIX)) sessionStorage.removeItem(k);
  } catch {
    // Nothing stored.
  }
}
