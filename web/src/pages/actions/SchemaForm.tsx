import {
  ActionIcon,
  Button,
  Fieldset,
  Group,
  JsonInput,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  TextInput,
  Tooltip,
} from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";

/** The part of JSON Schema (as zod's toJSONSchema writes it) that the form understands. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  description?: string;
  default?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

type Json = unknown;
type JsonObject = Record<string, Json>;

/** A field error from the API, by its path under the input ("Filters.0.Name"). */
export interface FieldError {
  path: string;
  message: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MONO = { input: { fontFamily: "var(--mantine-font-family-monospace)" } };

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== "null");
    return types.length === 1 ? types[0] : undefined;
  }
  return schema.type;
}

function isObject(v: Json): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Whether the form draws this schema with its own inputs (else: a JSON editor for the field). */
export function formRenders(schema: JsonSchema): boolean {
  if (schema.anyOf !== undefined || schema.oneOf !== undefined) return false;
  const type = typeOf(schema);
  if (type === "string" || type === "number" || type === "integer" || type === "boolean")
    return true;
  if (type === "array") {
    const items = schema.items;
    if (items === undefined) return false;
    const itemType = typeOf(items);
    if (itemType === "string") return true;
    return itemType === "object" && objectRenders(items);
  }
  if (type === "object") return objectRenders(schema);
  return false;
}

function objectRenders(schema: JsonSchema): boolean {
  return (
    schema.properties !== undefined &&
    Object.keys(schema.properties).length > 0 &&
    (schema.additionalProperties === undefined || schema.additionalProperties === false)
  );
}

function describe(schema: JsonSchema): string | undefined {
  const parts: string[] = [];
  if (schema.description !== undefined) parts.push(schema.description);
  if (schema.default !== undefined && !isObject(schema.default))
    parts.push(`default ${JSON.stringify(schema.default)}`);
  const type = typeOf(schema);
  if (type === "integer" || type === "number") {
    const min =
      schema.minimum ??
      (schema.exclusiveMinimum !== undefined && type === "integer"
        ? schema.exclusiveMinimum + 1
        : undefined);
    const max = schema.maximum !== undefined && schema.maximum < MAX_SAFE ? schema.maximum : null;
    if (min !== undefined && max !== null) parts.push(`${min} to ${max}`);
    else if (min !== undefined) parts.push(`at least ${min}`);
    else if (max !== null) parts.push(`at most ${max}`);
  }
  if (type === "string" && schema.format === "date-time")
    parts.push("ISO 8601 time, e.g. 2026-01-31T12:00:00Z");
  return parts.length === 0 ? undefined : parts.join(" · ");
}

/** A field left empty is left out of the input, so the action's defaults apply. */
function isBlank(v: Json): boolean {
  return (
    v === undefined ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (isObject(v) && Object.keys(v).length === 0)
  );
}

function setKey(obj: JsonObject | undefined, key: string, v: Json, keep: boolean): JsonObject {
  const next = { ...(obj ?? {}) };
  if (isBlank(v) && !keep) delete next[key];
  else next[key] = v;
  return next;
}

interface FieldProps {
  name: string;
  label: string;
  schema: JsonSchema;
  required: boolean;
  value: Json;
  onChange: (v: Json) => void;
  path: string;
  error: FieldError | undefined;
}

function errorAt(error: FieldError | undefined, path: string, deep = false): string | undefined {
  if (error === undefined) return undefined;
  if (error.path === path || (deep && error.path.startsWith(`${path}.`))) return error.message;
  return undefined;
}

/** A JSON editor for one field the form cannot draw; keeps the text while it does not parse. */
function JsonField(props: FieldProps) {
  const initial = props.value === undefined ? "" : JSON.stringify(props.value, null, 2);
  const [text, setText] = useState(initial);
  const [invalid, setInvalid] = useState<string | undefined>();
  return (
    <JsonInput
      label={props.label}
      description={describe(props.schema) ?? "JSON"}
      withAsterisk={props.required}
      value={text}
      onChange={(t) => {
        setText(t);
        if (t.trim() === "") {
          setInvalid(undefined);
          props.onChange(undefined);
          return;
        }
        try {
          props.onChange(JSON.parse(t));
          setInvalid(undefined);
        } catch {
          setInvalid("not valid JSON yet");
        }
      }}
      error={invalid ?? errorAt(props.error, props.path, true)}
      autosize
      minRows={3}
      maxRows={16}
      // Not formatted on blur: on a narrow screen the reformatted (taller) text moved the Run
      // button below the pointer between press and release, and the click was lost.
      spellCheck={false}
      styles={MONO}
    />
  );
}

