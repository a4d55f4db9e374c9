import { citylinkProject } from '../../vitest.shared.js';

export default citylinkProject('store', { timeoutMs: 60_000 });
