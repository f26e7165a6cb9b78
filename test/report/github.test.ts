import { escapeData, escapeProperty, formatGithub } from "../../src/report/github";
import { finding, mixedReport, report } from "./sample";

describe("github annotations", () => {
  it("emits one workflow command per finding and error", () => {
    expect(formatGithub(mixedReport())).toBe(
      [
        "::error file=templates/api.json,line=4,col=3,title=sg-ingress-open-to-world Security group ingress open to the world::Port 3389 open [critical, AWS::EC2::SecurityGroupIngress WebSg]",
        "::error file=templates/web.yaml,line=12,col=9,title=sg-ingress-open-to-world Security group ingress open to the world::Security group ingress allows 0.0.0.0/0 on port 22 [high, AWS::EC2::SecurityGroupIngress WebSg]",
        "::warning file=templates/web.yaml,line=30,col=5,title=s3-bucket-encryption S3 bucket without default encryption::Bucket Logs has no encryption [medium, AWS::S3::Bucket Logs]",
        "::error file=templates/broken.yaml,line=3,col=7,title=parapet could not process this input::bad indentation of a mapping entry",
        "",
      ].join("\n"),
    );
  });

  it("escapes per the Actions rules", () => {
    expect(escapeData("50% done\r\nnext: a,b")).toBe("50%25 done%0D%0Anext: a,b");
    expect(escapeProperty("a:b,c%\n")).toBe("a%3Ab%2Cc%25%0A");
    const out = formatGithub(report({ findings: [finding({ file: "dir,x/a:b.yaml", severity: "low", title: "T: x", message: "line1\nline2 100%" })] }));
    expect(out).toBe(
      "::notice file=dir%2Cx/a%3Ab.yaml,line=12,col=9,title=sg-ingress-open-to-world T%3A x::line1%0Aline2 100%25 [low, AWS::EC2::SecurityGroupIngress WebSg]\n",
    );
  });

  it("leaves out line and col when unknown, and prints nothing for a clean run", () => {
    const out = formatGithub(report({ findings: [finding({ severity: "info", line: undefined, column: undefined, location: { file: "t.json", pointer: "" } })] }));
    expect(out.startsWith("::notice file=t.json,title=")).toBe(true);
    expect(formatGithub(report())).toBe("");
  });
});
