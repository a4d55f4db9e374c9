import { type ReactNode, useId } from 'react';
import type { Issue } from '../lib/api';

export type FieldErrors = Record<string, string>;

/** Zod issues (client or server) keyed by their path, with a leading `body.` dropped: `body.title` → `title`. */
export function issuesToErrors(issues: readonly Issue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const i of issues) {
    const path = i.path.map(String);
    if (path[0] === 'body') path.shift();
    const key = path.join('.') || 'form';
    out[key] ??= i.message;
  }
  return out;
}

export function fieldId(form: string, key: string) {
  return `${form}-${key.replace(/[^a-zA-Z0-9]+/g, '-')}`;
}

/** Props for an input: its id, its error's id in aria-describedby, aria-invalid. */
export function inputProps(form: string, key: string, errors: FieldErrors, help?: boolean) {
  const id = fieldId(form, key);
  const describedBy = [help ? `${id}-help` : '', errors[key] ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    id,
    name: key,
    'aria-invalid': errors[key] ? true : undefined,
    ...(describedBy && { 'aria-describedby': describedBy }),
  } as const;
}

export function FieldError({ form, name, errors }: { form: string; name: string; errors: FieldErrors }) {
  const message = errors[name];
  if (!message) return null;
  return (
    <p className="field-error" id={`${fieldId(form, name)}-error`}>
      <span aria-hidden="true">⚠ </span>
      {message}
    </p>
  );
}

export function Help({ form, name, children }: { form: string; name: string; children: ReactNode }) {
  return (
    <p className="help" id={`${fieldId(form, name)}-help`}>
      {children}
    </p>
  );
}

/** A list of every problem at the top of a form, each linking to its field. */
export function ErrorSummary({
  form,
  errors,
  labels,
}: {
  form: string;
  errors: FieldErrors;
  labels: Record<string, string>;
}) {
  const keys = Object.keys(errors);
  if (keys.length === 0) return null;
  return (
    <div className="error-summary" role="alert" tabIndex={-1}>
      <h2>Please fix {keys.length === 1 ? 'this problem' : `these ${keys.length} problems`}</h2>
      <ul>
        {keys.map((k) => (
          <li key={k}>
            {k === 'form' ? (
              errors[k]
            ) : (
              <a href={`#${fieldId(form, k)}`}>
                {labelFor(k, labels)}: {errors[k]}
              </a>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function labelFor(key: string, labels: Record<string, string>): string {
  if (labels[key]) return labels[key];
  const [head, index, ...rest] = key.split('.');
  if (head && labels[head] && index !== undefined && /^\d+$/.test(index)) {
    return `${labels[head]} ${Number(index) + 1}${rest.length ? ` (${rest.join(' ')})` : ''}`;
  }
  return head && labels[head] ? labels[head] : key;
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'error' | 'success'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <strong>{kind === 'error' ? 'Error: ' : kind === 'success' ? 'Done: ' : 'Note: '}</strong>
      {children}
    </div>
  );
}

/** A page whose subject cannot be shown: the heading focus target, the reason, and an optional way back. */
export function NotAvailable({ message, back }: { message: string; back?: ReactNode }) {
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        Not available
      </h1>
      <Notice kind="error">{message}</Notice>
      {back && <p>{back}</p>}
    </>
  );
}

export function useFormId(prefix: string) {
  return `${prefix}${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
}
