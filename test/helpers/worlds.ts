/** Building blocks for emulator worlds in tests: the account Switchboard runs in, and roles that trust it. */

/** The account whose EC2 instance role is Switchboard's own (ambient) identity; it may assume any role. */
export function hubAccount(id: string) {
  return {
    id,
    name: "hub",
    roles: [
      {
        name: "host",
        trust: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "ec2.amazonaws.com" },
              Action: "sts:AssumeRole",
            },
          ],
        },
        policies: [
          {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
          },
        ],
      },
    ],
    instanceRole: "host",
  };
}

/** A trust policy that lets the hub's host role assume the role with the org's ExternalId. */
export function trustingHost(hubId: string, externalId: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${hubId}:role/host` },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": externalId } },
      },
    ],
  };
}
