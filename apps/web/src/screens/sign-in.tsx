import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Notice } from '../components/fields';
import { apiError, type NodeInfo, useTRPC } from '../lib/api';

/**
 * Sign-in. The node answers with an HttpOnly, SameSite=Strict session cookie; the
 * console never sees the token and keeps nothing in storage.
 */
export function SignInScreen({
  node,
  notice,
  onSignedIn,
}: {
  node: NodeInfo | undefined;
  notice: string | null;
  onSignedIn: () => void;
}) {
  const trpc = useTRPC();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ username?: string; password?: string }>({});
  const userRef = useRef<HTMLInputElement>(null);
  const login = useMutation(trpc.staff.login.mutationOptions({ onSuccess: () => onSignedIn() }));
  useEffect(() => userRef.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const m = {
      ...(!username.trim() && { username: 'Enter your user name.' }),
      ...(!password && { password: 'Enter your password.' }),
    };
    setMissing(m);
    if (Object.keys(m).length > 0) return;
    login.mutate({ username: username.trim(), password });
  };

  const err = login.isError ? apiError(login.error) : undefined;
  const message =
    err?.code === 'UNAUTHORIZED'
      ? 'Wrong user name or password. Check both and try again.'
      : err?.code === 'TOO_MANY_REQUESTS'
        ? `Too many failed attempts. Try again in ${Math.ceil((err.retryAfterMs ?? 60_000) / 60_000)} minute(s).`
        : err?.message;

  return (
    <main id="main" className="sign-in">
      <form className="card stack" onSubmit={submit} noValidate aria-labelledby="page-title">
        <p className="brand-big">CityLink</p>
        <h1 id="page-title">Sign in{node ? ` to ${node.name}` : ''}</h1>
        {node && (
          <p className="muted">
            {node.role === 'hub' ? 'State hub' : 'City node'} <code>{node.node}</code> in network{' '}
            <code>{node.network}</code>
          </p>
        )}
        {notice && <Notice>{notice}</Notice>}
        {message && <Notice kind="error">{message}</Notice>}
        <div className="field">
          <label htmlFor="username">User name</label>
          <input
            ref={userRef}
            id="username"
            name="username"
            autoComplete="username"
            value={username}
            aria-invalid={missing.username ? true : undefined}
            aria-describedby={missing.username ? 'username-error' : undefined}
            onChange={(e) => setUsername(e.target.value)}
          />
          {missing.username && (
            <p className="field-error" id="username-error">
              ⚠ {missing.username}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            aria-invalid={missing.password ? true : undefined}
            aria-describedby={missing.password ? 'password-error' : undefined}
            onChange={(e) => setPassword(e.target.value)}
          />
          {missing.password && (
            <p className="field-error" id="password-error">
              ⚠ {missing.password}
            </p>
          )}
        </div>
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          <a href="/public">Public updates</a> need no sign-in.
        </p>
      </form>
    </main>
  );
}
