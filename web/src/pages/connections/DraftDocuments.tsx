import { Text } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { draftDocumentsQuery, type CreateBody } from "../../api/connections";
import { ErrorAlert, Loading } from "../../components/page";
import { isConnectionName, isRoleArn, isSubjectReserved } from "./connection-form";
import { SetupDocumentsView } from "./SetupDocumentsView";

/**
 * The trust policy and template of what the form holds, fetched as the user types. A new
 * assume_role draft is issued its ExternalId here, which the form then keeps (onExternalId).
 * The server refuses a web_identity draft whose name has a reserved subject, often before the
 * form is saved or tested: onSubjectReserved tells the form, which explains it by the name.
 */
export function DraftDocuments(props: {
  body: CreateBody | null;
  replacing: string | undefined;
  onExternalId: (externalId: string | undefined) => void;
  onSubjectReserved: (name: string) => void;
}) {
  const [body] = useDebouncedValue(props.body, 300);
  const ready =
    body !== null &&
    (body.method === "assume_role" || body.method === "web_identity") &&
    isConnectionName(body.name) &&
    isRoleArn(body.roleArn);
  const docs = useQuery({
    ...draftDocumentsQuery(body as CreateBody, props.replacing),
    enabled: ready,
    placeholderData: (previous) => previous,
  });
  const issued = docs.data?.externalId;
  const { onExternalId } = props;
  useEffect(() => onExternalId(issued), [issued, onExternalId]);
  const reserved = isSubjectReserved(docs.error) ? body?.name : undefined;
  const { onSubjectReserved } = props;
  useEffect(() => {
    if (reserved !== undefined) onSubjectReserved(reserved);
  }, [reserved, onSubjectReserved]);
  if (!ready)
    return (
      <Text size="sm" c="dimmed">
        Enter a name and the role&apos;s ARN to see the trust policy and the CloudFormation template
        for it.
      </Text>
    );
  if (reserved !== undefined)
    return (
      <Text size="sm" c="dimmed">
        No documents for this name: its token subject was another connection&apos;s (see the Name
        field).
      </Text>
    );
  if (docs.error !== null)
    return <ErrorAlert error={docs.error} title="The documents could not be made" />;
  if (docs.data === undefined) return <Loading label="Loading the trust policy" />;
  return (
    <SetupDocumentsView
      name={body.name}
      externalId={docs.data.externalId}
      trustPolicy={docs.data.trustPolicy}
      cloudFormation={docs.data.cloudFormation}
    />
  );
}
