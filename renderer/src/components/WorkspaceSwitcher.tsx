import { useState } from 'react';

interface Props {
  names: readonly string[];
  current: string;
  onSwitch: (name: string) => void;
  /** Saves the layout in use under a new name; throws with the reason a name is refused. */
  onSaveAs: (name: string) => void;
  onDelete: () => void;
}

/** Named layouts: pick one, save the one in use under a new name, delete the one in use. */
export function WorkspaceSwitcher({ names, current, onSwitch, onSaveAs, onDelete }: Props) {
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  /** Delete asks once more: a workspace holds a whole layout. */
  const [confirming, setConfirming] = useState(false);
  const close = () => {
    setNaming(false);
    setName('');
    setProblem(null);
  };

  if (naming)
    return (
      <form
        className="workspace-switcher"
        onSubmit={(e) => {
          e.preventDefault();
          try {
            onSaveAs(name);
            close();
          } catch (error) {
            setProblem((error as Error).message);
          }
        }}
      >
        <input
          autoFocus
          aria-label="New workspace name"
          aria-invalid={problem !== null}
          aria-describedby={problem ? 'workspace-name-problem' : undefined}
          placeholder="Workspace name"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setProblem(null);
          }}
          onKeyDown={(e) => e.key === 'Escape' && close()}
        />
        <button type="submit">Save</button>
        <button type="button" onClick={close}>
          Cancel
        </button>
        {problem && (
          <span className="field-error" id="workspace-name-problem" role="alert">
            {problem}
          </span>
        )}
      </form>
    );
  return (
    <div className="workspace-switcher">
      <label>
        Workspace
        <select aria-label="Workspace" value={current} onChange={(e) => onSwitch(e.target.value)}>
          {names.map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
      <button type="button" title="Keep this layout under a new name" onClick={() => setNaming(true)}>
        Save as…
      </button>
      <button
        type="button"
        disabled={names.length < 2}
        title={names.length < 2 ? 'The only workspace stays' : `Delete the workspace ${current}`}
        className={confirming ? 'danger' : undefined}
        onBlur={() => setConfirming(false)}
        onClick={() => {
          if (!confirming) return setConfirming(true);
          setConfirming(false);
          onDelete();
        }}
      >
        {confirming ? `Delete ${current}?` : 'Delete'}
      </button>
    </div>
  );
}
