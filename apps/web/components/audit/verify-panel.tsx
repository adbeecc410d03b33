'use client';

import { useActionState } from 'react';
import { type VerifyState, verifyLogAction } from './actions';

export function VerifyPanel() {
  const [state, action, pending] = useActionState(verifyLogAction, {
    result: null,
    error: null,
    at: null,
  } as VerifyState);
  return (
    <section className="panel" data-testid="verify">
      <h2>Integrity check</h2>
      <p className="muted small">
        Recomputes every event's hash chain and checks that no event was changed, removed or reordered.
      </p>
      <form action={action}>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Checking…' : 'Verify the log'}
        </button>
      </form>
      {state.error ? (
        <div className="error-box" style={{ marginTop: '0.6rem' }}>
          {state.error}
        </div>
      ) : null}
      {state.result ? (
        <div
          className={state.result.ok ? 'ok-box' : 'error-box'}
          style={{ marginTop: '0.6rem' }}
          data-testid="verify-result"
        >
          <strong>{state.result.ok ? 'Intact' : 'Breached'}</strong>:{' '}
          {state.result.checked.toLocaleString('en')} events checked
          {state.result.problems.length > 0 ? (
            <ul>
              {state.result.problems.map((p) => (
                <li key={`${p.position}-${p.message}`}>
                  {p.position !== null ? `position ${p.position}: ` : ''}
                  {p.message}
                </li>
              ))}
            </ul>
          ) : null}
          {state.at ? <div className="small muted">at {state.at}</div> : null}
        </div>
      ) : null}
    </section>
  );
}
