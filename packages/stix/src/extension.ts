import { identityId, stixId } from './ids.js';
import type { StixObject } from './types.js';

/**
 * CityLink's own property extension: every object CityLink exports carries the
 * CityLink object it came from (its id, kind, origin and the origin's exact compact
 * JWS), so a consumer can verify the origin's signature without trusting the relay.
 */
export const CITYLINK_EXTENSION = stixId('extension-definition', 'citylink-origin-v1');

/** The identity that defines CityLink's extension (not a node of any network). */
export const CITYLINK_PROJECT_IDENTITY = identityId('citylink-project');

const DEFINED = '2026-12-01T00:00:00.000Z';

export function citylinkProjectIdentity(): StixObject {
  return {
    type: 'identity',
    spec_version: '2.1',
    id: CITYLINK_PROJECT_IDENTITY,
    created: DEFINED,
    modified: DEFINED,
    name: 'CityLink',
    identity_class: 'organization',
    description: 'The CityLink project, which defines the CityLink origin extension.',
  };
}

export function citylinkExtensionDefinition(): StixObject {
  return {
    type: 'extension-definition',
    spec_version: '2.1',
    id: CITYLINK_EXTENSION,
    created_by_ref: CITYLINK_PROJECT_IDENTITY,
    created: DEFINED,
    modified: DEFINED,
    name: 'CityLink origin',
    description:
      'The CityLink signed object a STIX object was made from, so that its origin signature can be verified.',
    schema:
      'Property extension. object_id (string): the CityLink object id, base64url SHA-256 of the JWS payload. ' +
      'kind (string): the CityLink kind. origin (string): the node id of the author. jws (string): the exact ' +
      'compact JWS the author signed (Ed25519, RFC 8785 canonical JSON payload). Bulletins add category, ' +
      'severity, status and the other CityLink fields that STIX has no property for. See docs/stix.md.',
    version: '1.0.0',
    extension_types: ['property-extension'],
  };
}
