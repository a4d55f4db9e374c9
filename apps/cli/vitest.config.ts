import { citylinkProject } from '../../vitest.shared.js';

export default citylinkProject('cli', { timeoutMs: 120_000 });
