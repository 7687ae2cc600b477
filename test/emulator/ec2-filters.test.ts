import {
  DescribeInstancesCommand,
  DescribeRegionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVolumesCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Filter,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator, type WorldInput } from "../../emulator/index.js";
import { documentedEc2FilterNames } from "../../emulator/model/ec2-filter-names.js";
import { KEYS, MAIN, testWorld } from "./test-world.js";

// One item of each kind carries every field a documented filter looks at, written as the API
// returns it; a second, plain item must never match those values.
const INSTANCE = {
  InstanceId: "i-0f000000000000001",
  ImageId: "ami-0f000000000000001",
  InstanceType: "m7g.large",
  KernelId: "aki-00000001",
  RamdiskId: "ari-00000001",
  KeyName: "ops-key",
  AmiLaunchIndex: 0,
  LaunchTime: "2026-02-03T04:05:06Z",
  Architecture: "arm64",
  Hypervisor: "xen",
  VirtualizationType: "hvm",
  Platform: "windows",
  PlatformDetails: "Windows",
  UsageOperation: "RunInstances:0002",
  UsageOperationUpdateTime: "2026-02-03T04:05:06Z",
  BootMode: "uefi",
  CurrentInstanceBootMode: "uefi",
  TpmSupport: "v2.0",
  ClientToken: "token-1",
  CapacityReservationId: "cr-0001",
  CapacityReservationSpecification: {
    CapacityReservationPreference: "open",
    CapacityReservationTarget: {
      CapacityReservationId: "cr-0002",
      CapacityReservationResourceGroupArn: `arn:aws:resource-groups:us-east-1:${MAIN}:group/crg`,
    },
  },
  EbsOptimized: true,
  EnaSupport: true,
  EnclaveOptions: { Enabled: false },
  HibernationOptions: { Configured: false },
  IamInstanceProfile: {
    Arn: `arn:aws:iam::${MAIN}:instance-profile/web`,
    Id: "AIPA0000000000000001",
  },
  InstanceLifecycle: "spot",
  SpotInstanceRequestId: "sir-0001",
  MaintenanceOptions: { AutoRecovery: "default" },
  MetadataOptions: {
    State: "applied",
    HttpTokens: "required",
    HttpPutResponseHopLimit: 2,
    HttpEndpoint: "enabled",
    HttpProtocolIpv6: "disabled",
    HttpProtocolIpv4: "enabled",
    InstanceMetadataTags: "enabled",
  },
  Monitoring: { State: "enabled" },
  NetworkPerformanceOptions: { BandwidthWeighting: "vpc-1" },
  Operator: { Managed: true, Principal: "eks.amazonaws.com" },
  OutpostArn: `arn:aws:outposts:us-east-1:${MAIN}:outpost/op-0001`,
  Placement: {
    AvailabilityZone: "us-east-1b",
    AvailabilityZoneId: "use1-az2",
    Affinity: "host",
    GroupName: "spread-1",
    PartitionNumber: 3,
    HostId: "h-0001",
    Tenancy: "dedicated",
  },
  PrivateDnsName: "ip-10-9-1-5.ec2.internal",
  PrivateDnsNameOptions: {
    HostnameType: "resource-name",
    EnableResourceNameDnsARecord: true,
    EnableResourceNameDnsAAAARecord: false,
  },
  PrivateIpAddress: "10.9.1.5",
  PublicDnsName: "ec2-3-3-3-3.compute-1.amazonaws.com",
  PublicIpAddress: "3.3.3.3",
  Ipv6Address: "2600:1f18::5",
  ProductCodes: [{ ProductCodeId: "pc-0001", ProductCodeType: "marketplace" }],
  RootDeviceName: "/dev/xvda",
  RootDeviceType: "ebs",
  SourceDestCheck: false,
  State: { Code: 16, Name: "running" },
  StateReason: { Code: "Client.UserInitiatedHibernate", Message: "hibernated by user" },
  StateTransitionReason: "User initiated",
  SubnetId: "subnet-0f000000000000001",
  VpcId: "vpc-0f000000000000001",
  SecurityGroups: [{ GroupId: "sg-0f000000000000001", GroupName: "web" }],
  BlockDeviceMappings: [
    {
      DeviceName: "/dev/xvda",
      Ebs: {
        AttachTime: "2026-02-03T04:05:07Z",
        DeleteOnTermination: true,
        Status: "attached",
        VolumeId: "vol-0001",
      },
    },
  ],
  NetworkInterfaces: [
    {
      NetworkInterfaceId: "eni-0001",
      Description: "primary",
      MacAddress: "0e:00:00:00:00:01",
      OwnerId: MAIN,
      PrivateDnsName: "ip-10-9-1-5.ec2.internal",
      PrivateIpAddress: "10.9.1.5",
      SourceDestCheck: false,
      Status: "in-use",
      SubnetId: "subnet-0f000000000000001",
      VpcId: "vpc-0f000000000000001",
      OutpostArn: `arn:aws:outposts:us-east-1:${MAIN}:outpost/op-0001`,
      RequesterId: "AROA0000000000000001",
      RequesterManaged: false,
      DenyAllIgwTraffic: false,
      Ipv6Native: false,
      Operator: { Managed: false, Principal: "self" },
      Groups: [{ GroupId: "sg-0f000000000000001", GroupName: "web" }],
      TagSet: [{ Key: "eni-role", Value: "primary" }],
      Association: {
        AllocationId: "eipalloc-0002",
        AssociationId: "eipassoc-0002",
        CarrierIp: "4.4.4.4",
        CustomerOwnedIp: "5.5.5.5",
        IpOwnerId: "amazon",
        PublicDnsName: "ec2-3-3-3-3.compute-1.amazonaws.com",
        PublicIp: "3.3.3.3",
      },
      Attachment: {
        AttachTime: "2026-02-03T04:05:06Z",
        AttachmentId: "eni-attach-0001",
        DeleteOnTermination: true,
        DeviceIndex: 0,
        NetworkCardIndex: 0,
        Status: "attached",
      },
      Ipv4Prefixes: [{ Ipv4Prefix: "10.9.1.16/28" }],
      Ipv6Prefixes: [{ Ipv6Prefix: "2600:1f18::/80" }],
      Ipv6Addresses: [{ Ipv6Address: "2600:1f18::5", IsPrimaryIpv6: true }],
      PrivateIpAddresses: [
        {
          Primary: true,
          PrivateDnsName: "ip-10-9-1-5.ec2.internal",
          PrivateIpAddress: "10.9.1.5",
          Association: {
            AllocationId: "eipalloc-0001",
            AssociationId: "eipassoc-0001",
            CarrierIp: "4.4.4.4",
            CustomerOwnedIp: "5.5.5.5",
            IpOwnerId: "amazon",
            PublicDnsName: "ec2-3-3-3-3.compute-1.amazonaws.com",
            PublicIp: "3.3.3.3",
          },
        },
      ],
    },
  ],
  Tags: [{ Key: "team", Value: "payments" }],
  ReservationId: "r-0f000000000000001",
};

