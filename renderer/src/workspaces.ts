import { checkedLayout, type WorkspaceLayout } from './workspace-layout.ts';

/**
 * Named layouts. The one in use is the live layout (saved at every change, as before there were
 * several); the others wait here as they were left.
 */
export interface Workspaces {
  current: string;
  /** Every workspace's layout by name, the current one's as of the last switch or save. */
  layouts: Record<string, WorkspaceLayout>;
}

const KEY = 'market-monitor.workspaces';
export const FIRST_WORKSPACE = 'Main';
const MAX_NAME = 40;

export function loadWorkspaces(live: WorkspaceLayout): Workspaces {
  try {
    const saved = JSON.parse(window.localStorage.getItem(KEY) ?? 'null') as Partial<Workspaces> | null;
    const layouts = Object.fromEntries(
      Object.entries(saved?.layouts ?? {}).map(([name, layout]) => [name, checkedLayout(layout)]),
    );
    const current = typeof saved?.current === 'string' ? saved.current : FIRST_WORKSPACE;
    return { current, layouts: { ...layouts, [current]: live } };
  } catch {
    return { current: FIRST_WORKSPACE, layouts: { [FIRST_WORKSPACE]: live } };
  }
}

export function saveWorkspaces(workspaces: Workspaces): void {
  window.localStorage.setItem(KEY, JSON.stringify(workspaces));
}

export const workspaceNames = (w: Workspaces) =>
  Object.keys(w.layouts).sort((a, b) => a.localeCompare(b, undefined, { sensitivity: 'base' }));

/** Why a name cannot be a new workspace's, or null when it can. */
export function nameProblem(w: Workspaces, name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return 'Give the workspace a name';
  if (trimmed.length > MAX_NAME) return `At most ${MAX_NAME} characters`;
  const taken = workspaceNames(w).find((n) => n.toLowerCase() === trimmed.toLowerCase());
  return taken ? `There is a workspace named ${taken} already` : null;
}

/** Keeps the live layout under the current name and makes `name` current; its layout is the live one now. */
export function switchWorkspace(w: Workspaces, live: WorkspaceLayout, name: string): Workspaces {
  if (!w.layouts[name] || name === w.current) return w;
  return { current: name, layouts: { ...w.layouts, [w.current]: live } };
}

/** A new workspace holding a copy of the live layout, made current. */
export function saveWorkspaceAs(w: Workspaces, live: WorkspaceLayout, name: string): Workspaces {
  const problem = nameProblem(w, name);
  if (problem) throw new Error(problem);
  return { current: name.trim(), layouts: { ...w.layouts, [w.current]: live, [name.trim()]: live } };
}

/** Removes the current workspace (never the last one); the first other by name becomes current. */
export function deleteWorkspace(w: Workspaces): Workspaces {
  const rest = workspaceNames(w).filter((n) => n !== w.current);
  if (rest.length === 0) return w;
  const layouts = { ...w.layouts };
  delete layouts[w.current];
  return { current: rest[0]!, layouts };
}
