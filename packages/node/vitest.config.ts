import { citylinkProject } from '../../vitest.shared.js';

export default citylinkProject('node', { timeoutMs: 60_000 });
