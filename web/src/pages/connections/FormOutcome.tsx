import { Alert, Button, Stack, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import type { ReactNode } from "react";
import type { ConnectionTest } from "../../api/connections";
import { describeFieldError, erroredField, revealField } from "../../components/field-errors";
import { ErrorAlert } from "../../components/page";
import { FIELD_LABELS, FORM_ID, isSubjectReserved } from "./connection-form";
import { OutboundRefusal, refusalOf } from "./OutboundRefusal";
import { TestResultView } from "./TestResult";

/**
 * What the last Test or Save did, shown beside the buttons that did it: a test's result, or why
 * nothing was tested or saved. An error about a field is shown on that field too (the form
 * brings it into view); here it is named as the form labels it, with a way back to it.
 */
export function FormOutcome(props: {
  action: "test" | "save";
  error: unknown;
  test: { result: ConnectionTest; stale: boolean } | null;
  /** Leads to the trust policy beside the form. */
  trustPolicy?: ReactNode;
  /** After an admin added a refused host to the allow-list: test again. */
  onAllowed: () => void;
}) {
  const { error, test } = props;
  const notDone = props.action === "test" ? "Not tested" : "Not saved";
  if (error !== null && error !== undefined) {
    const refusal = refusalOf(error);
    if (refusal !== undefined)
      return <OutboundRefusal refusal={refusal} onAllowed={props.onAllowed} />;
    const field = isSubjectReserved(error)
      ? "name"
      : erroredField(error, Object.keys(FIELD_LABELS));
    if (field !== undefined) {
      return (
        <Alert
          color="red"
          variant="light"
          icon={<IconAlertTriangle size={18} />}
          title={`${notDone}: check ${FIELD_LABELS[field] ?? field}`}
          role="alert"
        >
          <Stack gap={6} align="flex-start">
            <Text size="sm">
              {isSubjectReserved(error)
                ? "The name's token subject belonged to another connection: see the Name field."
                : describeFieldError(error, FIELD_LABELS)}
            </Text>
            <Button
              size="xs"
              variant="light"
              color="red"
              onClick={() => revealField(FORM_ID, field)}
            >
              Go to {FIELD_LABELS[field] ?? field}
            </Button>
          </Stack>
        </Alert>
      );
    }
    return (
      <ErrorAlert
        error={error}
        title={props.action === "test" ? "The test did not run" : "The connection was not saved"}
      />
    );
  }
  if (props.action === "test" && test !== null) {
    return (
      <TestResultView
        test={test.result}
        title={
          test.stale
            ? "Settings changed since this test: test again"
            : test.result.ok
              ? "AWS accepts this connection"
              : undefined
        }
        trustPolicy={props.trustPolicy}
        onAllowed={props.onAllowed}
      />
    );
  }
  return null;
}
