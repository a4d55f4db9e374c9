import {
  ATTACK_VECTORS,
  type BodyOf,
  BulletinBodySchema,
  FUNCTIONAL_IMPACTS,
  INCIDENT_TAXONOMY,
  INFORMATION_IMPACTS,
  IndicatorSchema,
  SEVERITIES,
} from '@citylink/protocol';
import { useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import {
  ErrorSummary,
  FieldError,
  type FieldErrors,
  fieldId,
  Help,
  inputProps,
  issuesToErrors,
  Notice,
} from '../components/fields';
import { DEFAULT_MARKING, fromWire, type MarkingValue, toWire } from '../components/marking';
import { focusErrorSummary, PublishActions, SharingSection, usePublishCallbacks } from '../components/publish';
import { apiError, useTRPC } from '../lib/api';
import { useDraft } from '../lib/drafts';
import { formatTime, humanize, isoToLocalInput, localInputToIso } from '../lib/format';
import { Link, useLocation } from '../lib/router';

type BulletinBody = BodyOf<'bulletin'>;
type IndicatorType = (typeof IndicatorSchema.shape.type.options)[number];
const INDICATOR_TYPES = IndicatorSchema.shape.type.options;
const INDICATOR_LABELS: Record<IndicatorType, string> = {
  'email-sender': 'E-mail sender',
  domain: 'Domain',
  ip: 'IP address',
  url: 'URL',
  sha256: 'SHA-256 file hash',
  sha1: 'SHA-1 file hash',
  md5: 'MD5 file hash',
  phone: 'Phone number',
  other: 'Other',
};

export interface BulletinDraft {
  title: string;
  narrative: string;
  category: string;
  subcategory: string;
  severity: string;
  observedAt: string;
  detectedAt: string;
  location: string;
  county: string;
  precinct: string;
  attackVector: string;
  affectedAsset: string;
  functionalImpact: string;
  informationImpact: string;
  indicators: { type: IndicatorType; value: string; note: string }[];
  contactName: string;
  contactRole: string;
  contactEmail: string;
  contactPhone: string;
}

export const EMPTY_DRAFT: BulletinDraft = {
  title: '',
  narrative: '',
  category: '',
  subcategory: '',
  severity: '',
  observedAt: '',
  detectedAt: '',
  location: '',
  county: '',
  precinct: '',
  attackVector: '',
  affectedAsset: '',
  functionalImpact: '',
  informationImpact: '',
  indicators: [],
  contactName: '',
  contactRole: '',
  contactEmail: '',
  contactPhone: '',
};

const LABELS: Record<string, string> = {
  title: 'Title',
  narrative: 'What happened',
  category: 'Category',
  severity: 'Severity',
  observedAt: 'Observed at',
  detectedAt: 'Detected at',
  location: 'Location',
  'location.description': 'Location',
  attackVector: 'Attack vector',
  affectedAsset: 'Affected system or asset',
  indicators: 'Indicator',
  contact: 'Point of contact',
  'contact.name': 'Contact name',
  audience: 'Organizations',
  recipients: 'Named people',
};

const opt = (s: string) => (s.trim() ? s.trim() : undefined);

/** The signed body for a draft; empty optional fields are left out. */
export function draftToBody(d: BulletinDraft, supersedes?: string): Record<string, unknown> {
  const location = opt(d.location)
    ? {
        description: d.location.trim(),
        ...(opt(d.county) && { county: d.county.trim() }),
        ...(opt(d.precinct) && { precinct: d.precinct.trim() }),
      }
    : undefined;
  const contact = opt(d.contactName)
    ? {
        name: d.contactName.trim(),
        ...(opt(d.contactRole) && { role: d.contactRole.trim() }),
        ...(opt(d.contactEmail) && { email: d.contactEmail.trim() }),
        ...(opt(d.contactPhone) && { phone: d.contactPhone.trim() }),
      }
    : undefined;
  const indicators = d.indicators
    .filter((i) => i.value.trim() || i.note.trim())
    .map((i) => ({ type: i.type, value: i.value.trim(), ...(opt(i.note) && { note: i.note.trim() }) }));
  const observedAt = localInputToIso(d.observedAt);
  const detectedAt = localInputToIso(d.detectedAt);
  return {
    title: d.title.trim(),
    narrative: d.narrative.trim(),
    category: d.category && d.subcategory ? `${d.category}.${d.subcategory}` : '',
    severity: d.severity,
    ...(observedAt && { observedAt }),
    ...(detectedAt && { detectedAt }),
    ...(location && { location }),
    ...(d.attackVector && { attackVector: d.attackVector }),
    ...(opt(d.affectedAsset) && { affectedAsset: d.affectedAsset.trim() }),
    ...(d.functionalImpact && { functionalImpact: d.functionalImpact }),
    ...(d.informationImpact && { informationImpact: d.informationImpact }),
    ...(indicators.length > 0 && { indicators }),
    ...(contact && { contact }),
    ...(supersedes && { supersedes }),
  };
}

export function bodyToDraft(b: BulletinBody): BulletinDraft {
  const [category = '', subcategory = ''] = b.category.split('.');
  return {
    ...EMPTY_DRAFT,
    title: b.title,
    narrative: b.narrative,
    category,
    subcategory,
    severity: b.severity,
    observedAt: isoToLocalInput(b.observedAt),
    detectedAt: isoToLocalInput(b.detectedAt),
    location: b.location?.description ?? '',
    county: b.location?.county ?? '',
    precinct: b.location?.precinct ?? '',
    attackVector: b.attackVector ?? '',
    affectedAsset: b.affectedAsset ?? '',
    functionalImpact: b.functionalImpact ?? '',
    informationImpact: b.informationImpact ?? '',
    indicators: (b.indicators ?? []).map((i) => ({ type: i.type, value: i.value, note: i.note ?? '' })),
    contactName: b.contact?.name ?? '',
    contactRole: b.contact?.role ?? '',
    contactEmail: b.contact?.email ?? '',
    contactPhone: b.contact?.phone ?? '',
  };
}

/** Checks the marking before the node does: an empty audience or a RED report without people reaches nobody. */
export function markingErrors(m: MarkingValue): FieldErrors {
  const wire = toWire(m);
  const errors: FieldErrors = {};
  if (m.tlp === 'RED') {
    if (m.people.length === 0) errors.recipients = 'Tick at least one person for TLP:RED.';
  } else if (wire.audience.length === 0) {
    errors.audience = 'Pick at least one organization, or nobody else will receive it.';
  }
  return errors;
}

export function validateBulletin(d: BulletinDraft, m: MarkingValue, supersedes?: string): FieldErrors {
  const errors: FieldErrors = { ...markingErrors(m) };
  const parsed = BulletinBodySchema.safeParse(draftToBody(d, supersedes));
  if (!parsed.success) {
    for (const [k, v] of Object.entries(issuesToErrors(parsed.error.issues as never))) errors[k] ??= friendly(k, v);
  }
  if (!d.category) errors.category = 'Choose a category.';
  else if (!d.subcategory) errors.category = 'Choose what kind of incident it is.';
  return errors;
}

function friendly(key: string, message: string): string {
  if (key === 'title') return 'Give the report a short title (up to 200 characters).';
  if (key === 'narrative') return 'Describe what happened.';
  if (key === 'severity') return 'Choose a severity.';
  if (key === 'category') return 'Choose a category.';
  if (/^indicators\.\d+\.value$/.test(key)) return 'Enter the indicator value, or remove the row.';
  if (key === 'location.description') return 'Describe the location.';
  if (key === 'contact.email') return 'Check the e-mail address.';
  return message;
}

export function ReportScreen() {
  const { search } = useLocation();
  const supersedes = search.get('supersedes') ?? undefined;
  const trpc = useTRPC();
  const original = useQuery({ ...trpc.staff.object.queryOptions({ id: supersedes ?? '' }), enabled: !!supersedes });
  if (supersedes) {
    if (original.isPending) return <p role="status">Loading the report to correct…</p>;
    if (original.isError) return <Notice kind="error">{apiError(original.error).message}</Notice>;
    const o = original.data.object;
    if (o.kind !== 'bulletin') return <Notice kind="error">Only incident reports can be corrected here.</Notice>;
    return (
      <BulletinForm
        key={supersedes}
        supersedes={supersedes}
        initial={bodyToDraft(o.body)}
        initialMarking={fromWire({ ...o, recipients: o.recipients ?? null })}
      />
    );
  }
  return <BulletinForm initial={EMPTY_DRAFT} initialMarking={DEFAULT_MARKING} />;
}

function BulletinForm(props: { initial: BulletinDraft; initialMarking: MarkingValue; supersedes?: string }) {
  const trpc = useTRPC();
  const initial = useMemo(
    () => ({ d: props.initial, marking: props.initialMarking }),
    [props.initial, props.initialMarking],
  );
  const draft = useDraft(props.supersedes ? `report:${props.supersedes}` : 'report', initial);
  const { d, marking } = draft.value;
  const setD = (f: (x: BulletinDraft) => BulletinDraft) => draft.setValue((v) => ({ ...v, d: f(v.d) }));
  const setMarking = (m: MarkingValue) => draft.setValue((v) => ({ ...v, marking: m }));
  const [errors, setErrors] = useState<FieldErrors>({});
  const form = 'report';
  const set = (patch: Partial<BulletinDraft>) => setD((x) => ({ ...x, ...patch }));

  const publish = usePublishCallbacks(setErrors);
  const post = useMutation(trpc.staff.postBulletin.mutationOptions(publish));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = validateBulletin(d, marking, props.supersedes);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusErrorSummary();
      return;
    }
    post.mutate(
      { ...toWire(marking), body: draftToBody(d, props.supersedes) as BulletinBody },
      { onSuccess: () => draft.clear() },
    );
  };

  const cat = d.category ? INCIDENT_TAXONOMY[d.category as keyof typeof INCIDENT_TAXONOMY] : undefined;
  const ip = (k: string, help?: boolean) => inputProps(form, k, errors, help);

  return (
    <form className="stack" onSubmit={submit} noValidate aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {props.supersedes ? 'Correct a report' : 'Report suspicious activity'}
      </h1>
      {props.supersedes && (
        <Notice>
          You are publishing a new version that replaces{' '}
          <Link to={`/objects/${props.supersedes}`}>the earlier report</Link>. Everyone who received it gets the
          correction.
        </Notice>
      )}
      {draft.restoredAt && (
        <Notice>
          Your unsent draft from {formatTime(draft.restoredAt)} is back.{' '}
          <button type="button" className="link" onClick={draft.discard}>
            Discard the draft
          </button>
        </Notice>
      )}
      <ErrorSummary form={form} errors={errors} labels={LABELS} />

      <section className="card stack">
        <h2>What happened</h2>
        <div className="field">
          <label htmlFor={ip('title').id}>Title</label>
          <input
            {...ip('title', true)}
            value={d.title}
            maxLength={200}
            onChange={(e) => set({ title: e.target.value })}
          />
          <Help form={form} name="title">
            One line others can scan, e.g. “Phishing e-mails posing as the county clerk”.
          </Help>
          <FieldError form={form} name="title" errors={errors} />
        </div>

        <div className="field">
          <label htmlFor={ip('category').id}>Category</label>
          <select
            {...ip('category')}
            value={d.category}
            onChange={(e) => set({ category: e.target.value, subcategory: '' })}
          >
            <option value="">Choose a category…</option>
            {Object.entries(INCIDENT_TAXONOMY).map(([key, def]) => (
              <option key={key} value={key}>
                {def.label}
              </option>
            ))}
          </select>
          <FieldError form={form} name="category" errors={errors} />
        </div>

        {cat && (
          <fieldset className="field">
            <legend>Kind of {cat.label.toLowerCase()} incident</legend>
            {Object.entries(cat.subcategories).map(([sub, help]) => (
              <label key={sub} className="choice">
                <input
                  type="radio"
                  name={`${form}-subcategory`}
                  value={sub}
                  checked={d.subcategory === sub}
                  onChange={() => set({ subcategory: sub })}
                />
                <span>
                  <strong>{humanize(sub)}</strong> — {help}
                </span>
              </label>
            ))}
          </fieldset>
        )}

        <fieldset className="field" {...ip('severity')} tabIndex={-1}>
          <legend>Severity</legend>
          {Object.entries(SEVERITIES).map(([sev, help]) => (
            <label key={sev} className="choice">
              <input
                type="radio"
                name={`${form}-severity`}
                value={sev}
                checked={d.severity === sev}
                onChange={() => set({ severity: sev })}
              />
              <span>
                <strong>{humanize(sev)}</strong> — {help}
              </span>
            </label>
          ))}
          <FieldError form={form} name="severity" errors={errors} />
        </fieldset>

        <div className="grid-2">
          <div className="field">
            <label htmlFor={ip('observedAt').id}>Observed at (your local time)</label>
            <input
              {...ip('observedAt')}
              type="datetime-local"
              value={d.observedAt}
              onChange={(e) => set({ observedAt: e.target.value })}
            />
            <FieldError form={form} name="observedAt" errors={errors} />
          </div>
          <div className="field">
            <label htmlFor={ip('detectedAt').id}>Detected at (optional)</label>
            <input
              {...ip('detectedAt')}
              type="datetime-local"
              value={d.detectedAt}
              onChange={(e) => set({ detectedAt: e.target.value })}
            />
            <FieldError form={form} name="detectedAt" errors={errors} />
          </div>
        </div>

        <div className="grid-3">
          <div className="field">
            <label htmlFor={ip('location.description').id}>Location</label>
            <input
              {...ip('location.description', true)}
              value={d.location}
              onChange={(e) => set({ location: e.target.value })}
            />
            <Help form={form} name="location.description">
              Polling place, office or system, e.g. “Central count center”.
            </Help>
            <FieldError form={form} name="location.description" errors={errors} />
          </div>
          <div className="field">
            <label htmlFor={ip('location.county').id}>County (optional)</label>
            <input {...ip('location.county')} value={d.county} onChange={(e) => set({ county: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={ip('location.precinct').id}>Precinct (optional)</label>
            <input
              {...ip('location.precinct')}
              value={d.precinct}
              onChange={(e) => set({ precinct: e.target.value })}
            />
          </div>
        </div>

        <div className="field">
          <label htmlFor={ip('narrative').id}>What happened</label>
          <textarea
            {...ip('narrative', true)}
            rows={7}
            value={d.narrative}
            onChange={(e) => set({ narrative: e.target.value })}
          />
          <Help form={form} name="narrative">
            What you saw, when, what you did about it, and what others should look out for.
          </Help>
          <FieldError form={form} name="narrative" errors={errors} />
        </div>

        <div className="field">
          <label htmlFor={ip('attackVector').id}>Attack vector (optional)</label>
          <select
            {...ip('attackVector', true)}
            value={d.attackVector}
            onChange={(e) => set({ attackVector: e.target.value })}
          >
            <option value="">Not specified</option>
            {Object.entries(ATTACK_VECTORS).map(([k, help]) => (
              <option key={k} value={k}>
                {humanize(k)} — {help}
              </option>
            ))}
          </select>
          <Help form={form} name="attackVector">
            How the incident happened, in CISA's terms.
          </Help>
        </div>
      </section>

      <section className="card stack" aria-labelledby="indicators-title">
        <h2 id="indicators-title">Indicators</h2>
        <p className="help">
          Senders, domains, addresses, links or file hashes others can block or search for. They are shown to others as
          plain text, never as clickable links.
        </p>
        {d.indicators.map((ind, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
          <div className="row indicator-row" key={i}>
            <div className="field">
              <label htmlFor={fieldId(form, `indicators.${i}.type`)}>Type</label>
              <select
                {...ip(`indicators.${i}.type`)}
                value={ind.type}
                onChange={(e) =>
                  set({
                    indicators: d.indicators.map((x, j) =>
                      j === i ? { ...x, type: e.target.value as IndicatorType } : x,
                    ),
                  })
                }
              >
                {INDICATOR_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {INDICATOR_LABELS[t]}
                  </option>
                ))}
              </select>
            </div>
            <div className="field grow">
              <label htmlFor={fieldId(form, `indicators.${i}.value`)}>Value</label>
              <input
                {...ip(`indicators.${i}.value`)}
                value={ind.value}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) =>
                  set({ indicators: d.indicators.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)) })
                }
              />
            </div>
            <div className="field grow">
              <label htmlFor={fieldId(form, `indicators.${i}.note`)}>Note (optional)</label>
              <input
                {...ip(`indicators.${i}.note`)}
                value={ind.note}
                onChange={(e) =>
                  set({ indicators: d.indicators.map((x, j) => (j === i ? { ...x, note: e.target.value } : x)) })
                }
              />
            </div>
            <button
              type="button"
              className="secondary"
              onClick={() => set({ indicators: d.indicators.filter((_, j) => j !== i) })}
            >
              Remove indicator {i + 1}
            </button>
            <FieldError form={form} name={`indicators.${i}.value`} errors={errors} />
          </div>
        ))}
        <div>
          <button
            type="button"
            className="secondary"
            onClick={() => set({ indicators: [...d.indicators, { type: 'domain', value: '', note: '' }] })}
          >
            Add an indicator
          </button>
        </div>
      </section>

      <details className="card">
        <summary>More details (impact, affected asset, point of contact)</summary>
        <div className="stack">
          <div className="field">
            <label htmlFor={ip('affectedAsset').id}>Affected system or asset</label>
            <input
              {...ip('affectedAsset')}
              value={d.affectedAsset}
              onChange={(e) => set({ affectedAsset: e.target.value })}
            />
          </div>
          <div className="grid-2">
            <div className="field">
              <label htmlFor={ip('functionalImpact').id}>Functional impact</label>
              <select
                {...ip('functionalImpact')}
                value={d.functionalImpact}
                onChange={(e) => set({ functionalImpact: e.target.value })}
              >
                <option value="">Not specified</option>
                {Object.entries(FUNCTIONAL_IMPACTS).map(([k, help]) => (
                  <option key={k} value={k}>
                    {humanize(k)} — {help}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={ip('informationImpact').id}>Information impact</label>
              <select
                {...ip('informationImpact')}
                value={d.informationImpact}
                onChange={(e) => set({ informationImpact: e.target.value })}
              >
                <option value="">Not specified</option>
                {Object.entries(INFORMATION_IMPACTS).map(([k, help]) => (
                  <option key={k} value={k}>
                    {humanize(k)} — {help}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div className="grid-2">
            <div className="field">
              <label htmlFor={ip('contact.name').id}>Point of contact</label>
              <input
                {...ip('contact.name')}
                value={d.contactName}
                onChange={(e) => set({ contactName: e.target.value })}
              />
              <FieldError form={form} name="contact.name" errors={errors} />
            </div>
            <div className="field">
              <label htmlFor={ip('contact.role').id}>Their role</label>
              <input
                {...ip('contact.role')}
                value={d.contactRole}
                onChange={(e) => set({ contactRole: e.target.value })}
              />
            </div>
            <div className="field">
              <label htmlFor={ip('contact.email').id}>E-mail</label>
              <input
                {...ip('contact.email')}
                type="email"
                value={d.contactEmail}
                onChange={(e) => set({ contactEmail: e.target.value })}
              />
              <FieldError form={form} name="contact.email" errors={errors} />
            </div>
            <div className="field">
              <label htmlFor={ip('contact.phone').id}>Phone</label>
              <input
                {...ip('contact.phone')}
                type="tel"
                value={d.contactPhone}
                onChange={(e) => set({ contactPhone: e.target.value })}
              />
            </div>
          </div>
        </div>
      </details>

      <SharingSection form={form} value={marking} onChange={setMarking} errors={errors} />

      <PublishActions
        errors={errors}
        pending={post.isPending}
        label={props.supersedes ? 'Publish the correction' : 'Sign and send the report'}
        cancelTo="/"
      />
    </form>
  );
}
