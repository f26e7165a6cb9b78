import { escapeXml, escapeXmlAttribute, formatJunit } from "../../src/report/junit";
import { finding, mixedReport, report } from "./sample";

describe("junit report", () => {
  it("has one testsuite per file: findings fail, input errors error, suppressed findings skip", () => {
    expect(formatJunit(mixedReport())).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<!-- 3 findings (1 critical, 1 high, 1 medium, 0 low, 0 info) in 3 files, 1 suppressed, 1 error -->
<testsuites name="parapet" tests="5" failures="3" errors="1" skipped="1" time="0">
  <testsuite name="templates/api.json" id="0" tests="2" failures="1" errors="0" skipped="1" time="0">
    <testcase name="sg-ingress-open-to-world WebSg" classname="templates/api.json" file="templates/api.json" line="4" time="0">
      <failure message="sg-ingress-open-to-world: Port 3389 open" type="critical">templates/api.json:4:3  critical  sg-ingress-open-to-world
Port 3389 open
resource: AWS::EC2::SecurityGroupIngress WebSg
pointer: /Resources/WebSg/Properties/SecurityGroupIngress/0
cfn_nag: W2
evidence: properties.CidrIp publicCidr [&quot;0.0.0.0/0&quot;]</failure>
    </testcase>
    <testcase name="sg-ingress-open-to-world LbSg" classname="templates/api.json" file="templates/api.json" line="40" time="0">
      <skipped message="suppressed by templates/api.json:12:7: public web server"/>
    </testcase>
  </testsuite>
  <testsuite name="templates/broken.yaml" id="1" tests="1" failures="0" errors="1" skipped="0" time="0">
    <testcase name="input could not be processed" classname="templates/broken.yaml" file="templates/broken.yaml" line="3" time="0">
      <error message="bad indentation of a mapping entry" type="InputError">templates/broken.yaml:3:7</error>
    </testcase>
  </testsuite>
  <testsuite name="templates/web.yaml" id="2" tests="2" failures="2" errors="0" skipped="0" time="0">
    <testcase name="sg-ingress-open-to-world WebSg" classname="templates/web.yaml" file="templates/web.yaml" line="12" time="0">
      <failure message="sg-ingress-open-to-world: Security group ingress allows 0.0.0.0/0 on port 22" type="high">templates/web.yaml:12:9  high  sg-ingress-open-to-world
Security group ingress allows 0.0.0.0/0 on port 22
resource: AWS::EC2::SecurityGroupIngress WebSg
pointer: /Resources/WebSg/Properties/SecurityGroupIngress/0
cfn_nag: W2
evidence: properties.CidrIp publicCidr [&quot;0.0.0.0/0&quot;]</failure>
    </testcase>
    <testcase name="s3-bucket-encryption Logs" classname="templates/web.yaml" file="templates/web.yaml" line="30" time="0">
      <failure message="s3-bucket-encryption: Bucket Logs has no encryption" type="medium">templates/web.yaml:30:5  medium  s3-bucket-encryption
Bucket Logs has no encryption
resource: AWS::S3::Bucket Logs
pointer: /Resources/WebSg/Properties/SecurityGroupIngress/0
evidence: properties.CidrIp publicCidr [&quot;0.0.0.0/0&quot;]</failure>
    </testcase>
  </testsuite>
</testsuites>
`);
  });

  it("gives a clean run one passing test case so CI does not call the report empty", () => {
    expect(formatJunit(report({ filesScanned: 2 }))).toBe(`<?xml version="1.0" encoding="UTF-8"?>
<!-- 0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info) in 2 files, 0 suppressed -->
<testsuites name="parapet" tests="1" failures="0" errors="0" skipped="0" time="0">
  <testsuite name="parapet" id="0" tests="1" failures="0" errors="0" skipped="0" time="0">
    <testcase name="0 findings (0 critical, 0 high, 0 medium, 0 low, 0 info) in 2 files, 0 suppressed" classname="parapet" file="parapet" time="0"/>
  </testsuite>
</testsuites>
`);
  });

  it("escapes markup and replaces characters XML cannot carry", () => {
    expect(escapeXml(`<a href="x">&'\n\u0001\ud800`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&apos;\n\ufffd\ufffd");
    expect(escapeXmlAttribute("a\nb\tc\rd")).toBe("a&#10;b&#9;c&#13;d");
    expect(escapeXml("🚀 ü")).toBe("🚀 ü");
    const out = formatJunit(report({ findings: [finding({ file: 'a&b<"c">.yaml', message: "]]> \u0000 </failure>", line: undefined, column: undefined, location: { file: "x&.yaml", pointer: "" } })] }));
    expect(out).toContain('<testsuite name="x&amp;.yaml"');
    expect(out).not.toContain("</failure></failure>");
    expect(out).toContain("]]&gt; \ufffd &lt;/failure&gt;");
    expect(out).not.toMatch(/line="/);
    // Every tag opened is closed: a cheap well-formedness check without an XML parser.
    const opened = (out.match(/<(testsuites|testsuite|testcase|failure)[ >]/g) ?? []).length;
    const closed = (out.match(/<\/(testsuites|testsuite|testcase|failure)>/g) ?? []).length;
    expect(opened).toBe(closed);
  });
});
