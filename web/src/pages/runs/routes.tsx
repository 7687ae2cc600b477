import { Route } from "react-router";
import { RunPage } from "./RunPage";
import { RunsPage } from "./RunsPage";

/** Runs of single actions and of workflows: the list and one run. */
export const runRoutes = (
  <>
    <Route path="runs" element={<RunsPage />} />
    <Route path="runs/:id" element={<RunPage />} />
  </>
);
