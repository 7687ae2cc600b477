import {
  Alert,
  Button,
  Checkbox,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Stepper,
  TagsInput,
  Text,
  TextInput,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { connectionsQuery } from "../../api/connections";
import {
  organizationQuery,
  useOnboard,
  type OnboardingResult,
  type OrganizationOu,
} from "../../api/organizations";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";

const COMMON_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-north-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "sa-east-1",
];

function depthOf(ou: OrganizationOu): number {
  return ou.path.split("/").length - 1;
}

function Done(props: { name: string; result: OnboardingResult }) {
  return (
    <Stack>
      <Alert color="green" title={`${props.result.created.length} member connections created`}>
        Each member account has its connection; they pass their test once the member role exists in
        the account.
      </Alert>
      {props.result.skipped.map((s) => (
        <Text key={s.accountId} size="sm">
          Skipped {s.accountId}: {s.reason}
        </Text>
      ))}
      {props.result.notes.map((note) => (
        <Text key={note} size="sm" c="dimmed">
          {note}
        </Text>
      ))}
      <Group>
        <Button component={Link} to={`/organizations/${props.name}`}>
          Deploy the StackSet and follow it
        </Button>
        <Button component={Link} to={`/organizations/${props.name}/template`} variant="default">
          See the template
        </Button>
      </Group>
    </Stack>
  );
}

/** /organizations/:name/onboard: the onboarding wizard (OUs, role, method, regions, review). */
export function OnboardPage() {
  const { name = "" } = useParams();
  const tree = useQuery(organizationQuery(name));
  const connections = useQuery(connectionsQuery);
  const onboard = useOnboard(name);
  const [step, setStep] = useState(0);
  const [ous, setOus] = useState<string[]>([]);
  const [skip, setSkip] = useState<string[]>([]);
  const [roleName, setRoleName] = useState("switchboard-member");
  const [access, setAccess] = useState<"view" | "read" | "full">("read");
  const [method, setMethod] = useState<"assume_role" | "web_identity">("assume_role");
  const [hub, setHub] = useState<string | null>(null);
  const [regions, setRegions] = useState<string[]>(["us-east-1"]);
  if (tree.error !== null) return <ErrorAlert error={tree.error} />;
  if (tree.data === undefined) return <Loading label="Loading the organization" />;
  if (onboard.data !== undefined) return <Done name={name} result={onboard.data} />;
  const units = tree.data.ous;
  const accountsIn = (ou: string) => tree.data.accounts.filter((a) => a.parentId === ou).length;
  const hubs = (connections.data ?? []).filter((c) => c.lastTest?.ok === true);
  const submit = () =>
    onboard.mutate({
      ous,
      skipAccounts: skip,
      roleName,
      access,
      regions,
      method,
      ...(method === "assume_role" && hub !== null ? { hubConnection: hub } : {}),
    });
  return (
    <>
      <PageHeader
        title={`Onboard ${name}`}
        description="Choose the OUs whose accounts get a member connection, the member role, and how Switchboard reaches it."
      />
      <Stepper active={step} onStepClick={setStep}>
        <Stepper.Step label="OUs" description="whose accounts">
          <Stack gap={4} mt="md">
            {units.map((ou) => (
              <Checkbox
                key={ou.id}
                ml={depthOf(ou) * 24}
                label={`${ou.name} (${ou.id}, ${accountsIn(ou.id)} accounts directly)`}
                checked={ous.includes(ou.id)}
                onChange={(e) =>
                  setOus(
                    e.currentTarget.checked ? [...ous, ou.id] : ous.filter((id) => id !== ou.id),
                  )
                }
              />
            ))}
            <TagsInput
              mt="sm"
              label="Accounts to skip"
              description="12-digit account ids"
              value={skip}
              onChange={setSkip}
            />
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Role" description="name, access, method">
          <Stack mt="md" maw={520}>
            <TextInput
              label="Member role name"
              value={roleName}
              onChange={(e) => setRoleName(e.currentTarget.value)}
            />
            <div>
              <Text size="sm" fw={500}>
                Access
              </Text>
              <SegmentedControl
                aria-label="Access"
                value={access}
                onChange={(v) => setAccess(v)}
                data={["view", "read", "full"]}
              />
            </div>
            <div>
              <Text size="sm" fw={500}>
                Method
              </Text>
              <SegmentedControl
                aria-label="Method"
                value={method}
                onChange={(v) => setMethod(v)}
                data={[
                  { value: "assume_role", label: "Assume role (one ExternalId)" },
                  { value: "web_identity", label: "Web identity (OIDC)" },
                ]}
              />
            </div>
            {method === "assume_role" && (
              <Select
                label="Hub connection"
                description="its identity assumes every member role"
                data={hubs.map((c) => c.name)}
                value={hub}
                onChange={setHub}
              />
            )}
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Regions" description="where they run">
          <MultiSelect
            mt="md"
            maw={520}
            label="Regions"
            data={COMMON_REGIONS}
            value={regions}
            onChange={setRegions}
            searchable
          />
        </Stepper.Step>
        <Stepper.Completed>
          <Stack mt="md">
            <Text size="sm">
              {ous.length} OUs, role {roleName} ({access}),{" "}
              {method === "assume_role" ? `assumed from ${hub ?? "?"}` : "web identity"}, regions{" "}
              {regions.join(", ")}
              {skip.length > 0 ? `, skipping ${skip.join(", ")}` : ""}.
            </Text>
            {onboard.error !== null && <ErrorAlert error={onboard.error} title="Not onboarded" />}
          </Stack>
        </Stepper.Completed>
      </Stepper>
      <Group mt="xl">
        <Button variant="default" disabled={step === 0} onClick={() => setStep(step - 1)}>
          Back
        </Button>
        {step < 3 ? (
          <Button onClick={() => setStep(step + 1)} disabled={step === 0 && ous.length === 0}>
            Next
          </Button>
        ) : (
          <Button onClick={submit} loading={onboard.isPending}>
            Onboard
          </Button>
        )}
      </Group>
    </>
  );
}
