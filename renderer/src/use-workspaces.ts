import { useState } from 'react';
import type { WorkspaceLayout } from './workspace-layout.ts';
import {
  deleteWorkspace,
  loadWorkspaces,
  saveWorkspaceAs,
  saveWorkspaces,
  switchWorkspace,
  workspaceNames,
  type Workspaces,
} from './workspaces.ts';

/** The named workspaces around the live layout: switching one in puts its layout live. */
export function useWorkspaces(layout: WorkspaceLayout, setLayout: (layout: WorkspaceLayout) => void) {
  const [workspaces, setWorkspaces] = useState<Workspaces>(() => loadWorkspaces(layout));
  const keep = (next: Workspaces) => {
    saveWorkspaces(next);
    setWorkspaces(next);
    setLayout(next.layouts[next.current]!);
  };
  return {
    names: workspaceNames(workspaces),
    current: workspaces.current,
    switchTo: (name: string) => keep(switchWorkspace(workspaces, layout, name)),
    saveAs: (name: string) => keep(saveWorkspaceAs(workspaces, layout, name)),
    remove: () => keep(deleteWorkspace(workspaces)),
  };
}
