import { Alert, Anchor, Code, List, Stack, Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { templateQuery } from "../../api/organizations";
import { CopyDownload } from "../../components/CopyDownload";
import { ErrorAlert, Loading, PageHeader } from "../../components/page";

/** /organizations/:name/template: the member role's template, to copy, download or open in the console. */
export function TemplatePage() {
  const { name = "" } = useParams();
  const template = useQuery(templateQuery(name));
  if (template.error !== null) return <ErrorAlert error={template.error} />;
  if (template.data === undefined) return <Loading label="Loading the template" />;
  const t = template.data;
  return (
    <>
      <PageHeader
        title={`${name}: member role template`}
        description="A flat CloudFormation template that creates only the member role: deploy it as a service-managed StackSet with automatic deployment to the onboarded OUs."
        actions={
          <CopyDownload text={t.body} filename={`${name}-member-role.json`} what="template" />
        }
      />
      <Stack>
        <Anchor href={t.consoleUrl} target="_blank" rel="noreferrer">
          Open the CloudFormation console to create the StackSet
        </Anchor>
        <List size="sm">
          {t.notes.map((note) => (
            <List.Item key={note}>{note}</List.Item>
          ))}
        </List>
        <Alert color="blue" title="The management account">
          {t.managementAccount.note}
        </Alert>
        <Code block aria-label="Member role template">
          {t.body}
        </Code>
        <Text size="sm" c="dimmed">
          The template calls nothing back: AWS may not reach Switchboard.
        </Text>
      </Stack>
    </>
  );
}
