import { citylinkProject } from '../../vitest.shared.js';

export default citylinkProject('dev-env', { timeoutMs: 120_000 });
