/**
 * The EC2 stub is only worth its tests if it speaks EC2's wire format: every reply here is parsed by
 * the real SDK client and compared with the `aws ec2 describe-*` JSON it was made from, so an element
 * named wrongly (which the SDK drops without a word) fails here rather than hiding in a CLI test.
 */
import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeTagsCommand,
  EC2Client,
  paginateDescribeNetworkInterfaces,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { ec2ResponseXml, sampleInventory, startEc2Server, type Ec2TestServer } from "./ec2Server";

let server: Ec2TestServer;
beforeAll(async () => {
  server = await startEc2Server();
});
afterAll(() => server?.stop());
beforeEach(() => {
  server.reset();
  server.setPageSize(undefined);
});

const inventory = sampleInventory();
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** JSON as the SDK returns it: timestamps as instants (the CLI's JSON writes them with an offset). */
function asSdkValues(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string" && ISO_TIME.test(value)) return new Date(value).toISOString();
  if (Array.isArray(value)) return value.map(asSdkValues);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asSdkValues(v)]));
  return value;
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => error,
  );
}

describe("replies the SDK reads back into the inventory", () => {
  it("DescribeNetworkInterfaces: every field of every interface survives the round trip", async () => {
    const reply = await server.ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(asSdkValues(reply.NetworkInterfaces)).toEqual(asSdkValues(inventory.networkInterfaces));
    expect(reply.NetworkInterfaces!.find((e) => e.Attachment?.AttachTime)!.Attachment!.AttachTime).toBeInstanceOf(Date);
  });

  it("DescribeInstances: reservations, instances, their tags and the renamed members (instanceState, ipAddress, groupSet)", async () => {
    const reply = await server.ec2.send(new DescribeInstancesCommand({}));
    expect(asSdkValues(reply.Reservations)).toEqual(asSdkValues(inventory.reservations));
    expect(reply.Reservations![0]!.Instances![0]).toMatchObject({ PublicIpAddress: "52.5.10.20", State: { Name: "running" } });
  });

  it("DescribeTags: each instance tag as a TagDescription", async () => {
    const reply = await server.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-type", Values: ["instance"] }] }));
    const expected = inventory.reservations.flatMap((r) =>
      (r.Instances as { InstanceId: string; Tags?: { Key: string; Value: string }[] }[]).flatMap((i) =>
        (i.Tags ?? []).map((t) => ({ ResourceId: i.InstanceId, ResourceType: "instance", Key: t.Key, Value: t.Value })),
      ),
    );
    expect(expected).toHaveLength(5);
    expect(reply.Tags).toEqual(expected);
  });

  it("escapes text and refuses a list it has no EC2 element name for", () => {
    expect(ec2ResponseXml("DescribeTags", { Tags: [{ Key: "a<b", Value: "x & 'y'" }] }, "r")).toContain("<tagSet><item><key>a&lt;b</key><value>x &amp; &apos;y&apos;</value></item></tagSet>");
    expect(() => ec2ResponseXml("DescribeThings", { Things: [] })).toThrow("no EC2 element name known for the list .Things");
  });
});

