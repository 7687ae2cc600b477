import { Route } from "react-router";
import { EditWorkflowPage, NewWorkflowPage } from "./WorkflowEditorPage";
import { WorkflowPage } from "./WorkflowPage";
import { WorkflowsPage } from "./WorkflowsPage";

/** Workflows: the list, the editor (new and edit) and one workflow with its runs. */
export const workflowRoutes = (
  <>
    <Route path="workflows" element={<WorkflowsPage />} />
    <Route path="workflows/new" element={<NewWorkflowPage />} />
    <Route path="workflows/:name" element={<WorkflowPage />} />
    <Route path="workflows/:name/edit" element={<EditWorkflowPage />} />
  </>
);
