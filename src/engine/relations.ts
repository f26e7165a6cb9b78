import type { Subject } from "./model";
import type { Selector } from "./selectors";
import { isObject } from "../util/objects";

/**
 * What a property value refers to: `{Ref: X}` → X, `{"Fn::GetAtt": [X, "Arn"]}` → X, a literal id or
 * name → itself. Lists contribute each element.
 */
export function referenceTargets(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) referenceTargets(v, out);
  else if (isObject(value)) {
    if (typeof value.Ref === "string") out.push(value.Ref);
    const getAtt = value["Fn::GetAtt"];
    if (Array.isArray(getAtt) && typeof getAtt[0] === "string") out.push(getAtt[0]);
    else if (typeof getAtt === "string") out.push(getAtt.split(".")[0]!);
  }
  return out;
}

/** Properties that name a resource: other resources may refer to it by this literal name. */
const NAME_PROPERTIES = ["BucketName", "UserName", "RoleName", "GroupName", "QueueName", "TopicName", "FunctionName"];

/** The names other subjects may use for this one: its id, logical id and literal physical name. */
export function subjectKeys(subject: Subject): string[] {
  const keys = [subject.id];
  if (subject.source === "template" && subject.context.template && subject.context.template.logicalId !== subject.id) {
    keys.push(subject.context.template.logicalId);
  }
  for (const name of NAME_PROPERTIES) {
    const value = subject.properties[name];
    if (typeof value === "string" && value !== subject.id) keys.push(value);
  }
  return keys;
}

/**
 * Indexes one evaluation's subjects so a rule's join is a map lookup, not a scan per rule. Built
 * lazily: an index for (type, selector) exists only once some rule asks for it.
 */
export class RelationIndex {
  private readonly byType = new Map<string, Subject[]>();
  private readonly referencing = new Map<string, Map<string, Subject[]>>();
  private readonly byKey = new Map<string, Map<string, Subject[]>>();

  constructor(subjects: Iterable<Subject>) {
    for (const s of subjects) {
      let list = this.byType.get(s.type);
      if (!list) this.byType.set(s.type, (list = []));
      list.push(s);
    }
  }

  /** Subjects of `type` whose `on` selector references any of `targets`. */
  referencingTo(type: string, on: string, select: Selector, targets: readonly string[]): Subject[] {
    const cacheKey = `${type}\0${on}`;
    let index = this.referencing.get(cacheKey);
    if (!index) {
      index = new Map();
      for (const s of this.byType.get(type) ?? []) {
        for (const target of new Set(select(s).flatMap((v) => referenceTargets(v)))) {
          let list = index.get(target);
          if (!list) index.set(target, (list = []));
          list.push(s);
        }
      }
      this.referencing.set(cacheKey, index);
    }
    return unique(targets.flatMap((t) => index!.get(t) ?? []));
  }

  /** Subjects of `type` known by any of `keys`. */
  withKeys(type: string, keys: readonly string[]): Subject[] {
    let index = this.byKey.get(type);
    if (!index) {
      index = new Map();
      for (const s of this.byType.get(type) ?? []) {
        for (const key of subjectKeys(s)) {
          let list = index.get(key);
          if (!list) index.set(key, (list = []));
          list.push(s);
        }
      }
      this.byKey.set(type, index);
    }
    return unique(keys.flatMap((k) => index!.get(k) ?? []));
  }
}

function unique<T>(list: T[]): T[] {
  return list.length < 2 ? list : [...new Set(list)];
}
