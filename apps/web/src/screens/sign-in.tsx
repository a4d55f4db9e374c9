import { useMutation } from '@tanstack/react-query';
import { type FormEvent, type Ref, useEffect, useRef, useState } from 'react';
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
        <SignInField
          ref={userRef}
          id="username"
          label="User name"
          autoComplete="username"
          value={username}
          error={missing.username}
          onChange={setUsername}
        />
        <SignInField
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          error={missing.password}
          onChange={setPassword}
        />
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

/** A sign-in input; `id` is also its name, and its error (if any) is `${id}-error`. */
function SignInField({
  ref,
  id,
  label,
  type,
  autoComplete,
  value,
  error,
  onChange,
}: {
  ref?: Ref<HTMLInputElement>;
  id: string;
  label: string;
  type?: string;
  autoComplete: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        name={id}
        type={type}
        autoComplete={autoComplete}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          ⚠ {error}
        </p>
      )}
    </div>
  );
}