const INSTANCE_VALUES: Record<string, string> = {
  affinity: "host",
  architecture: "arm64",
  "availability-zone": "us-east-1b",
  "availability-zone-id": "use1-az2",
  "block-device-mapping.attach-time": "2026-02-03T04:05:07.000Z",
  "block-device-mapping.delete-on-termination": "true",
  "block-device-mapping.device-name": "/dev/xvda",
  "block-device-mapping.status": "attached",
  "block-device-mapping.volume-id": "vol-0001",
  "boot-mode": "uefi",
  "capacity-reservation-id": "cr-0001",
  "capacity-reservation-specification.capacity-reservation-preference": "open",
  "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-id":
    "cr-0002",
  "capacity-reservation-specification.capacity-reservation-target.capacity-reservation-resource-group-arn": `arn:aws:resource-groups:us-east-1:${MAIN}:group/crg`,
  "client-token": "token-1",
  "current-instance-boot-mode": "uefi",
  "dns-name": "ec2-3-3-3-3.compute-1.amazonaws.com",
  "ebs-optimized": "true",
  "ena-support": "true",
  "enclave-options.enabled": "false",
  "hibernation-options.configured": "false",
  "host-id": "h-0001",
  hypervisor: "xen",
  "iam-instance-profile.arn": `arn:aws:iam::${MAIN}:instance-profile/web`,
  "iam-instance-profile.id": "AIPA0000000000000001",
  "image-id": "ami-0f000000000000001",
  "instance-id": "i-0f000000000000001",
  "instance-lifecycle": "spot",
  "instance-state-code": "16",
  "instance-state-name": "running",
  "instance-type": "m7g.large",
  "instance.group-id": "sg-0f000000000000001",
  "instance.group-name": "web",
  "ip-address": "3.3.3.3",
  "ipv6-address": "2600:1f18::5",
  "kernel-id": "aki-00000001",
  "key-name": "ops-key",
  "launch-index": "0",
  "launch-time": "2026-02-03T04:05:06.000Z",
  "maintenance-options.auto-recovery": "default",
  "metadata-options.http-endpoint": "enabled",
  "metadata-options.http-protocol-ipv4": "enabled",
  "metadata-options.http-protocol-ipv6": "disabled",
  "metadata-options.http-put-response-hop-limit": "2",
  "metadata-options.http-tokens": "required",
  "metadata-options.instance-metadata-tags": "enabled",
  "metadata-options.state": "applied",
  "monitoring-state": "enabled",
  "network-interface.addresses.association.allocation-id": "eipalloc-0001",
  "network-interface.addresses.association.association-id": "eipassoc-0001",
  "network-interface.addresses.association.carrier-ip": "4.4.4.4",
  "network-interface.addresses.association.customer-owned-ip": "5.5.5.5",
  "network-interface.addresses.association.ip-owner-id": "amazon",
  "network-interface.addresses.association.public-dns-name": "ec2-3-3-3-3.compute-1.amazonaws.com",
  "network-interface.addresses.association.public-ip": "3.3.3.3",
  "network-interface.addresses.primary": "true",
  "network-interface.addresses.private-dns-name": "ip-10-9-1-5.ec2.internal",
  "network-interface.addresses.private-ip-address": "10.9.1.5",
  "network-interface.association.allocation-id": "eipalloc-0002",
  "network-interface.association.association-id": "eipassoc-0002",
  "network-interface.association.carrier-ip": "4.4.4.4",
  "network-interface.association.customer-owned-ip": "5.5.5.5",
  "network-interface.association.ip-owner-id": "amazon",
  "network-interface.association.public-dns-name": "ec2-3-3-3-3.compute-1.amazonaws.com",
  "network-interface.association.public-ip": "3.3.3.3",
  "network-interface.attachment.attach-time": "2026-02-03T04:05:06.000Z",
  "network-interface.attachment.attachment-id": "eni-attach-0001",
  "network-interface.attachment.delete-on-termination": "true",
  "network-interface.attachment.device-index": "0",
  "network-interface.attachment.instance-id": "i-0f000000000000001",
  "network-interface.attachment.instance-owner-id": MAIN,
  "network-interface.attachment.network-card-index": "0",
  "network-interface.attachment.status": "attached",
  "network-interface.availability-zone": "us-east-1b",
  "network-interface.deny-all-igw-traffic": "false",
  "network-interface.description": "primary",
  "network-interface.group-id": "sg-0f000000000000001",
  "network-interface.group-name": "web",
  "network-interface.ipv4-prefixes.ipv4-prefix": "10.9.1.16/28",
  "network-interface.ipv6-address": "2600:1f18::5",
  "network-interface.ipv6-addresses.ipv6-address": "2600:1f18::5",
  "network-interface.ipv6-addresses.is-primary-ipv6": "true",
  "network-interface.ipv6-native": "false",
  "network-interface.ipv6-prefixes.ipv6-prefix": "2600:1f18::/80",
  "network-interface.mac-address": "0e:00:00:00:00:01",
  "network-interface.network-interface-id": "eni-0001",
  "network-interface.operator.managed": "false",
  "network-interface.operator.principal": "self",
  "network-interface.outpost-arn": `arn:aws:outposts:us-east-1:${MAIN}:outpost/op-0001`,
  "network-interface.owner-id": MAIN,
  "network-interface.private-dns-name": "ip-10-9-1-5.ec2.internal",
  "network-interface.private-ip-address": "10.9.1.5",
  "network-interface.public-dns-name": "ec2-3-3-3-3.compute-1.amazonaws.com",
  "network-interface.requester-id": "AROA0000000000000001",
  "network-interface.requester-managed": "false",
  "network-interface.status": "in-use",
  "network-interface.source-dest-check": "false",
  "network-interface.subnet-id": "subnet-0f000000000000001",
  "network-interface.tag-key": "eni-role",
  "network-interface.tag-value": "primary",
  "network-interface.vpc-id": "vpc-0f000000000000001",
  "network-performance-options.bandwidth-weighting": "vpc-1",
  "operator.managed": "true",
  "operator.principal": "eks.amazonaws.com",
  "outpost-arn": `arn:aws:outposts:us-east-1:${MAIN}:outpost/op-0001`,
  "owner-id": MAIN,
  "placement-group-name": "spread-1",
  "placement-partition-number": "3",
  platform: "windows",
  "platform-details": "Windows",
  "private-dns-name": "ip-10-9-1-5.ec2.internal",
  "private-dns-name-options.enable-resource-name-dns-a-record": "true",
  "private-dns-name-options.enable-resource-name-dns-aaaa-record": "false",
  "private-dns-name-options.hostname-type": "resource-name",
  "private-ip-address": "10.9.1.5",
  "product-code": "pc-0001",
  "product-code.type": "marketplace",
  "ramdisk-id": "ari-00000001",
  reason: "User initiated",
  "requester-id": "AIDA0000000000000009",
  "reservation-id": "r-0f000000000000001",
  "root-device-name": "/dev/xvda",
  "root-device-type": "ebs",
  "source-dest-check": "false",
  "spot-instance-request-id": "sir-0001",
  "state-reason-code": "Client.UserInitiatedHibernate",
  "state-reason-message": "hibernated by user",
  "subnet-id": "subnet-0f000000000000001",
  "tag:<key>": "payments",
  "tag-key": "team",
  tenancy: "dedicated",
  "tpm-support": "v2.0",
  "usage-operation": "RunInstances:0002",
  "usage-operation-update-time": "2026-02-03T04:05:06.000Z",
  "virtualization-type": "hvm",
  "vpc-id": "vpc-0f000000000000001",
};

