/**
 * All normalizers, indexed by eventSource then eventName in Maps: a record nobody handles costs two
 * Map lookups, and names like `__proto__` or `constructor` can never reach an object prototype.
 */
import { ec2InstanceNormalizers } from "./ec2Instances";
import { ec2TagNormalizers } from "./ec2Tags";
import { iamNormalizers } from "./iam";
import { securityGroupNormalizers } from "./securityGroups";
import { signinNormalizers } from "./signin";
import type { Normalizer, NormalizerEntry } from "./types";

export const ALL_NORMALIZERS: readonly NormalizerEntry[] = [
  ...ec2InstanceNormalizers,
  ...ec2TagNormalizers,
  ...securityGroupNormalizers,
  ...iamNormalizers,
  ...signinNormalizers,
];

export class NormalizerRegistry {
  private readonly bySource = new Map<string, Map<string, Normalizer>>();

  constructor(entries: Iterable<NormalizerEntry>) {
    for (const { eventSource, eventName, normalize } of entries) {
      let byName = this.bySource.get(eventSource);
      if (byName === undefined) this.bySource.set(eventSource, (byName = new Map()));
      if (byName.has(eventName)) throw new Error(`two normalizers for ${eventSource} ${eventName}`);
      byName.set(eventName, normalize);
    }
  }

  get(eventSource: string, eventName: string): Normalizer | undefined {
    return this.bySource.get(eventSource)?.get(eventName);
  }

  /** `eventSource eventName` pairs with a normalizer, for docs and tests. */
  handled(): string[] {
    const out: string[] = [];
    for (const [source, names] of this.bySource) for (const name of names.keys()) out.push(`${source} ${name}`);
    return out.sort();
  }
}

export const defaultRegistry = new NormalizerRegistry(ALL_NORMALIZERS);
