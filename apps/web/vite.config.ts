import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes `.br` and `.gz` next to every text asset: the node serves them (sirv)
 * to browsers that accept them, so the first load stays small without
 * compressing on every request.
 */
function precompress(): Plugin {
  return {
    name: 'citylink-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir ?? 'dist';
      for (const file of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(file)) continue;
        const bytes = await readFile(join(dir, file));
        await writeFile(join(dir, `${file}.gz`), gzipSync(bytes, { level: 9 }));
        await writeFile(
          join(dir, `${file}.br`),
          brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        );
      }
    },
  };
}

/**
 * The console is served by every node under a strict CSP (no inline script or
 * style, same-origin connections only), so the build emits only files: no
 * inlined assets, no inline scripts.
 */
export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npm run dev -w @citylink/web` against a running node (default: the demo's first city).
    proxy: { '/trpc': { target: process.env.CITYLINK_NODE_URL ?? 'http://127.0.0.1:4001', ws: true } },
  },
});
