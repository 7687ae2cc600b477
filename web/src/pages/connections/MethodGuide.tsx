import { Anchor, Code, List, Stack, Text } from "@mantine/core";
import { Link } from "react-router";
import { ACCESS } from "./format";
import { useQuery } from "@tanstack/react-query";
import type { Access, Method } from "../../api/connections";
import { oidcQuery } from "../../api/settings";

/** The policy to attach; only the role methods come with a CloudFormation template that does it. */
function Policy(props: { access: Access; template?: boolean }) {
  return props.access === "full" ? (
    <>the permission policies its actions need</>
  ) : (
    <>
      the AWS managed <Code>{props.access === "view" ? "ViewOnlyAccess" : "ReadOnlyAccess"}</Code>{" "}
      policy{props.template === true && " (the template does this)"}
    </>
  );
}

/** What to do in AWS for a method, step by step, with the org's own values filled in. */
export function MethodGuide(props: {
  method: Method;
  access: Access;
  name: string;
  /** assume_role: this connection's ExternalId, once Switchboard has generated it. */
  externalId?: string | undefined;
}) {
  const oidc = useQuery({ ...oidcQuery, enabled: props.method === "web_identity" });
  const subject = `switchboard:connection/${props.name === "" ? "<name>" : props.name}`;

  switch (props.method) {
    case "ambient":
      return (
        <Stack gap="xs">
          <Text size="sm">
            Switchboard uses the identity of the machine it runs on, found the way the AWS SDK finds
            it: environment variables, shared config, the ECS task role, or the EC2 instance role
            (IMDSv2). There is nothing to enter.
          </Text>
          <List type="ordered" size="sm" spacing={4}>
            <List.Item>
              Give the server an identity in AWS: an instance profile, an ECS task role, or keys in
              its environment.
            </List.Item>
            <List.Item>
              Attach <Policy access={props.access} /> to it, and <Code>sts:AssumeRole</Code> on the
              roles it should reach in other accounts.
            </List.Item>
            <List.Item>Test, then save.</List.Item>
          </List>
          <Text size="sm" c="dimmed">
            Only org admins may add one: it hands out the server&apos;s own identity. It is also the
            default source of every assume-role connection.
          </Text>
        </Stack>
      );
    case "access_key":
      return (
        <Stack gap="xs">
          <Text size="sm">
            A long-lived key pair of an IAM user. The secret access key is never typed into this
            form: it lives encrypted in the key store and is decrypted only when a call is made.
          </Text>
          <List type="ordered" size="sm" spacing={4}>
            <List.Item>
              In IAM, create a user for Switchboard, attach <Policy access={props.access} />, and
              create an access key for it.
            </List.Item>
            <List.Item>
              Store the secret access key in the{" "}
              <Anchor component={Link} to="/keystore" size="sm">
                key store
              </Anchor>{" "}
              (for example at <Code>keys/system/aws-prod</Code>).
            </List.Item>
            <List.Item>
              Enter the access key id, pick the key-store path, test, then save.
            </List.Item>
          </List>
          <Text size="sm" c="dimmed">
            Prefer a role (assume role or web identity) where you can: nothing long-lived to leak or
            rotate.
          </Text>
        </Stack>
      );
    case "assume_role":
      return (
        <Stack gap="xs">
          <Text size="sm">
            Switchboard calls <Code>sts:AssumeRole</Code> on a role in the account, with an
            ExternalId of this connection&apos;s own
            {props.externalId !== undefined && (
              <>
                {" "}
                <Code>{props.externalId}</Code>
              </>
            )}
            . Switchboard generates it and no one can choose it: no other connection, of your org or
            another, can be used to assume your role. It is kept when you save.
          </Text>
          <List type="ordered" size="sm" spacing={4}>
            <List.Item>
              Pick the role&apos;s name and account, and enter its ARN below: the role need not
              exist yet.
            </List.Item>
            <List.Item>
              Create the role with the trust policy shown here, or deploy the CloudFormation
              template in that account. For an existing role, replace its trust policy.
            </List.Item>
            <List.Item>
              Attach <Policy access={props.access} template />.
            </List.Item>
            <List.Item>Test: when AWS accepts it, save.</List.Item>
            <List.Item>
              Without a source connection, the server&apos;s own identity assumes the role: only org
              admins may choose that. Others pick a connection they may execute with.
            </List.Item>
          </List>
          <Text size="sm" c="dimmed">
            Access <Code>{props.access}</Code> is also sent as a session policy, so AWS enforces it
            whatever the role allows ({ACCESS[props.access].description}).
          </Text>
        </Stack>
      );
    case "web_identity":
      return (
        <Stack gap="xs">
          <Text size="sm">
            Switchboard is an OpenID Connect issuer: it signs a short-lived token for this
            connection and exchanges it with <Code>sts:AssumeRoleWithWebIdentity</Code>. No secret
            exists anywhere.
          </Text>
          <List type="ordered" size="sm" spacing={4}>
            <List.Item>
              In the account, add an IAM identity provider of type OpenID Connect: provider URL{" "}
              <Code>{oidc.data?.issuer ?? "…"}</Code>, audience{" "}
              <Code>{oidc.data?.audience ?? "…"}</Code>. AWS must be able to fetch the issuer&apos;s
              keys over HTTPS (Settings → OIDC issuer).
            </List.Item>
            <List.Item>
              Create the role with the trust policy shown here: it accepts only tokens whose subject
              is <Code>{subject}</Code>. The CloudFormation template creates both.
            </List.Item>
            <List.Item>
              Attach <Policy access={props.access} template />, enter the role ARN, test, then save.
            </List.Item>
          </List>
          <Text size="sm" c="dimmed">
            The connection&apos;s name is part of the subject: renaming it later means updating the
            role&apos;s trust policy.
          </Text>
        </Stack>
      );
  }
}
