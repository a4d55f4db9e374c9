import { useQuery, useQueryClient } from '@tanstack/react-query';
import { apiError, useTRPC } from '../lib/api';
import { Link, navigate } from '../lib/router';
import { useSession } from '../lib/session';
import { type FieldErrors, issuesToErrors, Notice } from './fields';
import { MarkingPicker, type MarkingValue } from './marking';

/** What a signed post does when it settles: open the new object, or show the node's errors on the form. */
export function usePublishCallbacks(setErrors: (errors: FieldErrors) => void) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return {
    onSuccess: ({ id }: { id: string }) => {
      void qc.invalidateQueries({ queryKey: trpc.staff.feed.pathKey() });
      navigate(`/objects/${id}`);
    },
    onError: (err: unknown) => {
      const e = apiError(err);
      setErrors(e.issues.length ? issuesToErrors(e.issues) : { form: e.message });
    },
  };
}

/** Moves focus to the form's error summary once it has rendered. */
export function focusErrorSummary() {
  requestAnimationFrame(() => document.querySelector<HTMLElement>('.error-summary')?.focus());
}

/** The "Sharing" card of a form that publishes a signed object. */
export function SharingSection({
  form,
  value,
  onChange,
  errors,
}: {
  form: string;
  value: MarkingValue;
  onChange: (v: MarkingValue) => void;
  errors: FieldErrors;
}) {
  const session = useSession();
  const trpc = useTRPC();
  const directory = useQuery({ ...trpc.staff.redDirectory.queryOptions(), enabled: value.tlp === 'RED' });
  return (
    <section className="card stack">
      <h2>Sharing</h2>
      <MarkingPicker
        form={form}
        value={value}
        onChange={onChange}
        self={session.node.node}
        roster={session.roster}
        directory={directory.data?.people}
        errors={errors}
      />
    </section>
  );
}

/** A form-wide error (if any), then the submit button and a way out. */
export function PublishActions({
  errors,
  pending,
  label,
  cancelTo,
}: {
  errors: FieldErrors;
  pending: boolean;
  label: string;
  cancelTo: string;
}) {
  return (
    <>
      {errors.form && <Notice kind="error">{errors.form}</Notice>}
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? 'Signing and sending…' : label}
        </button>
        <Link to={cancelTo}>Cancel</Link>
      </div>
    </>
  );
}
