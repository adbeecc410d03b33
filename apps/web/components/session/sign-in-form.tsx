'use client';

import { useActionState } from 'react';
import { type SignInState, signInAction } from './actions';

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(signInAction, { error: null } satisfies SignInState);
  return (
    <form action={action} className="stack" data-testid="sign-in-form">
      <input type="hidden" name="next" value={next} />
      <label>
        API key
        <input
          name="key"
          type="password"
          autoComplete="current-password"
          spellCheck={false}
          required
          data-testid="sign-in-key"
        />
      </label>
      {state.error ? (
        <div className="error-box" role="alert" data-testid="sign-in-error">
          {state.error}
        </div>
      ) : null}
      <div>
        <button type="submit" disabled={pending}>
          {pending ? 'Checking…' : 'Sign in'}
        </button>
      </div>
    </form>
  );
}
