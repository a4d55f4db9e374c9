#!/usr/bin/env node
// Prints what a browser downloads on the console's first load: the files index.html
// references, raw and compressed (the node serves the precompressed .br/.gz files).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const html = await readFile(join(dist, 'index.html'), 'utf8');
const files = ['index.html', ...[...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1])];
const kb = (n) => (n / 1024).toFixed(1);
let js = { raw: 0, gz: 0, br: 0 };
const rows = [];
for (const f of files) {
  const bytes = await readFile(join(dist, f));
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  rows.push(`| ${f} | ${kb(bytes.length)} | ${kb(gz)} | ${kb(br)} |`);
  if (f.endsWith('.js')) js = { raw: js.raw + bytes.length, gz: js.gz + gz, br: js.br + br };
}
console.log('| file | raw KiB | gzip KiB | brotli KiB |\n| --- | ---: | ---: | ---: |');
console.log(rows.join('\n'));
console.log(`| **JavaScript, first load** | **${kb(js.raw)}** | **${kb(js.gz)}** | **${kb(js.br)}** |`);
if (js.gz > 300 * 1024) {
  console.error('first-load JavaScript is over the 300 KB budget');
  process.exit(1);
}
