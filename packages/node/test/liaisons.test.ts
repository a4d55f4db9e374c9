import { describe, expect, it } from 'vitest';
import { liaisonsOf } from '../src/operations/liaisons.js';

describe('liaisonsOf: who hears that a city has gone quiet', () => {
  it('takes the named liaisons with a work e-mail, each address once', () => {
    const named = [
      { workContact: 'it@city.example' },
      { workContact: ' it@city.example ' },
      { workContact: '608 555 0100' },
    ];
    expect(liaisonsOf(named, { contact: 'admin@city.example' })).toEqual([{ email: 'it@city.example' }]);
  });

  it('falls back to the enrolled contact when no liaison has an e-mail', () => {
    expect(liaisonsOf([{ workContact: '608 555 0100' }], { contact: 'admin@city.example' })).toEqual([
      { email: 'admin@city.example' },
    ]);
    expect(liaisonsOf([], { contact: 'not an address' })).toEqual([]);
    expect(liaisonsOf([], undefined)).toEqual([]);
  });
});
