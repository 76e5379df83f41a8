import { Value } from '@sinclair/typebox/value';
import { OtaErrors } from '../errors.js';
import {
  DirectorCustomSchema,
  ReleaseCustomSchema,
  checkSchema,
  type DirectorCustom,
  type ReleaseCustom,
  type TargetFile,
} from '../metadata/types.js';
import { compareSemver, satisfies } from '../util/semver.js';
import type { TrustedMetadataSet } from './trusted-metadata.js';

/** What the car knows about itself; the agent fills it from its identity and its model slots. */
export interface VehicleFacts {
  vehicleId: string;
  hardwareId: string;
  /** Version of the running vehicle-service, checked against the manifest's `serviceVersions`. */
  serviceVersion: string;
  /** Installed models by name: the active slot, and the previous slot kept for rollback. */
  installed: Record<string, InstalledModel>;
}

export interface InstalledModel {
  version: string;
  sha256: string;
  previous?: { version: string; sha256: string };
}

export interface ResolvedAssignment {
  targetPath: string;
  target: TargetFile;
  release: ReleaseCustom;
  director: DirectorCustom;
  /** The same bundle is already active: nothing to download. */
  upToDate: boolean;
}

/**
 * Uptane's "full verification" of one vehicle's assignment over a TrustedMetadataSet that already holds
 * fresh targets and director metadata: the director (online key) says what this car should install, the
 * operator's targets (offline keys) say what the bundle is; both must agree byte for byte, the release must
 * name this car's hardware, support its service version, and not be older than what it runs.
 */
export function resolveAssignments(set: TrustedMetadataSet, car: VehicleFacts): ResolvedAssignment[] {
  const director = set.director;
  const targets = set.targets;
  if (!director) throw OtaErrors.missingRole('director', 'resolving assignments');
  if (!targets) throw OtaErrors.missingRole('targets', 'resolving assignments');
  if (director.vehicleId !== car.vehicleId) {
    throw OtaErrors.mixAndMatch(`director metadata is for vehicle ${director.vehicleId}, this is ${car.vehicleId}`);
  }
  return Object.entries(director.targets).map(([path, assigned]) => {
    const custom = checkSchema<DirectorCustom>(DirectorCustomSchema, assigned.custom, 'director', `targets.${path}.custom`);
    if (custom.vehicleId !== car.vehicleId) {
      throw OtaErrors.mixAndMatch(`assignment ${path} is for vehicle ${custom.vehicleId}, this is ${car.vehicleId}`);
    }
    if (custom.hardwareId !== car.hardwareId) {
      throw OtaErrors.mixAndMatch(`assignment ${path} is for hardware ${custom.hardwareId}, this is ${car.hardwareId}`);
    }
    const image = targets.targets[path];
    if (!image) throw OtaErrors.targetUnknown(path);
    if (image.length !== assigned.length || image.hashes.sha256 !== assigned.hashes.sha256) {
      throw OtaErrors.mixAndMatch(`director and targets disagree on the hash or length of ${path}`);
    }
    if (!Value.Check(ReleaseCustomSchema, image.custom)) {
      throw OtaErrors.badMetadata('targets', `targets.${path}.custom does not describe a release`);
    }
    const release = image.custom as ReleaseCustom;
    if (!release.hardwareIds.includes(car.hardwareId)) {
      throw OtaErrors.mixAndMatch(`${path} supports hardware ${release.hardwareIds.join(', ')}, this is ${car.hardwareId}`);
    }
    if (!satisfies(car.serviceVersion, release.serviceVersions)) {
      throw OtaErrors.incompatible(`${path} needs vehicle-service ${release.serviceVersions}, this runs ${car.serviceVersion}`);
    }
    const installed = car.installed[release.name];
    let upToDate = false;
    if (installed) {
      const order = compareSemver(release.version, installed.version);
      upToDate = order === 0 && installed.sha256 === image.hashes.sha256;
      if (order < 0) {
        // A downgrade is only the operator's signed rollback to exactly the bundle kept in the previous slot:
        // anything else older is a rollback attack, even if validly signed long ago.
        const prev = installed.previous;
        const isOwnPrevious = prev && prev.version === release.version && prev.sha256 === image.hashes.sha256;
        if (!(custom.action === 'rollback' && isOwnPrevious)) throw OtaErrors.olderRelease(release.version, installed.version);
      }
      if (order === 0 && !upToDate) {
        throw OtaErrors.olderRelease(`${release.version} (different bytes)`, `${installed.version}`);
      }
    }
    return { targetPath: path, target: image, release, director: custom, upToDate };
  });
}
