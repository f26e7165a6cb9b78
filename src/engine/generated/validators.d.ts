import type { ErrorObject } from "ajv";

/** Shape of an ajv standalone validator module. */
export interface StandaloneValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}
