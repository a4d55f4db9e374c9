import { citylinkProject } from '../../vitest.shared.js';

export default citylinkProject('stix');
