import type { FastifyInstance } from 'fastify';
import { applyMetadata, type MetadataBundle } from '../client/apply.js';
import { resolveAssignments, type InstalledModel, type ResolvedAssignment } from '../client/assignment.js';
import { verifyTargetStream } from '../client/target-verify.js';
import { TrustedMetadataSet } from '../client/trusted-metadata.js';

export interface CheckInReply extends MetadataBundle {
  assignment: { id: number; targetPath: string; action: string; length: number; sha256: string } | null;
  pollIntervalS: number;
}

/**
 * A minimal car for server tests and benchmarks: verifies metadata with the client library, downloads
 * and verifies the assigned bundle, and "installs" it by moving slots in memory. The real agent, with
 * disk slots, acceptance tests and crash safety, lives in vehicle-service.
 */
export class SimulatedCar {
  trusted: TrustedMetadataSet;
  installed: Record<string, InstalledModel> = {};
  lastError: string | undefined;

  constructor(
    readonly app: FastifyInstance<any, any, any, any, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
    readonly id: string,
    readonly hardwareId: string,
    readonly token: string,
    rootJson: string,
    readonly now: () => number,
    readonly serviceVersion = '0.1.0',
  ) {
    this.trusted = new TrustedMetadataSet(rootJson, { now });
  }

  private headers() { return { authorization: `Bearer ${this.token}` }; }

  async checkIn(): Promise<CheckInReply> {
    const res = await this.app.inject({
      method: 'POST', url: '/api/v1/vehicle/check-in', headers: this.headers(),
      payload: {
        serviceVersion: this.serviceVersion, rootVersion: this.trusted.root.version,
        installed: Object.fromEntries(Object.entries(this.installed).map(([k, v]) => [k, { version: v.version, sha256: v.sha256 }])),
      },
    });
    if (res.statusCode !== 200) throw new Error(`check-in ${res.statusCode}: ${res.body}`);
    return res.json() as CheckInReply;
  }

  /** Verifies a check-in's metadata; returns the resolved assignments (throws the refusal reason). */
  verify(reply: CheckInReply): ResolvedAssignment[] {
    const next = applyMetadata(this.trusted, reply, this.id, this.now);
    const resolved = resolveAssignments(next, { vehicleId: this.id, hardwareId: this.hardwareId, serviceVersion: this.serviceVersion, installed: this.installed });
    this.trusted = next;
    return resolved;
  }

  async report(assignmentId: number | undefined, step: string, reason?: string): Promise<number> {
    const res = await this.app.inject({ method: 'POST', url: '/api/v1/vehicle/reports', headers: this.headers(), payload: { assignmentId, step, reason } });
    return res.statusCode;
  }

  /** One full cycle: check in, verify, download, verify bytes, install, report. `fail` makes it report failure. */
  async update(opts: { fail?: string } = {}): Promise<'idle' | 'installed' | 'failed' | 'up-to-date'> {
    const reply = await this.checkIn();
    let resolved: ResolvedAssignment[];
    try {
      resolved = this.verify(reply);
    } catch (err) {
      this.lastError = (err as Error).message;
      if (reply.assignment) await this.report(reply.assignment.id, 'failed', this.lastError);
      return 'failed';
    }
    const a = resolved[0];
    if (!a || !reply.assignment) return 'idle';
    if (a.upToDate) return 'up-to-date';
    const id = a.director.assignmentId;
    await this.report(id, 'downloading');
    const res = await this.app.inject({ method: 'GET', url: `/api/v1/vehicle/bundles/${a.targetPath}`, headers: this.headers() });
    try {
      if (res.statusCode !== 200) throw new Error(`download ${res.statusCode}`);
      await verifyTargetStream([res.rawPayload], a.targetPath, a.target);
    } catch (err) {
      this.lastError = (err as Error).message;
      await this.report(id, 'failed', this.lastError);
      return 'failed';
    }
    await this.report(id, 'verified');
    await this.report(id, 'installed');
    if (opts.fail) {
      await this.report(id, 'failed', opts.fail);
      return 'failed';
    }
    const current = this.installed[a.release.name];
    this.installed[a.release.name] = {
      version: a.release.version,
      sha256: a.target.hashes.sha256,
      previous: a.director.action === 'rollback' ? undefined : current ? { version: current.version, sha256: current.sha256 } : undefined,
    };
    await this.report(id, 'active');
    return 'installed';
  }
}
