import { Alert, Box, Button, Group, Stack, Text, Textarea } from "@mantine/core";
import { IconCheck, IconUserCheck, IconX } from "@tabler/icons-react";
import { useState } from "react";
import { useRunCommand, type RunStep } from "../../api/runs";
import { ErrorAlert } from "../../components/page";
import { When } from "../../components/time";
import { actorName } from "../actions/format";

type Approval = NonNullable<RunStep["approval"]>;

/** A waiting approval: who may decide, until when, and Approve / Decline with a reason. */
export function ApprovalBox(props: { runId: string; step: RunStep; approval: Approval }) {
  const { step, approval } = props;
  const { decide } = useRunCommand(props.runId);
  const [reason, setReason] = useState("");
  const waiting = step.status === "waiting";

  if (!waiting) {
    if (approval.decidedBy === null) return null;
    return (
      <Text size="sm">
        Decided by {actorName(approval.decidedBy)}
        {approval.reason !== null && approval.reason !== "" ? `: “${approval.reason}”` : ""}
      </Text>
    );
  }
  return (
    <Box component="section" aria-label={`Approval of ${step.id}`}>
      <Alert
        color="violet"
        variant="light"
        icon={<IconUserCheck size={18} />}
        title="Waiting for approval"
      >
        <Stack gap="xs">
          {approval.message !== undefined && <Text size="sm">{approval.message}</Text>}
          <Text size="xs">
            {approval.deciders?.length === 0 ? (
              "Only an org admin may decide"
            ) : (
              <>
                A person with {approval.grant} on{" "}
                {approval.deciders?.join(", ") ??
                  approval.connection ??
                  "each connection the run uses"}{" "}
                may decide
              </>
            )}
            {approval.waitUntil !== null && (
              <>
                , until <When iso={approval.waitUntil} exact />
              </>
            )}
            .
          </Text>
          <Textarea
            label="Reason"
            description="Recorded with the decision (optional)"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            autosize
            minRows={1}
            maxLength={2000}
          />
          {decide.error !== null && <ErrorAlert error={decide.error} title="Not recorded" />}
          <Group gap="xs">
            <Button
              leftSection={<IconCheck size={16} />}
              loading={decide.isPending && decide.variables.decision === "approve"}
              disabled={decide.isPending}
              onClick={() => decide.mutate({ decision: "approve", step: step.id, reason })}
            >
              Approve
            </Button>
            <Button
              color="red"
              variant="light"
              leftSection={<IconX size={16} />}
              loading={decide.isPending && decide.variables.decision === "decline"}
              disabled={decide.isPending}
              onClick={() => decide.mutate({ decision: "decline", step: step.id, reason })}
            >
              Decline
            </Button>
          </Group>
        </Stack>
      </Alert>
    </Box>
  );
}
