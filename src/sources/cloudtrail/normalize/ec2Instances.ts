/** RunInstances → one `AWS::EC2::Instance` per launched instance. */
import { ownGet } from "../../../util/objects";
import { cfnTags, defined, mergeTags, num, objectsOf, str, tagsFromSpecifications, text } from "./shapes";
import type { NormalizerEntry } from "./types";

export const ec2InstanceNormalizers: NormalizerEntry[] = [
  {
    eventSource: "ec2.amazonaws.com",
    eventName: "RunInstances",
    normalize({ requestParameters, responseElements }, sink) {
      const requestedTags = tagsFromSpecifications(requestParameters, "instance");
      const keyName = text(ownGet(objectsOf(ownGet(requestParameters, "instancesSet"))[0], "keyName"));
      for (const instance of objectsOf(ownGet(responseElements, "instancesSet"))) {
        const id = text(instance.instanceId);
        if (id === undefined) continue;
        // Launch templates apply tags the request never names; the response's tagSet shows them.
        const tags = mergeTags(requestedTags, cfnTags(instance.tagSet));
        const metadata = ownGet(instance, "metadataOptions");
        sink.emit(
          "AWS::EC2::Instance",
          id,
          defined({
            ImageId: str(instance.imageId),
            InstanceType: str(instance.instanceType),
            KeyName: text(instance.keyName) ?? keyName,
            SubnetId: str(instance.subnetId),
            PrivateIpAddress: str(instance.privateIpAddress),
            AvailabilityZone: str(ownGet(instance.placement, "availabilityZone")),
            SecurityGroupIds: objectsOf(instance.groupSet)
              .map((g) => str(g.groupId))
              .filter((g): g is string => g !== undefined),
            IamInstanceProfile: str(ownGet(instance.iamInstanceProfile, "arn")),
            MetadataOptions:
              metadata === undefined
                ? undefined
                : defined({
                    HttpTokens: str(ownGet(metadata, "httpTokens")),
                    HttpEndpoint: str(ownGet(metadata, "httpEndpoint")),
                    HttpPutResponseHopLimit: num(ownGet(metadata, "httpPutResponseHopLimit")),
                  }),
            Tags: tags,
          }),
        );
      }
    },
  },
];
