import { EVERYONE, mayReceive, sharesWithNetwork, TLP_DESCRIPTIONS, TLP_LEVELS, type Tlp } from '@citylink/protocol';
import type { RosterMember } from '../lib/api';
import { FieldError, type FieldErrors, fieldId, inputProps } from './fields';
import { TlpLabel } from './tlp';

export interface MarkingValue {
  tlp: Tlp;
  /** GREEN and CLEAR only: share with every member of the network. */
  wholeNetwork: boolean;
  /** Organizations picked by hand (GREEN, CLEAR without whole network; AMBER; AMBER+STRICT). */
  nodes: string[];
  /** RED: the named people. */
  people: { node: string; user: string }[];
}

export const DEFAULT_MARKING: MarkingValue = { tlp: 'GREEN', wholeNetwork: true, nodes: [], people: [] };

export interface WireMarking {
  tlp: Tlp;
  audience: string[];
  recipients?: { node: string; user: string }[];
}

export function toWire(v: MarkingValue): WireMarking {
  if (v.tlp === 'RED') {
    const people = v.people.map((p) => ({ node: p.node, user: p.user.trim() })).filter((p) => p.node);
    return { tlp: 'RED', audience: [...new Set(people.map((p) => p.node))], recipients: people };
  }
  if (sharesWithNetwork(v.tlp) && v.wholeNetwork) return { tlp: v.tlp, audience: [EVERYONE] };
  return { tlp: v.tlp, audience: [...new Set(v.nodes)] };
}

/** The marking of an existing object, as the picker shows it (for corrections). */
export function fromWire(w: { tlp: string; audience: string[]; recipients?: { node: string; user: string }[] | null }) {
  const tlp = (TLP_LEVELS as readonly string[]).includes(w.tlp) ? (w.tlp as Tlp) : 'AMBER+STRICT';
  return {
    tlp,
    wholeNetwork: w.audience.includes(EVERYONE),
    nodes: w.audience.filter((n) => n !== EVERYONE),
    people: w.recipients ? [...w.recipients] : [],
  } satisfies MarkingValue;
}

/** Which members of the roster will receive an object with this marking, computed with the protocol's own rule. */
export function previewRecipients(v: MarkingValue, self: string, roster: RosterMember[]) {
  const wire = toWire(v);
  const marked = { origin: self, ...wire };
  const others = roster.filter((m) => m.node !== self && m.status === 'active');
  return {
    receive: others.filter((m) => mayReceive(marked, m.node)),
    excluded: others.filter((m) => !mayReceive(marked, m.node)),
    people: wire.recipients ?? [],
  };
}

interface Props {
  form: string;
  value: MarkingValue;
  onChange: (v: MarkingValue) => void;
  self: string;
  roster: RosterMember[];
  errors: FieldErrors;
}