const VPC = {
  VpcId: "vpc-0f000000000000001",
  CidrBlock: "10.9.0.0/16",
  DhcpOptionsId: "dopt-0001",
  State: "available",
  IsDefault: true,
  OwnerId: MAIN,
  CidrBlockAssociationSet: [
    {
      AssociationId: "vpc-cidr-assoc-0001",
      CidrBlock: "10.9.0.0/16",
      CidrBlockState: { State: "associated" },
    },
  ],
  Ipv6CidrBlockAssociationSet: [
    {
      AssociationId: "vpc-cidr-assoc-0002",
      Ipv6CidrBlock: "2600:1f18::/56",
      Ipv6Pool: "Amazon",
      Ipv6CidrBlockState: { State: "associated" },
    },
  ],
  Tags: [{ Key: "team", Value: "payments" }],
};

const VPC_VALUES: Record<string, string> = {
  cidr: "10.9.0.0/16",
  "cidr-block-association.cidr-block": "10.9.0.0/16",
  "cidr-block-association.association-id": "vpc-cidr-assoc-0001",
  "cidr-block-association.state": "associated",
  "dhcp-options-id": "dopt-0001",
  "ipv6-cidr-block-association.ipv6-cidr-block": "2600:1f18::/56",
  "ipv6-cidr-block-association.ipv6-pool": "Amazon",
  "ipv6-cidr-block-association.association-id": "vpc-cidr-assoc-0002",
  "ipv6-cidr-block-association.state": "associated",
  "is-default": "true",
  "owner-id": MAIN,
  state: "available",
  "tag:<key>": "payments",
  "tag-key": "team",
  "vpc-id": "vpc-0f000000000000001",
};

