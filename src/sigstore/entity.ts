/**
 * The bundle as @sigstore/verify's `SignedEntity`, with one upstream fix
 * carried here because the fixed release (@sigstore/verify 4.x) needs Node 22.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { toSignedEntity, type SignedEntity } from '@sigstore/verify';
import type { Bundle } from '@sigstore/bundle';

/**
 * Rekor v2 logs a DSSE envelope as a `hashedrekord` entry whose digest is
 * SHA-256 of the DSSE pre-authentication encoding (the bytes actually signed),
 * not of the payload (rekor-v2 spec §6.1.4). @sigstore/verify 3.x compares it
 * to the payload digest and rejects every such bundle; 4.x compares it to the
 * PAE digest, which is what we do here for DSSE bundles whose log entries are
 * all hashedrekord. Signature, inclusion proof and certificate checks stay the
 * library's.
 */
export function signedEntityFor(bundle: Bundle, artifact?: Buffer): SignedEntity {
  const entity = toSignedEntity(bundle, artifact);
  const { content } = bundle;
  const tlogKinds = entity.tlogEntries.map((e) => e.kindVersion.kind);
  if (content.$case !== 'dsseEnvelope' || tlogKinds.length === 0 || !tlogKinds.every((k) => k === 'hashedrekord')) {
    return entity;
  }
  const envelope = content.dsseEnvelope;
  const signedDigest = createHash('sha256').update(preAuthEncoding(envelope.payloadType, envelope.payload)).digest();
  const inner = entity.signature;
  return {
    ...entity,
    signature: {
      signature: inner.signature,
      compareSignature: (sig) => inner.compareSignature(sig),
      verifySignature: (key) => inner.verifySignature(key),
      compareDigest: (digest) => digest.length === signedDigest.length && timingSafeEqual(digest, signedDigest),
    },
  };
}

/** DSSE v1 PAE: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in bytes. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** Times the bundle claims, as the library reads them: integrated times with a promise, TSA signing times. */
export function claimedTimes(entity: SignedEntity): Date[] {
  return entity.timestamps.map((t) =>
    t.$case === 'transparency-log' ? new Date(Number(t.tlogEntry.integratedTime) * 1000) : t.timestamp.signingTime,
  );
}
