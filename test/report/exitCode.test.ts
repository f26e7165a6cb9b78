import { SEVERITIES } from "../../src/engine/model";
import { exitCodeFor } from "../../src/report/exitCode";
import { finding } from "./sample";

describe("exitCodeFor", () => {
  it("is 0 without findings, whatever the threshold", () => {
    for (const s of [...SEVERITIES, "none" as const]) expect(exitCodeFor([], s)).toBe(0);
  });

  it("is 1 only when a finding is at or above the threshold", () => {
    const findings = [finding({ severity: "medium" })];
    expect(exitCodeFor(findings, "critical")).toBe(0);
    expect(exitCodeFor(findings, "high")).toBe(0);
    expect(exitCodeFor(findings, "medium")).toBe(1);
    expect(exitCodeFor(findings, "info")).toBe(1);
    expect(exitCodeFor(findings, "none")).toBe(0);
  });

  it("never returns a count (256 findings must not wrap to a passing status)", () => {
    const many = Array.from({ length: 256 }, () => finding({ severity: "low" }));
    expect(exitCodeFor(many, "low")).toBe(1);
  });
});
