import type { StandaloneValidator } from "./validators";
declare const validate: StandaloneValidator;
export = validate;
