/**
 * Back to the event loop for one turn. SQLite reads resolve at once, so a long scan
 * built of awaits still holds every other request of the node until it ends; long
 * reads (TAXII, MISP, the STIX index) call this between chunks.
 */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
