// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { markedTopAndBottom, readPdf } from '../../e2e/pdf';
import { renderPdf } from './pdf';

describe('renderPdf', () => {
  it('marks every page at top and bottom, wraps long text over pages, and numbers the pages', async () => {
    const long = Array.from({ length: 80 }, (_, i) => `Line ${i + 1} of a long narrative that goes on.`).join('\n');
    const pages = await readPdf(
      await renderPdf({
        tlp: 'AMBER+STRICT',
        title: 'A report “quoted” — with 日本 characters',
        byline: 'From Springfield',
        blocks: [
          { heading: 'What happened' },
          { text: long },
          { label: 'Key (kid)', value: 'x'.repeat(300), mono: true },
        ],
        footer: 'Verification fingerprint ABCD EFGH',
      }),
    );
    expect(pages.length).toBeGreaterThan(1);
    expect(markedTopAndBottom(pages, 'TLP:AMBER+STRICT')).toEqual(pages.map(() => true));
    const text = pages.map((p) => p.text).join(' ');
    expect(text).toContain('Line 80 of a long narrative');
    expect(text).toContain('A report “quoted” — with ?? characters');
    expect(text).toContain(`Page ${pages.length} of ${pages.length}`);
    expect(pages.every((p) => p.text.includes('Verification fingerprint ABCD EFGH'))).toBe(true);
  });
});

describe('localDate', () => {
  it('names the time zone, so a printout says when in the reader’s own time', async () => {
    const { localDate } = await import('./pdf-content');
    const s = localDate('2026-11-03T14:05:00Z');
    expect(s).toMatch(/2026/);
    expect(s).toMatch(/(UTC|GMT|[A-Z]{2,5})$/);
    expect(localDate('not a date')).toBe('not a date');
  });
});