function ObjectArrayField(props: FieldProps) {
  const items: Json[] = Array.isArray(props.value) ? (props.value as Json[]) : [];
  const itemSchema = props.schema.items ?? {};
  const set = (next: Json[]) => props.onChange(next.length === 0 ? undefined : next);
  return (
    <Fieldset
      legend={
        <Text size="sm" fw={500}>
          {props.label}
          {props.required ? " *" : ""}
        </Text>
      }
      variant="filled"
      p="sm"
    >
      <Stack gap="xs">
        {describe(props.schema) !== undefined && (
          <Text size="xs" c="dimmed">
            {describe(props.schema)}
          </Text>
        )}
        {items.map((item, i) => (
          <Group key={i} align="flex-start" wrap="nowrap" gap="xs">
            <Stack gap="xs" style={{ flex: 1 }}>
              <ObjectFields
                schema={itemSchema}
                value={isObject(item) ? item : {}}
                onChange={(v) => set(items.map((old, j) => (j === i ? v : old)))}
                path={`${props.path}.${i}`}
                labelPrefix={`${props.label} ${i + 1} `}
                error={props.error}
              />
            </Stack>
            <Tooltip label={`Remove ${props.label} ${i + 1}`}>
              <ActionIcon
                variant="subtle"
                color="red"
                mt={24}
                aria-label={`Remove ${props.label} ${i + 1}`}
                onClick={() => set(items.filter((_, j) => j !== i))}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
        ))}
        {errorAt(props.error, props.path) !== undefined && (
          <Text size="xs" c="red" role="alert">
            {errorAt(props.error, props.path)}
          </Text>
        )}
        <Group>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} />}
            onClick={() => set([...items, {}])}
          >
            Add {props.label}
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}

function Field(props: FieldProps) {
  const { schema } = props;
  if (!formRenders(schema)) return <JsonField {...props} />;
  const type = typeOf(schema);
  const description = describe(schema);
  const error = errorAt(props.error, props.path);
  const common = {
    label: props.label,
    description,
    withAsterisk: props.required,
    error,
  };
  if (type === "string" && schema.enum !== undefined) {
    return (
      <Select
        {...common}
        data={schema.enum.map(String)}
        value={typeof props.value === "string" ? props.value : null}
        onChange={(v) => props.onChange(v ?? undefined)}
        clearable={!props.required}
        placeholder={props.required ? "Choose" : "Not set"}
        allowDeselect={!props.required}
      />
    );
  }
  if (type === "string") {
    return (
      <TextInput
        {...common}
        value={typeof props.value === "string" ? props.value : ""}
        onChange={(e) => props.onChange(e.currentTarget.value)}
        {...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {})}
        placeholder={schema.format === "date-time" ? "2026-01-31T12:00:00Z" : undefined}
        spellCheck={false}
        autoComplete="off"
      />
    );
  }
  if (type === "integer" || type === "number") {
    const min =
      schema.minimum ??
      (schema.exclusiveMinimum !== undefined && type === "integer"
        ? schema.exclusiveMinimum + 1
        : undefined);
    return (
      <NumberInput
        {...common}
        value={typeof props.value === "number" ? props.value : ""}
        onChange={(v) => props.onChange(typeof v === "number" ? v : undefined)}
        allowDecimal={type === "number"}
        {...(min !== undefined ? { min } : {})}
        {...(schema.maximum !== undefined && schema.maximum < MAX_SAFE
          ? { max: schema.maximum }
          : {})}
        placeholder={
          schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : undefined
        }
      />
    );
  }
  if (type === "boolean") {
    if (props.required) {
      return (
        <Switch
          label={props.label}
          description={description}
          error={error}
          checked={props.value === true}
          onChange={(e) => props.onChange(e.currentTarget.checked)}
        />
      );
    }
    return (
      <Select
        {...common}
        data={["true", "false"]}
        value={typeof props.value === "boolean" ? String(props.value) : null}
        onChange={(v) => props.onChange(v === null ? undefined : v === "true")}
        clearable
        placeholder="Not set"
      />
    );
  }
  if (type === "array" && schema.items !== undefined && typeOf(schema.items) === "string") {
    const values = Array.isArray(props.value) ? props.value.map(String) : [];
    const onChange = (v: string[]) => props.onChange(v.length === 0 ? undefined : v);
    if (schema.items.enum !== undefined) {
      return (
        <MultiSelect
          {...common}
          data={schema.items.enum.map(String)}
          value={values}
          onChange={onChange}
          placeholder={values.length === 0 ? "Any" : undefined}
          clearable
        />
      );
    }
    return (
      <TagsInput
        {...common}
        description={[description, "Enter or comma adds a value"].filter(Boolean).join(" · ")}
        value={values}
        onChange={onChange}
        splitChars={[",", " "]}
        clearable
        acceptValueOnBlur
      />
    );
  }
  if (type === "array") return <ObjectArrayField {...props} />;
  // A nested object with known properties.
  return (
    <Fieldset
      legend={
        <Text size="sm" fw={500}>
          {props.label}
          {props.required ? " *" : ""}
        </Text>
      }
      variant="filled"
      p="sm"
    >
      <Stack gap="xs">
        {description !== undefined && (
          <Text size="xs" c="dimmed">
            {description}
          </Text>
        )}
        <ObjectFields
          schema={schema}
          value={isObject(props.value) ? props.value : {}}
          onChange={(v) => props.onChange(isBlank(v) ? undefined : v)}
          path={props.path}
          labelPrefix=""
          error={props.error}
        />
      </Stack>
    </Fieldset>
  );
}

