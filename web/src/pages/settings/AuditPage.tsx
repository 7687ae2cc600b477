import {
  ActionIcon,
  Autocomplete,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { IconChevronDown, IconChevronRight, IconFilter, IconHistory } from "@tabler/icons-react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { DataTable } from "mantine-datatable";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { auditQuery, type AuditEvent, type AuditQuery } from "../../api/settings";
import { Empty, ErrorAlert, PageHeader } from "../../components/page";
import { fieldError, otherError } from "../../components/field-errors";
import { When } from "../../components/time";

type Outcome = AuditEvent["outcome"];

const FILTERS = ["actor", "action", "objectType", "objectId", "outcome", "since", "until"] as const;
type Filter = (typeof FILTERS)[number];

const PAGE_SIZE = 100;

/** Actions Switchboard records, and their families (a trailing * matches a prefix). */
const ACTIONS = [
  "auth.*",
  "auth.login",
  "auth.logout",
  "user.*",
  "user.create",
  "user.update",
  "user.delete",
  "user.password.setup",
  "team.*",
  "team.create",
  "team.delete",
  "team.member.add",
  "team.member.remove",
  "token.*",
  "token.create",
  "token.revoke",
  "project.*",
  "secret.*",
  "secret.create",
  "secret.replace",
  "secret.delete",
  "secret.use",
  "connection.*",
  "connection.create",
  "connection.update",
  "connection.delete",
  "connection.test",
  "connection.grants.set",
  "connection.access-request.*",
  "connection.external-id.rotate",
  "settings.outbound.update",
  "oidc.rotate",
  "action.run",
];

const OBJECT_TYPES = [
  "user",
  "team",
  "token",
  "project",
  "secret",
  "connection",
  "settings",
  "oidc-key",
  "org",
  "run",
];

const OUTCOMES: { value: Outcome; label: string }[] = [
  { value: "success", label: "success" },
  { value: "failure", label: "failure" },
  { value: "denied", label: "denied" },
];

function OutcomeBadge({ outcome }: { outcome: Outcome }) {
  return (
    <Badge
      size="sm"
      variant="dot"
      color={outcome === "success" ? "teal" : outcome === "denied" ? "orange" : "red"}
    >
      {outcome}
    </Badge>
  );
}

/** datetime-local inputs speak local time without a zone; the API wants ISO 8601 with one. */
function toIso(local: string): string | undefined {
  if (local === "") return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toLocalInput(iso: string | null): string {
  if (iso === null) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function FilterForm(props: {
  values: Record<Filter, string>;
  /** The filters in the address, as a query string. */
  search: string;
  error: unknown;
  /** Puts the filters in the address; returns the query string it sets. */
  onApply: (values: Record<Filter, string>) => string;
}) {
  const [draft, setDraft] = useState(props.values);
  // The form follows the address when it changes from outside (back button, a link), but not
  // when the change is its own: what was typed since applying stays.
  const [synced, setSynced] = useState(props.search);
  const [pending, setPending] = useState<string | null>(null);
  if (synced !== props.search) {
    setSynced(props.search);
    if (pending === props.search) setPending(null);
    else setDraft(props.values);
  }
  const set = (key: Filter) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const apply = (values: Record<Filter, string>) => {
    const search = props.onApply(values);
    setPending(search === props.search ? null : search);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };
  const clear = () => {
    const empty = Object.fromEntries(FILTERS.map((f) => [f, ""])) as Record<Filter, string>;
    setDraft(empty);
    apply(empty);
  };
  return (
    <Paper withBorder p="sm" mb="md" component="form" onSubmit={submit} aria-label="Audit filters">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm" verticalSpacing="xs">
        <TextInput
          label="Actor"
          placeholder="alice, user:alice or system"
          value={draft.actor}
          onChange={(e) => set("actor")(e.currentTarget.value)}
          error={fieldError(props.error, "actor")}
        />
        <Autocomplete
          label="Action"
          placeholder="user.create or user.*"
          data={ACTIONS}
          value={draft.action}
          onChange={set("action")}
          error={fieldError(props.error, "action")}
          limit={40}
        />
        <Select
          label="Object type"
          placeholder="Any"
          data={OBJECT_TYPES}
          value={draft.objectType === "" ? null : draft.objectType}
          onChange={(v) => set("objectType")(v ?? "")}
          clearable
          error={fieldError(props.error, "objectType")}
        />
        <TextInput
          label="Object id"
          placeholder="e.g. alice, keys/system/…"
          value={draft.objectId}
          onChange={(e) => set("objectId")(e.currentTarget.value)}
          error={fieldError(props.error, "objectId")}
        />
        <Select
          label="Outcome"
          placeholder="Any"
          data={OUTCOMES}
          value={draft.outcome === "" ? null : draft.outcome}
          onChange={(v) => set("outcome")(v ?? "")}
          clearable
          error={fieldError(props.error, "outcome")}
        />
        <TextInput
          type="datetime-local"
          label="From"
          value={toLocalInput(draft.since === "" ? null : draft.since)}
          onChange={(e) => set("since")(toIso(e.currentTarget.value) ?? "")}
          error={fieldError(props.error, "since")}
        />
        <TextInput
          type="datetime-local"
          label="Until"
          value={toLocalInput(draft.until === "" ? null : draft.until)}
          onChange={(e) => set("until")(toIso(e.currentTarget.value) ?? "")}
          error={fieldError(props.error, "until")}
        />
        <Group align="flex-end" gap="xs">
          <Button type="submit" leftSection={<IconFilter size={16} />}>
            Apply filters
          </Button>
          <Button variant="default" onClick={clear}>
            Clear
          </Button>
        </Group>
      </SimpleGrid>
    </Paper>
  );
}

/** Every event about the same object: the history of one user, secret or connection. */
function objectHistory(e: AuditEvent): string | null {
  if (e.objectType === null || e.objectId === null) return null;
  return `/settings/audit?${new URLSearchParams({ objectType: e.objectType, objectId: e.objectId }).toString()}`;
}

/** "alice" means the user alice: actors are recorded as user:<name> (or system). */
function normalizeActor(actor: string): string {
  const trimmed = actor.trim();
  return trimmed === "" || trimmed === "system" || trimmed.includes(":")
    ? trimmed
    : `user:${trimmed}`;
}

/** The audit log, newest first; the filters live in the address so a filtered view can be shared. */
export function AuditPage() {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ""])) as Record<
    Filter,
    string
  >;
  const query: AuditQuery = { limit: PAGE_SIZE };
  for (const f of FILTERS) {
    if (values[f] !== "") Object.assign(query, { [f]: values[f] });
  }
  const events = useInfiniteQuery(auditQuery(query));
  const [expanded, setExpanded] = useState<string[]>([]);
  const records = events.data?.pages.flatMap((p) => p.items);
  const filtered = FILTERS.some((f) => values[f] !== "");

  const apply = (next: Record<Filter, string>) => {
    const search = new URLSearchParams();
    const normalized = { ...next, actor: normalizeActor(next.actor) };
    for (const f of FILTERS) if (normalized[f] !== "") search.set(f, normalized[f].trim());
    setParams(search);
    setExpanded([]);
    return search.toString();
  };

  const toggle = (id: string) =>
    setExpanded((ids) => (ids.includes(id) ? ids.filter((i) => i !== id) : [...ids, id]));

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Who did what, when, to which object and from where: every change, sign-in, secret use and AWS call made for a user. Newest first."
      />
      <FilterForm values={values} search={params.toString()} error={events.error} onApply={apply} />
      {events.error !== null && otherError(events.error, [...FILTERS]) !== null && (
        <ErrorAlert error={events.error} onRetry={() => void events.refetch()} />
      )}
      {records !== undefined && records.length === 0 ? (
        <Empty
          icon={<IconHistory size={32} />}
          title={filtered ? "No events match these filters" : "No events yet"}
          description={
            filtered
              ? "Widen the date range, use an action prefix such as user.*, or clear the filters."
              : "Changes, sign-ins and secret uses appear here as they happen."
          }
        />
      ) : (
        events.error === null && (
          <Stack gap="sm">
            <DataTable<AuditEvent>
              aria-label="Audit events"
              withTableBorder
              borderRadius="sm"
              striped
              minHeight={records === undefined ? 160 : undefined}
              fetching={events.isLoading}
              records={records ?? []}
              idAccessor="id"
              rowExpansion={{
                trigger: "never",
                allowMultiple: true,
                expanded: { recordIds: expanded },
                content: ({ record }) => (
                  <Stack gap={4} p="sm">
                    <Text size="xs" c="dimmed">
                      Request {record.requestId ?? "—"} · event {record.id}
                    </Text>
                    <Code block>{JSON.stringify(record.detail ?? {}, null, 2)}</Code>
                  </Stack>
                ),
              }}
              columns={[
                {
                  accessor: "expand",
                  title: <VisuallyHidden>Details</VisuallyHidden>,
                  width: 40,
                  render: (e) => {
                    const open = expanded.includes(e.id);
                    return (
                      <Tooltip label={open ? "Hide details" : "Show details"}>
                        <ActionIcon
                          variant="subtle"
                          color="gray"
                          size="sm"
                          aria-expanded={open}
                          aria-label={`${open ? "Hide" : "Show"} details of ${e.action} at ${e.createdAt}`}
                          onClick={() => toggle(e.id)}
                        >
                          {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
                        </ActionIcon>
                      </Tooltip>
                    );
                  },
                },
                {
                  accessor: "createdAt",
                  title: "Time",
                  noWrap: true,
                  render: (e) => <When exact iso={e.createdAt} />,
                },
                { accessor: "actor", title: "Actor", noWrap: true },
                {
                  accessor: "action",
                  title: "Action",
                  render: (e) => <Code>{e.action}</Code>,
                },
                {
                  accessor: "objectId",
                  title: "Object",
                  render: (e) => {
                    if (e.objectType === null && e.objectId === null) return "";
                    const link = objectHistory(e);
                    const text = `${e.objectType ?? ""}${e.objectId === null ? "" : ` ${e.objectId}`}`;
                    return link === null ? (
                      <Text size="sm" style={{ overflowWrap: "anywhere" }}>
                        {text}
                      </Text>
                    ) : (
                      <Tooltip label="Every event about this object" openDelay={300}>
                        <Text
                          size="sm"
                          component={Link}
                          to={link}
                          c="inherit"
                          td="underline"
                          style={{ overflowWrap: "anywhere" }}
                        >
                          {text}
                        </Text>
                      </Tooltip>
                    );
                  },
                },
                {
                  accessor: "outcome",
                  title: "Outcome",
                  width: 120,
                  render: (e) => <OutcomeBadge outcome={e.outcome} />,
                },
                {
                  accessor: "sourceIp",
                  title: "From",
                  noWrap: true,
                  render: (e) => e.sourceIp ?? "",
                },
              ]}
            />
            {records !== undefined && (
              <Group justify="space-between">
                <Text size="sm" c="dimmed" role="status">
                  {records.length} event{records.length === 1 ? "" : "s"} shown
                  {events.hasNextPage ? "; older ones follow" : ""}
                </Text>
                {events.hasNextPage && (
                  <Button
                    variant="default"
                    loading={events.isFetchingNextPage}
                    onClick={() => void events.fetchNextPage()}
                  >
                    Load older events
                  </Button>
                )}
              </Group>
            )}
          </Stack>
        )
      )}
    </>
  );
}
