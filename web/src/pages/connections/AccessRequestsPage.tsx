import { Anchor, Badge, Button, Group, SegmentedControl, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowLeft, IconCheck, IconInbox, IconX } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import { useAuth } from "../../app/auth";
import { ListTable } from "../../components/ListTable";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import {
  accessRequestsQuery,
  useDecideAccessRequest,
  type AccessRequest,
} from "../../api/connections";
import { When } from "../../components/time";

const STATUS_COLOR = { pending: "yellow", granted: "teal", declined: "gray" } as const;

/** /connections/requests: edit-access requests; admins grant or decline them. */
export function AccessRequestsPage() {
  const { isAdmin } = useAuth();
  const [params, setParams] = useSearchParams();
  const show = params.get("show") === "all" ? "all" : "pending";
  const requests = useQuery(accessRequestsQuery(show === "pending" ? "pending" : undefined));
  const decision = useDecideAccessRequest();
  const busy =
    decision.isPending && decision.variables !== undefined
      ? `${decision.variables.request.id}:${decision.variables.verb}`
      : null;
  const error = decision.error;

  const decide = (request: AccessRequest, verb: "grant" | "decline") =>
    decision.mutate(
      { request, verb },
      {
        onSuccess: () =>
          notifications.show({
            message:
              verb === "grant"
                ? `${request.requester.replace(/^user:/, "")} can now edit ${request.connection}`
                : `Request for ${request.connection} declined`,
            color: verb === "grant" ? "teal" : "gray",
          }),
      },
    );

  return (
    <>
      <Anchor component={Link} to="/connections" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} /> Connections
        </Group>
      </Anchor>
      <PageHeader
        title="Access requests"
        description={
          isAdmin
            ? "Viewers ask for edit access to a connection with a reason. Granting makes the person an editor of that connection."
            : "Your requests for edit access, and what the admins decided."
        }
        actions={
          <SegmentedControl
            aria-label="Which requests"
            value={show}
            onChange={(v) => setParams(v === "all" ? { show: "all" } : {}, { replace: true })}
            data={[
              { value: "pending", label: "Pending" },
              { value: "all", label: "All" },
            ]}
          />
        }
      />
      {requests.error !== null && (
        <ErrorAlert error={requests.error} onRetry={() => void requests.refetch()} />
      )}
      {error !== null && <ErrorAlert error={error} title="The request was not decided" />}
      <ListTable<AccessRequest>
        label="Access requests"
        records={requests.error === null ? requests.data : []}
        idAccessor="id"
        searchText={(r) => `${r.connection} ${r.requester} ${r.reason} ${r.status}`}
        defaultSort={{ columnAccessor: "createdAt", direction: "desc" }}
        empty={
          <Empty
            icon={<IconInbox size={32} />}
            title={show === "pending" ? "No pending requests" : "No requests yet"}
            description={
              isAdmin
                ? "When a viewer asks for edit access to a connection, the request waits here for you."
                : "To ask for edit access, open a connection you can view and choose Request edit access."
            }
          />
        }
        columns={[
          {
            accessor: "connection",
            title: "Connection",
            sortable: true,
            render: (r) => (
              <Anchor component={Link} to={`/connections/${r.connection}`} size="sm" fw={600}>
                {r.connection}
              </Anchor>
            ),
          },
          {
            accessor: "requester",
            title: "Requested by",
            sortable: true,
            render: (r) => r.requester.replace(/^user:/, ""),
          },
          {
            accessor: "reason",
            title: "Reason",
            render: (r) => (
              <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
                {r.reason}
              </Text>
            ),
          },
          {
            accessor: "createdAt",
            title: "When",
            sortable: true,
            render: (r) => <When iso={r.createdAt} />,
          },
          {
            accessor: "status",
            title: "Status",
            sortable: true,
            render: (r) => (
              <Group gap={6} wrap="nowrap">
                <Badge size="sm" variant="dot" color={STATUS_COLOR[r.status]} tt="none">
                  {r.status}
                </Badge>
                {r.decidedBy !== null && (
                  <Text span size="xs" c="dimmed">
                    by {r.decidedBy.replace(/^user:/, "")}
                  </Text>
                )}
              </Group>
            ),
          },
          ...(isAdmin
            ? [
                {
                  accessor: "actions",
                  title: "Decision",
                  render: (r: AccessRequest) =>
                    r.status !== "pending" ? null : (
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          leftSection={<IconCheck size={14} />}
                          loading={busy === `${r.id}:grant`}
                          onClick={() => decide(r, "grant")}
                          aria-label={`Grant ${r.requester.replace(/^user:/, "")} edit access to ${r.connection}`}
                        >
                          Grant
                        </Button>
                        <Button
                          size="xs"
                          variant="default"
                          leftSection={<IconX size={14} />}
                          loading={busy === `${r.id}:decline`}
                          onClick={() => decide(r, "decline")}
                          aria-label={`Decline ${r.requester.replace(/^user:/, "")}'s request for ${r.connection}`}
                        >
                          Decline
                        </Button>
                      </Group>
                    ),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}
