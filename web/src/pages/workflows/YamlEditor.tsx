import { yaml } from "@codemirror/lang-yaml";
import { lintGutter, setDiagnostics, type Diagnostic } from "@codemirror/lint";
import { Text as MantineText, useComputedColorScheme } from "@mantine/core";
import CodeMirror, { EditorView, type ReactCodeMirrorRef, type Text } from "@uiw/react-codemirror";
import { useEffect, useId, useMemo, useRef } from "react";
import type { DefinitionError } from "../../api/workflows";

/** A 1-based line and column as a range over the word there (what the marker underlines). */
function rangeAt(doc: Text, line: number, column: number): { from: number; to: number } {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  const from = Math.min(l.from + Math.max(column, 1) - 1, l.to);
  const word = /^[^\s:,[\]{}]+/.exec(doc.sliceString(from, l.to));
  const to = word !== null ? from + word[0].length : Math.min(from + 1, l.to);
  return { from, to };
}

export function toDiagnostics(doc: Text, errors: DefinitionError[]): Diagnostic[] {
  return errors.map((e) => ({
    ...rangeAt(doc, e.line, e.column),
    severity: "error",
    source: e.path,
    message: e.path === "" ? e.message : `${e.path}: ${e.message}`,
  }));
}

/**
 * A YAML editor (CodeMirror 6). `errors` are the server's findings for exactly this text: they
 * show as lint markers (underline and gutter) at their line and column.
 */
export function YamlEditor(props: {
  label: string;
  value: string;
  onChange?: (value: string) => void;
  readOnly?: boolean;
  errors?: DefinitionError[];
  minHeight?: string;
}) {
  const ref = useRef<ReactCodeMirrorRef>(null);
  const scheme = useComputedColorScheme("light");
  const { label, readOnly = false } = props;
  const hintId = useId();
  const extensions = useMemo(
    () => [
      yaml(),
      lintGutter(),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({
        "aria-label": label,
        ...(readOnly ? {} : { "aria-describedby": hintId }),
      }),
    ],
    [label, readOnly, hintId],
  );

  const errors = props.errors;
  useEffect(() => {
    const view = ref.current?.view;
    if (view === undefined || errors === undefined) return;
    // Positions are for this exact text; the parent passes errors only when they match it.
    if (view.state.doc.toString() !== props.value) return;
    view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state.doc, errors)));
  }, [errors, props.value]);

  const editor = (
    <CodeMirror
      ref={ref}
      value={props.value}
      onChange={props.onChange}
      extensions={extensions}
      editable={!readOnly}
      readOnly={readOnly}
      theme={scheme === "dark" ? "dark" : "light"}
      minHeight={props.minHeight ?? "320px"}
      basicSetup={{ foldGutter: !readOnly, highlightActiveLine: !readOnly }}
      style={{
        border: "1px solid var(--mantine-color-default-border)",
        borderRadius: "var(--mantine-radius-sm)",
        overflow: "hidden",
        fontSize: "var(--mantine-font-size-sm)",
      }}
    />
  );
  if (readOnly) return editor;
  // Tab indents inside the editor (as in any code editor), so a keyboard user needs the way out.
  return (
    <div>
      {editor}
      <MantineText id={hintId} size="xs" c="dimmed" mt={4}>
        Tab indents. To leave the editor with the keyboard, press Esc, then Tab.
      </MantineText>
    </div>
  );
}