describe("the requests parapet sends", () => {
  const ids = (enis: NetworkInterface[] | undefined) => (enis ?? []).map((e) => e.NetworkInterfaceId);

  it("filters interfaces by id and by private address, and records each call's parameters and signer", async () => {
    const byId = await server.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "network-interface-id", Values: ["eni-0a1b2c3d4e5f60002", "eni-0a1b2c3d4e5f60404"] }], MaxResults: 1000 }),
    );
    expect(ids(byId.NetworkInterfaces)).toEqual(["eni-0a1b2c3d4e5f60002"]);
    const byAddress = await server.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "addresses.private-ip-address", Values: ["10.0.2.40", "10.0.3.30", "10.9.9.9"] }] }));
    expect(ids(byAddress.NetworkInterfaces)).toEqual(["eni-0a1b2c3d4e5f60003", "eni-0a1b2c3d4e5f60004"]);
    expect(server.calls).toEqual([
      expect.objectContaining({
        action: "DescribeNetworkInterfaces",
        filters: { "network-interface-id": ["eni-0a1b2c3d4e5f60002", "eni-0a1b2c3d4e5f60404"] },
        maxResults: 1000,
        accessKeyId: "test",
        region: "us-east-1",
        outcome: "ok",
        items: 1,
      }),
      expect.objectContaining({ filters: { "addresses.private-ip-address": ["10.0.2.40", "10.0.3.30", "10.9.9.9"] }, maxResults: undefined, items: 2 }),
    ]);
  });

  it("ANDs filters, ORs values, and takes EC2's wildcards and tag filters", async () => {
    const reply = await server.ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "vpc-id", Values: ["vpc-0f1e2d3c4b5a69780"] }, { Name: "availability-zone", Values: ["us-east-1?"] }, { Name: "tag:environment", Values: ["prod*"] }] }),
    );
    expect(ids(reply.NetworkInterfaces)).toEqual(["eni-0a1b2c3d4e5f60004"]);
    const tags = await server.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: "resource-type", Values: ["instance"] }, { Name: "resource-id", Values: ["i-0a1b2c3d4e5f60001"] }] }));
    expect(tags.Tags).toEqual([]);
  });

  it("answers EC2's errors for an unknown filter, an unknown id, and MaxResults with ids or out of range", async () => {
    const unknownFilter = await failure(server.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "colour", Values: ["red"] }] })));
    expect([unknownFilter.name, unknownFilter.message, unknownFilter.$metadata.httpStatusCode]).toEqual(["InvalidParameterValue", "The filter 'colour' is invalid", 400]);
    const unknownId = await failure(server.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0a1b2c3d4e5f60001", "eni-404"] })));
    expect([unknownId.name, unknownId.message]).toEqual(["InvalidNetworkInterfaceID.NotFound", "The networkInterface ID 'eni-404' does not exist"]);
    const combined = await failure(server.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0a1b2c3d4e5f60001"], MaxResults: 5 })));
    expect(combined.name).toBe("InvalidParameterCombination");
    const tooSmall = await failure(server.ec2.send(new DescribeTagsCommand({ MaxResults: 4 })));
    expect(tooSmall.name).toBe("InvalidParameterValue");
    const byIds = await server.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0a1b2c3d4e5f60005", "eni-0a1b2c3d4e5f60001"] }));
    expect(ids(byIds.NetworkInterfaces)).toEqual(["eni-0a1b2c3d4e5f60005", "eni-0a1b2c3d4e5f60001"]);
  });

  it("refuses an unsigned request, as EC2 does", async () => {
    const response = await fetch(server.endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "Action=DescribeTags&Version=2016-11-15",
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toMatch(/<Response><Errors><Error><Code>MissingAuthenticationToken<\/Code>.*<RequestID>[0-9a-f-]+<\/RequestID><\/Response>$/);
  });
});

describe("pagination", () => {
  it("splits results into pages no larger than pageSize, each continuing the query its token names", async () => {
    server.setPageSize(2);
    const pages: string[][] = [];
    for await (const page of paginateDescribeNetworkInterfaces({ client: server.ec2 }, { Filters: [{ Name: "owner-id", Values: ["123456789012"] }], MaxResults: 1000 })) {
      pages.push((page.NetworkInterfaces ?? []).map((e) => e.NetworkInterfaceId!));
    }
    expect(pages).toEqual([
      ["eni-0a1b2c3d4e5f60001", "eni-0a1b2c3d4e5f60002"],
      ["eni-0a1b2c3d4e5f60003", "eni-0a1b2c3d4e5f60004"],
      ["eni-0a1b2c3d4e5f60005", "eni-0a1b2c3d4e5f60006"],
    ]);
    const calls = server.callsOf("DescribeNetworkInterfaces");
    expect(calls.map((c) => c.nextToken === undefined)).toEqual([true, false, false]);
    // Each request carries the filters again, with the token of the page before.
    expect(new Set(calls.map((c) => JSON.stringify(c.filters))).size).toBe(1);
  });

  it("answers everything at once without MaxResults, and refuses a token used for another query", async () => {
    server.setPageSize(1);
    // 5 instance tags and 3 of an interface.
    expect((await server.ec2.send(new DescribeTagsCommand({}))).Tags).toHaveLength(8);
    const first = await server.ec2.send(new DescribeTagsCommand({ MaxResults: 5 }));
    expect([first.Tags?.length, typeof first.NextToken]).toEqual([1, "string"]);
    const other = await failure(server.ec2.send(new DescribeTagsCommand({ MaxResults: 5, NextToken: first.NextToken, Filters: [{ Name: "key", Values: ["owner"] }] })));
    expect(other.name).toBe("InvalidPaginationToken");
  });
});

describe("throttling", () => {
  it("answers the next n calls of an action with 503 RequestLimitExceeded, which the SDK retries as throttling", async () => {
    server.throttle("DescribeTags", 1);
    const limited = await failure(server.ec2.send(new DescribeTagsCommand({})));
    expect([limited.name, limited.message, limited.$metadata.httpStatusCode]).toEqual(["RequestLimitExceeded", "Request limit exceeded.", 503]);
    expect((await server.ec2.send(new DescribeInstancesCommand({}))).Reservations).toHaveLength(2);

    server.throttle("DescribeTags", 1);
    const retrying = new EC2Client({ ...server.clientConfig, maxAttempts: 2 });
    try {
      const reply = await retrying.send(new DescribeTagsCommand({}));
      expect([reply.Tags?.length, reply.$metadata.attempts]).toEqual([8, 2]);
    } finally {
      retrying.destroy();
    }
    expect(server.calls.map((c) => `${c.action} ${c.outcome}`)).toEqual([
      "DescribeTags RequestLimitExceeded",
      "DescribeInstances ok",
      "DescribeTags RequestLimitExceeded",
      "DescribeTags ok",
    ]);
  });
});
