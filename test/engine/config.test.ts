import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/engine/config";
import { UserError } from "../../src/util/errors";

function file(text: string): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), "parapet-config-")), "config.json");
  writeFileSync(p, text);
  return p;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error("expected an error");
}

describe("configuration", () => {
  it("defaults validate and are neutral: no required tags, no business hours until a team configures them", () => {
    const config = loadConfig(undefined, {});
    expect(config.minSeverity).toBe("info");
    expect(config.tagging.required).toEqual([]);
    expect(config.businessHours.timeZone).toBeNull();
  });

  it("merges a user file over the defaults (objects merge, lists replace)", () => {
    const config = loadConfig(file(JSON.stringify({ businessHours: { timeZone: "Asia/Tokyo" }, network: { allowedPublicPorts: [{ from: 443, to: 443 }] } })), {});
    expect(config.businessHours.timeZone).toBe("Asia/Tokyo");
    expect(config.businessHours.start).toBe("08:00");
    expect(config.network.allowedPublicPorts).toHaveLength(1);
  });

  it("environment variables override what a Lambda deployment sets", () => {
    const config = loadConfig(undefined, {
      PARAPET_ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:111122223333:alerts",
      PARAPET_MIN_SEVERITY: "high",
      PARAPET_DRY_RUN: "true",
      PARAPET_TIME_ZONE: "America/Chicago",
    });
    expect(config.alerts).toMatchObject({ topicArn: "arn:aws:sns:eu-west-1:111122223333:alerts", dryRun: true });
    expect(config.minSeverity).toBe("high");
    expect(config.businessHours.timeZone).toBe("America/Chicago");
    const fromEnvFile = loadConfig(undefined, { PARAPET_CONFIG: file('{"minSeverity": "low"}') });
    expect(fromEnvFile.minSeverity).toBe("low");
  });

  it.each([
    ['{"minSeverity": "urgent"}', 'minSeverity: must be one of "critical", "high", "medium", "low", "info"'],
    ['{"colour": 1}', 'unknown key "colour"'],
    ['{"businessHours": {"start": "8am"}}', "businessHours.start: must match pattern"],
    ['{"exceptions": [{"rules": ["x"]}]}', "exceptions.0: must have required property 'reason'"],
    ["{not json", "not valid JSON"],
    ["[]", "must be a JSON object"],
  ])("%s → one clear line", (text, expected) => {
    const message = errorOf(() => loadConfig(file(text), {}));
    expect(message).toContain(expected);
    expect(message.split("\n")).toHaveLength(1);
  });

  it("a missing file and a bad environment value are clear errors", () => {
    expect(errorOf(() => loadConfig("/nonexistent/config.json", {}))).toContain("cannot read configuration /nonexistent/config.json: ENOENT");
    expect(errorOf(() => loadConfig(undefined, { PARAPET_MIN_SEVERITY: "loud" }))).toContain("minSeverity");
  });

  it("__proto__ in a configuration file does nothing", () => {
    const config = loadConfig(file('{"tagging": {"required": [], "__proto__": {"polluted": true}}}'), {});
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(config.tagging.required).toEqual([]);
  });
});
