import {
  Button,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { IconPlayerPlay, IconShieldCheck } from "@tabler/icons-react";
import { useEffect, useMemo, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { usePreflight, useStartRun, type WorkflowDetail } from "../../api/workflows";
import { ErrorAlert } from "../../components/page";
import { PreflightView } from "./PreflightView";
import {
  collectInputs,
  initialValue,
  inputSpecs,
  type InputSpec,
  type InputValue,
} from "./run-inputs";

function InputField(props: {
  spec: InputSpec;
  value: InputValue;
  error: string | undefined;
  onChange: (value: InputValue) => void;
}) {
  const { spec, value, error } = props;
  const common = {
    label: `${spec.name} (${spec.type})`,
    description: spec.description,
    required: spec.required === true && spec.default === undefined,
    error,
  };
  if (spec.type === "boolean")
    return (
      <Switch
        label={common.label}
        description={spec.description}
        checked={value === true}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
    );
  if (spec.enum !== undefined && (spec.type === "string" || spec.type === "number"))
    return (
      <Select
        {...common}
        data={spec.enum.map((v) => String(v))}
        value={value === "" ? null : String(value)}
        onChange={(v) => props.onChange(v === null ? "" : spec.type === "number" ? Number(v) : v)}
        allowDeselect={!common.required}
      />
    );
  if (spec.type === "number")
    return (
      <NumberInput
        {...common}
        value={typeof value === "number" ? value : ""}
        onChange={(v) => props.onChange(typeof v === "number" ? v : v === "" ? "" : Number(v))}
      />
    );
  if (spec.type === "string")
    return (
      <TextInput
        {...common}
        value={String(value)}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
    );
  return (
    <Textarea
      {...common}
      description={spec.description ?? `JSON ${spec.type === "array" ? "list" : "object"}`}
      value={String(value)}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      autosize
      minRows={1}
      maxRows={6}
      ff="monospace"
    />
  );
}

/**
 * Run a workflow: its inputs (typed fields, with defaults), then the preflight — targets, missing
 * grants, refusals and IAM policy — before the person confirms. Starting goes to the run's page.
 */
export function RunDialog(props: { workflow: WorkflowDetail; onClose: () => void }) {
  const { workflow } = props;
  const navigate = useNavigate();
  const specs = useMemo(() => inputSpecs(workflow.definition), [workflow.definition]);
  const [values, setValues] = useState<Record<string, InputValue>>(() =>
    Object.fromEntries(specs.map((s) => [s.name, initialValue(s)])),
  );
  const [showProblems, setShowProblems] = useState(false);
  const preflight = usePreflight(workflow.name);
  const start = useStartRun(workflow.name);
  const { inputs, problems } = collectInputs(specs, values);
  const hasProblems = Object.keys(problems).length > 0;

  const change = (name: string, value: InputValue) => {
    setValues((v) => ({ ...v, [name]: value }));
    preflight.reset();
  };
  const check = () => {
    setShowProblems(true);
    if (!hasProblems) preflight.mutate(inputs);
  };
  const run = () => start.mutate(inputs, { onSuccess: ({ id }) => void navigate(`/runs/${id}`) });
  // The check button is disabled while the preflight loads, which drops the keyboard's focus to
  // the page behind the dialog: once the preflight is there, focus goes to what comes next.
  const startButton = useRef<HTMLButtonElement>(null);
  const checked = preflight.data !== undefined;
  useEffect(() => {
    if (checked) startButton.current?.focus();
  }, [checked]);

  return (
    <Modal opened onClose={props.onClose} title={`Run ${workflow.name}`} size="xl">
      <Stack gap="md">
        {specs.length === 0 ? (
          <Text size="sm" c="dimmed">
            This workflow takes no inputs.
          </Text>
        ) : (
          <Stack gap="sm" component="fieldset" style={{ border: 0, padding: 0, margin: 0 }}>
            <Text component="legend" size="sm" fw={600}>
              Inputs
            </Text>
            {specs.map((spec) => (
              <InputField
                key={spec.name}
                spec={spec}
                value={values[spec.name] ?? initialValue(spec)}
                error={showProblems ? problems[spec.name] : undefined}
                onChange={(v) => change(spec.name, v)}
              />
            ))}
          </Stack>
        )}
        {preflight.error !== null && (
          <ErrorAlert error={preflight.error} title="Preflight failed" />
        )}
        {preflight.data !== undefined && <PreflightView preflight={preflight.data} />}
        {start.error !== null && <ErrorAlert error={start.error} title="Not started" />}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Close
          </Button>
          {preflight.data === undefined ? (
            <Button
              leftSection={<IconShieldCheck size={16} />}
              loading={preflight.isPending}
              onClick={check}
            >
              Check before running
            </Button>
          ) : (
            <Button
              ref={startButton}
              leftSection={<IconPlayerPlay size={16} />}
              color={preflight.data.ok ? undefined : "orange"}
              loading={start.isPending}
              onClick={run}
            >
              {preflight.data.ok ? "Start run" : "Start run anyway"}
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
