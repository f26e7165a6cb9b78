import { Command } from "commander";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { CONFIG_FILE_NAMES, findConfigFile } from "../../engine/configFile";
import { UserError } from "../../util/errors";

/**
 * `parapet init`: a commented starter `.parapet.yaml` for a repository. Which tags are required, when
 * the team works and which ports may be public are the team's policy, so the starter changes nothing
 * until it is edited (it loads to exactly parapet's defaults); each key is explained, with an example
 * to uncomment.
 */
export const STARTER_FILE = CONFIG_FILE_NAMES[0];

/** One key of the starter: why it exists, its neutral value, and an example of a team's choice. */
export interface StarterSection {
  comment: string[];
  /** YAML written as is: parapet's default for the key. */
  active: string;
  /** YAML written commented out: what a team might write instead (tests load it). */
  example?: string;
}

export const STARTER_SECTIONS: readonly StarterSection[] = [
  {
    comment: [
      "Tags every resource of a type in tagging.resourceTypes must carry (the required-tags rule), each",
      "with allowed values or a pattern; tagging.byType adds tags for one type. None by default: the",
      "rule is silent until you list your tags.",
    ],
    active: "tagging:\n  required: []",
    example: [
      "tagging:",
      "  required:",
      "    - key: owner",
      "    - key: environment",
      "      allowedValues: [production, staging, development, test]",
      "  byType:",
      "    AWS::RDS::DBInstance:",
      "      - key: data-classification",
      '        pattern: "^(public|internal|confidential)$"',
    ].join("\n"),
  },
  {
    comment: [
      "Business hours, for the off-hours rule (an IAM change outside them raises a CloudTrail alert).",
      "No time zone by default: the rule is silent until you set yours (an IANA name). Set it here or,",
      "in a Lambda deployment, with the TimeZone parameter (PARAPET_TIME_ZONE).",
    ],
    active: ['businessHours:', "  timeZone: null", "  days: [Mon, Tue, Wed, Thu, Fri]", '  start: "08:00"', '  end: "18:00"', "  holidays: []"].join("\n"),
    example: ['businessHours:', "  timeZone: Europe/London", "  days: [Mon, Tue, Wed, Thu, Fri]", '  start: "08:00"', '  end: "18:00"', '  holidays: ["2026-12-25", "2026-12-28"]'].join("\n"),
  },
  {
    comment: [
      "Ports that may be open to the whole internet (0.0.0.0/0, ::/0): security groups opening any other",
      "port raise sg-internet-ingress-port-not-allowed. Protocols: tcp, udp, icmp, icmpv6, -1 (all).",
    ],
    active: ["network:", "  allowedPublicPorts:", "    - { protocol: tcp, from: 80, to: 80 }", "    - { protocol: tcp, from: 443, to: 443 }"].join("\n"),
    example: ["network:", "  allowedPublicPorts:", "    - { protocol: tcp, from: 443, to: 443 }", "    - { protocol: udp, from: 51820, to: 51820 }"].join("\n"),
  },
  {
    comment: [
      "Accepted findings. Each names what it covers (rules: parapet or cfn_nag ids; resources: globs over",
      "resource ids; accounts; actors: globs over CloudTrail caller ARNs), says why, and may expire",
      "(YYYY-MM-DD): after that date the findings are reported again. A misspelled rule id is an error.",
    ],
    active: "exceptions: []",
    example: [
      "exceptions:",
      "  - rules: [s3-bucket-access-logging]",
      '    resources: ["AccessLogs*"]',
      "    reason: The access-log bucket cannot log to itself.",
      "  - rules: [sg-internet-ingress-port-not-allowed]",
      "    resources: [BastionSecurityGroup]",
      "    reason: SSH bastion until the move to Session Manager.",
      '    expires: "2026-09-30"',
    ].join("\n"),
  },
  {
    comment: [
      "Files `parapet lint` skips, in .gitignore syntax, relative to this file (added to --exclude).",
    ],
    active: "lint:\n  exclude: []",
    example: ["lint:", "  exclude:", "    - cdk.out/", '    - "**/*.assets.json"', "    - test/fixtures/"].join("\n"),
  },
  {
    comment: [
      "Rules to turn off, and severities to change (by parapet id; `parapet rules list` shows them all).",
      "Findings below minSeverity are dropped.",
    ],
    active: "rules:\n  disabled: []\n  severity: {}\nminSeverity: info",
    example: ["rules:", "  disabled: [root-user-activity]", "  severity:", "    s3-bucket-access-logging: low", "minSeverity: low"].join("\n"),
  },
];

/** The starter's text: a header, then each section's comment, its neutral value, and its example commented out. */
export function renderStarter(): string {
  const header = [
    "# yaml-language-server: $schema=node_modules/parapet/schemas/config.schema.json",
    "# parapet configuration for this repository, found by `parapet` in this directory and below it.",
    "# Everything here is parapet's default until you change it: required tags, business hours and",
    "# public ports are your team's policy. Lists replace the defaults, maps merge with them.",
    "# Reference: the Configuration section of parapet's README and schemas/config.schema.json.",
  ];
  const sections = STARTER_SECTIONS.map((section) => {
    const example = section.example ? ["# For example:", ...section.example.split("\n").map((line) => `# ${line}`)] : [];
    return [...section.comment.map((line) => `# ${line}`), section.active, ...example].join("\n");
  });
  return `${header.join("\n")}\n\n${sections.join("\n\n")}\n`;
}

export function initCommand(): Command {
  return new Command("init")
    .description(`write a commented starter ${STARTER_FILE} in the current directory (every key explained; it changes nothing until edited)`)
    .option("--force", `overwrite an existing ${STARTER_FILE}`)
    .action((opts: { force?: boolean }) => {
      const target = path.resolve(STARTER_FILE);
      // Another name in the same directory would make two configurations (discovery refuses that).
      const existing = findConfigFile(process.cwd());
      if (existing && path.dirname(existing) === process.cwd() && existing !== target) {
        throw new UserError(`${path.basename(existing)} already configures this directory; edit it instead`);
      }
      try {
        writeFileSync(target, renderStarter(), { flag: opts.force ? "w" : "wx" });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "EEXIST") throw new UserError(`${STARTER_FILE} already exists; use --force to overwrite it`);
        throw new UserError(`cannot write ${STARTER_FILE}: ${code ?? (err as Error).message}`);
      }
      process.stderr.write(`parapet: wrote ${STARTER_FILE}: set your required tags, business hours and public ports in it\n`);
    });
}
