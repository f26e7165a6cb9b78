import type { StandaloneValidator } from "./validators";
declare const validate: StandaloneValidator & { schemaHash: string };
export = validate;
