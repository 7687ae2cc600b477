import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  MultiSelect,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from "@mantine/core";
import { IconAlertTriangle, IconDownload, IconSearch } from "@tabler/icons-react";
import { useQuery } from "@tanstack/react-query";
import cytoscape from "cytoscape";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import {
  graphQuery,
  inventoryViewQuery,
  resourceTypesQuery,
  streamAttributes,
  type GraphSelection,
} from "../../../api/inventory";
import { ErrorAlert, PageHeader } from "../../../components/page";
import { formatDateTime } from "../../../components/time";
import { diagramStyle } from "./cy-style";
import { boxMinWidth, cyMinWidth, fitLeafLabel } from "./label-fit";
import classes from "./Diagram.module.css";
import { diagramSvg, STATUS_COLOURS, type ExportEdge, type ExportNode } from "./export";
import {
  aggregateId,
  ancestorsOf,
  buildHierarchy,
  defaultCollapsed,
  shortId,
  STRUCTURAL_EDGE_KINDS,
  typeTitle,
  visibleGraph,
  type Hierarchy,
  type VisibleGraph,
  type VisibleNode,
} from "./graph";
import type { LayoutRequest, LayoutResponse } from "./layout.worker";
import { SavedViews, type ViewState } from "./SavedViews";
import { SidePanel } from "./SidePanel";
import { SyncPrompt } from "./SyncPrompt";
import { useLiveStatus, type LiveStatus } from "./useLiveStatus";

/** What browser tests and the frame bench drive, in every build: the canvas has no DOM to click. */
export interface DiagramHandle {
  cy: cytoscape.Core;
  collapse(id: string): void;
  expand(id: string): void;
  nodeIds(): string[];
  /** How many layouts have been applied, and the last one's time in the worker. */
  layouts: number;
  lastLayoutMs: number;
  /** The last layout from the request to the worker to the elements drawn with its positions. */
  lastRoundTripMs: number;
}

