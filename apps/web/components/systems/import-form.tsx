'use client';

import { useRouter } from 'next/navigation';
import { type DragEvent, type FormEvent, useActionState, useRef, useState } from 'react';
import { type ImportState, importHistoryAction } from './actions';
import { TraceReportView } from './trace-report';
import { peekHistory, type Upload, uploadHistory } from './upload';

const initial: ImportState = {
  error: null,
  line: null,
  fields: { system: '', policy: '', history: '' },
  trace: null,
  imported: null,
};

/**
 * A history file is uploaded by the browser itself, streamed to the API through the web server
 * with its progress shown (any size up to `historyLimit`); a trace or pasted lines go through the
 * Server Action, which converts traces on the server.
 */
export function ImportForm({ historyLimit }: { historyLimit: number }) {
  const [state, action, pending] = useActionState(importHistoryAction, initial);
  const router = useRouter();
  const [upload, setUpload] = useState<Upload | null>(null);
  // Set while a file found to be a trace is submitted again, to the Server Action this time.
  const toAction = useRef(false);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    setChosen([]);
    if (toAction.current) {
      toAction.current = false;
      return;
    }
    const form = e.currentTarget;
    const files = fileInput.current?.files;
    const file = files?.length === 1 ? files[0] : undefined;
    if (!file) return;
    // Decided before the first await: a trace falls through to the Server Action.
    e.preventDefault();
    const peeked = await peekHistory(file);
    if (!peeked.history) {
      toAction.current = true;
      form.requestSubmit();
      return;
    }
    setUpload(null);
    const data = new FormData(form);
    const system = String(data.get('system') ?? '').trim() || peeked.system || '';
    const policy = String(data.get('policy') ?? '');
    const failed = (error: string, line: number | null = null): Upload => ({
      phase: 'failed',
      loaded: 0,
      total: file.size,
      error,
      line,
    });
    if (system === '') return setUpload(failed('name the system (or put "system" in the header line)'));
    if (file.size > historyLimit) {
      return setUpload(
        failed(`the history is larger than the limit of ${sizeText(historyLimit)} (PASID_HISTORY_LIMIT)`),
      );
    }
    const done = await uploadHistory(file, system, policy, setUpload);
    if (done.ok) router.push(`/systems/${encodeURIComponent(done.system)}`);
  };
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
      onSubmit={(e) => {
        // A trace chosen after a history: let the Server Action have it.
        if (upload?.phase === 'uploading') e.preventDefault();
        else void onSubmit(e);
      }}
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
      {upload ? <UploadView upload={upload} /> : null}
      {state.error ? (
        <div className="error-box" role="alert" data-testid="import-error">
          {state.line !== null && !new RegExp(`\\bline ${state.line}\\b`, 'i').test(state.error) ? (
            <strong>Line {state.line}: </strong>
          ) : null}
          {state.error}
        </div>
      ) : null}
      <div>
        <button type="submit" className="primary" disabled={pending || upload?.phase === 'uploading'}>
          {pending || upload?.phase === 'uploading' ? 'Importing…' : 'Import'}
        </button>
      </div>
    </form>
  );
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** The upload's progress bar, then what the API answered. */
function UploadView({ upload }: { upload: Upload }) {
  if (upload.phase === 'failed') {
    return (
      <div className="error-box" role="alert" data-testid="import-error">
        {upload.line != null && !new RegExp(`\\bline ${upload.line}\\b`, 'i').test(upload.error ?? '') ? (
          <strong>Line {upload.line}: </strong>
        ) : null}
        {upload.error}
      </div>
    );
  }
  const share = upload.total > 0 ? Math.floor((100 * upload.loaded) / upload.total) : 0;
  return (
    <div className="stack" data-testid="import-progress" data-phase={upload.phase}>
      <progress value={upload.loaded} max={upload.total} />
      <span className="small muted">
        {upload.phase === 'uploading'
          ? `Uploading ${sizeText(upload.loaded)} of ${sizeText(upload.total)} (${share}%)…`
          : upload.phase === 'storing'
            ? `Uploaded ${sizeText(upload.total)}: the ledger is checking and storing the last lines…`
            : `Imported ${upload.events?.toLocaleString('en-US') ?? ''} events`}
      </span>
    </div>
  );
}
