import { classifyLogKey } from "../../../src/sources/cloudtrail";

const LOG = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/111122223333_CloudTrail_us-east-1_20240801T1225Z_Mu0KsOhtH1ar15ZZ.json.gz";
const ORG_LOG =
  "AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/eu-west-1/2024/08/01/444455556666_CloudTrail_eu-west-1_20240801T1225Z_p9QeRt5sUvWxYz01.json.gz";

describe("classifyLogKey", () => {
  test.each([
    [LOG, true],
    [ORG_LOG, true],
    ["prefix/deeper/" + LOG, true],
    ["manual-upload/trail.json.gz", true],
    ["AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/08/01/x.json.gz", false],
    ["AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/08/01/x.json.gz", false],
    ["AWSLogs/111122223333/vpcflowlogs/us-east-1/2024/08/01/x.log.gz", false],
    ["AWSLogs/111122223333/CloudTrail/us-east-1/2024/08/01/x.json", false],
    ["AWSLogs/111122223333/CloudTrail/", false],
  ])("%s → %s", (key, ok) => {
    expect(classifyLogKey(key).ok).toBe(ok);
  });

  test("organization trail keys expose organization, account and region", () => {
    expect(classifyLogKey(ORG_LOG)).toEqual({ ok: true, organizationId: "o-a1b2c3d4e5", accountId: "444455556666", region: "eu-west-1" });
  });
});
