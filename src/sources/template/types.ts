import type { Position, PositionedDocument } from "../../parse/document";
import type { Location, SubjectSuppression, TemplateContext } from "../../engine/model";
import type { JsonObject } from "../../util/objects";

/** A problem with one template file: it did not parse, is not a template, or part of it is malformed. */
export interface TemplateError {
  file: string;
  line?: number;
  column?: number;
  message: string;
  /**
   * `error` (the default when absent): the file, or the part named, could not be analysed.
   * `warning`: something was ignored that the author probably meant (e.g. a suppression without an id).
   */
  severity?: "error" | "warning";
}

/** Values for parameters and pseudo parameters, as given in a parameter-values file. */
export type ParameterValues = Record<string, string>;
/** Condition name -> value, as given in a condition-values file. */
export type ConditionValues = Record<string, boolean>;

export interface TemplateOptions {
  /**
   * Supplying this (even `{}`) switches parameter resolution on, as cfn_nag's parameter file does:
   * `Ref`s to parameters become the given value, else the parameter's Default; pseudo parameters get
   * synthetic defaults. Without it, `Ref`s to parameters stay unresolved objects.
   */
  parameterValues?: ParameterValues;
  /** Overrides for declared conditions; every declared condition is true otherwise. */
  conditionValues?: ConditionValues;
}

/** One entry of `Resources` that has a string `Type`. */
export interface TemplateResource {
  logicalId: string;
  type: string;
  /** Raw (unresolved) resource map. */
  raw: JsonObject;
  /** Position of the `Type` value: the line cfn_nag reports for the resource. */
  position: Position;
}

/** A template that parsed and has the minimum shape (a non-empty `Resources` map). */
export interface ParsedTemplate {
  file: string;
  root: JsonObject;
  doc: PositionedDocument;
  /** In template order; resources without a `Type` are left out (and reported as errors). */
  resources: TemplateResource[];
}

/** A resource with its properties resolved (§A2) and everything its subjects share. */
export interface ResolvedResource {
  logicalId: string;
  type: string;
  properties: JsonObject;
  /** Resolved property name -> key as written (they differ for `encrypted` vs `Encrypted`). */
  sourceKeys: Map<string, string>;
  suppressions: SubjectSuppression[];
  /** `/Resources/<id>`, at the line/column of its `Type` value (what cfn_nag reports). */
  location: Location;
  context: TemplateContext;
  /** Set on resources the SAM transform generated: the logical id of the `AWS::Serverless::Function`. */
  generatedFrom?: string;
}
