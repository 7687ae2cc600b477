import { Box, Button, Group, Text, UnstyledButton } from "@mantine/core";
import { IconChevronDown, IconChevronRight } from "@tabler/icons-react";
import { useCallback, useMemo, useState, type ReactNode } from "react";
import { CopyDownload } from "./CopyDownload";
import classes from "./JsonTree.module.css";

type Json = unknown;
type Container = Record<string, Json> | Json[];

/** Children shown per array or object before a "show more" button. */
const CHUNK = 100;
/** "Expand all" stops opening nodes past this many, so a huge output stays responsive. */
const EXPAND_ALL_LIMIT = 5000;

function isContainer(v: Json): v is Container {
  return v !== null && typeof v === "object";
}

function entriesOf(v: Container): [string, Json][] {
  return Array.isArray(v) ? v.map((item, i) => [String(i), item]) : Object.entries(v);
}

/** JSON-pointer-like path of a node: its key for the expanded set and its accessible name. */
function childPath(parent: string, key: string): string {
  return `${parent}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
}

/** The paths of containers to open, breadth-first, up to a depth and a total. */
function containerPaths(root: Json, maxDepth: number, limit: number): Set<string> {
  const open = new Set<string>();
  let level: [string, Json][] = [["", root]];
  for (let depth = 0; depth <= maxDepth && level.length > 0; depth++) {
    const next: [string, Json][] = [];
    for (const [path, value] of level) {
      if (!isContainer(value)) continue;
      if (open.size >= limit) return open;
      open.add(path);
      for (const [k, v] of entriesOf(value)) if (isContainer(v)) next.push([childPath(path, k), v]);
    }
    level = next;
  }
  return open;
}

function preview(v: Container): string {
  if (Array.isArray(v)) return v.length === 1 ? "[1 item]" : `[${v.length} items]`;
  const n = Object.keys(v).length;
  return n === 1 ? "{1 key}" : `{${n} keys}`;
}

function Scalar({ value }: { value: Json }) {
  const kind =
    typeof value === "string"
      ? classes.string
      : typeof value === "number"
        ? classes.number
        : typeof value === "boolean"
          ? classes.boolean
          : classes.null;
  return <span className={kind}>{typeof value === "string" ? `"${value}"` : String(value)}</span>;
}

interface NodeProps {
  name: string;
  root?: boolean;
  value: Json;
  path: string;
  open: Set<string>;
  toggle: (path: string) => void;
}

function Node({ name, root, value, path, open, toggle }: NodeProps) {
  const [shown, setShown] = useState(CHUNK);
  const label = (
    <Text span inherit fw={600} className={classes.key}>
      {root === true ? name : `${name}:`}
    </Text>
  );
  if (!isContainer(value)) {
    return (
      <li className={classes.item}>
        <span className={classes.leaf}>
          {label} <Scalar value={value} />
        </span>
      </li>
    );
  }
  const expanded = open.has(path);
  const entries = expanded ? entriesOf(value) : [];
  const empty = Object.keys(value).length === 0;
  return (
    <li className={classes.item}>
      {empty ? (
        <span className={classes.leaf}>
          {label}{" "}
          <Text span inherit c="dimmed">
            {Array.isArray(value) ? "[]" : "{}"}
          </Text>
        </span>
      ) : (
        <UnstyledButton
          className={classes.toggle}
          onClick={() => toggle(path)}
          aria-expanded={expanded}
        >
          {expanded ? <IconChevronDown size={12} /> : <IconChevronRight size={12} />}
          {label}{" "}
          <Text span inherit c="dimmed">
            {preview(value)}
          </Text>
        </UnstyledButton>
      )}
      {expanded && !empty && (
        <ul className={classes.list}>
          {entries.slice(0, shown).map(([k, v]) => (
            <Node
              key={k}
              name={k}
              value={v}
              path={childPath(path, k)}
              open={open}
              toggle={toggle}
            />
          ))}
          {entries.length > shown && (
            <li className={classes.item}>
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() => setShown((n) => n + CHUNK * 10)}
              >
                Show {Math.min(CHUNK * 10, entries.length - shown)} more of {entries.length - shown}
              </Button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

/**
 * A collapsible view of a JSON document with expand/collapse-all, copy and download. Children
 * are rendered only when their parent is open, and long lists in chunks, so large outputs stay
 * fast. Each node is a disclosure button (aria-expanded), usable from the keyboard.
 */
export function JsonTree(props: {
  value: Json;
  /** File name for the download, e.g. "production-us-east-1.json". */
  filename: string;
  /** What the document is, for the buttons' accessible names ("output"). */
  what?: string;
  /** Levels opened at first. */
  initialDepth?: number;
  toolbar?: ReactNode;
}) {
  const what = props.what ?? "output";
  const initial = useMemo(
    () => containerPaths(props.value, props.initialDepth ?? 2, 200),
    [props.value, props.initialDepth],
  );
  const [open, setOpen] = useState(initial);
  const [forValue, setForValue] = useState(props.value);
  if (forValue !== props.value) {
    setForValue(props.value);
    setOpen(initial);
  }
  const text = useMemo(() => JSON.stringify(props.value, null, 2), [props.value]);
  const toggle = useCallback(
    (path: string) =>
      setOpen((prev) => {
        const next = new Set(prev);
        if (next.has(path)) next.delete(path);
        else next.add(path);
        return next;
      }),
    [],
  );

  return (
    <Box>
      <Group justify="space-between" mb="xs" gap="xs">
        <Group gap="xs">
          <Button
            size="xs"
            variant="default"
            onClick={() => setOpen(containerPaths(props.value, Infinity, EXPAND_ALL_LIMIT))}
          >
            Expand all
          </Button>
          <Button size="xs" variant="default" onClick={() => setOpen(new Set())}>
            Collapse all
          </Button>
          {props.toolbar}
        </Group>
        <CopyDownload text={text} filename={props.filename} what={what} />
      </Group>
      <Box className={classes.frame}>
        <ul className={classes.root} aria-label={what}>
          <Node name={what} root value={props.value} path="" open={open} toggle={toggle} />
        </ul>
      </Box>
    </Box>
  );
}
