import { EVERYONE, mayReceive, sharesWithNetwork, TLP_DESCRIPTIONS, TLP_LEVELS, type Tlp } from '@citylink/protocol';
import type { RedRecipient, RosterMember } from '../lib/api';
import { FieldError, type FieldErrors, inputProps } from './fields';
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
  /** The people who may receive TLP:RED, at every node; undefined while it loads. */
  directory: RedRecipient[] | undefined;
  errors: FieldErrors;
}

const personKey = (p: { node: string; user: string }) => `${p.node}/${p.user}`;

/** "Olivia Official (state election official)", or the user name when the directory does not list them. */
function personName(directory: RedRecipient[] | undefined, p: { node: string; user: string }) {
  const d = directory?.find((e) => personKey(e) === personKey(p));
  return d ? `${d.name} (${d.title})` : p.user;
}

export function MarkingPicker({ form, value, onChange, self, roster, directory, errors }: Props) {
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
        <RedRecipientsPicker
          form={form}
          people={value.people}
          onChange={(people) => set({ people })}
          self={self}
          directory={directory}
          errors={errors}
        />
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
            <p>Only these people can open it, and you as its author:</p>
            <ul className="node-list">
              {preview.people.map((p) => (
                <li key={`${p.node}/${p.user}`}>
                  {personName(directory, p)} at {nameOf(p.node)}
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
          {value.tlp === 'RED'
            ? 'Nobody else can open it: not your colleagues here, not your mayor, not the colleagues of the people you name.'
            : 'Colleagues signed in to your own node can see it too.'}
        </p>
      </section>
    </div>
  );
}

/**
 * TLP:RED recipients, picked from the directory each node publishes of its people
 * who may receive RED: nobody can be named by typing a user name, so nobody is
 * named who does not exist. Someone picked earlier who has left the directory
 * stays listed, marked, so the author sees why the node will refuse it.
 */
function RedRecipientsPicker({
  form,
  people,
  onChange,
  self,
  directory,
  errors,
}: {
  form: string;
  people: { node: string; user: string }[];
  onChange: (people: { node: string; user: string }[]) => void;
  self: string;
  directory: RedRecipient[] | undefined;
  errors: FieldErrors;
}) {
  const picked = new Set(people.map(personKey));
  const listed = new Set((directory ?? []).map(personKey));
  const gone = directory ? people.filter((p) => !listed.has(personKey(p))) : [];
  const toggle = (p: { node: string; user: string }, on: boolean) =>
    onChange(on ? [...people, { node: p.node, user: p.user }] : people.filter((q) => personKey(q) !== personKey(p)));
  const nodes = [...new Set((directory ?? []).map((e) => e.node))];
  return (
    <fieldset {...inputProps(form, 'recipients', errors)} tabIndex={-1}>
      <legend>Named people (TLP:RED)</legend>
      <p className="help">
        Only the people you tick can open it, and you as its author. Each city and the state hub lists the people who
        have agreed to receive TLP:RED.
      </p>
      {directory === undefined && <p className="help">Loading the directory of people who may receive TLP:RED…</p>}
      {directory !== undefined && directory.length === 0 && (
        <p className="help">Nobody in the network has agreed to receive TLP:RED yet, so nobody can be named.</p>
      )}
      {nodes.map((node) => {
        const here = directory!.filter((e) => e.node === node);
        return (
          <fieldset key={node} className="checks">
            <legend>
              {here[0]!.nodeName}
              {node === self ? ' (your organization)' : ''}
            </legend>
            {here.map((e) => (
              <label key={personKey(e)} className="choice">
                <input
                  type="checkbox"
                  checked={picked.has(personKey(e))}
                  onChange={(ev) => toggle(e, ev.target.checked)}
                />
                {e.name} <span className="muted">({e.title})</span>
              </label>
            ))}
          </fieldset>
        );
      })}
      {gone.length > 0 && (
        <div role="alert" className="notice error">
          <p>Not in the directory of people who may receive TLP:RED any more; the node will refuse the report:</p>
          <ul>
            {gone.map((p) => (
              <li key={personKey(p)}>
                {p.user} at {p.node}{' '}
                <button type="button" className="secondary" onClick={() => toggle(p, false)}>
                  Remove {p.user}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <FieldError form={form} name="recipients" errors={errors} />
    </fieldset>
  );
}
