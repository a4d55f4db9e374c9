import {
  ASSESSMENT_KINDS,
  COMMISSION_DISCIPLINES,
  CONTINGENCY_SCENARIOS,
  type PreparednessKind,
  RECOMMENDATIONS,
} from '@citylink/protocol';

/** One input of an evidence form; `key` is the body path the server's issues name. */
export interface Field {
  key: string;
  label: string;
  type: 'text' | 'textarea' | 'date' | 'number' | 'checkbox' | 'select' | 'lines';
  options?: Record<string, string>;
  optional?: boolean;
  help?: string;
}

export type Values = Record<string, string | boolean>;

export interface KindForm {
  title: string;
  /** Which recommendation it is evidence for. */
  serves: number;
  fields: Field[];
  body: (v: Values) => unknown;
}

const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string).trim() : '');
const opt = (v: Values, k: string) => str(v, k) || undefined;
const num = (v: Values, k: string) => (str(v, k) === '' ? undefined : Number(str(v, k)));
const lines = (v: Values, k: string) =>
  str(v, k)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined && x !== '')) as T;

const scenarios = Object.fromEntries(
  CONTINGENCY_SCENARIOS.map((s) => [
    s,
    s === 'machine-malfunction' ? 'Machine malfunction' : s[0]!.toUpperCase() + s.slice(1),
  ]),
);
const recommendations = Object.fromEntries(RECOMMENDATIONS.map((r) => [String(r.n), `${r.n}. ${r.title}`]));