export function MarkingPicker({ form, value, onChange, self, roster, errors }: Props) {
  const others = roster.filter((m) => m.node !== self && m.status === 'active');
  const set = (patch: Partial<MarkingValue>) => onChange({ ...value, ...patch });
  const preview = previewRecipients(value, self, roster);
  const nameOf = (node: string) => roster.find((m) => m.node === node)?.name ?? node;
  const network = sharesWithNetwork(value.tlp);

  return (
    <div className="marking">
      <fieldset className="tlp-picker">
        <legend>Who may see it (Traffic Light Protocol)</legend>
        {[...TLP_LEVELS].reverse().map((tlp) => (
          <label key={tlp} className="choice">
            <input
              type="radio"
              name={`${form}-tlp`}
              value={tlp}
              checked={value.tlp === tlp}
              onChange={() => set({ tlp })}
            />
            <TlpLabel tlp={tlp} /> <span>{TLP_DESCRIPTIONS[tlp]}</span>
          </label>
        ))}
      </fieldset>

      {network && (
        <fieldset>
          <legend>Audience</legend>
          <label className="choice">
            <input
              type="radio"
              name={`${form}-scope`}
              checked={value.wholeNetwork}
              onChange={() => set({ wholeNetwork: true })}
            />
            The whole network (every city and the state hub)
          </label>
          <label className="choice">
            <input
              type="radio"
              name={`${form}-scope`}
              checked={!value.wholeNetwork}
              onChange={() => set({ wholeNetwork: false })}
            />
            Only the organizations I pick
          </label>
        </fieldset>
      )}

      {value.tlp !== 'RED' && !(network && value.wholeNetwork) && (
        <fieldset {...inputProps(form, 'audience', errors)} tabIndex={-1}>
          <legend>Organizations that receive it</legend>
          {others.length === 0 && <p className="help">No other members are in the roster yet.</p>}
          <div className="checks">
            {others.map((m) => (
              <label key={m.node} className="choice">
                <input
                  type="checkbox"
                  checked={value.nodes.includes(m.node)}
                  onChange={(e) =>
                    set({
                      nodes: e.target.checked ? [...value.nodes, m.node] : value.nodes.filter((n) => n !== m.node),
                    })
                  }
                />
                {m.name} {m.role === 'hub' && <span className="tag">state hub</span>}
              </label>
            ))}
          </div>
          <FieldError form={form} name="audience" errors={errors} />
        </fieldset>
      )}

      {value.tlp === 'RED' && (
        <fieldset {...inputProps(form, 'recipients', errors)} tabIndex={-1}>
          <legend>Named people (TLP:RED)</legend>
          <p className="help">Only these people can open it. Enter each person's organization and user name.</p>
          {value.people.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their position
            <fieldset className="row" key={i}>
              <legend className="sr-only">Person {i + 1}</legend>
              <div className="field">
                <label htmlFor={fieldId(form, `recipients.${i}.node`)}>Organization</label>
                <select
                  {...inputProps(form, `recipients.${i}.node`, errors)}
                  value={p.node}
                  onChange={(e) =>
                    set({ people: value.people.map((q, j) => (j === i ? { ...q, node: e.target.value } : q)) })
                  }
                >
                  <option value="">Choose…</option>
                  {others.map((m) => (
                    <option key={m.node} value={m.node}>
                      {m.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={fieldId(form, `recipients.${i}.user`)}>User name</label>
                <input
                  {...inputProps(form, `recipients.${i}.user`, errors)}
                  value={p.user}
                  autoComplete="off"
                  onChange={(e) =>
                    set({ people: value.people.map((q, j) => (j === i ? { ...q, user: e.target.value } : q)) })
                  }
                />
              </div>
              <button
                type="button"
                className="secondary"
                onClick={() => set({ people: value.people.filter((_, j) => j !== i) })}
              >
                Remove person {i + 1}
              </button>
              <FieldError form={form} name={`recipients.${i}.node`} errors={errors} />
              <FieldError form={form} name={`recipients.${i}.user`} errors={errors} />
            </fieldset>
          ))}
          <button
            type="button"
            className="secondary"
            onClick={() => set({ people: [...value.people, { node: others[0]?.node ?? '', user: '' }] })}
          >
            Add a person
          </button>
          <FieldError form={form} name="recipients" errors={errors} />
        </fieldset>
      )}

      <section className="preview" aria-live="polite" aria-labelledby={`${form}-preview`}>
        <h3 id={`${form}-preview`}>Who will receive it</h3>
        <p>
          <TlpLabel tlp={value.tlp} /> {TLP_DESCRIPTIONS[value.tlp]}
        </p>
        {preview.receive.length === 0 ? (
          <p>
            <strong>No other organization will receive it.</strong> It stays on your own node.
          </p>
        ) : (
          <>
            <p>
              Delivered to {preview.receive.length} {preview.receive.length === 1 ? 'node' : 'nodes'}:
            </p>
            <ul className="node-list">
              {preview.receive.map((m) => (
                <li key={m.node}>
                  {m.name} <span className="muted">({m.node})</span>
                </li>
              ))}
            </ul>
          </>
        )}
        {value.tlp === 'RED' && preview.people.length > 0 && (
          <>
            <p>Only these people can open it there:</p>
            <ul className="node-list">
              {preview.people.map((p) => (
                <li key={`${p.node}/${p.user}`}>
                  {p.user || '(no user name yet)'} at {nameOf(p.node)}
                </li>
              ))}
            </ul>
          </>
        )}
        {preview.excluded.length > 0 && (
          <details>
            <summary>
              Not delivered to {preview.excluded.length} other {preview.excluded.length === 1 ? 'member' : 'members'}
            </summary>
            <ul className="node-list">
              {preview.excluded.map((m) => (
                <li key={m.node}>{m.name}</li>
              ))}
            </ul>
          </details>
        )}
        <p className="help">
          {value.tlp === 'CLEAR'
            ? 'TLP:CLEAR may also be shown on public pages.'
            : 'It will never appear on a public page.'}{' '}
          Colleagues signed in to your own node can see it too{value.tlp === 'RED' ? ' (it originates here)' : ''}.
        </p>
      </section>
    </div>
  );
}
