import { z } from 'zod';

/**
 * What the roster may say about a city besides its address and keys: its county and
 * its population, both optional. The county is the county's name as in the Census
 * cartographic files (us-atlas `counties-10m.json`), without the word "County": `Dane`,
 * `Milwaukee`, `Brown`. The hub's grid filters by both and the situation room's map
 * keys cities by county.
 */
export const CountySchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\s](?:.*[^\s])?$/, 'county: no leading or trailing spaces')
  .refine((s) => !/\s+county$/i.test(s), 'county: the name without the word "County" (e.g. "Dane")');

export const PopulationSchema = z.number().int().min(1).max(100_000_000);

/** Size classes by population (docs/protocol.md, "City size"). */
export const SIZE_CLASSES = {
  small: { label: 'Small (under 50,000)', min: 1, max: 49_999 },
  medium: { label: 'Medium (50,000–249,999)', min: 50_000, max: 249_999 },
  large: { label: 'Large (250,000 and more)', min: 250_000, max: Number.MAX_SAFE_INTEGER },
} as const;
export type SizeClass = keyof typeof SIZE_CLASSES;
export const SIZE_CLASS_KEYS = Object.keys(SIZE_CLASSES) as [SizeClass, ...SizeClass[]];

/** A city's size class, or undefined when its population is not known. */
export function sizeClassOf(population: number | undefined): SizeClass | undefined {
  if (population === undefined || !Number.isInteger(population) || population < 1) return undefined;
  return population < SIZE_CLASSES.medium.min ? 'small' : population < SIZE_CLASSES.large.min ? 'medium' : 'large';
}

/** Same county, ignoring case and a trailing "County" (names typed by people and names from the atlas meet here). */
export const countyKey = (name: string | null | undefined): string =>
  (name ?? '')
    .toLowerCase()
    .replace(/\s+county$/, '')
    .trim();
