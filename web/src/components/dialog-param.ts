import { useSearchParams } from "react-router";

/**
 * A dialog that has its own address: `?<key>=<value>` in the URL, so it can be linked to, and
 * the back button closes it.
 */
export function useDialogParam(key: string): {
  value: string | null;
  open: (value?: string) => void;
  close: () => void;
} {
  const [params, setParams] = useSearchParams();
  const value = params.get(key);
  return {
    value,
    open: (v = "1") =>
      setParams((p) => {
        const next = new URLSearchParams(p);
        next.set(key, v);
        return next;
      }),
    close: () =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          next.delete(key);
          return next;
        },
        { replace: true },
      ),
  };
}