const SUBNET = {
  SubnetId: "subnet-0f000000000000001",
  SubnetArn: `arn:aws:ec2:us-east-1:${MAIN}:subnet/subnet-0f000000000000001`,
  VpcId: "vpc-0f000000000000001",
  CidrBlock: "10.9.1.0/24",
  AvailabilityZone: "us-east-1b",
  AvailabilityZoneId: "use1-az2",
  AvailableIpAddressCount: 250,
  CustomerOwnedIpv4Pool: "ipv4pool-coip-0001",
  DefaultForAz: true,
  EnableDns64: true,
  EnableLniAtDeviceIndex: 1,
  Ipv6Native: false,
  MapCustomerOwnedIpOnLaunch: true,
  MapPublicIpOnLaunch: true,
  OutpostArn: `arn:aws:outposts:us-east-1:${MAIN}:outpost/op-0001`,
  OwnerId: MAIN,
  State: "available",
  Ipv6CidrBlockAssociationSet: [
    {
      AssociationId: "subnet-cidr-assoc-0001",
      Ipv6CidrBlock: "2600:1f18::/64",
      Ipv6CidrBlockState: { State: "associated" },
    },
  ],
  PrivateDnsNameOptionsOnLaunch: {
    HostnameType: "resource-name",
    EnableResourceNameDnsARecord: true,
    EnableResourceNameDnsAAAARecord: true,
  },
  Tags: [{ Key: "team", Value: "payments" }],
};

