/**
 * The AWS SDK clients parapet uses, as one entry point: `npm run build` bundles this module on its own
 * (`dist/aws-sdk.js`) and points every `@aws-sdk/client-*` import of the CLI here, so `lint` never
 * parses the SDK and `scan`/`flows` evaluate only the client they ask for (each getter requires its
 * client on first use). Add a client here and to `AWS_CLIENTS` in scripts/build.js.
 */
export = {
  get ec2(): typeof import("@aws-sdk/client-ec2") {
    return require("@aws-sdk/client-ec2") as typeof import("@aws-sdk/client-ec2");
  },
  get s3(): typeof import("@aws-sdk/client-s3") {
    return require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
  },
  get sns(): typeof import("@aws-sdk/client-sns") {
    return require("@aws-sdk/client-sns") as typeof import("@aws-sdk/client-sns");
  },
};
