import { type PreparednessKind, widerThanDefault } from '@citylink/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  ErrorSummary,
  FieldError,
  type FieldErrors,
  inputProps,
  issuesToErrors,
  Notice,
} from '../../components/fields';
import { fromWire, MarkingPicker, type MarkingValue, toWire } from '../../components/marking';
import { apiError, useTRPC } from '../../lib/api';
import { useSession } from '../../lib/session';
import { type Field, FORMS, PLAN_TEMPLATES, type Values } from './forms';

/** One piece of evidence to record: the kind's fields, AMBER+STRICT to the hub unless widened (with a warning). */
export function EvidenceForm(props: {
  kind: PreparednessKind;
  initial?: Values;
  onDone: (id: string) => void;
  submitLabel?: string;
}) {
  const session = useSession();
  const trpc = useTRPC();
  const qc = useQueryClient();
  const hub = session.node.hub;
  const spec = FORMS[props.kind];
  const form = `ev-${props.kind}`;
  const [values, setValues] = useState<Values>(props.initial ?? {});
  const [widen, setWiden] = useState(false);
  const [marking, setMarking] = useState<MarkingValue>(fromWire({ tlp: 'AMBER+STRICT', audience: [hub] }));
  const directory = useQuery({ ...trpc.staff.redDirectory.queryOptions(), enabled: widen && marking.tlp === 'RED' });
  const [confirmed, setConfirmed] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const wire = widen ? toWire(marking) : { tlp: 'AMBER+STRICT' as const, audience: [hub] };
  const wider = widerThanDefault(wire, hub);
  const record = useMutation(
    trpc.preparedness.record.mutationOptions({
      onSuccess: (r) => {
        void qc.invalidateQueries({ queryKey: trpc.preparedness.pathKey() });
        props.onDone(r.id);
      },
      onError: (err) => {
        const e = apiError(err);
        setErrors(e.issues.length > 0 ? issuesToErrors(e.issues) : { form: e.message });
      },
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    record.mutate({
      kind: props.kind,
      body: spec.body(values),
      ...(widen && { marking: wire }),
      ...(wider && confirmed && { confirmWider: true }),
    });
  };
  const set = (key: string, v: string | boolean) => setValues((s) => ({ ...s, [key]: v }));
  const labels = Object.fromEntries(spec.fields.map((f) => [f.key, f.label]));

  return (
    <form className="card stack-tight" onSubmit={submit} noValidate aria-labelledby={`${form}-title`}>
      <h3 id={`${form}-title`}>{spec.title}</h3>
      <ErrorSummary form={form} errors={errors} labels={labels} />
      {props.kind === 'contingency-plan' && (
        <label>
          Start from a template{' '}
          <select
            onChange={(e) => {
              const t = PLAN_TEMPLATES[e.target.value];
              if (t) setValues((s) => ({ ...s, ...t }));
            }}
            defaultValue=""
          >
            <option value="">(blank plan)</option>
            <option value="cyberattack">Cyberattack</option>
            <option value="machine-malfunction">Machine malfunction</option>
          </select>
        </label>
      )}
      {spec.fields.map((f) => (
        <FieldInput key={f.key} form={form} field={f} value={values[f.key]} errors={errors} onChange={set} />
      ))}
      <fieldset>
        <legend>Who receives it</legend>
        <p>
          By default <strong>TLP:AMBER+STRICT</strong>, for the state hub alone: a city’s gaps are sensitive.
        </p>
        <label className="choice">
          <input type="checkbox" checked={widen} onChange={(e) => setWiden(e.target.checked)} /> Share it more widely
        </label>
        {widen && (
          <MarkingPicker
            form={form}
            value={marking}
            onChange={setMarking}
            self={session.node.node}
            roster={session.roster}
            directory={directory.data?.people}
            errors={errors}
          />
        )}
        {wider && (
          <div className="stack-tight">
            <Notice kind="error">This shares more than the default: {wider}.</Notice>
            <label className="choice">
              <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> I
              understand, share it anyway
            </label>
          </div>
        )}
      </fieldset>
      <FieldError form={form} name="form" errors={errors} />
      <p>
        <button type="submit" disabled={record.isPending || (!!wider && !confirmed)}>
          {props.submitLabel ?? `Sign and record the ${spec.title.toLowerCase()}`}
        </button>
      </p>
    </form>
  );
}

function FieldInput(props: {
  form: string;
  field: Field;
  value: string | boolean | undefined;
  errors: FieldErrors;
  onChange: (key: string, v: string | boolean) => void;
}) {
  const { form, field: f, errors } = props;
  const p = inputProps(form, f.key, errors);
  const label = `${f.label}${f.optional ? ' (optional)' : ''}`;
  const text = typeof props.value === 'string' ? props.value : '';
  if (f.type === 'checkbox') {
    return (
      <div>
        <label className="choice">
          <input
            type="checkbox"
            {...p}
            checked={props.value === true}
            onChange={(e) => props.onChange(f.key, e.target.checked)}
          />{' '}
          {label}
        </label>
        <FieldError form={form} name={f.key} errors={errors} />
      </div>
    );
  }
  return (
    <div>
      <label htmlFor={p.id}>{label}</label>
      {f.type === 'select' ? (
        <select {...p} value={text} onChange={(e) => props.onChange(f.key, e.target.value)}>
          <option value="">Choose…</option>
          {Object.entries(f.options ?? {}).map(([k, l]) => (
            <option key={k} value={k}>
              {l}
            </option>
          ))}
        </select>
      ) : f.type === 'textarea' || f.type === 'lines' ? (
        <textarea
          {...p}
          rows={f.type === 'lines' ? 3 : 5}
          value={text}
          onChange={(e) => props.onChange(f.key, e.target.value)}
        />
      ) : (
        <input
          {...p}
          type={f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text'}
          value={text}
          onChange={(e) => props.onChange(f.key, e.target.value)}
        />
      )}
      <FieldError form={form} name={f.key} errors={errors} />
    </div>
  );
}
