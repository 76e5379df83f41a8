import { TrustedMetadataSet } from './trusted-metadata.js';

/** The metadata a check-in returns: newer roots in order, then the four other roles as raw JSON text. */
export interface MetadataBundle {
  roots: string[];
  timestamp: string;
  snapshot: string;
  targets: string;
  director: string;
}

/**
 * Runs the whole client workflow over one check-in's metadata: walk the root chain, refuse a frozen root,
 * then timestamp -> snapshot -> targets -> director. On any refusal the caller keeps its previous state:
 * the work happens on a copy restored from `state`, which is only returned when everything passed.
 */
export function applyMetadata(
  trusted: TrustedMetadataSet,
  bundle: MetadataBundle,
  vehicleId: string,
  now: () => number = Date.now,
): TrustedMetadataSet {
  const work = TrustedMetadataSet.restore(trusted.toState(), { now });
  for (const root of bundle.roots) {
    const version = (JSON.parse(root) as { signed?: { version?: number } }).signed?.version;
    // The server may resend roots the car already has; only the next ones in the chain matter.
    if (typeof version === 'number' && version <= work.root.version) continue;
    work.updateRoot(root);
  }
  work.checkRootFresh();
  work.updateTimestamp(bundle.timestamp);
  work.updateSnapshot(bundle.snapshot);
  work.updateTargets(bundle.targets);
  work.updateDirector(bundle.director, vehicleId);
  return work;
}
