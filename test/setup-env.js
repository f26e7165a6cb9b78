// The AWS SDK warns once per process about Node 20; tests need quiet output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