declare global {
  interface Window {
    __switchboardDiagram?: DiagramHandle;
  }
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

// Live status for at most this many components at once: the visible ones, nearest first.
const LIVE_LIMIT = 1000;

/** The selection in the address: `connections=a,b` (or `*`, or `tag:env=prod`), `regions=…`. */
export function selectionOf(params: URLSearchParams): GraphSelection | null {
  const connections = params.get("connections");
  if (connections === null || connections === "") return null;
  const regions = params.get("regions");
  return {
    connections: connections.startsWith("tag:")
      ? { tag: connections.slice(4) }
      : connections === "*"
        ? "*"
        : connections.split(",").filter((c) => c !== ""),
    ...(regions === null || regions === ""
      ? {}
      : { regions: regions === "*" ? "*" : regions.split(",") }),
  };
}

function selectionParams(selection: ViewState["selection"]): Record<string, string> {
  const c = selection.connections;
  const connections = Array.isArray(c)
    ? c.join(",")
    : typeof c === "object" && c !== null && "tag" in c
      ? `tag:${String(c.tag)}`
      : "*";
  const r = selection.regions;
  return {
    connections,
    ...(Array.isArray(r) ? { regions: r.join(",") } : r === "*" ? { regions: "*" } : {}),
  };
}

/** Saves a file through the browser's download. */
function download(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function worstStatus(statuses: (string | undefined)[]): string {
  const order = ["alarm", "impaired", "stopped", "pending", "running", "available"];
  let best = "unknown";
  let rank = Infinity;
  for (const s of statuses) {
    const i = order.indexOf(s ?? "unknown");
    if (i >= 0 && i < rank) {
      rank = i;
      best = s ?? "unknown";
    }
  }
  return best;
}

function healthReason(h: Hierarchy, accountId: string): string | null {
  const health = h.accounts.get(accountId)?.health;
  if (health === null || health === undefined) return null;
  const parts: string[] = [];
  if (health.suspended) parts.push("suspended in the organization");
  else if (!health.reachable)
    parts.push(
      `unreachable${health.lastError === null ? "" : `: ${health.lastError.code} ${health.lastError.message}`}`,
    );
  for (const b of health.blockedRegions) parts.push(`${b.region} blocked: ${b.reason}`);
  return parts.length === 0 ? null : parts.join("; ");
}

function isMarked(n: VisibleNode, h: Hierarchy): boolean {
  return n.groupKind === "account" && healthReason(h, n.accountId ?? "") !== null;
}

/** The nodes drawn as boxes: groups with something visible inside. */
function boxesOf(graph: VisibleGraph): Set<string> {
  const boxes = new Set<string>();
  for (const n of graph.nodes) if (n.parent !== null) boxes.add(n.parent);
  return boxes;
}

/** What a node says: a box its label on one line, a leaf its label fitted to its width. */
function nodeLabel(n: VisibleNode, h: Hierarchy, boxes: Set<string>): string {
  const text =
    n.kind === "collapsed"
      ? `${n.label}\n${n.count ?? 0} resources · double-click to open`
      : n.label;
  const label = isMarked(n, h) ? `⚠ ${text}` : text;
  if (boxes.has(n.id)) return label;
  return fitLeafLabel(label, n.kind === "group" ? "resource" : n.kind);
}

function elementsOf(
  graph: VisibleGraph,
  h: Hierarchy,
  positions: Record<string, { x: number; y: number }>,
): cytoscape.ElementDefinition[] {
  const elements: cytoscape.ElementDefinition[] = [];
  const boxes = boxesOf(graph);
  for (const n of graph.nodes) {
    const p = positions[n.id];
    const marked = isMarked(n, h);
    const label = nodeLabel(n, h, boxes);
    elements.push({
      group: "nodes",
      data: {
        id: n.id,
        ...(n.parent === null ? {} : { parent: n.parent }),
        kind: n.kind,
        label,
        ...(boxes.has(n.id) ? { minWidth: cyMinWidth(boxMinWidth(label)) } : {}),
        ...(n.groupKind === undefined ? {} : { groupKind: n.groupKind }),
        ...(n.type === undefined ? {} : { type: n.type }),
        ...(n.arn === undefined ? {} : { arn: n.arn }),
        count: n.count ?? 1,
        status: "unknown",
        marked,
      },
      ...(p === undefined ? {} : { position: { x: p.x, y: p.y } }),
    });
  }
  for (const e of graph.edges)
    elements.push({
      group: "edges",
      data: {
        id: e.id,
        source: e.source,
        target: e.target,
        count: e.count,
        kinds: e.kinds.join(", "),
      },
    });
  return elements;
}

/** The diagram of a selection: boxes per account, region, VPC, zone and subnet, live status. */
export function DiagramPage() {
  const [params, setParams] = useSearchParams();
  const selection = useMemo(() => selectionOf(params), [params]);
  const viewId = params.get("view");
  const graph = useQuery({
    ...graphQuery(selection ?? { connections: "*" }),
    enabled: selection !== null,
  });
  const types = useQuery(resourceTypesQuery);
  // A view named in the address (?view=ID): fetched whole, by id.
  const view = useQuery({ ...inventoryViewQuery(viewId ?? ""), enabled: viewId !== null });
  const titles = useMemo(
    () => Object.fromEntries((types.data ?? []).map((t) => [t.type, t.title])),
    [types.data],
  );
  const hierarchy = useMemo(
    () => (graph.data === undefined ? null : buildHierarchy(graph.data)),
    [graph.data],
  );

  const [collapsed, setCollapsed] = useState<Set<string> | null>(null);
  const [pinned, setPinned] = useState<Record<string, { x: number; y: number }>>({});
  const [hiddenTypes, setHiddenTypes] = useState<string[]>([]);
  const [structural, setStructural] = useState(false);
  const [tagFilter, setTagFilter] = useState<string | null>(null);
  const [tagGroup, setTagGroup] = useState<string | null>(null);
  const [tags, setTags] = useState<Map<string, Record<string, string>> | null>(null);
  const [tagsLoading, setTagsLoading] = useState(false);
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [focus, setFocus] = useState<string | null>(null);
  const [hover, setHover] = useState<{ text: string; x: number; y: number } | null>(null);

  // The collapsed set: a saved view's, or the default level for this many resources.
  const appliedView = useRef<string | null>(null);
  useEffect(() => {
    if (hierarchy === null) return;
    if (viewId !== null) {
      if (appliedView.current === viewId) return;
      const saved = view.data;
      if (saved === undefined) {
        if (!view.isPending) {
          appliedView.current = viewId;
          setCollapsed(new Set(defaultCollapsed(hierarchy)));
        }
        return;
      }
      appliedView.current = viewId;
      setCollapsed(new Set(saved.collapsed));
      setPinned(saved.pinned);
      return;
    }
    setCollapsed((previous) => previous ?? new Set(defaultCollapsed(hierarchy)));
  }, [hierarchy, viewId, view.data, view.isPending]);

  const loadTags = useCallback(() => {
    if (tags !== null || tagsLoading || hierarchy === null) return;
    setTagsLoading(true);
    const found = new Map<string, Record<string, string>>();
    streamAttributes([...hierarchy.resources.keys()].slice(0, 5000), (line) => {
      if ("attributes" in line && line.attributes.tags !== undefined)
        found.set(line.arn, line.attributes.tags);
    })
      .catch(() => undefined)
      .finally(() => {
        setTags(found);
        setTagsLoading(false);
      });
  }, [tags, tagsLoading, hierarchy]);

  const tagOptions = useMemo(() => {
    const pairs = new Set<string>();
    for (const t of tags?.values() ?? [])
      for (const [k, v] of Object.entries(t)) if (k !== "Name") pairs.add(`${k}=${v}`);
    return [...pairs].sort();
  }, [tags]);
  const tagKeys = useMemo(
    () => [...new Set(tagOptions.map((p) => p.slice(0, p.indexOf("="))))],
    [tagOptions],
  );

  const visible = useMemo(() => {
    if (hierarchy === null || collapsed === null) return null;
    const [key, value] =
      tagFilter === null
        ? [null, null]
        : [tagFilter.slice(0, tagFilter.indexOf("=")), tagFilter.slice(tagFilter.indexOf("=") + 1)];
    return visibleGraph(hierarchy, {
      collapsed,
      hiddenTypes: new Set(hiddenTypes),
      titles,
      ...(structural
        ? {}
        : {
            edgeKinds: new Set(
              [...hierarchy.resources.values()]
                .flatMap((r) => r.edges.map((e) => e.kind))
                .filter((k) => !STRUCTURAL_EDGE_KINDS.includes(k)),
            ),
          }),
      ...(key === null ? {} : { include: (arn: string) => tags?.get(arn)?.[key] === value }),
      ...(tagGroup === null
        ? {}
        : { groupByTag: { key: tagGroup, tagsOf: (arn: string) => tags?.get(arn) } }),
    });
  }, [hierarchy, collapsed, hiddenTypes, titles, structural, tagFilter, tagGroup, tags]);

  // Live status: components drawn one by one, and the VPCs and subnets (for their names).
  const liveArns = useMemo(() => {
    if (visible === null) return [];
    const arns: string[] = [];
    for (const n of visible.nodes) if (n.arn !== undefined) arns.push(n.arn);
    return arns.slice(0, LIVE_LIMIT);
  }, [visible]);
  const live = useLiveStatus(liveArns);

  const container = useRef<HTMLDivElement | null>(null);
  const cyRef = useRef<cytoscape.Core | null>(null);
  const workerRef = useRef<Worker | null>(null);
  const requestId = useRef(0);
  const fitted = useRef(false);
  const [layoutCount, setLayoutCount] = useState(0);
  const handleState = useRef({ layouts: 0, lastLayoutMs: 0, lastRoundTripMs: 0 });
  const pinnedRef = useRef(pinned);
  pinnedRef.current = pinned;

  const collapse = useCallback((id: string) => {
    setCollapsed((c) => new Set(c ?? []).add(id));
  }, []);
  const expand = useCallback((id: string) => {
    setCollapsed((c) => {
      const next = new Set(c ?? []);
      next.delete(id);
      return next;
    });
  }, []);

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const cy = cytoscape({
      container: element,
      style: diagramStyle(),
      minZoom: 0.02,
      maxZoom: 3,
      wheelSensitivity: 0.3,
      // Panning and zooming thousands of nodes: move a picture of the canvas while it moves.
      textureOnViewport: true,
      hideEdgesOnViewport: true,
      boxSelectionEnabled: false,
    });
    cyRef.current = cy;
    const worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
    workerRef.current = worker;
    return () => {
      worker.terminate();
      cy.destroy();
      cyRef.current = null;
      workerRef.current = null;
      delete window.__switchboardDiagram;
    };
  }, []);

  useEffect(() => {
    const cy = cyRef.current;
    if (cy === null) return;
    window.__switchboardDiagram = {
      cy,
      collapse,
      expand,
      nodeIds: () => cy.nodes().map((n) => n.id()),
      get layouts() {
        return handleState.current.layouts;
      },
      get lastLayoutMs() {
        return handleState.current.lastLayoutMs;
      },
      get lastRoundTripMs() {
        return handleState.current.lastRoundTripMs;
      },
    };
  }, [collapse, expand, layoutCount]);

  // Events: open and close boxes, select a component, pin what is dragged, explain a marked account.
  useEffect(() => {
    const cy = cyRef.current;
    if (cy === null) return;
    const onDouble = (event: cytoscape.EventObject) => {
      const node = event.target as cytoscape.NodeSingular;
      const kind = node.data("kind") as string;
      if (kind === "collapsed" || kind === "aggregate") expand(node.id());
      else if (kind === "group") collapse(node.id());
      else if (node.parent().nonempty()) {
        const parent = node.parent().first();
        collapse(parent.id());
      }
    };
    const onTap = (event: cytoscape.EventObject) => {
      const node = event.target as cytoscape.NodeSingular;
      if (node.data("kind") === "resource") setSelected(node.id());
    };
    const onDrag = (event: cytoscape.EventObject) => {
      const node = event.target as cytoscape.NodeSingular;
      const moved: Record<string, { x: number; y: number }> = {};
      const leaves = node.isParent() ? node.descendants().filter((d) => !d.isParent()) : node;
      leaves.forEach((leaf) => {
        moved[leaf.id()] = { ...leaf.position() };
      });
      setPinned((p) => ({ ...p, ...moved }));
    };
    const onOver = (event: cytoscape.EventObject) => {
      const node = event.target as cytoscape.NodeSingular;
      if (node.data("groupKind") !== "account" || hierarchy === null) return;
      const reason = healthReason(hierarchy, node.id().slice("account:".length));
      if (reason === null) return;
      const p = event.renderedPosition ?? { x: 0, y: 0 };
      setHover({ text: reason, x: p.x, y: p.y });
    };
    const onOut = () => setHover(null);
    cy.on("dbltap", "node", onDouble);
    cy.on("tap", "node", onTap);
    cy.on("dragfree", "node", onDrag);
    cy.on("mouseover", "node", onOver);
    cy.on("mouseout", "node", onOut);
    return () => {
      cy.off("dbltap", "node", onDouble);
      cy.off("tap", "node", onTap);
      cy.off("dragfree", "node", onDrag);
      cy.off("mouseover", "node", onOver);
      cy.off("mouseout", "node", onOut);
    };
  }, [collapse, expand, hierarchy]);

  // Lay out what is visible in the worker, then draw it with those positions (pins win).
  useEffect(() => {
    const cy = cyRef.current;
    const worker = workerRef.current;
    if (cy === null || worker === null || visible === null || hierarchy === null) return;
    const id = ++requestId.current;
    const started = performance.now();
    const onMessage = (event: MessageEvent<LayoutResponse>) => {
      if (event.data.id !== id) return;
      const positions = { ...event.data.positions, ...pinnedRef.current };
      cy.batch(() => {
        cy.elements().remove();
        cy.add(elementsOf(visible, hierarchy, positions));
      });
      // The elements are added at their positions, which is what the preset layout does; running
      // it after the add placed every node a second time (0.2–0.4 s at 5,000 nodes).
      if (!fitted.current) cy.fit(undefined, 30);
      fitted.current = true;
      handleState.current = {
        layouts: handleState.current.layouts + 1,
        lastLayoutMs: event.data.ms,
        lastRoundTripMs: performance.now() - started,
      };
      setLayoutCount((c) => c + 1);
    };
    worker.addEventListener("message", onMessage);
    const boxes = boxesOf(visible);
    const request: LayoutRequest = {
      id,
      nodes: visible.nodes.map((n) => ({
        id: n.id,
        parent: n.parent,
        kind: n.kind,
        ...(n.groupKind === undefined ? {} : { groupKind: n.groupKind }),
        ...(boxes.has(n.id) ? { minWidth: boxMinWidth(nodeLabel(n, hierarchy, boxes)) } : {}),
      })),
    };
    worker.postMessage(request);
    return () => worker.removeEventListener("message", onMessage);
  }, [visible, hierarchy]);

  // Live status and names onto the drawn nodes, without a new layout.
  useEffect(() => {
    const cy = cyRef.current;
    if (cy === null || hierarchy === null) return;
    cy.batch(() => {
      cy.nodes().forEach((node) => {
        const kind = node.data("kind") as string;
        if (kind === "resource") {
          const s: LiveStatus | undefined = live.get(node.id());
          node.data("status", s?.status ?? "unknown");
          const r = hierarchy.resources.get(node.id());
          if (r !== undefined && s?.name !== undefined)
            node.data("label", fitLeafLabel(`${typeTitle(r.type, titles)}\n${s.name}`, "resource"));
        } else if (kind === "aggregate") {
          const members = visible?.nodes.find((n) => n.id === node.id())?.members ?? [];
          node.data("status", worstStatus(members.map((m) => live.get(m)?.status)));
        }
      });
    });
  }, [live, layoutCount, hierarchy, titles, visible]);

  // Search: by ARN or live name.
  const matches = useMemo(() => {
    const q = search.trim().toLowerCase();
    if (hierarchy === null || q.length < 2) return [];
    const out: { arn: string; name: string | undefined; type: string }[] = [];
    for (const r of hierarchy.resources.values()) {
      const name = live.get(r.arn)?.name;
      if (r.arn.toLowerCase().includes(q) || (name?.toLowerCase().includes(q) ?? false))
        out.push({ arn: r.arn, name, type: r.type });
      if (out.length >= 12) break;
    }
    return out;
  }, [search, hierarchy, live]);

  useEffect(() => {
    const cy = cyRef.current;
    if (cy === null || visible === null) return;
    cy.batch(() => {
      cy.nodes().removeClass("match");
      for (const m of matches) {
        const shown = visible.shownBy.get(m.arn);
        if (shown !== undefined) cy.getElementById(shown).addClass("match");
      }
    });
  }, [matches, visible, layoutCount]);

  const reveal = (arn: string) => {
    if (hierarchy === null) return;
    const r = hierarchy.resources.get(arn);
    const open = new Set(ancestorsOf(hierarchy, arn));
    const container = hierarchy.containerOf.get(arn);
    setCollapsed((c) => {
      const next = new Set(c ?? []);
      for (const g of open) next.delete(g);
      if (container !== undefined && r !== undefined) next.delete(aggregateId(container, r.type));
      return next;
    });
    setHiddenTypes((t) => t.filter((x) => x !== r?.type));
    setFocus(arn);
  };
  useEffect(() => {
    const cy = cyRef.current;
    if (cy === null || focus === null) return;
    const node = cy.getElementById(focus);
    if (node.empty()) return;
    cy.nodes().unselect();
    node.select();
    cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 0.9) }, { duration: 0 });
    setSelected(focus);
    setFocus(null);
  }, [focus, layoutCount]);

  const exportNodes = (): { nodes: ExportNode[]; edges: ExportEdge[] } => {
    const cy = cyRef.current;
    if (cy === null) return { nodes: [], edges: [] };
    const nodes: ExportNode[] = [];
    cy.nodes().forEach((n) => {
      const box = n.boundingBox({ includeLabels: false, includeOverlays: false });
      const kind = n.data("kind") as ExportNode["kind"];
      nodes.push({
        id: n.id(),
        kind: n.isParent() ? "group" : kind === "group" ? "collapsed" : kind,
        label: n.data("label") as string,
        x1: box.x1,
        y1: box.y1,
        x2: box.x2,
        y2: box.y2,
        ...(n.data("groupKind") === undefined
          ? {}
          : { groupKind: n.data("groupKind") as ExportNode["groupKind"] }),
        ...(kind === "resource" || kind === "aggregate"
          ? { status: n.data("status") as string }
          : {}),
        ...(n.data("marked") === true ? { marked: true } : {}),
      });
    });
    const edges: ExportEdge[] = cy.edges().map((e) => {
      const s = e.sourceEndpoint();
      const t = e.targetEndpoint();
      const count = e.data("count") as number;
      return { x1: s.x, y1: s.y, x2: t.x, y2: t.y, ...(count > 1 ? { label: String(count) } : {}) };
    });
    return { nodes, edges };
  };
  const exportSvg = () => {
    const { nodes, edges } = exportNodes();
    download("diagram.svg", new Blob([diagramSvg(nodes, edges)], { type: "image/svg+xml" }));
  };
  const exportPng = () => {
    const cy = cyRef.current;
    if (cy === null) return;
    const blob = cy.png({
      output: "blob",
      full: true,
      scale: 2,
      maxWidth: 8000,
      maxHeight: 8000,
      bg: "#ffffff",
    });
    download("diagram.png", blob);
  };

  const current: ViewState = {
    selection: selection ?? { connections: "*" },
    collapsed: [...(collapsed ?? [])],
    pinned,
  };
  const onOpenView = (view: ViewState & { name: string }) => {
    setCollapsed(new Set(view.collapsed));
    setPinned(view.pinned);
    fitted.current = false;
    setParams(selectionParams(view.selection));
  };

  const typeOptions = useMemo(() => {
    const present = new Set([...(hierarchy?.resources.values() ?? [])].map((r) => r.type));
    return [...present].sort().map((t) => ({ value: t, label: typeTitle(t, titles) }));
  }, [hierarchy, titles]);
  const markedAccounts = useMemo(
    () =>
      hierarchy === null
        ? []
        : [...hierarchy.accounts.keys()].flatMap((id) => {
            const reason = healthReason(hierarchy, id);
            return reason === null ? [] : [{ id, reason }];
          }),
    [hierarchy],
  );
  const selectedNode = visible?.nodes.find((n) => n.id === selected);

  if (selection === null)
    return (
      <Alert color="yellow" title="No selection">
        Choose connections on the Inventory page first.
      </Alert>
    );

  return (
    <div className={classes.page}>
      <PageHeader
        title="Infrastructure diagram"
        description={
          hierarchy === null
            ? "Loading what the inventory holds…"
            : hierarchy.resources.size === 0
              ? "Nothing synced yet for this selection"
              : `${count(hierarchy.resources.size, "resource")} in ${count(hierarchy.accounts.size, "account")} · ${count(visible?.nodes.length ?? 0, "node")} drawn · as the inventory held them at ${formatDateTime(graph.data?.generatedAt ?? new Date().toISOString())}`
        }
        actions={
          <>
            <SavedViews current={current} onOpen={onOpenView} />
            <Button
              variant="default"
              size="xs"
              leftSection={<IconDownload size={14} />}
              onClick={exportSvg}
              disabled={visible === null}
            >
              Export SVG
            </Button>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconDownload size={14} />}
              onClick={exportPng}
              disabled={visible === null}
            >
              Export PNG
            </Button>
          </>
        }
      />
      {graph.error !== null && (
        <ErrorAlert error={graph.error} onRetry={() => void graph.refetch()} />
      )}
      {(graph.data?.scopes.length ?? 0) > 0 && (
        <Alert
          color="yellow"
          icon={<IconAlertTriangle size={18} />}
          title="Part of this picture is stale"
          mb="xs"
        >
          <Text size="sm">
            The last sync could not list these; the diagram shows their last good picture.
          </Text>
          <ul className={classes.staleList}>
            {graph.data?.scopes.slice(0, 8).map((s) => (
              <li key={`${s.connection}/${s.region}/${s.type}`}>
                {s.connection} · {s.region} · {typeTitle(s.type, titles)}
                {s.syncedAt === null ? "" : ` (picture of ${formatDateTime(s.syncedAt)})`}
                {s.error === null ? "" : `: ${s.error.code} — ${s.error.message}`}
              </li>
            ))}
          </ul>
          {(graph.data?.scopes.length ?? 0) > 8 && (
            <Text size="xs">and {(graph.data?.scopes.length ?? 0) - 8} more</Text>
          )}
        </Alert>
      )}
      <Group gap="xs" align="end" mb="xs" wrap="wrap">
        <div className={classes.search}>
          <TextInput
            size="xs"
            label="Search"
            placeholder="ARN or name"
            leftSection={<IconSearch size={14} />}
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
          {matches.length > 0 && (
            <Paper
              withBorder
              shadow="sm"
              className={classes.results}
              role="list"
              aria-label="Search results"
            >
              {matches.map((m) => (
                <UnstyledButton
                  key={m.arn}
                  role="listitem"
                  className={classes.result}
                  onClick={() => {
                    reveal(m.arn);
                    setSearch("");
                  }}
                >
                  <Text size="xs" fw={600}>
                    {m.name ?? shortId(m.arn)} · {typeTitle(m.type, titles)}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {m.arn}
                  </Text>
                </UnstyledButton>
              ))}
            </Paper>
          )}
        </div>
        <MultiSelect
          size="xs"
          label="Hide types"
          data={typeOptions}
          value={hiddenTypes}
          onChange={setHiddenTypes}
          searchable
          clearable
          w={220}
        />
        <Select
          size="xs"
          label="Only tag"
          placeholder={tagsLoading ? "loading tags…" : "key=value"}
          data={tagOptions}
          value={tagFilter}
          onChange={setTagFilter}
          onDropdownOpen={loadTags}
          searchable
          clearable
          w={180}
        />
        <Select
          size="xs"
          label="Group by tag"
          placeholder={tagsLoading ? "loading tags…" : "tag key"}
          data={tagKeys}
          value={tagGroup}
          onChange={(v) => {
            setTagGroup(v);
            // Each (box, tag value) starts as one node, as aggregates do.
            if (v !== null && hierarchy !== null && tags !== null) {
              const ids: string[] = [];
              for (const [arn, t] of tags) {
                const box = hierarchy.containerOf.get(arn);
                if (box !== undefined && t[v] !== undefined)
                  ids.push(aggregateId(box, `${v}=${t[v]}`));
              }
              setCollapsed((c) => new Set([...(c ?? []), ...ids]));
            }
          }}
          onDropdownOpen={loadTags}
          clearable
          w={150}
        />
        <Checkbox
          size="xs"
          label="Subnet and security group links"
          checked={structural}
          onChange={(e) => setStructural(e.currentTarget.checked)}
          mb={6}
        />
        {hierarchy !== null && (
          <Group gap={4} mb={2}>
            <Button
              size="xs"
              variant="subtle"
              onClick={() => setCollapsed(new Set(defaultCollapsed(hierarchy)))}
            >
              Reset
            </Button>
            <Button
              size="xs"
              variant="subtle"
              onClick={() =>
                setCollapsed(
                  new Set(
                    [...hierarchy.groups.values()].filter((g) => g.kind === "vpc").map((g) => g.id),
                  ),
                )
              }
            >
              Collapse VPCs
            </Button>
            <Button size="xs" variant="subtle" onClick={() => setCollapsed(new Set())}>
              Expand all
            </Button>
            {selectedNode !== undefined && selectedNode.parent !== null && (
              <Button size="xs" variant="light" onClick={() => collapse(selectedNode.parent ?? "")}>
                Collapse its box
              </Button>
            )}
          </Group>
        )}
      </Group>
      <div className={classes.body}>
        <div className={classes.canvasWrap}>
          <div
            ref={container}
            className={classes.canvas}
            role="img"
            aria-label={`Infrastructure diagram: ${visible?.nodes.length ?? 0} nodes drawn. Double-click a box to open or close it.`}
            data-testid="diagram-canvas"
          />
          {(graph.isPending || collapsed === null || layoutCount === 0) &&
            selection !== null &&
            graph.error === null && (
              <div className={classes.loading}>
                <Loader size="sm" />
              </div>
            )}
          {graph.data !== undefined && graph.data.resources.length === 0 && selection !== null && (
            <SyncPrompt selection={selection} />
          )}
          {hover !== null && (
            <div
              className={classes.tooltip}
              style={{ left: hover.x + 12, top: hover.y + 12 }}
              role="tooltip"
            >
              {hover.text}
            </div>
          )}
          <Paper withBorder className={classes.legend} aria-label="Legend">
            <Stack gap={4}>
              <Text size="xs" fw={700}>
                Status
              </Text>
              {(
                [
                  ["running", "running / available"],
                  ["stopped", "stopped"],
                  ["alarm", "impaired / in alarm"],
                  ["unknown", "unknown"],
                ] as const
              ).map(([status, text]) => (
                <Group key={status} gap={6} wrap="nowrap">
                  <span
                    className={classes.swatch}
                    style={{
                      borderColor: STATUS_COLOURS[status],
                      borderStyle: status === "unknown" ? "dashed" : "solid",
                    }}
                  />
                  <Text size="xs">{text}</Text>
                </Group>
              ))}
              <Group gap={6} wrap="nowrap">
                <span
                  className={classes.swatch}
                  style={{ borderStyle: "double", borderWidth: 4 }}
                />
                <Text size="xs">several of a type (double-click)</Text>
              </Group>
              {markedAccounts.map((a) => (
                <Group key={a.id} gap={6} wrap="nowrap" align="flex-start">
                  <Badge size="xs" color="red" variant="light">
                    ⚠ {a.id}
                  </Badge>
                  <Text size="xs" maw={220}>
                    {a.reason}
                  </Text>
                </Group>
              ))}
            </Stack>
          </Paper>
        </div>
        {selected !== null && (
          <div className={classes.side}>
            <SidePanel
              arn={selected}
              {...(hierarchy?.resources.get(selected) === undefined
                ? {}
                : { resource: hierarchy.resources.get(selected) })}
              onClose={() => setSelected(null)}
            />
          </div>
        )}
      </div>
    </div>
  );
}
