import { useEffect, useState } from 'react';
import type { ProviderView } from '../../../engine/api/contract.ts';
import type { ProviderId } from '../../../engine/domain/provider.ts';
import type { ApiClient } from '../api/client.ts';

/**
 * The keys of keyed real-time providers (Finnhub), saved on their own, not with the settings: the
 * engine hands them to the host's keychain and answers only whether one is kept, and where.
 */
export function ProviderKeys({ api }: { api: ApiClient }) {
  const [providers, setProviders] = useState<ProviderView[]>([]);
  useEffect(() => {
    api.call('providers.list', {}).then(setProviders, () => undefined);
  }, [api]);
  return (
    <>
      {providers
        .filter((p) => p.needsKey)
        .map((p) => (
          <KeyField key={p.id} api={api} provider={p} onSaved={setProviders} />
        ))}
    </>
  );
}

function KeyField({
  api,
  provider,
  onSaved,
}: {
  api: ApiClient;
  provider: ProviderView;
  onSaved: (providers: ProviderView[]) => void;
}) {
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const save = async (id: ProviderId, key: string | null) => {
    try {
      onSaved(await api.call('providers.setKey', { provider: id, key }));
      setDraft('');
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const status = provider.key?.present ? `Key kept: ${provider.key.where}` : `No key (${provider.key?.where ?? ''})`;
  const errorId = `key-error-${provider.id}`;
  return (
    <div className="field provider-key">
      <label htmlFor={`key-${provider.id}`}>{provider.name} key</label>
      <div className="provider-key-row">
        <input
          id={`key-${provider.id}`}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={draft}
          placeholder={provider.key?.present ? '••••••••  (replace)' : 'Paste your free key'}
          aria-invalid={error !== null}
          aria-describedby={errorId}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            // The key is saved on its own: Enter must not submit the settings form around it.
            if (e.key !== 'Enter') return;
            e.preventDefault();
            void save(provider.id, draft);
          }}
        />
        <button type="button" disabled={!draft.trim()} onClick={() => void save(provider.id, draft)}>
          Save key
        </button>
        {provider.key?.present && (
          <button type="button" onClick={() => void save(provider.id, null)}>
            Forget
          </button>
        )}
      </div>
      <small className="hint">
        {status}. {provider.name} streams {provider.covers}
        {provider.maxSymbols ? `, ${provider.maxSymbols} symbols at once on the free tier` : ''}; choose it per symbol
        in the watchlist.
      </small>
      {provider.key?.warning && <small className="hint warning">{provider.key.warning}</small>}
      <small id={errorId} className="field-error" role="alert">
        {error}
      </small>
    </div>
  );
}
