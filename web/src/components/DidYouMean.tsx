import { Anchor, Button, Group, Text } from "@mantine/core";
import { Link } from "react-router";
import { ApiError } from "../api/client";

export interface Suggestion {
  /** The request field it is for (input.operation), when the error names one. */
  field: string | undefined;
  names: string[];
}

/** The closest names an API error suggests (its details' `suggestions`), per field. */
export function suggestionsOf(error: unknown): Suggestion[] {
  if (!(error instanceof ApiError)) return [];
  const found: Suggestion[] = [];
  for (const d of error.details) {
    const names = Array.isArray(d.suggestions)
      ? d.suggestions.filter((s): s is string => typeof s === "string")
      : [];
    if (names.length === 0) continue;
    found.push({ field: typeof d.field === "string" ? d.field : error.field, names });
  }
  return found;
}

/**
 * "Did you mean DescribeDBInstances?" under an API error that suggests the closest names; a
 * click puts the name where the typo was, or follows the link made of it.
 */
export function DidYouMean(props: {
  error: unknown;
  onPick?: (field: string | undefined, name: string) => void;
  /** Each name as a link (an action's page) instead of a button. */
  links?: (name: string) => string;
}) {
  const suggestions = suggestionsOf(props.error);
  if (suggestions.length === 0) return null;
  return (
    <>
      {suggestions.map((s) => (
        <Group key={s.field ?? ""} gap="xs" role="group" aria-label="Did you mean">
          <Text size="sm">Did you mean</Text>
          {s.names.map((name) =>
            props.links !== undefined ? (
              <Anchor key={name} component={Link} to={props.links(name)} size="sm" ff="monospace">
                {name}
              </Anchor>
            ) : (
              <Button
                key={name}
                size="compact-sm"
                variant="light"
                ff="monospace"
                onClick={() => props.onPick?.(s.field, name)}
              >
                {name}
              </Button>
            ),
          )}
          <Text size="sm">?</Text>
        </Group>
      ))}
    </>
  );
}
