import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// PDF.js expects Promise.withResolvers (Node 22); the machines run Node 20.
const P = Promise as unknown as { withResolvers?: () => unknown };
P.withResolvers ??= () => {
  let resolve: unknown;
  let reject: unknown;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const FONTS = join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts/');

export interface PdfPage {
  height: number;
  /** Each text run with its baseline height from the bottom of the sheet, in points. */
  items: { str: string; y: number }[];
  text: string;
}

/** Parses a PDF the way a reader would open it (PDF.js), page by page. */
export async function readPdf(bytes: Uint8Array): Promise<PdfPage[]> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, standardFontDataUrl: FONTS })
    .promise;
  const pages: PdfPage[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const [, , , height] = page.view as [number, number, number, number];
    const content = await page.getTextContent();
    const items = content.items
      .filter((i): i is typeof i & { str: string; transform: number[] } => 'str' in i)
      .map((i) => ({ str: i.str, y: i.transform[5]! }));
    pages.push({
      height,
      items,
      text: items
        .map((i) => i.str)
        .join(' ')
        .replace(/\s+/g, ' '),
    });
  }
  await doc.cleanup();
  return pages;
}

/** The label appears in the top tenth and in the bottom tenth of every page. */
export function markedTopAndBottom(pages: PdfPage[], label: string): boolean[] {
  return pages.map((p) => {
    const at = p.items.filter((i) => i.str.includes(label)).map((i) => i.y / p.height);
    return at.some((y) => y > 0.9) && at.some((y) => y < 0.1);
  });
}
