import { describe, expect, it } from 'vitest';
import { Replayer, toStateDocument } from '../src/index.js';

// Steps as the store of model version 1 recorded them (commit 0e8a134): folded as recorded, never
// decided again. The store's migration test folds a whole log written by that code.
describe('a log written by model version 1', () => {
  it('folds its SIGSEGV (recorded without reason) as NO_PASID, version 1 having no other', () => {
    const replayer = new Replayer({ policy: 'LAZY_REFCOUNT', maxPasid: 16 });
    replayer.applyRecorded({ type: 'ProcessCreated', pid: 200 }, []);
    replayer.applyRecorded({ type: 'Enqcmd', tid: 200, device: '0000:6a:01.0' }, [
      { type: 'HazardDetected', code: 'SIGSEGV', tid: 200, device: '0000:6a:01.0' },
    ]);
    expect(toStateDocument(replayer.state).hazards).toEqual([
      { code: 'SIGSEGV', reason: 'NO_PASID', event: 2, tid: 200, device: '0000:6a:01.0' },
    ]);
  });

  it('keeps a recorded reason as it is', () => {
    const replayer = new Replayer({ policy: 'MM_EXIT', maxPasid: 16 });
    replayer.applyRecorded({ type: 'ProcessCreated', pid: 1 }, []);
    replayer.applyRecorded({ type: 'Enqcmd', tid: 1 }, [
      { type: 'HazardDetected', code: 'SIGSEGV', reason: 'ALREADY_ACTIVATED', tid: 1 },
    ]);
    expect(toStateDocument(replayer.state).hazards[0]?.reason).toBe('ALREADY_ACTIVATED');
  });
});
