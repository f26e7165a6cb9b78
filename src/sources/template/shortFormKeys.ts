/** CloudFormation's YAML short forms and the long-form key each stands for (`!Ref` -> `Ref`). */

/** Short-form tag -> long-form key. Covers intrinsics, condition functions and rule functions. */
export const SHORT_FORM_KEYS: ReadonlyMap<string, string> = new Map([
  ["!Ref", "Ref"],
  ["!Condition", "Condition"],
  ...[
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "ToJsonString",
    "Length",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "Contains",
    "EachMemberEquals",
    "EachMemberIn",
    "RefAll",
    "ValueOf",
    "ValueOfAll",
  ].map((name): [string, string] => [`!${name}`, `Fn::${name}`]),
]);
