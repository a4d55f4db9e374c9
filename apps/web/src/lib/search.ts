import { z } from 'zod';
import type { Filters } from './feed';

/**
 * The typed search params of the console's routes. The router hands a route its query
 * already decoded (`?includeRetracted=true` arrives as a boolean, `?text=123` as a number):
 * each field is read back as its type, and a value that makes no sense becomes "no filter"
 * rather than an error page, so a hand-edited or old link still opens.
 */
const text = (max: number) => z.preprocess((v) => (v == null ? '' : String(v)), z.string().max(max)).catch('');
const id = z
  .preprocess(
    (v) => (v == null ? undefined : String(v)),
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/)
      .optional(),
  )
  .catch(undefined);

export const feedSearch = z.object({
  kind: z.enum(['', 'bulletin', 'note']).catch(''),
  category: text(80),
  severity: text(40),
  tlp: text(20),
  origin: text(100),
  status: text(40),
  topic: text(80),
  since: text(40),
  until: text(40),
  text: text(200),
  includeRetracted: z.preprocess((v) => v === true || v === 'true', z.boolean()).catch(false),
}) satisfies z.ZodType<Filters>;

/** `?supersedes=ID` on the report and note forms: the object being corrected. */
export const supersedesSearch = z.object({ supersedes: id });
