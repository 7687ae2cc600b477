import { notifications } from "@mantine/notifications";
import { useDeleteProject, type Project } from "../../api/keystore";
import { ConfirmModal } from "../../components/ConfirmModal";

/** Asks before deleting a project; the API refuses one that still has secrets. */
export function DeleteProjectModal(props: {
  project: Project | null;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const deleteProject = useDeleteProject();
  const name = props.project?.name;
  return (
    <ConfirmModal
      opened={props.project !== null}
      title={`Delete project ${name ?? ""}?`}
      confirmLabel="Delete project"
      onClose={props.onClose}
      onConfirm={async () => {
        if (name === undefined) return;
        await deleteProject.mutateAsync(name);
        props.onDeleted();
        notifications.show({ message: `Project ${name} deleted`, color: "teal" });
      }}
    >
      Only an empty project can be deleted: delete its secrets first.
    </ConfirmModal>
  );
}