const SUBNET_VALUES: Record<string, string> = {
  "availability-zone": "us-east-1b",
  "availability-zone-id": "use1-az2",
  "available-ip-address-count": "250",
  "cidr-block": "10.9.1.0/24",
  "customer-owned-ipv4-pool": "ipv4pool-coip-0001",
  "default-for-az": "true",
  "enable-dns64": "true",
  "enable-lni-at-device-index": "1",
  "ipv6-cidr-block-association.ipv6-cidr-block": "2600:1f18::/64",
  "ipv6-cidr-block-association.association-id": "subnet-cidr-assoc-0001",
  "ipv6-cidr-block-association.state": "associated",
  "ipv6-native": "false",
  "map-customer-owned-ip-on-launch": "true",
  "map-public-ip-on-launch": "true",
  "outpost-arn": `arn:aws:outposts:us-east-1:${MAIN}:outpost/op-0001`,
  "owner-id": MAIN,
  "private-dns-name-options-on-launch.hostname-type": "resource-name",
  "private-dns-name-options-on-launch.enable-resource-name-dns-a-record": "true",
  "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record": "true",
  state: "available",
  "subnet-arn": `arn:aws:ec2:us-east-1:${MAIN}:subnet/subnet-0f000000000000001`,
  "subnet-id": "subnet-0f000000000000001",
  "tag:<key>": "payments",
  "tag-key": "team",
  "vpc-id": "vpc-0f000000000000001",
};

function permission(cidr: string, port: number, groupId: string) {
  return {
    IpProtocol: "tcp",
    FromPort: port,
    ToPort: port + 1,
    IpRanges: [{ CidrIp: cidr }],
    Ipv6Ranges: [{ CidrIpv6: "::/0" }],
    PrefixListIds: [{ PrefixListId: "pl-0001" }],
    UserIdGroupPairs: [{ GroupId: groupId, GroupName: "peers", UserId: "333333333333" }],
  };
}

const SECURITY_GROUP = {
  GroupId: "sg-0f000000000000001",
  GroupName: "web",
  Description: "web servers",
  VpcId: "vpc-0f000000000000001",
  OwnerId: MAIN,
  IpPermissions: [permission("203.0.113.0/24", 443, "sg-0f000000000000009")],
  IpPermissionsEgress: [permission("198.51.100.0/24", 8443, "sg-0f000000000000008")],
  Tags: [{ Key: "team", Value: "payments" }],
};

