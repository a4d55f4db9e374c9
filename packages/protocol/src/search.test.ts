import { describe, expect, it } from 'vitest';
import { matchesSearch, searchTextOf, searchWords } from './search.js';

describe('searchTextOf', () => {
  it('joins the searchable fields, indicators, location and origin, lower-cased', () => {
    const text = searchTextOf({
      origin: 'wi-madison',
      body: {
        title: 'Phishing',
        narrative: 'Look-alike DOMAIN',
        severity: 'high',
        indicators: [{ type: 'domain', value: 'Evil.example' }],
        location: { description: 'Ward 7' },
      },
    });
    expect(text.split('\n')).toEqual(['phishing', 'look-alike domain', 'wi-madison', 'evil.example', 'ward 7']);
  });

  it('takes the note fields and ignores what is not text', () => {
    const text = searchTextOf({
      origin: 'mi-detroit',
      body: { title: 'Drop boxes', problem: 'Queues', whatWorked: 'Signs', whatDidNot: 'Cones', count: 3 },
    });
    expect(text).toBe('drop boxes\nqueues\nsigns\ncones\nmi-detroit');
  });
});

describe('searchTextOf of a note', () => {
  it('holds its topic, so the library finds notes by topic', () => {
    const text = searchTextOf({ origin: 'wi-milwaukee', body: { title: 'Drills', topic: 'phishing-training' } });
    expect(text).toBe('drills\nphishing training\nwi-milwaukee');
  });
});

describe('search words', () => {
  it('are letters and digits; everything else separates and is never syntax', () => {
    expect(searchWords('  Look-alike "WEC" OR 203.0.113.41 * % ')).toEqual([
      ['look', 'alike'],
      ['wec'],
      ['or'],
      ['203', '0', '113', '41'],
    ]);
    expect(searchWords('% * "')).toEqual([]);
  });

  it('match every word as tokens in a row, the last a prefix', () => {
    const hay = 'e-mails from training@wec-wisvote.example\nwi-madison';
    expect(matchesSearch(hay, 'wec-wisvote.ex')).toBe(true);
    expect(matchesSearch(hay, 'MAIL madison')).toBe(true);
    expect(matchesSearch(hay, 'wisvote wec')).toBe(true);
    expect(matchesSearch(hay, 'wisvote.wec')).toBe(false);
    expect(matchesSearch(hay, 'ails')).toBe(false);
    expect(matchesSearch(hay, '%')).toBe(true);
  });
});