function ObjectFields(props: {
  schema: JsonSchema;
  value: JsonObject;
  onChange: (v: JsonObject) => void;
  path: string;
  labelPrefix: string;
  error: FieldError | undefined;
}) {
  const properties = Object.entries(props.schema.properties ?? {});
  const required = new Set(props.schema.required ?? []);
  return (
    <>
      {properties.map(([key, schema]) => {
        // zod lists defaulted fields as required; the server fills them in when left out.
        const needed = required.has(key) && schema.default === undefined;
        return (
          <Field
            key={key}
            name={key}
            label={`${props.labelPrefix}${key}`}
            schema={schema}
            required={needed}
            value={props.value[key]}
            onChange={(v) => props.onChange(setKey(props.value, key, v, false))}
            path={props.path === "" ? key : `${props.path}.${key}`}
            error={props.error}
          />
        );
      })}
    </>
  );
}

/**
 * The input form an action's JSON Schema describes: text, numbers, booleans, enums, lists of
 * strings, nested objects and lists of objects; anything else gets a JSON editor of its own.
 * "Edit as JSON" switches the whole input to a JSON editor and back.
 */
export function SchemaForm(props: {
  schema: JsonSchema;
  value: JsonObject;
  onChange: (v: JsonObject) => void;
  error: FieldError | undefined;
}) {
  const [mode, setMode] = useState<"form" | "json">("form");
  const [text, setText] = useState("");
  const [jsonError, setJsonError] = useState<string | undefined>();
  const hasFields = Object.keys(props.schema.properties ?? {}).length > 0;

  const switchTo = (next: string) => {
    if (next === "json") {
      setText(JSON.stringify(props.value, null, 2));
      setJsonError(undefined);
      setMode("json");
    } else if (jsonError === undefined) {
      setMode("form");
    }
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" fw={600}>
          Input
        </Text>
        <SegmentedControl
          size="xs"
          aria-label="Input editor"
          value={mode}
          onChange={switchTo}
          data={[
            { value: "form", label: "Form" },
            { value: "json", label: "Edit as JSON" },
          ]}
        />
      </Group>
      {mode === "form" ? (
        hasFields ? (
          <ObjectFields
            schema={props.schema}
            value={props.value}
            onChange={props.onChange}
            path=""
            labelPrefix=""
            error={props.error}
          />
        ) : (
          <Text size="sm" c="dimmed">
            This action takes no input.
          </Text>
        )
      ) : (
        <JsonInput
          label="Input as JSON"
          description={
            jsonError === undefined
              ? "The action's whole input; switch back to the form when it is valid JSON"
              : undefined
          }
          value={text}
          onChange={(t) => {
            setText(t);
            try {
              const parsed: unknown = t.trim() === "" ? {} : JSON.parse(t);
              if (!isObject(parsed)) {
                setJsonError("the input is a JSON object: { … }");
                return;
              }
              setJsonError(undefined);
              props.onChange(parsed);
            } catch {
              setJsonError("not valid JSON yet");
            }
          }}
          error={jsonError ?? (props.error === undefined ? undefined : props.error.message)}
          autosize
          minRows={6}
          maxRows={24}
          spellCheck={false}
          styles={MONO}
        />
      )}
    </Stack>
  );
}
