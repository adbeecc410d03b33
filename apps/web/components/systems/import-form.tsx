'use client';

import { type DragEvent, useActionState, useRef, useState } from 'react';
import { type ImportState, importHistoryAction } from './actions';
import { TraceReportView } from './trace-report';

const initial: ImportState = {
  error: null,
  line: null,
  fields: { system: '', policy: '', history: '' },
  trace: null,
  imported: null,
};

export function ImportForm() {
  const [state, action, pending] = useActionState(importHistoryAction, initial);
  const fileInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [chosen, setChosen] = useState<string[]>([]);
  // A file dropped anywhere on the form goes into the file input, as if chosen there.
  const onDragOver = (e: DragEvent<HTMLFormElement>) => {
    if (!e.dataTransfer.types.includes('Files')) return;
    e.preventDefault();
    setDragging(true);
  };
  const onDrop = (e: DragEvent<HTMLFormElement>) => {
    setDragging(false);
    if (e.dataTransfer.files.length === 0 || !fileInput.current) return;
    e.preventDefault();
    fileInput.current.files = e.dataTransfer.files;
    setChosen(Array.from(e.dataTransfer.files, (f) => f.name));
  };
  return (
    <form
      action={action}
      className={dragging ? 'stack dropping' : 'stack'}
      data-testid="import-form"
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      onSubmit={() => setChosen([])}
    >
      <div className="row">
        <label>
          System name
          <input
            name="system"
            placeholder="from the header (a trace: required)"
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
          Files (or drop them here)
          <input
            ref={fileInput}
            type="file"
            name="file"
            multiple
            accept=".jsonl,.json,.txt,.log,application/json,text/plain"
            onChange={(e) => setChosen(Array.from(e.currentTarget.files ?? [], (f) => f.name))}
          />
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
      {chosen.length > 1 ? (
        <p className="small muted" data-testid="import-chosen">
          {chosen.length} files, merged by time when they are traces: {chosen.join(', ')}
        </p>
      ) : null}
      {state.trace ? <TraceReportView report={state.trace} imported={state.imported} /> : null}
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
