import {
  Badge,
  Group,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Text,
  type ComboboxItem,
  type MultiSelectProps,
} from "@mantine/core";
import type { Ok } from "../../api/client";
import type { RunRequest } from "../../api/actions";

export type Connection = Ok<"/api/v1/connections", "get">["items"][number];

export interface Targets {
  /** pick: by name (one or several); tag: every executable connection with key=value; all: every one. */
  mode: "pick" | "tag" | "all";
  connections: string[];
  tag: string | null;
  regionMode: "all" | "pick";
  regions: string[];
}

export const NO_TARGETS: Targets = {
  mode: "pick",
  connections: [],
  tag: null,
  regionMode: "all",
  regions: [],
};

/** The connections a selection means, among those the caller may execute. */
export function chosenConnections(targets: Targets, executable: Connection[]): Connection[] {
  if (targets.mode === "all") return executable;
  if (targets.mode === "tag") {
    if (targets.tag === null) return [];
    const at = targets.tag.indexOf("=");
    const [key, value] = [targets.tag.slice(0, at), targets.tag.slice(at + 1)];
    return executable.filter((c) => c.tags[key] === value);
  }
  const names = new Set(targets.connections);
  return executable.filter((c) => names.has(c.name));
}

/** The request's connections and regions, or why there is nothing to run yet. */
export function targetsRequest(
  targets: Targets,
): Pick<RunRequest, "connections" | "regions"> | { missing: string } {
  const regions = targets.regionMode === "all" ? ("*" as const) : targets.regions;
  if (Array.isArray(regions) && regions.length === 0)
    return { missing: "Choose at least one region, or all regions." };
  if (targets.mode === "all") return { connections: "*", regions };
  if (targets.mode === "tag") {
    if (targets.tag === null) return { missing: "Choose a tag." };
    return { connections: { tag: targets.tag }, regions };
  }
  if (targets.connections.length === 0) return { missing: "Choose at least one connection." };
  return { connections: targets.connections, regions };
}

/** How many (connection, region) targets the selection makes; global actions once per account. */
export function targetCount(targets: Targets, chosen: Connection[], global: boolean): number {
  if (global) return new Set(chosen.map((c) => c.accountId ?? c.name)).size;
  return chosen.reduce(
    (n, c) =>
      n +
      (targets.regionMode === "all"
        ? c.regions.length
        : targets.regions.filter((r) => c.regions.includes(r)).length),
    0,
  );
}

const renderConnection =
  (byName: Map<string, Connection>): MultiSelectProps["renderOption"] =>
  ({ option }: { option: ComboboxItem }) => {
    const c = byName.get(option.value);
    return (
      <Group gap="xs" wrap="nowrap" justify="space-between" w="100%">
        <Text size="sm">{option.label}</Text>
        {c !== undefined && (
          <Text size="xs" c="dimmed">
            {c.accountId ?? "account unknown"} · {c.access}
          </Text>
        )}
      </Group>
    );
  };

/**
 * Where to run: one or several connections by name, every connection with a tag, or all the
 * caller may execute; in all of their regions or the chosen ones.
 */
export function TargetPicker(props: {
  executable: Connection[];
  value: Targets;
  onChange: (t: Targets) => void;
  /** "depends" for aws.call: once per account when the service called is a global one. */
  global: boolean | "depends";
}) {
  const { value, executable } = props;
  const set = (patch: Partial<Targets>) => props.onChange({ ...value, ...patch });
  const byName = new Map(executable.map((c) => [c.name, c]));
  const tags = [
    ...new Set(executable.flatMap((c) => Object.entries(c.tags).map(([k, v]) => `${k}=${v}`))),
  ].sort();
  const chosen = chosenConnections(value, executable);
  const regionChoices = [...new Set(chosen.flatMap((c) => c.regions))].sort();
  const count = targetCount(value, chosen, props.global === true);

  return (
    <Stack gap="sm">
      <Stack gap={4}>
        <Text size="sm" fw={600} id="target-connections-label">
          Connections
        </Text>
        <SegmentedControl
          size="xs"
          aria-labelledby="target-connections-label"
          value={value.mode}
          onChange={(mode) => set({ mode: mode })}
          data={[
            { value: "pick", label: "By name" },
            { value: "tag", label: "By tag" },
            { value: "all", label: `All (${executable.length})` },
          ]}
        />
      </Stack>
      {value.mode === "pick" && (
        <MultiSelect
          label="Connections to run on"
          description="One or several; only connections you may execute are listed"
          placeholder={value.connections.length === 0 ? "Choose connections" : undefined}
          data={executable.map((c) => ({ value: c.name, label: c.name }))}
          renderOption={renderConnection(byName)}
          value={value.connections}
          onChange={(connections) => set({ connections })}
          searchable
          clearable
          hidePickedOptions
          nothingFoundMessage="No connection you may execute has that name"
        />
      )}
      {value.mode === "tag" && (
        <Select
          label="Tag"
          description="Runs on every connection you may execute that has this tag"
          placeholder={tags.length === 0 ? "Your connections have no tags" : "key=value"}
          data={tags}
          value={value.tag}
          onChange={(tag) => set({ tag })}
          searchable
          nothingFoundMessage="No connection has that tag"
        />
      )}
      {value.mode === "all" && (
        <Text size="sm" c="dimmed">
          Every connection you may execute: {executable.map((c) => c.name).join(", ")}.
        </Text>
      )}

      <Stack gap={4}>
        <Text size="sm" fw={600} id="target-regions-label">
          Regions
        </Text>
        <SegmentedControl
          size="xs"
          aria-labelledby="target-regions-label"
          value={value.regionMode}
          onChange={(regionMode) => set({ regionMode: regionMode })}
          data={[
            { value: "all", label: "All their regions" },
            { value: "pick", label: "Choose regions" },
          ]}
        />
      </Stack>
      {value.regionMode === "pick" && (
        <MultiSelect
          label="Regions to run in"
          description="Regions of the chosen connections; a connection without one is skipped there"
          placeholder={value.regions.length === 0 ? "Choose regions" : undefined}
          data={regionChoices}
          value={value.regions}
          onChange={(regions) => set({ regions })}
          searchable
          clearable
          hidePickedOptions
          nothingFoundMessage={
            chosen.length === 0 ? "Choose connections first" : "Not a region of these connections"
          }
        />
      )}
      <Group gap="xs">
        <Badge variant="default" size="lg" tt="none" fw={500}>
          {chosen.length} {chosen.length === 1 ? "connection" : "connections"} ·{" "}
          {props.global === "depends" ? "up to " : ""}
          {count} {count === 1 ? "target" : "targets"}
        </Badge>
        {props.global !== false && (
          <Text size="xs" c="dimmed">
            {props.global === true
              ? "A global service: runs once per account."
              : "A global service (IAM, S3, Account …) runs once per account."}
          </Text>
        )}
      </Group>
    </Stack>
  );
}
