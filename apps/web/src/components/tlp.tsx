import { TLP_DESCRIPTIONS, TLP_LEVELS, type Tlp } from '@citylink/protocol';

const CLASS: Record<string, string> = {
  RED: 'tlp-red',
  AMBER: 'tlp-amber',
  'AMBER+STRICT': 'tlp-amber',
  GREEN: 'tlp-green',
  CLEAR: 'tlp-clear',
};

/** The TLP label as FIRST prints it: its text in the standard colour on black. The text alone carries the meaning. */
export function TlpLabel({ tlp }: { tlp: string }) {
  const known = (TLP_LEVELS as readonly string[]).includes(tlp);
  return (
    <span className={`tlp ${CLASS[tlp] ?? 'tlp-clear'}`} title={known ? TLP_DESCRIPTIONS[tlp as Tlp] : undefined}>
      TLP:{tlp}
    </span>
  );
}
