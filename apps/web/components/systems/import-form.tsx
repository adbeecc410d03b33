'use client';

import { useActionState } from 'react';
import { type ImportState, importHistoryAction } from './actions';

const initial: ImportState = { error: null, line: null, fields: { system: '', policy: '', history: '' } };

export function ImportForm() {
  const [state, action, pending] = useActionState(importHistoryAction, initial);
  return (
    <form action={action} className="stack" data-testid="import-form">
      <div className="row">
        <label>
          System name
          <input
            name="system"
            placeholder="from the header"
            defaultValue={state.fields.system}
            key={`s${state.fields.system}`}
          />
        </label>
        <label>
          Policy
          <select name="policy" defaultValue={state.fields.policy} key={`p${state.fields.policy}`}>
            <option value="">from the header (default MM_EXIT)</option>
            <option value="LAZY_REFCOUNT">LAZY_REFCOUNT</option>
            <option value="MM_EXIT">MM_EXIT</option>
            <option value="EAGER_UNBIND">EAGER_UNBIND</option>
          </select>
        </label>
        <label>
          File
          <input type="file" name="file" accept=".jsonl,.json,.txt,application/json,text/plain" />
        </label>
      </div>
      <label>
        …or paste the lines
        <textarea
          name="history"
          rows={8}
          placeholder={'{"type": "ProcessCreated", "pid": 100}'}
          defaultValue={state.fields.history}
          key={`h${state.fields.history.length}`}
        />
      </label>
      {state.error ? (
        <div className="error-box" role="alert" data-testid="import-error">
          {state.line !== null && !new RegExp(`\\bline ${state.line}\\b`, 'i').test(state.error) ? (
            <strong>Line {state.line}: </strong>
          ) : null}
          {state.error}
        </div>
      ) : null}
      <div>
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}