const SECURITY_GROUP_VALUES: Record<string, string> = {
  description: "web servers",
  "egress.ip-permission.cidr": "198.51.100.0/24",
  "egress.ip-permission.from-port": "8443",
  "egress.ip-permission.group-id": "sg-0f000000000000008",
  "egress.ip-permission.group-name": "peers",
  "egress.ip-permission.ipv6-cidr": "::/0",
  "egress.ip-permission.prefix-list-id": "pl-0001",
  "egress.ip-permission.protocol": "tcp",
  "egress.ip-permission.to-port": "8444",
  "egress.ip-permission.user-id": "333333333333",
  "group-id": "sg-0f000000000000001",
  "group-name": "web",
  "ip-permission.cidr": "203.0.113.0/24",
  "ip-permission.from-port": "443",
  "ip-permission.group-id": "sg-0f000000000000009",
  "ip-permission.group-name": "peers",
  "ip-permission.ipv6-cidr": "::/0",
  "ip-permission.prefix-list-id": "pl-0001",
  "ip-permission.protocol": "tcp",
  "ip-permission.to-port": "444",
  "ip-permission.user-id": "333333333333",
  "owner-id": MAIN,
  "tag:<key>": "payments",
  "tag-key": "team",
  "vpc-id": "vpc-0f000000000000001",
};

// The plain items: ids of the same form, nothing else in common with the rich ones.
const PLAIN = {
  instance: {
    InstanceId: "i-0f000000000000002",
    InstanceType: "t3.micro",
    State: { Code: 80, Name: "stopped" },
  },
  vpc: { VpcId: "vpc-0f000000000000002", CidrBlock: "172.16.0.0/16", State: "pending" },
  subnet: { SubnetId: "subnet-0f000000000000002", VpcId: "vpc-0f000000000000002" },
  group: { GroupId: "sg-0f000000000000002", GroupName: "db", VpcId: "vpc-0f000000000000002" },
};

let emulator: Emulator;

beforeAll(async () => {
  const world: WorldInput = testWorld();
  const main = world.accounts[0];
  if (main?.resources?.["us-east-1"] === undefined) throw new Error("fixture changed");
  main.resources["us-east-1"].ec2 = {
    Instances: [
      // The reservation's requester, as for instances another service launches for you.
      { ...INSTANCE, RequesterId: "AIDA0000000000000009" },
      PLAIN.instance,
    ],
    Vpcs: [VPC, PLAIN.vpc],
    Subnets: [SUBNET, PLAIN.subnet],
    SecurityGroups: [SECURITY_GROUP, PLAIN.group],
    Volumes: [
      { VolumeId: "vol-0001", State: "in-use", Size: 8 },
      { VolumeId: "vol-0002", State: "available", Size: 100 },
    ],
  };
  emulator = await startEmulator({ world });
});
afterAll(async () => {
  await emulator.close();
});

function ec2() {
  return new EC2Client({
    endpoint: emulator.url,
    region: "us-east-1",
    credentials: KEYS.reader,
    maxAttempts: 1,
  });
}

// `tag:<key>` is run as the tag this test's items carry.
function filterFor(name: string, value: string): Filter {
  return { Name: name === "tag:<key>" ? "tag:team" : name, Values: [value] };
}

type Case = {
  operation: string;
  values: Record<string, string>;
  ids: (filters: Filter[]) => Promise<(string | undefined)[]>;
  richId: string;
  plainId: string;
};

const CASES: Case[] = [
  {
    operation: "DescribeInstances",
    values: INSTANCE_VALUES,
    richId: INSTANCE.InstanceId,
    plainId: PLAIN.instance.InstanceId,
    ids: async (Filters) => {
      const { Reservations } = await ec2().send(new DescribeInstancesCommand({ Filters }));
      return Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId) ?? []) ?? [];
    },
  },
  {
    operation: "DescribeVpcs",
    values: VPC_VALUES,
    richId: VPC.VpcId,
    plainId: PLAIN.vpc.VpcId,
    ids: async (Filters) =>
      (await ec2().send(new DescribeVpcsCommand({ Filters }))).Vpcs?.map((v) => v.VpcId) ?? [],
  },
  {
    operation: "DescribeSubnets",
    values: SUBNET_VALUES,
    richId: SUBNET.SubnetId,
    plainId: PLAIN.subnet.SubnetId,
    ids: async (Filters) =>
      (await ec2().send(new DescribeSubnetsCommand({ Filters }))).Subnets?.map((s) => s.SubnetId) ??
      [],
  },
  {
    operation: "DescribeSecurityGroups",
    values: SECURITY_GROUP_VALUES,
    richId: SECURITY_GROUP.GroupId,
    plainId: PLAIN.group.GroupId,
    ids: async (Filters) =>
      (await ec2().send(new DescribeSecurityGroupsCommand({ Filters }))).SecurityGroups?.map(
        (g) => g.GroupId,
      ) ?? [],
  },
];

