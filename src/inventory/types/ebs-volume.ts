import { EC2Client, paginateDescribeVolumes, type Volume } from "@aws-sdk/client-ec2";
import { collect, defineResourceType, details, ec2Arn, tagged } from "../resource-type.js";

/** EBS volumes: inside the instance they are attached to, else in the region. */
export const ebsVolume = defineResourceType<Volume>({
  type: "ec2.volume",
  title: "EBS volume",
  sdkService: "ec2",
  global: false,
  iamActions: ["ec2:DescribeVolumes"],
  async items(context, scope) {
    const client = context.client(EC2Client);
    const volumes = await collect(paginateDescribeVolumes({ client }, {}), (p) => p.Volumes);
    return volumes.map((raw) => ({ arn: ec2Arn(scope, "volume", raw.VolumeId ?? ""), raw }));
  },
  parent: (v, scope) => {
    const instanceId = v.Attachments?.[0]?.InstanceId;
    return instanceId === undefined ? null : ec2Arn(scope, "instance", instanceId);
  },
  attributes: (v) =>
    tagged(v.Tags, {
      ...(v.State === undefined ? {} : { state: v.State }),
      details: details({
        volumeType: v.VolumeType,
        sizeGiB: v.Size,
        iops: v.Iops,
        availabilityZone: v.AvailabilityZone,
        encrypted: v.Encrypted,
      }),
    }),
});