/** The form of each preparedness kind: the fields people fill in, and the body they make. */
export const FORMS: Record<PreparednessKind, KindForm> = {
  commission: {
    title: 'Election-security commission',
    serves: 1,
    fields: [
      { key: 'chartered', label: 'Chartered on', type: 'date' },
      ...Object.entries(COMMISSION_DISCIPLINES).map(([k, label]) => ({
        key: `members.${k}`,
        label: `Members: ${label.toLowerCase()}`,
        type: 'number' as const,
        optional: true,
      })),
      { key: 'meetings', label: 'Meeting dates (one per line, YYYY-MM-DD)', type: 'lines', optional: true },
      { key: 'lastReport.date', label: 'Last report on', type: 'date', optional: true },
      { key: 'lastReport.recommendations', label: 'Its recommendations (one per line)', type: 'lines', optional: true },
    ],
    body: (v) => {
      const members = defined(
        Object.fromEntries(Object.keys(COMMISSION_DISCIPLINES).map((k) => [k, num(v, `members.${k}`)])),
      );
      return defined({
        chartered: str(v, 'chartered'),
        members,
        meetings: lines(v, 'meetings'),
        lastReport: str(v, 'lastReport.date')
          ? { date: str(v, 'lastReport.date'), recommendations: lines(v, 'lastReport.recommendations') }
          : undefined,
      });
    },
  },
  'contingency-plan': {
    title: 'Contingency plan',
    serves: 2,
    fields: [
      { key: 'scenario', label: 'Scenario', type: 'select', options: scenarios },
      { key: 'title', label: 'Plan title', type: 'text' },
      { key: 'coversElectionDay', label: 'Covers Election Day', type: 'checkbox' },
      { key: 'coversEarlyVoting', label: 'Covers early voting', type: 'checkbox' },
      { key: 'ownerRole', label: 'Owner (role)', type: 'text' },
      { key: 'lastReviewed', label: 'Last reviewed on', type: 'date' },
      { key: 'lastExercised.date', label: 'Last tabletop exercise on', type: 'date', optional: true },
      { key: 'lastExercised.afterAction', label: 'After-action note', type: 'textarea', optional: true },
      { key: 'plan.text', label: 'The plan', type: 'textarea' },
    ],
    body: (v) =>
      defined({
        scenario: str(v, 'scenario'),
        title: str(v, 'title'),
        coversElectionDay: v.coversElectionDay === true,
        coversEarlyVoting: v.coversEarlyVoting === true,
        ownerRole: str(v, 'ownerRole'),
        lastReviewed: str(v, 'lastReviewed'),
        lastExercised: str(v, 'lastExercised.date')
          ? defined({ date: str(v, 'lastExercised.date'), afterAction: opt(v, 'lastExercised.afterAction') })
          : undefined,
        plan: { text: str(v, 'plan.text') },
        supersedes: opt(v, 'supersedes'),
      }),
  },
  'training-summary': {
    title: 'Training summary',
    serves: 4,
    fields: [
      { key: 'period.from', label: 'From', type: 'date' },
      { key: 'period.to', label: 'To', type: 'date' },
      { key: 'course', label: 'Course', type: 'text' },
      { key: 'coversSpearPhishing', label: 'Covers spear-phishing', type: 'checkbox' },
      { key: 'staffWithAccess', label: 'Staff with voter-registration access', type: 'number' },
      { key: 'trained', label: 'Of them trained', type: 'number' },
      { key: 'officeMatesTrained', label: 'Office-mates trained', type: 'number', optional: true },
    ],
    body: (v) =>
      defined({
        period: { from: str(v, 'period.from'), to: str(v, 'period.to') },
        course: str(v, 'course'),
        coversSpearPhishing: v.coversSpearPhishing === true,
        staffWithAccess: num(v, 'staffWithAccess'),
        trained: num(v, 'trained'),
        officeMatesTrained: num(v, 'officeMatesTrained'),
      }),
  },
  liaison: {
    title: 'Cybersecurity liaison',
    serves: 3,
    fields: [
      { key: 'name', label: 'Name', type: 'text' },
      { key: 'role', label: 'Role', type: 'text' },
      { key: 'agency', label: 'Agency', type: 'text' },
      { key: 'workContact', label: 'Work contact (office e-mail or phone)', type: 'text' },
    ],
    body: (v) => ({
      name: str(v, 'name'),
      role: str(v, 'role'),
      agency: str(v, 'agency'),
      workContact: str(v, 'workContact'),
    }),
  },
  forum: {
    title: 'Forum with election officials',
    serves: 6,
    fields: [
      { key: 'date', label: 'Date', type: 'date' },
      { key: 'with', label: 'With whom', type: 'text' },
      { key: 'needs', label: 'Needs raised (one per line)', type: 'lines', optional: true },
    ],
    body: (v) => ({ date: str(v, 'date'), with: str(v, 'with'), needs: lines(v, 'needs'), followUps: [] }),
  },
  assessment: {
    title: 'CISA or state assessment',
    serves: 3,
    fields: [
      {
        key: 'provider',
        label: 'Provider',
        type: 'select',
        options: { cisa: 'CISA', state: 'The state', other: 'Other' },
      },
      { key: 'kind', label: 'Kind', type: 'select', options: ASSESSMENT_KINDS },
      { key: 'date', label: 'Date', type: 'date' },
      { key: 'openFindings', label: 'Open findings (a count, never the findings)', type: 'number' },
    ],
    body: (v) => ({
      provider: str(v, 'provider'),
      kind: str(v, 'kind'),
      date: str(v, 'date'),
      openFindings: num(v, 'openFindings'),
    }),
  },
  'funding-need': {
    title: 'Funding need',
    serves: 10,
    fields: [
      { key: 'item', label: 'Item', type: 'text' },
      { key: 'amount', label: 'Amount (US dollars)', type: 'number' },
      { key: 'buys', label: 'What it buys', type: 'textarea' },
      { key: 'recommendation', label: 'Recommendation it serves', type: 'select', options: recommendations },
    ],
    body: (v) => ({
      item: str(v, 'item'),
      amount: num(v, 'amount'),
      buys: str(v, 'buys'),
      recommendation: num(v, 'recommendation'),
    }),
  },
  'security-day': {
    title: 'Election-security day',
    serves: 9,
    fields: [
      { key: 'proclamation', label: 'Proclamation on', type: 'date', optional: true },
      { key: 'townHall.date', label: 'Town hall on', type: 'date', optional: true },
      { key: 'townHall.place', label: 'Town hall place', type: 'text', optional: true },
    ],
    body: (v) =>
      defined({
        proclamation: opt(v, 'proclamation'),
        townHall: str(v, 'townHall.date')
          ? { date: str(v, 'townHall.date'), place: str(v, 'townHall.place') }
          : undefined,
      }),
  },
};

/** Plan templates to start from (GUIDE §8: tell the state within the hour, paper backups, preserve state, log decisions). */
export const PLAN_TEMPLATES: Record<string, Values> = {
  cyberattack: {
    scenario: 'cyberattack',
    title: 'Cyberattack on election systems',
    ownerRole: 'City clerk',
    coversElectionDay: true,
    coversEarlyVoting: true,
    'plan.text':
      '1. Isolate affected systems; do not power them off (preserve evidence).\n2. Tell the state election director within the hour (CityLink bulletin, then phone).\n3. Switch check-in to paper backup pollbooks.\n4. Call the county IT and the CISA regional office.\n5. Log every decision with the time for the after-action report.',
  },
  'machine-malfunction': {
    scenario: 'machine-malfunction',
    title: 'Widespread pollbook or tabulator malfunction',
    ownerRole: 'City clerk',
    coversElectionDay: true,
    coversEarlyVoting: true,
    'plan.text':
      '1. Keep voters voting: paper backup pollbooks and emergency ballot boxes at every site.\n2. Preserve the e-pollbook state; do not reset devices.\n3. Tell the state election director within the hour.\n4. Call the vendor and the county; send rovers with spare units.\n5. Log every decision with the time for the after-action report.',
  },
};
