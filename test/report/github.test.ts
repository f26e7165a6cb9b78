import { escapeData, escapeProperty, formatGithub } from "../../src/report/github";
import { finding, mixedReport, report } from "./sample";

describe("github annotations", () => {
  it("emits one workflow command per finding and error", () => {
    expect(formatGithub(mixedReport())).toBe(
      [
        "::error file=templates/api.json,line=4,col=3,title=sg-ingress-open-to-world (W2) Security group ingress open to the world::Port 3389 open [critical, AWS::EC2::SecurityGroupIngress WebSg]",
        "::error file=templates/web.yaml,line=12,col=9,title=sg-ingress-open-to-world (W2) Security group ingress open to the world::Security group ingress allows 0.0.0.0/0 on port 22 [high, AWS::EC2::SecurityGroupIngress WebSg]",
        "::warning file=templates/web.yaml,line=30,col=5,title=s3-bucket-encryption S3 bucket without default encryption::Bucket Logs has no encryption [medium, AWS::S3::Bucket Logs]",
        "::error file=templates/broken.yaml,line=3,col=7,title=parapet could not process this input::bad indentation of a mapping entry",
        "3 findings (1 critical, 1 high, 1 medium, 0 low, 0 info) in 3 files, 1 suppressed, 1 error",
        "",
      ].join("\n"),
    );
  });

  it("escapes per the Actions rules", () => {
    expect(escapeData("50% done\r\nnext: a,b")).toBe("50%25 done%0D%0Anext: a,b");
    expect(escapeProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A");
    const out = formatGithub(report({ findings: [finding({ file: "dir,x/a:b.yaml", severity: "low", title: "T: x", message: "line1\nline2 100%" })] }));
    expect(out).toBe(
      "::notice file=dir%2Cx/a%3Ab.yaml,line=12,col=9,title=sg-ingress-open-to-world (W2) T%3A x::line1%0Aline2 100%25 [low, AWS::EC2::SecurityGroupIngress WebSg]\n" +
        "1 finding (0 critical, 0 high, 0 medium, 1 low, 0 info) in 3 files, 0 suppressed\n",
    );
  });

  it("leaves out line and col when unknown, and prints only the summary for a clean run", () => {
    const out = formatGithub(report({ findings: [finding({ severity: "info", line: undefined, column: undefined, location: { file: "t.json", pointer: "" } })] }));
    expect(out.startsWith("::notice file=t.json,title=")).toBe(true);
    expect(formatGithub(report())).toBe("0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info) in 3 files, 0 suppressed\n");
  });

  it("names files from the repository root, so annotations land when parapet runs in a subdirectory", () => {
    const sourceRoot = { dir: "/repo", cwd: "/repo/infra" };
    const out = formatGithub(
      report({ findings: [finding({ file: "stacks/web.yaml" }), finding({ file: "/elsewhere/t.yaml" })], errors: [{ file: "broken.yaml", message: "bad" }] }),
      { sourceRoot },
    );
    expect(out).toContain("::error file=infra/stacks/web.yaml,line=12,col=9,title=sg-ingress-open-to-world (W2) ");
    expect(out).toContain("::error file=/elsewhere/t.yaml,line=12,");
    expect(out).toContain("::error file=infra/broken.yaml,title=parapet could not process this input::bad");
  });
});
