/**
 * PDF export, made in the browser with pdf-lib (loaded on first use, so it is not part of
 * the first load). The browser is where it fits: it knows the reader's time zone (the
 * dates are in local time), and it holds only what this node already let this person see,
 * so no new read path needs its own TLP check. Every page carries the TLP label at the
 * top and at the bottom, as FIRST's TLP 2.0 asks of printed material.
 */
export type PdfBlock =
  | { heading: string }
  | { text: string; mono?: boolean }
  | { label: string; value: string; mono?: boolean };

export interface PdfDocument {
  tlp: string;
  title: string;
  /** Under the title: who, when (already in local time). */
  byline: string;
  blocks: PdfBlock[];
  /** Printed in small type on every page above the bottom label. */
  footer: string;
}

// FIRST's TLP colours, on black.
const TLP_COLOURS: Record<string, [number, number, number]> = {
  RED: [1, 0.169, 0.169],
  AMBER: [1, 0.753, 0],
  'AMBER+STRICT': [1, 0.753, 0],
  GREEN: [0.2, 1, 0],
  CLEAR: [1, 1, 1],
};

const PAGE = { width: 612, height: 792 }; // US Letter
const MARGIN = 54;
const BAND = 22;

export async function renderPdf(doc: PdfDocument): Promise<Uint8Array> {
  const { PDFDocument, StandardFonts, rgb } = await import('pdf-lib');
  const pdf = await PDFDocument.create();
  pdf.setTitle(`${doc.title} (TLP:${doc.tlp})`);
  pdf.setCreator('CityLink');
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const mono = await pdf.embedFont(StandardFonts.Courier);
  type Font = typeof regular;
  // The standard fonts speak WinAnsi only: anything else prints as "?" rather than failing.
  const charset = new Set(regular.getCharacterSet());
  const clean = (s: string) =>
    [...s.replace(/\r\n?/g, '\n').replace(/\t/g, '  ')]
      .map((c) => (c === '\n' || charset.has(c.codePointAt(0)!) ? c : '?'))
      .join('');

  const width = PAGE.width - 2 * MARGIN;
  const top = PAGE.height - MARGIN - BAND - 8;
  let page = pdf.addPage([PAGE.width, PAGE.height]);
  let y = top;

  const newPage = () => {
    page = pdf.addPage([PAGE.width, PAGE.height]);
    y = top;
  };
  const wrap = (text: string, font: Font, size: number, max: number): string[] => {
    const lines: string[] = [];
    for (const para of clean(text).split('\n')) {
      let line = '';
      for (const word of para.split(/(\s+)/)) {
        const next = line + word;
        if (font.widthOfTextAtSize(next, size) <= max || line === '') {
          line = next;
          // A single word wider than the line (a hash, a URL) is cut where it overflows.
          while (font.widthOfTextAtSize(line, size) > max) {
            let cut = line.length - 1;
            while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > max) cut--;
            lines.push(line.slice(0, cut));
            line = line.slice(cut);
          }
        } else {
          lines.push(line.trimEnd());
          line = word.trimStart();
        }
      }
      lines.push(line.trimEnd());
    }
    return lines;
  };
  const footer = wrap(doc.footer, regular, 8, width);
  const bottom = MARGIN + BAND + 16 + footer.length * 10;
  const write = (text: string, font: Font, size: number, opts: { x?: number; max?: number; gap?: number } = {}) => {
    const x = MARGIN + (opts.x ?? 0);
    for (const line of wrap(text, font, size, opts.max ?? width - (opts.x ?? 0))) {
      if (y - size < bottom) newPage();
      y -= size * 1.35;
      page.drawText(line, { x, y, size, font, color: rgb(0.07, 0.07, 0.07) });
    }
    y -= opts.gap ?? 0;
  };

  write(doc.title, bold, 18, { gap: 4 });
  write(doc.byline, regular, 10, { gap: 12 });
  for (const b of doc.blocks) {
    if ('heading' in b) {
      if (y - 40 < bottom) newPage();
      y -= 6;
      write(b.heading, bold, 13, { gap: 4 });
    } else if ('label' in b) {
      // The label goes beside the first line of its value, on the same page.
      if (y - 14 < bottom) newPage();
      page.drawText(clean(b.label), { x: MARGIN, y: y - 10 * 1.35, size: 10, font: bold });
      write(b.value, b.mono ? mono : regular, 10, { x: 150, gap: 3 });
    } else {
      write(b.text, b.mono ? mono : regular, 11, { gap: 8 });
    }
  }

  const pages = pdf.getPages();
  const label = `TLP:${doc.tlp}`;
  const [r, g, bl] = TLP_COLOURS[doc.tlp] ?? TLP_COLOURS.CLEAR!;
  pages.forEach((p, i) => {
    for (const yBand of [PAGE.height - MARGIN - BAND, MARGIN]) {
      const w = bold.widthOfTextAtSize(label, 11) + 16;
      p.drawRectangle({ x: MARGIN, y: yBand, width: w, height: BAND, color: rgb(0, 0, 0) });
      p.drawText(label, { x: MARGIN + 8, y: yBand + 7, size: 11, font: bold, color: rgb(r, g, bl) });
    }
    const pageNo = `Page ${i + 1} of ${pages.length}`;
    p.drawText(pageNo, {
      x: PAGE.width - MARGIN - regular.widthOfTextAtSize(pageNo, 9),
      y: MARGIN + 7,
      size: 9,
      font: regular,
    });
    let fy = MARGIN + BAND + 6 + (footer.length - 1) * 10;
    for (const line of footer) {
      p.drawText(line, { x: MARGIN, y: fy, size: 8, font: regular, color: rgb(0.3, 0.3, 0.3) });
      fy -= 10;
    }
  });
  return pdf.save();
}

/** Offers the PDF as a download (a same-origin Blob URL, revoked right after). */
export function savePdf(bytes: Uint8Array, filename: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/pdf' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
