import { Route } from "react-router";
import { DiagramPage } from "./diagram/DiagramPage";
import { InventoryPage } from "./InventoryPage";

/** The inventory: the selection picker and the diagram of a selection. */
export const inventoryRoutes = (
  <Route path="inventory">
    <Route index element={<InventoryPage />} />
    <Route path="diagram" element={<DiagramPage />} />
  </Route>
);
