import { fileURLToPath } from 'node:url';

// This file is apps/cli/{src,dist}/paths.*, so the repository root is three levels up
// whatever the working directory is.
const repoRoot = new URL('../../../', import.meta.url);

export const REPO_ROOT = fileURLToPath(repoRoot);
export const HUB_ENTRY = fileURLToPath(new URL('apps/hub/dist/main.js', repoRoot));
export const CITY_ENTRY = fileURLToPath(new URL('apps/city/dist/main.js', repoRoot));
