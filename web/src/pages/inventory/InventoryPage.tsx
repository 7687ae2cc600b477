import { Button, Card, Group, MultiSelect, Radio, Stack, Text, TextInput } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { connectionsQuery } from "../../api/connections";
import { PageHeader } from "../../components/page";

/** The inventory's entry: which connections (and regions) the diagram shows. */
export function InventoryPage() {
  const navigate = useNavigate();
  const connections = useQuery(connectionsQuery);
  const [mode, setMode] = useState<"all" | "names" | "tag">("all");
  const [names, setNames] = useState<string[]>([]);
  const [tag, setTag] = useState("");
  const [regions, setRegions] = useState("");
  const selector = mode === "all" ? "*" : mode === "tag" ? `tag:${tag}` : names.join(",");
  const ready = mode === "all" || (mode === "names" ? names.length > 0 : /^[^=]+=.*$/.test(tag));
  return (
    <>
      <PageHeader
        title="Inventory"
        description="What the inventory holds for your connections, drawn as an architecture diagram with live status. A selection never synced offers Sync now on its diagram (or run switchboard inventory sync)."
      />
      <Card withBorder maw={640}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const query = new URLSearchParams({ connections: selector });
            if (regions.trim() !== "") query.set("regions", regions.replace(/\s+/g, ""));
            void navigate(`/inventory/diagram?${query.toString()}`);
          }}
        >
          <Stack gap="sm">
            <Radio.Group label="Connections" value={mode} onChange={(v) => setMode(v)}>
              <Group mt={4}>
                <Radio value="all" label="All I may see" />
                <Radio value="names" label="By name" />
                <Radio value="tag" label="By tag" />
              </Group>
            </Radio.Group>
            {mode === "names" && (
              <MultiSelect
                label="Connection names"
                data={(connections.data ?? []).map((c) => c.name)}
                value={names}
                onChange={setNames}
                searchable
              />
            )}
            {mode === "tag" && (
              <TextInput
                label="Connection tag"
                placeholder="env=prod"
                value={tag}
                onChange={(e) => setTag(e.currentTarget.value)}
              />
            )}
            <TextInput
              label="Regions"
              description="comma-separated; empty for each connection's own"
              placeholder="us-east-1, eu-west-1"
              value={regions}
              onChange={(e) => setRegions(e.currentTarget.value)}
            />
            <Group>
              <Button type="submit" disabled={!ready}>
                Open diagram
              </Button>
            </Group>
            <Text size="xs" c="dimmed">
              Only ARNs, types and relations are stored; names, states and tags are fetched live
              from AWS with your grants while the diagram is open.
            </Text>
          </Stack>
        </form>
      </Card>
    </>
  );
}
