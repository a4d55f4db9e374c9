/**
 * The text a bulletin or note is found by: title, narrative, the note fields,
 * indicator values, location and origin, lower-cased. Nodes index it and the
 * console filters live arrivals with it, so both agree on what a search matches.
 */
export function searchTextOf(o: { origin: string; body: unknown }): string {
  const b = o.body as Record<string, unknown>;
  const parts = [b.title, b.narrative, b.problem, b.whatWorked, b.whatDidNot, b.affectedAsset, o.origin];
  for (const i of (b.indicators as { value: string }[] | undefined) ?? []) parts.push(i.value);
  const loc = b.location as { description?: string } | undefined;
  if (loc?.description) parts.push(loc.description);
  return parts
    .filter((p): p is string => typeof p === 'string')
    .join('\n')
    .toLowerCase();
}
