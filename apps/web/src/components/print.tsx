import { useEffect, useState } from 'react';
import type { PdfDocument } from '../lib/pdf';

/**
 * Marks the printed page with a TLP label at the top and the bottom of every sheet: the
 * print stylesheet has one named page per label (`@page tlp-red { @top-left … }`), chosen
 * by this attribute on <body>. Static CSS, so the console's CSP needs no inline style.
 */
export function usePrintMarking(tlp: string | undefined): void {
  useEffect(() => {
    if (!tlp) return;
    const body = document.body;
    body.dataset.printTlp = tlp.replace('+', '-').toLowerCase();
    return () => {
      delete body.dataset.printTlp;
    };
  }, [tlp]);
}

/** "Print" and "Download PDF" for the object on screen; pdf-lib is loaded on the first click. */
export function ExportButtons({ document: make, filename }: { document: () => PdfDocument; filename: string }) {
  const [state, setState] = useState<'idle' | 'working' | 'failed'>('idle');
  const download = async () => {
    setState('working');
    try {
      const { renderPdf, savePdf } = await import('../lib/pdf');
      savePdf(await renderPdf(make()), filename);
      setState('idle');
    } catch (e) {
      console.error('PDF export failed', e);
      setState('failed');
    }
  };
  return (
    <p className="export no-print">
      <button type="button" className="secondary" onClick={() => window.print()}>
        Print
      </button>{' '}
      <button type="button" className="secondary" onClick={download} disabled={state === 'working'}>
        {state === 'working' ? 'Preparing the PDF…' : 'Download PDF'}
      </button>
      {state === 'failed' && <span role="alert"> The PDF could not be made. Use Print instead.</span>}
    </p>
  );
}