describe("EC2 filters", () => {
  for (const { operation, values, ids, richId, plainId } of CASES) {
    it(`${operation}: every filter AWS documents selects the item holding the value and not the others`, async () => {
      expect(Object.keys(values).sort()).toEqual([...documentedEc2FilterNames(operation)].sort());
      const wrong: string[] = [];
      for (const [name, value] of Object.entries(values)) {
        // Both items belong to the caller's account.
        const expected = name === "owner-id" ? [richId, plainId] : [richId];
        const matched = await ids([filterFor(name, value)]);
        const missed = await ids([filterFor(name, `${value}-other`)]);
        if (JSON.stringify(matched) !== JSON.stringify(expected) || missed.length > 0)
          wrong.push(`${name}: ${JSON.stringify(matched)} / ${JSON.stringify(missed)}`);
      }
      expect(wrong).toEqual([]);
    });

    it(`${operation}: refuses a filter name AWS does not document for it with InvalidParameterValue`, async () => {
      await expect(ids([{ Name: "xyz", Values: ["1"] }])).rejects.toMatchObject({
        name: "InvalidParameterValue",
        message: "The filter 'xyz' is invalid",
        $metadata: { httpStatusCode: 400 },
      });
    });
  }

  it("refuses a filter another operation documents (cidr is a VPC filter, not an instance one)", async () => {
    await expect(
      ec2().send(new DescribeInstancesCommand({ Filters: [{ Name: "cidr", Values: ["*"] }] })),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "The filter 'cidr' is invalid",
    });
  });

  it("matches * and ? wildcards and any of a filter's values, and needs every filter to match", async () => {
    const instances = CASES[0];
    if (instances === undefined) throw new Error("cases changed");
    expect(await instances.ids([{ Name: "instance-type", Values: ["m7?.*", "c5.large"] }])).toEqual(
      [INSTANCE.InstanceId],
    );
    expect(await instances.ids([{ Name: "instance-type", Values: ["*"] }])).toHaveLength(2);
    expect(
      await instances.ids([
        { Name: "instance-type", Values: ["*"] },
        { Name: "instance-state-name", Values: ["stopped"] },
      ]),
    ).toEqual([PLAIN.instance.InstanceId]);
    expect(await instances.ids([{ Name: "tag-key", Values: ["te?m"] }])).toEqual([
      INSTANCE.InstanceId,
    ]);
  });

  it("matches the reservation's owner and id for owner-id and reservation-id", async () => {
    const { Reservations } = await ec2().send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: "owner-id", Values: [MAIN] },
          { Name: "reservation-id", Values: ["r-0f000000000000001"] },
        ],
      }),
    );
    expect(Reservations).toMatchObject([
      {
        ReservationId: "r-0f000000000000001",
        OwnerId: MAIN,
        Instances: [{ InstanceId: INSTANCE.InstanceId }],
      },
    ]);
  });

  it("filters an EC2 Describe operation served from world data by its documented filters and refuses others", async () => {
    const { Volumes } = await ec2().send(
      new DescribeVolumesCommand({ Filters: [{ Name: "status", Values: ["avail*"] }] }),
    );
    expect(Volumes?.map((v) => v.VolumeId)).toEqual(["vol-0002"]);
    await expect(
      ec2().send(
        new DescribeVolumesCommand({ Filters: [{ Name: "volume-color", Values: ["x"] }] }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "The filter 'volume-color' is invalid",
    });
  });

  it("filters DescribeRegions by its documented filters and refuses others", async () => {
    const { Regions } = await ec2().send(
      new DescribeRegionsCommand({ Filters: [{ Name: "region-name", Values: ["eu-*"] }] }),
    );
    expect(Regions?.map((r) => r.RegionName)).toEqual(["eu-west-1"]);
    await expect(
      ec2().send(new DescribeRegionsCommand({ Filters: [{ Name: "vpc-id", Values: ["x"] }] })),
    ).rejects.toMatchObject({ name: "InvalidParameterValue" });
  });
});
