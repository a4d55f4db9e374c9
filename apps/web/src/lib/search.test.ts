import { describe, expect, it } from 'vitest';
import { NO_FILTERS } from './feed';
import { searchString } from './router';
import { feedSearch, supersedesSearch } from './search';

describe('the feed’s search params', () => {
  it('reads back every filter as its type, whatever the router decoded', () => {
    expect(feedSearch.parse({})).toEqual(NO_FILTERS);
    expect(feedSearch.parse({ severity: 'high', includeRetracted: true, text: 123, kind: 'note' })).toEqual({
      ...NO_FILTERS,
      severity: 'high',
      includeRetracted: true,
      text: '123',
      kind: 'note',
    });
    expect(feedSearch.parse({ includeRetracted: 'true' }).includeRetracted).toBe(true);
  });

  it('turns nonsense into "no filter" rather than an error', () => {
    expect(feedSearch.parse({ kind: 'spaceship', text: 'x'.repeat(201), includeRetracted: 'maybe' })).toEqual(
      NO_FILTERS,
    );
    expect(supersedesSearch.parse({ supersedes: 'not-an-id' })).toEqual({ supersedes: undefined });
    expect(supersedesSearch.parse({ supersedes: 'a'.repeat(43) })).toEqual({ supersedes: 'a'.repeat(43) });
  });

  it('writes only the filters that differ from the defaults, in a stable order', () => {
    expect(searchString(NO_FILTERS, NO_FILTERS)).toBe('');
    expect(searchString({ ...NO_FILTERS, tlp: 'AMBER', severity: 'high', includeRetracted: true }, NO_FILTERS)).toBe(
      '?includeRetracted=true&severity=high&tlp=AMBER',
    );
    const amberStrict = searchString({ ...NO_FILTERS, tlp: 'AMBER+STRICT' }, NO_FILTERS);
    expect(amberStrict).toBe('?tlp=AMBER%2BSTRICT');
    expect(feedSearch.parse(Object.fromEntries(new URLSearchParams(amberStrict))).tlp).toBe('AMBER+STRICT');
  });
});
