import type { Tlp } from '@citylink/protocol';
import { stixId } from '@citylink/stix';

export type CollectionTitle = 'network' | 'addressed-to-us' | 'public';

/** One TAXII collection: a view of the log through a set of markings, for whoever asks. */
export interface Collection {
  id: string;
  title: CollectionTitle;
  description: string;
  tlps: readonly Tlp[];
  /** The public collection is read without credentials; the others need a token. */
  needsAccount: boolean;
}

const collection = (title: CollectionTitle, description: string, tlps: Tlp[], needsAccount: boolean): Collection => ({
  // A UUIDv5 under CityLink's namespace (the part after `--`), so ids never change.
  id: stixId('taxii-collection', title).split('--')[1]!,
  title,
  description,
  tlps,
  needsAccount,
});

/** The same three collections (and ids) on every node; what each holds depends on the node and the account. */
export const COLLECTIONS: readonly Collection[] = [
  collection('network', 'TLP:GREEN and TLP:CLEAR objects this node holds for the network', ['GREEN', 'CLEAR'], true),
  collection(
    'addressed-to-us',
    'TLP:AMBER, TLP:AMBER+STRICT and TLP:RED objects addressed to this node that the account may read',
    ['AMBER', 'AMBER+STRICT', 'RED'],
    true,
  ),
  collection('public', 'TLP:CLEAR objects, for anyone', ['CLEAR'], false),
];

/** A collection by id, or by title (a convenience for people typing URLs). */
export function collectionOf(idOrTitle: string): Collection | undefined {
  return COLLECTIONS.find((c) => c.id === idOrTitle || c.title === idOrTitle);
}
